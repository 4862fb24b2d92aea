import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { int32Part } from '../../src/media/linkRecord.js';
import { SharedRing } from '../../src/media/SharedRing.js';
import { ThreadLink } from '../../src/media/ThreadLink.js';

const linkUrl = pathToFileURL(new URL('../../src/media/ThreadLink.ts', import.meta.url).pathname).href;

/** A worker whose ThreadLink answers every message with { echo: message, n } and its parts (the real classes, through tsx). */
function echoWorker(toWorker: SharedArrayBuffer, toMain: SharedArrayBuffer): Worker {
  const boot = `const { parentPort, workerData } = require('node:worker_threads');
    import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(linkUrl)}); }).then(({ ThreadLink }) => {
      const link = new ThreadLink({ send: workerData.toMain, receive: workerData.toWorker });
      let n = 0;
      link.on('message', (m, parts) => link.postMessage({ echo: m, n: n++ }, parts));
      parentPort.on('message', (m) => link.connect(m));
      link.bound.then((port) => parentPort.postMessage(port));
    })`;
  return new Worker(boot, { eval: true, workerData: { toWorker, toMain } });
}

describe('ThreadLink', () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  async function pair(toWorkerBytes = 1 << 16, toMainBytes = 1 << 16) {
    const toWorker = SharedRing.allocate(toWorkerBytes);
    const toMain = SharedRing.allocate(toMainBytes);
    const link = new ThreadLink({ send: toWorker, receive: toMain }, { unref: true });
    const worker = echoWorker(toWorker, toMain);
    open.push(link, { close: () => worker.terminate() });
    const got: Array<{ echo: unknown; n: number; parts: Uint8Array[] }> = [];
    link.on('message', (m, parts) => got.push({ ...(m as { echo: unknown; n: number }), parts }));
    const connected = new Promise<void>((resolve) =>
      worker.once('message', (port: number) => {
        link.connect(port);
        resolve();
      }),
    );
    worker.postMessage(await link.bound);
    await connected;
    return { link, got };
  }

  const until = async (ok: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    expect(ok()).toBe(true);
  };

  it('carries messages and their byte parts both ways, in order, including those posted before the ends met', async () => {
    const toWorker = SharedRing.allocate(1 << 16);
    const toMain = SharedRing.allocate(1 << 16);
    const link = new ThreadLink({ send: toWorker, receive: toMain }, { unref: true });
    link.postMessage({ t: 'early', say: 'grüß dich' }, [Buffer.from([1, 2, 3])]); // before the worker exists
    const worker = echoWorker(toWorker, toMain);
    open.push(link, { close: () => worker.terminate() });
    const got: Array<{ m: { echo: { t: string; say?: string }; n: number }; parts: Uint8Array[] }> = [];
    link.on('message', (m, parts) => got.push({ m: m as (typeof got)[number]['m'], parts }));
    worker.once('message', (port: number) => link.connect(port));
    worker.postMessage(await link.bound);
    link.postMessage({ t: 'later' }, [new Uint8Array([5]), Int32Array.from([7, -8, 9])]);
    await until(() => got.length === 2);
    expect(got.map((g) => g.m.n)).toEqual([0, 1]);
    expect(got[0]!.m.echo).toEqual({ t: 'early', say: 'grüß dich' });
    expect(got[0]!.parts.map((p) => [...p])).toEqual([[1, 2, 3]]);
    expect([...got[1]!.parts[0]!]).toEqual([5]);
    expect([...int32Part(got[1]!.parts[1]!)]).toEqual([7, -8, 9]);
  });

  it('wakes a sleeping reader about once per burst, not once per message', async () => {
    const { link, got } = await pair();
    const start = link.rung;
    for (let burst = 0; burst < 20; burst++) {
      for (let i = 0; i < 50; i++) link.postMessage({ burst, i });
      await until(() => got.length === (burst + 1) * 50);
    }
    // The reader runs alongside: it may wake, drain and sleep again while a burst is being written, so a burst can
    // cost a few doorbells (or none, if the reader is still draining); one per message would be 1,000.
    expect(link.rung - start).toBeGreaterThan(0);
    expect(link.rung - start).toBeLessThan(200);
    expect(got.map((m) => m.n)).toEqual(got.map((_, i) => i));
  });

  it('keeps what does not fit in a backlog and delivers all of it, in order, when the reader catches up', async () => {
    const { link, got } = await pair(4096, 1 << 20);
    const payload = new Uint8Array(1500).fill(9);
    for (let i = 0; i < 400; i++) link.postMessage({ i }, [payload]); // ~600 kB through a 4 kB ring
    expect(link.backlogged).toBeGreaterThan(0);
    await until(() => got.length === 400);
    expect(got.map((m) => (m.echo as { i: number }).i)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(got[399]!.parts[0]!.length).toBe(1500);
    expect(got[399]!.parts[0]!.every((b) => b === 9)).toBe(true);
  });

  it('says clearly when one message is larger than the link carries', () => {
    const link = new ThreadLink({ send: SharedRing.allocate(4096), receive: SharedRing.allocate(4096) }, { unref: true });
    open.push(link);
    expect(() => link.postMessage({ t: 'big' }, [new Uint8Array(5000)])).toThrow(/larger than the link carries/);
  });

  it('counts and ignores datagrams to its doorbell from anyone but the other end', async () => {
    const { link, got } = await pair();
    const dgram = await import('node:dgram');
    const s = dgram.createSocket('udp4');
    const port = await link.bound;
    for (let i = 0; i < 10; i++) s.send(Buffer.from('x'), port, '127.0.0.1');
    link.postMessage('still here');
    await until(() => got.length === 1);
    await until(() => link.strays === 10);
    s.close();
    expect(got[0]!.echo).toBe('still here');
  });
});

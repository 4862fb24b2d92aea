import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readThreadSched, type PriorityOutcome, type PriorityRequest } from '../../src/media/threadPriority.js';
import { WorkerMediaHost } from '../../src/media/WorkerMediaHost.js';

const SCHED_OTHER = 0;
const SCHED_RR = 2;
const linux = process.platform === 'linux';

/** setThreadPriority in a fresh thread with its own environment (PATH decides whether `chrt` is found). */
function inThread(req: PriorityRequest, env: NodeJS.ProcessEnv = process.env): Promise<PriorityOutcome & { sched: unknown }> {
  const url = pathToFileURL(new URL('../../src/media/threadPriority.ts', import.meta.url).pathname).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); }).then((m) => {
    const out = m.setThreadPriority(${JSON.stringify(req)});
    require('node:worker_threads').parentPort.postMessage({ ...out, sched: m.readThreadSched('thread-self') });
  })`;
  const worker = new Worker(boot, { eval: true, env });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m as PriorityOutcome & { sched: unknown });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** The media thread asks the OS for its own scheduling; the rest of the process keeps its own. */
describe('media thread priority', () => {
  let host: WorkerMediaHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });
  const base = 47_500 + Math.floor(Math.random() * 400);
  const make = (priority: PriorityRequest) => new WorkerMediaHost({ host: '127.0.0.1', minPort: base, maxPort: base + 9, priority, logger: pino({ level: 'silent' }) });
  const root = process.getuid?.() === 0;

  it.runIf(linux)('applies a nice value any process may take (raising it) to the media thread only', async () => {
    host = make({ realtime: 0, nice: 5 });
    await host.start();
    expect(host.priority).toEqual({ policy: 'normal', realtime: 0, nice: 5 });
    const os = await import('node:os');
    expect(os.getPriority(process.pid)).not.toBe(5); // the main thread is untouched
  });

  it.runIf(linux)('asks for real-time round robin; with CAP_SYS_NICE the media thread alone gets it, otherwise it says why and runs anyway', async () => {
    host = make({ realtime: 10, nice: -5 });
    await host.start();
    // Root may still lack CAP_SYS_NICE (a container): either outcome is fine, as long as it is the truth.
    if (host.priority?.policy === 'realtime') {
      expect(host.priority).toMatchObject({ realtime: 10 });
      expect(host.priority.reason).toBeUndefined();
    } else {
      expect(host.priority).toMatchObject({ policy: 'normal', realtime: 0, reason: expect.stringMatching(/real-time priority 10: .*(CAP_SYS_NICE|chrt)/) });
    }
    if (!root) expect(host.priority?.policy).toBe('normal');
    expect(readThreadSched(process.pid)).toEqual({ policy: SCHED_OTHER, rtPriority: 0 }); // the main thread is untouched
    const ch = await host.open({ inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false });
    expect(ch.port).toBeGreaterThanOrEqual(base);
    await ch.close();
  });

  it.runIf(linux && root)('the outcome is what /proc reports for the thread', async () => {
    const out = await inThread({ realtime: 7, nice: 0 });
    if (out.policy === 'realtime') expect(out.sched).toEqual({ policy: SCHED_RR, rtPriority: 7 });
    else expect(out.sched).toEqual({ policy: SCHED_OTHER, rtPriority: 0 });
  });

  it.runIf(linux)('without chrt, falls back to the nice value and says why', async () => {
    const out = await inThread({ realtime: 10, nice: 3 }, { ...process.env, PATH: '/nonexistent' });
    expect(out).toMatchObject({ policy: 'normal', realtime: 0, nice: 3, reason: 'real-time priority 10: chrt (util-linux) not found' });
    expect(out.sched).toEqual({ policy: SCHED_OTHER, rtPriority: 0 });
  });

  it('asks for nothing: leaves the thread alone and has nothing to explain', async () => {
    const out = await inThread({ realtime: 0, nice: 0 });
    expect(out).toMatchObject({ policy: 'normal', realtime: 0 });
    expect(out.reason).toBeUndefined();
  });
});

import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { ipLiteralLookup } from '../../src/media/ipLiteralLookup.js';

describe('ipLiteralLookup', () => {
  it('answers IP literals at once, in the caller’s turn', () => {
    const got: unknown[] = [];
    ipLiteralLookup('127.0.0.1', 4, (err, address, family) => got.push([err, address, family]));
    ipLiteralLookup('::1', { family: 6 }, (err, address, family) => got.push([err, address, family]));
    expect(got).toEqual([
      [null, '127.0.0.1', 4],
      [null, '::1', 6],
    ]);
  });

  it('resolves host names through dns.lookup', async () => {
    const r = await new Promise<[unknown, string, number]>((resolve) => ipLiteralLookup('localhost', 4, (...a) => resolve(a)));
    expect(r).toEqual([null, '127.0.0.1', 4]);
    const bad = await new Promise<NodeJS.ErrnoException | null>((resolve) => ipLiteralLookup('no-such-host.invalid', 4, (err) => resolve(err)));
    expect(bad?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('makes a dgram send leave inside send(): a packet sent just before close() still goes out', async () => {
    const rx = dgram.createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString()));
    for (const [name, lookup] of [['default', undefined], ['ours', ipLiteralLookup]] as const) {
      const tx = dgram.createSocket({ type: 'udp4', ...(lookup ? { lookup } : {}) });
      await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
      tx.send(Buffer.from(name), rx.address().port, '127.0.0.1');
      tx.close(); // the default lookup answers on the next tick, after the handle is gone
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(['ours']);
    rx.close();
  });
});

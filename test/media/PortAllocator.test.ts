import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PortAllocator, PortRangeExhaustedError } from '../../src/media/PortAllocator.js';

/** Find a block of free consecutive ports by binding port 0 and probing above it. */
async function freeBase(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const probes: dgram.Socket[] = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      const s = dgram.createSocket('udp4');
      ok = await new Promise<boolean>((res) => {
        s.once('error', () => res(false));
        s.bind(p, '127.0.0.1', () => res(true));
      });
      probes.push(s);
    }
    for (const s of probes) {
      try {
        s.close();
      } catch {
        /* never bound */
      }
    }
    if (ok) return base;
  }
  throw new Error('no free port block');
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('PortAllocator', () => {
  it('binds sockets on successive ports in the range and counts them', async () => {
    const base = await freeBase(4);
    const alloc = new PortAllocator({ host: '127.0.0.1', minPort: base, maxPort: base + 3 });
    cleanups.push(() => alloc.releaseAll());
    const a = await alloc.allocate();
    const b = await alloc.allocate();
    expect([a.port, b.port]).toEqual([base, base + 1]);
    expect(a.socket.address().port).toBe(base);
    expect(alloc.inUse).toBe(2);
  });

  it('skips a port another process already holds', async () => {
    const base = await freeBase(3);
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(base, '127.0.0.1', () => r()));
    cleanups.push(() => squatter.close());
    const alloc = new PortAllocator({ host: '127.0.0.1', minPort: base, maxPort: base + 2 });
    cleanups.push(() => alloc.releaseAll());
    const a = await alloc.allocate();
    expect(a.port).toBe(base + 1);
  });

  it('fails with a clear error when the range is exhausted, and recovers after a release', async () => {
    const base = await freeBase(2);
    const alloc = new PortAllocator({ host: '127.0.0.1', minPort: base, maxPort: base + 1 });
    cleanups.push(() => alloc.releaseAll());
    const a = await alloc.allocate();
    await alloc.allocate();
    const err = await alloc.allocate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortRangeExhaustedError);
    expect((err as PortRangeExhaustedError).code).toBe('RTP_PORTS_EXHAUSTED');
    expect((err as Error).message).toContain(`${base}-${base + 1}`);
    alloc.release(a.port);
    expect(alloc.inUse).toBe(1);
    const again = await alloc.allocate();
    expect(again.port).toBe(a.port);
  });

  it('hands out distinct ports to concurrent allocations', async () => {
    const base = await freeBase(5);
    const alloc = new PortAllocator({ host: '127.0.0.1', minPort: base, maxPort: base + 4 });
    cleanups.push(() => alloc.releaseAll());
    const got = await Promise.all([alloc.allocate(), alloc.allocate(), alloc.allocate()]);
    expect(new Set(got.map((g) => g.port)).size).toBe(3);
  });

  it('closes the socket on release and tolerates a socket closed by its owner', async () => {
    const base = await freeBase(1);
    const alloc = new PortAllocator({ host: '127.0.0.1', minPort: base, maxPort: base });
    const a = await alloc.allocate();
    a.socket.close();
    expect(() => alloc.release(a.port)).not.toThrow();
    expect(alloc.inUse).toBe(0);
    const b = await alloc.allocate();
    const closed = new Promise((r) => b.socket.once('close', r));
    alloc.release(b.port);
    await closed;
  });

  it('rejects a bad range at construction', () => {
    expect(() => new PortAllocator({ host: '127.0.0.1', minPort: 5000, maxPort: 4000 })).toThrow(RangeError);
    expect(() => new PortAllocator({ host: '127.0.0.1', minPort: 0, maxPort: 10 })).toThrow(RangeError);
  });
});

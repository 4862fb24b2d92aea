import { describe, expect, it } from 'vitest';
import { SharedRing } from '../../src/media/SharedRing.js';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 0xff);

describe('SharedRing', () => {
  it('hands records back in order, as written, and is empty after', () => {
    const ring = new SharedRing(SharedRing.allocate(256));
    expect(ring.isEmpty()).toBe(true);
    expect(ring.peek()).toBeUndefined();
    for (const n of [0, 1, 5, 12]) expect(ring.tryWrite(bytes(n, n))).toBe(true);
    for (const n of [0, 1, 5, 12]) {
      expect([...ring.peek()!]).toEqual([...bytes(n, n)]);
      ring.advance();
    }
    expect(ring.isEmpty()).toBe(true);
    expect(ring.used).toBe(0);
  });

  it('refuses a record that does not fit now, writing nothing, and takes it once the reader frees room', () => {
    const ring = new SharedRing(SharedRing.allocate(128));
    expect(ring.maxRecord).toBe(56);
    expect(ring.tryWrite(bytes(56, 1))).toBe(true); // 0..60
    expect(ring.tryWrite(bytes(56, 2))).toBe(true); // 60..120
    expect(ring.tryWrite(bytes(56, 3))).toBe(false); // neither at the end nor before the reader at 0
    expect(ring.used).toBe(120);
    ring.peek();
    ring.advance();
    expect(ring.tryWrite(bytes(56, 3))).toBe(false); // 0..60 would reach the reader at 60
    expect(ring.tryWrite(bytes(52, 3))).toBe(true); // 0..56 wraps
    const out: number[][] = [];
    for (let r = ring.peek(); r; r = ring.peek()) {
      out.push([...r]);
      ring.advance();
    }
    expect(out).toEqual([[...bytes(56, 2)], [...bytes(52, 3)]]);
  });

  it('wraps a record that does not fit before the end to the start', () => {
    const ring = new SharedRing(SharedRing.allocate(128));
    ring.tryWrite(bytes(40, 1)); // 0..44
    ring.tryWrite(bytes(40, 2)); // 44..88
    ring.peek();
    ring.advance(); // reader at 44
    expect(ring.tryWrite(bytes(36, 3))).toBe(true); // 88 + 40 = 128, reader not at 0: ends exactly at the end
    expect(ring.tryWrite(bytes(30, 4))).toBe(true); // at 0..36 (< 44)
    expect(ring.tryWrite(bytes(8, 5))).toBe(false); // 36 + 12 reaches 44
    const out: number[][] = [];
    for (let r = ring.peek(); r; r = ring.peek()) {
      out.push([...r]);
      ring.advance();
    }
    expect(out).toEqual([[...bytes(40, 2)], [...bytes(36, 3)], [...bytes(30, 4)]]);
  });

  it('matches a queue model over random writes and reads of random sizes', () => {
    const ring = new SharedRing(SharedRing.allocate(1024));
    const model: number[][] = [];
    let seed = 7;
    const rand = (n: number) => {
      // xorshift32: the low bits of a linear congruential generator alternate
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let written = 0;
    for (let step = 0; step < 20_000; step++) {
      if (rand(2) === 0) {
        const rec = bytes(rand(ring.maxRecord + 1), step);
        if (ring.tryWrite(rec)) {
          model.push([...rec]);
          written++;
        } else {
          expect(model.length).toBeGreaterThan(0); // an empty ring takes any record up to maxRecord
        }
      } else {
        const got = ring.peek();
        if (model.length === 0) expect(got).toBeUndefined();
        else {
          expect([...got!]).toEqual(model.shift());
          ring.advance();
        }
      }
      expect(ring.isEmpty()).toBe(model.length === 0);
    }
    expect(written).toBeGreaterThan(5_000);
  });

  it('rejects records larger than half the ring and buffers that are not rings', () => {
    const ring = new SharedRing(SharedRing.allocate(128));
    expect(() => ring.tryWrite(new Uint8Array(57))).toThrow(/exceeds/);
    expect(() => new SharedRing(new SharedArrayBuffer(30))).toThrow(/not a SharedRing/);
    expect(() => SharedRing.allocate(10)).toThrow(/below 64/);
  });
});

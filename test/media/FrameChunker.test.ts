import { describe, expect, it } from 'vitest';
import { FrameChunker } from '../../src/media/FrameChunker.js';

const seq = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

describe('FrameChunker', () => {
  it('returns frames inside one input buffer as views, not copies', () => {
    const c = new FrameChunker(4);
    const input = seq(0, 10);
    c.push(input);
    const f1 = c.shift()!;
    const f2 = c.shift()!;
    expect([...f1]).toEqual([0, 1, 2, 3]);
    expect([...f2]).toEqual([4, 5, 6, 7]);
    expect(f1.buffer).toBe(input.buffer);
    expect(f2.byteOffset).toBe(input.byteOffset + 4);
    expect(c.shift()).toBeUndefined();
    expect(c.bytesQueued).toBe(2);
  });

  it('copies only a frame that straddles input buffers', () => {
    const c = new FrameChunker(4);
    const a = seq(0, 6);
    const b = seq(6, 6);
    c.push(a);
    c.push(b);
    c.shift();
    const straddle = c.shift()!;
    expect([...straddle]).toEqual([4, 5, 6, 7]);
    a[4] = 0x55; // the straddling frame is a copy: later changes to the inputs do not show through
    b[0] = 0x55;
    expect([...straddle]).toEqual([4, 5, 6, 7]);
    const inB = c.shift()!;
    expect([...inB]).toEqual([8, 9, 10, 11]);
    expect(inB.buffer).toBe(b.buffer);
  });

  it('assembles a frame from many tiny writes', () => {
    const c = new FrameChunker(5);
    for (let i = 0; i < 12; i++) c.push(seq(i, 1));
    expect([...c.shift()!]).toEqual([0, 1, 2, 3, 4]);
    expect([...c.shift()!]).toEqual([5, 6, 7, 8, 9]);
    expect(c.shift()).toBeUndefined();
    expect(c.bytesQueued).toBe(2);
  });

  it('preserves every byte in order across random write sizes', () => {
    const c = new FrameChunker(160);
    const out: number[] = [];
    let n = 0;
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const len = seed % 400;
      c.push(seq(n, len));
      n += len;
      for (let f = c.shift(); f; f = c.shift()) {
        expect(f.length).toBe(160);
        out.push(...f);
      }
    }
    const last = c.drain(0xee);
    const tail = c.lastRealBytes;
    if (last) out.push(...last.subarray(0, tail));
    expect(out.length).toBe(n);
    expect(out.every((v, i) => v === (i & 0xff))).toBe(true);
  });

  it('pads the remainder to a full frame on drain', () => {
    const c = new FrameChunker(4);
    c.push(seq(1, 6));
    expect([...c.drain(0xff)!]).toEqual([1, 2, 3, 4]); // a full frame first
    const padded = c.drain(0xff)!;
    expect([...padded]).toEqual([5, 6, 0xff, 0xff]);
    expect(c.lastRealBytes).toBe(2);
    expect(c.drain()).toBeUndefined();
  });

  it('clears and reports dropped bytes', () => {
    const c = new FrameChunker(4);
    c.push(seq(0, 3));
    c.push(seq(3, 7));
    c.shift();
    expect(c.clear()).toBe(6);
    expect(c.bytesQueued).toBe(0);
    expect(c.shift()).toBeUndefined();
    c.push(seq(9, 4));
    expect([...c.shift()!]).toEqual([9, 10, 11, 12]);
  });

  it('ignores empty writes and rejects a bad frame size', () => {
    const c = new FrameChunker(2);
    c.push(Buffer.alloc(0));
    expect(c.bytesQueued).toBe(0);
    expect(() => new FrameChunker(0)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { BlockChunker, BlockPool } from '../../src/media/BlockChunker.js';
import { FrameChunker } from '../../src/media/FrameChunker.js';
import { rng } from '../vad/signals.js';

const seq = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

describe('BlockChunker', () => {
  it('copies what is pushed: the caller may reuse its buffer at once', () => {
    const c = new BlockChunker(4, new BlockPool(16));
    const input = seq(0, 10);
    c.push(input);
    input.fill(0x55);
    expect([...c.shift()!]).toEqual([0, 1, 2, 3]);
    expect([...c.shift()!]).toEqual([4, 5, 6, 7]);
    expect(c.shift()).toBeUndefined();
    expect(c.bytesQueued).toBe(2);
    expect(c.framesQueued).toBe(0);
  });

  it('returns a frame inside one block as a view of the block; one across blocks as a copy', () => {
    const pool = new BlockPool(6);
    const c = new BlockChunker(4, pool);
    c.push(seq(0, 12)); // blocks [0..5] [6..11]
    const inBlock = c.shift()!;
    expect(inBlock.length).toBe(4);
    expect(inBlock.buffer.byteLength).toBe(6); // the block itself
    const across = c.shift()!;
    expect([...across]).toEqual([4, 5, 6, 7]);
    expect(across.buffer.byteLength).not.toBe(6);
    expect([...c.shift()!]).toEqual([8, 9, 10, 11]);
  });

  it('puts played blocks back in the pool (after the next call, so the last frame stays valid) and reuses them', () => {
    const pool = new BlockPool(8);
    const c = new BlockChunker(4, pool);
    c.push(seq(0, 8));
    c.shift();
    const last = c.shift()!; // empties the only block
    expect(pool.idle).toBe(0); // not yet: `last` views it
    expect([...last]).toEqual([4, 5, 6, 7]);
    c.push(seq(100, 8)); // next call: the block goes back, and is taken again for this push
    expect(pool.idle).toBe(0);
    expect(pool.created).toBe(1);
    expect([...c.shift()!]).toEqual([100, 101, 102, 103]);
  });

  it('streaming far more than it holds creates only as many blocks as are queued at once', () => {
    const pool = new BlockPool(160 * 10);
    const c = new BlockChunker(160, pool);
    for (let i = 0; i < 1_000; i++) {
      c.push(seq(i, 880)); // 5.5 frames in, then about as many out
      while (c.framesQueued > 20) c.shift();
    }
    expect(pool.created).toBeLessThanOrEqual(4);
  });

  it('drain pads the remainder and counts only the real bytes', () => {
    const c = new BlockChunker(5, new BlockPool(3));
    c.push(seq(1, 7));
    expect([...c.drain(0xff)!]).toEqual([1, 2, 3, 4, 5]);
    expect(c.lastRealBytes).toBe(5);
    expect([...c.drain(0xff)!]).toEqual([6, 7, 0xff, 0xff, 0xff]);
    expect(c.lastRealBytes).toBe(2);
    expect(c.drain()).toBeUndefined();
  });

  it('clear drops everything, gives every block back and says how much it dropped', () => {
    const pool = new BlockPool(4);
    const c = new BlockChunker(3, pool);
    c.push(seq(0, 10));
    expect(c.clear()).toBe(10);
    expect(c.bytesQueued).toBe(0);
    expect(pool.idle).toBe(3);
    expect(c.shift()).toBeUndefined();
    c.push(seq(50, 3));
    expect([...c.shift()!]).toEqual([50, 51, 52]);
    expect(pool.created).toBe(3);
  });

  it('keeps at most maxFree idle blocks', () => {
    const pool = new BlockPool(2, 2);
    const c = new BlockChunker(2, pool);
    c.push(seq(0, 10));
    c.clear();
    expect(pool.created).toBe(5);
    expect(pool.idle).toBe(2);
  });

  it('gives the same frames as FrameChunker over random pushes, shifts, drains and clears', () => {
    const rand = rng(7);
    for (const [frame, block] of [
      [5, 7],
      [160, 1_000],
      [4, 4],
      [3, 1],
    ] as const) {
      const model = new FrameChunker(frame);
      const c = new BlockChunker(frame, new BlockPool(block));
      let next = 0;
      for (let op = 0; op < 3_000; op++) {
        const r = rand();
        if (r < 0.45) {
          const n = Math.floor(rand() * frame * 3);
          const b = seq(next, n);
          next += n;
          model.push(Buffer.from(b));
          c.push(b);
        } else if (r < 0.85) {
          const a = model.shift();
          const b = c.shift();
          expect(b === undefined ? undefined : [...b]).toEqual(a === undefined ? undefined : [...a]);
        } else if (r < 0.97) {
          const a = model.drain(0xee);
          const b = c.drain(0xee);
          expect(b === undefined ? undefined : [...b]).toEqual(a === undefined ? undefined : [...a]);
          expect(c.lastRealBytes).toBe(model.lastRealBytes);
        } else {
          expect(c.clear()).toBe(model.clear());
        }
        expect(c.bytesQueued).toBe(model.bytesQueued);
      }
    }
  });

  it('refuses a bad frame or block size', () => {
    expect(() => new BlockChunker(0)).toThrow(RangeError);
    expect(() => new BlockPool(1.5)).toThrow(RangeError);
  });
});

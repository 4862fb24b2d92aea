import { describe, expect, it } from 'vitest';
import { JITTER_BOUNDS_MS, emptyJitterCounts, jitterQuantile, mergeJitter, recordJitter } from '../../src/media/JitterHistogram.js';

/** Index of the one bucket a single value lands in. */
function bucketOf(deviationMs: number): number {
  const c = emptyJitterCounts();
  recordJitter(c, deviationMs);
  expect(c.reduce((a, b) => a + b, 0)).toBe(1);
  return c.findIndex((n) => n === 1);
}

describe('JitterHistogram buckets', () => {
  it('bounds rise strictly and end with an Infinity bucket', () => {
    for (let i = 1; i < JITTER_BOUNDS_MS.length; i++) expect(JITTER_BOUNDS_MS[i]!).toBeGreaterThan(JITTER_BOUNDS_MS[i - 1]!);
    expect(JITTER_BOUNDS_MS.at(-1)).toBe(Infinity);
  });

  it('an empty histogram has one zero count per bound, and each call gives a fresh array', () => {
    const a = emptyJitterCounts();
    expect(a).toHaveLength(JITTER_BOUNDS_MS.length);
    expect(a.every((n) => n === 0)).toBe(true);
    a[0] = 5;
    expect(emptyJitterCounts()[0]).toBe(0);
  });

  it('a value exactly on a bound goes in that bound’s bucket; just above goes in the next', () => {
    JITTER_BOUNDS_MS.forEach((bound, i) => {
      if (!Number.isFinite(bound)) return;
      expect(bucketOf(bound)).toBe(i);
      expect(bucketOf(bound + 1e-9)).toBe(i + 1);
    });
  });

  it('puts 0 in the first bucket and values by the bucket they fall in', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.1)).toBe(0);
    expect(bucketOf(0.3)).toBe(1); // (0.25, 0.5]
    expect(bucketOf(1.1)).toBe(4); // (1, 1.25]
    expect(bucketOf(2.2)).toBe(8); // (2, 2.5]
    expect(bucketOf(6)).toBe(12); // (5, 7.5]
    expect(bucketOf(39.9)).toBe(16); // (20, 40]
  });

  it('anything above 40 ms, Infinity included, lands in the last (Infinity) bucket', () => {
    const last = JITTER_BOUNDS_MS.length - 1;
    expect(bucketOf(40.001)).toBe(last);
    expect(bucketOf(1000)).toBe(last);
    expect(bucketOf(Infinity)).toBe(last);
  });

  it('counts accumulate', () => {
    const c = emptyJitterCounts();
    for (let i = 0; i < 7; i++) recordJitter(c, 0.6);
    recordJitter(c, 3);
    expect(c[2]).toBe(7);
    expect(c[9]).toBe(1);
  });
});

describe('JitterHistogram merge', () => {
  it('adds counts bucket by bucket into the first histogram and returns it', () => {
    const a = emptyJitterCounts();
    const b = emptyJitterCounts();
    recordJitter(a, 0.1);
    recordJitter(a, 5);
    recordJitter(b, 0.1);
    recordJitter(b, 100);
    const out = mergeJitter(a, b);
    expect(out).toBe(a);
    expect(a[0]).toBe(2);
    expect(a[11]).toBe(1);
    expect(a.at(-1)).toBe(1);
    expect(a.reduce((x, y) => x + y, 0)).toBe(4);
    expect(b.reduce((x, y) => x + y, 0)).toBe(2); // the source is left alone
  });

  it('treats missing buckets of a shorter source as zero', () => {
    const a = emptyJitterCounts();
    a[3] = 2;
    mergeJitter(a, [1, 1]);
    expect(a.slice(0, 4)).toEqual([1, 1, 0, 2]);
    expect(a.every((n) => Number.isFinite(n))).toBe(true);
  });

  it('merging many per-call histograms equals recording everything into one', () => {
    const all = emptyJitterCounts();
    const merged = emptyJitterCounts();
    for (let call = 0; call < 10; call++) {
      const one = emptyJitterCounts();
      for (let k = 0; k < 50; k++) {
        const v = ((call * 50 + k) * 0.37) % 45;
        recordJitter(one, v);
        recordJitter(all, v);
      }
      mergeJitter(merged, one);
    }
    expect(merged).toEqual(all);
  });
});

describe('JitterHistogram quantile', () => {
  it('is NaN for an empty histogram', () => {
    expect(jitterQuantile(emptyJitterCounts(), 0.5)).toBeNaN();
    expect(jitterQuantile(emptyJitterCounts(), 0.99)).toBeNaN();
  });

  it('returns the upper bound of the bucket holding the quantile, never less than the value', () => {
    const c = emptyJitterCounts();
    recordJitter(c, 1.1);
    expect(jitterQuantile(c, 0.5)).toBe(1.25);
    expect(jitterQuantile(c, 1)).toBe(1.25);
  });

  it('p99 of 990 small and 10 large deviations is the small bucket; one more large pushes it up', () => {
    const c = emptyJitterCounts();
    for (let i = 0; i < 990; i++) recordJitter(c, 0.2);
    for (let i = 0; i < 10; i++) recordJitter(c, 6);
    expect(jitterQuantile(c, 0.5)).toBe(0.25);
    expect(jitterQuantile(c, 0.99)).toBe(0.25);
    expect(jitterQuantile(c, 0.995)).toBe(7.5);
    expect(jitterQuantile(c, 1)).toBe(7.5);

    const d = emptyJitterCounts();
    for (let i = 0; i < 989; i++) recordJitter(d, 0.2);
    for (let i = 0; i < 11; i++) recordJitter(d, 6);
    expect(jitterQuantile(d, 0.99)).toBe(7.5);
  });

  it('p99 of a spread of deviations matches the exact p99 rounded up to its bucket bound', () => {
    // 1000 deviations evenly spread over 0..3 ms: the exact p99 is 2.97 ms, in (2.5, 3]
    const c = emptyJitterCounts();
    const values: number[] = [];
    for (let i = 1; i <= 1000; i++) values.push((i * 3) / 1000);
    for (const v of values) recordJitter(c, v);
    const exact = values.sort((a, b) => a - b)[Math.ceil(0.99 * values.length) - 1]!;
    expect(exact).toBeCloseTo(2.97, 9);
    expect(jitterQuantile(c, 0.99)).toBe(3);
    expect(jitterQuantile(c, 0.5)).toBe(1.5);
    expect(jitterQuantile(c, 0.99)).toBeGreaterThanOrEqual(exact);
  });

  it('is Infinity when the quantile falls in the last bucket', () => {
    const c = emptyJitterCounts();
    recordJitter(c, 0.1);
    recordJitter(c, 500);
    expect(jitterQuantile(c, 0.99)).toBe(Infinity);
    expect(jitterQuantile(c, 0.5)).toBe(0.25);
  });
});

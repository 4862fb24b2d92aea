/**
 * Send-side pacing quality: how far each inter-packet interval of a talkspurt is from 20 ms, in fixed buckets (fine
 * below 2 ms, where the target is). Counts only, so a call's histogram is a small array that merges by addition and
 * crosses threads cheaply.
 */
export const JITTER_BOUNDS_MS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 40, Infinity] as const;

export function emptyJitterCounts(): number[] {
  return new Array<number>(JITTER_BOUNDS_MS.length).fill(0);
}

/** Count one interval deviation (ms, absolute). */
export function recordJitter(counts: number[], deviationMs: number): void {
  let i = 0;
  while (deviationMs > JITTER_BOUNDS_MS[i]!) i++;
  counts[i]!++;
}

export function mergeJitter(into: number[], from: readonly number[]): number[] {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
  return into;
}

/** Upper bound (ms) of the bucket holding quantile q; NaN when empty. A bound, never an underestimate. */
export function jitterQuantile(counts: readonly number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return JITTER_BOUNDS_MS[i]!;
  }
  return Infinity;
}

/**
 * Turns ever-growing per-object counters (an RTP session's packetsIn, a VAD gate's openings) into increments for
 * process-wide Prometheus counters: each sample returns what grew since the previous sample of the same object.
 * Sampling at scrape time and once more at call end counts every packet exactly once. Pure and synchronous.
 */
export type CounterSnapshot = Readonly<Record<string, number>>;

export class CounterDeltas<K extends object> {
  readonly #last = new WeakMap<K, Record<string, number>>();

  /** What each field grew by since the last sample of `key` (all of it on the first sample). Never negative. */
  sample(key: K, current: CounterSnapshot): Record<string, number> {
    const last = this.#last.get(key) ?? {};
    const delta: Record<string, number> = {};
    const next: Record<string, number> = { ...last };
    for (const [field, value] of Object.entries(current)) {
      if (!Number.isFinite(value)) continue;
      const before = last[field] ?? 0;
      // A counter that went backwards was reset underneath us: count from its new value.
      delta[field] = value >= before ? value - before : value;
      next[field] = value;
    }
    this.#last.set(key, next);
    return delta;
  }

  forget(key: K): void {
    this.#last.delete(key);
  }
}

import type { PacerClock } from '../../src/media/Pacer.js';

/** Deterministic clock for pacing tests: timers fire in deadline order as time is advanced. */
export class FakeClock implements PacerClock {
  t = 0;
  /** Extra lateness (ms) added to each timer, to model a busy event loop. */
  lateness: () => number = () => 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.#timers.set(id, { at: this.t + Math.max(0, ms) + this.lateness(), fn });
    return id;
  }

  clearTimer(h: unknown): void {
    this.#timers.delete(h as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let bestId = -1;
      let bestAt = Infinity;
      for (const [id, tm] of this.#timers) {
        if (tm.at < bestAt || (tm.at === bestAt && id < bestId)) {
          bestAt = tm.at;
          bestId = id;
        }
      }
      if (bestId < 0 || bestAt > end) break;
      const tm = this.#timers.get(bestId)!;
      this.#timers.delete(bestId);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
    }
    this.t = end;
  }
}

/**
 * Error counts per provider over a sliding window, for `/health` ("is OpenAI failing right now?"). Prometheus has
 * the full history; this answers without a query. Pure: time is passed in.
 */

/** Window of "recent": long enough to see a pattern, short enough to clear soon after an outage ends. */
export const RECENT_ERROR_WINDOW_MS = 5 * 60_000;
/** Per-provider cap on remembered timestamps: a storm of errors must not grow memory without bound. */
const MAX_PER_KEY = 1_000;

export interface RecentErrorSummary {
  count: number;
  lastCode: string;
  lastAtMs: number;
}

export class RecentErrors {
  readonly #byKey = new Map<string, { times: number[]; lastCode: string }>();

  constructor(private readonly windowMs = RECENT_ERROR_WINDOW_MS) {}

  add(key: string, code: string, nowMs: number): void {
    let entry = this.#byKey.get(key);
    if (!entry) {
      entry = { times: [], lastCode: code };
      this.#byKey.set(key, entry);
    }
    entry.times.push(nowMs);
    entry.lastCode = code;
    if (entry.times.length > MAX_PER_KEY) entry.times.splice(0, entry.times.length - MAX_PER_KEY);
  }

  /** Errors within the window, per key; keys with none left are dropped. */
  summary(nowMs: number): Record<string, RecentErrorSummary> {
    const out: Record<string, RecentErrorSummary> = {};
    for (const [key, entry] of this.#byKey) {
      const from = nowMs - this.windowMs;
      const firstKept = entry.times.findIndex((t) => t > from);
      if (firstKept === -1) {
        this.#byKey.delete(key);
        continue;
      }
      if (firstKept > 0) entry.times.splice(0, firstKept);
      out[key] = { count: entry.times.length, lastCode: entry.lastCode, lastAtMs: entry.times[entry.times.length - 1] ?? nowMs };
    }
    return out;
  }
}

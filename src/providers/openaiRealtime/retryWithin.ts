import { RealtimeError } from './RealtimeError.js';

/** First retry quickly (a blip), then back off so a dead endpoint is not hammered within the window. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 1_000;

export type RetryOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; lastError: RealtimeError | undefined; cancelled: boolean };

/**
 * Runs `attempt(remainingMs)` until it succeeds, the window closes, `giveUp(err)` says a retry is pointless
 * (bad key), or `wanted()` turns false (the call ended meanwhile).
 */
export async function retryWithin<T>(opts: {
  windowMs: number;
  attempt: (remainingMs: number) => Promise<T>;
  wanted: () => boolean;
  giveUp: (err: RealtimeError) => boolean;
  onFailure: (err: RealtimeError, attempt: number) => void;
}): Promise<RetryOutcome<T>> {
  const deadline = Date.now() + opts.windowMs;
  let delay = FIRST_DELAY_MS;
  let lastError: RealtimeError | undefined;
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, lastError, cancelled: false };
    try {
      const value = await opts.attempt(remaining);
      return { ok: true, value, attempts: attempt };
    } catch (err) {
      lastError = err instanceof RealtimeError ? err : new RealtimeError('connect_failed', String(err));
      opts.onFailure(lastError, attempt);
      if (!opts.wanted()) return { ok: false, lastError, cancelled: true };
      if (opts.giveUp(lastError)) return { ok: false, lastError, cancelled: false };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    if (!opts.wanted()) return { ok: false, lastError, cancelled: true };
  }
}

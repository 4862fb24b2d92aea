/**
 * Milliseconds on CLOCK_MONOTONIC (libuv's hrtime): one clock for every thread and every process on the machine,
 * unlike `performance.now()`, whose origin is per thread. For stamps taken in one thread and compared in another.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

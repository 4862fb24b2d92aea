/**
 * What the media thread asks of V8's garbage collector. A collection stops the thread that owns the heap; for the
 * media thread that is a late packet for every call, so both settings below were measured at 300 calls on 2 vCPUs
 * (agent send-side p99, `npm run bench`).
 */
import v8 from 'node:v8';

/**
 * A small young generation, for the media thread's heap only (Worker resourceLimits): a scavenge pauses the thread
 * for as long as it takes to copy what survived since the last one, so frequent small scavenges (every 25–30 ms)
 * stop it for about half a millisecond instead of 2–6 ms every 400 ms with V8's default (16 MB).
 */
export const MEDIA_THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 };

/**
 * Scavenges without helper threads, process-wide (V8 has no per-isolate switch). V8 shares a scavenge's work with
 * its platform threads, which run at normal priority: the media thread, at real-time priority, then waits for a
 * helper the scheduler has put behind the busy threads of the box, and a 0.5 ms pause becomes 5–12 ms. Serial:
 * p99 ≤ 1.5–1.75 ms against ≤ 2.5–5 ms, and the main thread's loop was no busier (76–77 % against 78–88 %).
 */
export function serialScavenges(): void {
  v8.setFlagsFromString('--no-parallel-scavenge');
}

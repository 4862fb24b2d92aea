import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What a finished call must leave behind: nothing. Counts live libuv handles by kind (UDP sockets, timers, TCP) and
 * measures the heap after a full GC. `global.gc` is used when vitest runs with --expose-gc; otherwise the flag is
 * switched on at run time (V8 allows it) and `gc` taken from a fresh context.
 */
export function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

let gcFn: (() => void) | undefined | null = null;

export function getGc(): (() => void) | undefined {
  if (gcFn !== null) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    gcFn = typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    gcFn = undefined;
  }
  return gcFn;
}

/** Heap used after collecting everything collectable (several passes: finalizers free more on the next one). */
export async function settledHeapBytes(): Promise<number | undefined> {
  const gc = getGc();
  if (!gc) return undefined;
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

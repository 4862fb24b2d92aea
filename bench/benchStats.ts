/** Small statistics and reporting helpers for the benchmarks (no dependencies). */

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, mean: sorted.length ? sum / sorted.length : NaN };
}

/** One line of the printed table and of latest.json. */
export interface BenchRow {
  group: string;
  metric: string;
  value: number | string;
  unit: string;
  /** Target from the issue, when there is one, and whether this run met it. */
  target?: string;
  met?: boolean;
  note?: string;
}

export function fmt(v: number | string, digits = 3): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(digits)).toString();
}

export function printTable(rows: readonly BenchRow[]): string {
  const head = ['group', 'metric', 'value', 'unit', 'target', 'met'];
  const body = rows.map((r) => [r.group, r.metric, fmt(r.value), r.unit, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nanoseconds since an arbitrary origin, as a float (fine for intervals far below 2^53 ns). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * Occupy the event loop for `busyMs` every `everyMs`: the "competing load" (another call's burst of work, a GC
 * pause, a slow log line) the pacer must survive. Returns a stop function.
 */
export function competingLoad(busyMs: number, everyMs: number): () => void {
  const timer = setInterval(() => {
    const end = performance.now() + busyMs;
    while (performance.now() < end) {
      /* spin */
    }
  }, everyMs);
  return () => clearInterval(timer);
}

export const env = {
  quick: process.env.BENCH_QUICK === '1',
  /** BENCH_MEDIA_THREAD=0: the whole-agent sections run RTP on the main loop (external_media.media_thread: false). */
  mediaThread: process.env.BENCH_MEDIA_THREAD !== '0',
  num(name: string, dflt: number): number {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : dflt;
  },
};

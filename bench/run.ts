/**
 * `npm run bench`: every benchmark in turn, on the ARI simulator and the fakes (no network). Prints one table and
 * writes bench/results/latest.json for comparison between runs.
 *   BENCH_QUICK=1      ~30 s smoke run (short windows, small steps)
 *   BENCH_PACER_S=60   seconds per pacer run (two runs: idle loop, competing load)
 *   BENCH_MAX_CALLS    largest scale step (default 400)
 *   BENCH_ONLY=media,pacer,latency,scale   run a subset
 *   BENCH_SERIES=realtime,echo   which scale series to run
 * Figures from a machine that runs other work at the same time are not comparable: the load average is recorded
 * before and after each section, so a reader can tell.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchLatency } from './latency.js';
import { benchMediaCost } from './mediaCost.js';
import { benchPacer } from './pacerQuality.js';
import { benchScale } from './scale.js';
import { env, printTable, type BenchRow } from './benchStats.js';

const sections: [string, () => Promise<BenchRow[]>][] = [
  ['media', benchMediaCost],
  ['pacer', benchPacer],
  ['latency', benchLatency],
  ['scale', benchScale],
];

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const started = Date.now();
  const rows: BenchRow[] = [];
  const loads: Record<string, { before: number[]; after: number[]; seconds: number }> = {};
  // ari-client prints a Swagger deprecation notice per connection; it is not ours and drowns the table.
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (!String(args[0]).includes('deprecated version of Swagger') && !JSON.stringify(args).includes('deprecated version of Swagger')) log(...args);
  };
  for (const [name, run] of sections) {
    if (only && !only.includes(name)) continue;
    const before = os.loadavg();
    const t0 = Date.now();
    process.stdout.write(`running ${name}…\n`);
    try {
      rows.push(...(await run()));
    } catch (err) {
      rows.push({ group: name, metric: 'FAILED', value: err instanceof Error ? err.message : String(err), unit: '' });
    }
    loads[name] = { before, after: os.loadavg(), seconds: (Date.now() - t0) / 1000 };
  }
  console.log = log;
  const table = printTable(rows);
  const cpus = os.cpus();
  process.stdout.write(`\n${table}\n\n`);
  process.stdout.write(`${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, node ${process.version}, ${env.quick ? 'quick' : 'full'} run in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`load average (1 min) before/after each section: ${Object.entries(loads).map(([k, v]) => `${k} ${v.before[0]?.toFixed(1)}/${v.after[0]?.toFixed(1)}`).join(', ')}\n`);
  const dir = path.join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const result = { at: new Date().toISOString(), quick: env.quick, node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, loads, rows };
  await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`written ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * Scale: N concurrent echo calls (μ-law end to end) stepped up until pacing degrades. The simulated callers run in
 * a child process (their own event loop and CPU, as Asterisk would); the agent runs here, alone. For each step:
 * the agent's CPU (% of one core, process.cpuUsage), event-loop utilisation, RSS per call, pacer underruns, and the
 * p99 jitter callers measure on what they hear.
 */
import pino from 'pino';
import { configSchema } from '../src/config/schema.js';
import { startAgent } from '../src/call/startAgent.js';
import { emptyJitterCounts, jitterQuantile, mergeJitter } from '../src/media/JitterHistogram.js';
import type { CallSession } from '../src/call/CallSession.js';
import { env, sleep, type BenchRow } from './benchStats.js';
import { ChildHelper } from './child/spawnChild.js';

/** Pacing is "held" while callers' p99 inter-packet deviation stays within this (the issue's target). */
const JITTER_TARGET_MS = 2;
/** Far past the target: stop stepping up, the next step would only take longer. */
const GIVE_UP_P99_MS = 20;

interface StepResult {
  n: number;
  cpuPct: number;
  elu: number;
  /** The media thread's event-loop utilisation (%). */
  mediaElu: number;
  /** CPU of the simulated Asterisk and the fake Realtime server, sharing the same cores (% of one core). */
  simCpuPct: number;
  rssPerCallMb: number;
  underruns: number;
  p50: number;
  p99: number;
  max: number;
  /** Agent side: interval deviation of packets as they are handed to the kernel (bucket upper bounds). */
  sendP50: number;
  sendP99: number;
  gaps: number;
  silentCalls: number;
}

type Series = 'echo' | 'realtime';

/** Sum of every call's send-side jitter histogram (call `media.refreshStats()` first). */
function sendJitter(sessions: CallSession[]): number[] {
  const all = emptyJitterCounts();
  for (const s of sessions) mergeJitter(all, s.rtpStats()?.sendJitter ?? []);
  return all;
}

export function agentConfig(series: Series, urls: { url: string; realtimeUrl: string }): ReturnType<typeof configSchema.parse> {
  return configSchema.parse({
    asterisk: { ari_url: urls.url, username: 'asterisk', password: 'secret', reconnect_initial_ms: 50, reconnect_max_ms: 200 },
    // Below the ephemeral port range, wide enough for the largest step.
    external_media: { rtp_host: '127.0.0.1', advertise_host: '127.0.0.1', port_range: '31000-31999', media_thread: env.mediaThread },
    default_context: 'default',
    default_provider: series === 'echo' ? 'echo' : 'openai_realtime',
    default_profile: 'telephony_ulaw',
    providers: {
      echo: { delay_ms: 100, level_log_interval_ms: 60_000 },
      openai_realtime: { api_key: 'sk-bench', base_url: urls.realtimeUrl },
    },
    contexts: { default: { greeting: series === 'echo' ? '' : 'Hello.', prompt: 'Be brief.' } },
    http: { enabled: false },
    email: { enabled: false },
    call_records: { enabled: false },
    logging: { level: 'silent' },
  });
}

async function runSeries(series: Series, steps: number[], windowMs: number): Promise<StepResult[]> {
  const { child, hello } = await ChildHelper.start<{ url: string }>('./simHost.ts');
  const rt = series === 'realtime' ? await ChildHelper.start<{ url: string }>('./realtimeHost.ts') : undefined;
  const agent = await startAgent({ config: agentConfig(series, { url: hello.url, realtimeUrl: rt?.hello.url ?? '' }), logger: pino({ level: 'silent' }) });
  await agent.ari.waitConnected(10_000);
  const results: StepResult[] = [];
  try {
    for (const n of steps) {
      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      // Realtime: every call hears one long streamed greeting, longer than set-up plus the window.
      await rt?.child.request({ cmd: 'audioMs', ms: windowMs + 10_000 });
      const tp = performance.now();
      await child.request({ cmd: 'place', n });
      // The greeting outlasts set-up plus the window only if set-up is quick: a slow one shows as silent calls.
      process.stdout.write(`  placed ${n} in ${(performance.now() - tp).toFixed(0)} ms\n`);
      await sleep(500);
      const sessions = [...agent.controller.sessions.values()];
      await agent.media.refreshStats();
      const under0 = sessions.reduce((s, x) => s + (x.rtpStats()?.underruns ?? 0), 0);
      const send0 = sendJitter(sessions);
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const mediaLoop0 = (await agent.media.probe()).loop;
      const simCpu0 = child.cpuMs() + (rt?.child.cpuMs() ?? 0);
      const t0 = performance.now();
      const jitter = await child.request<Record<string, number>>({ cmd: series === 'echo' ? 'speak' : 'listen', ms: windowMs });
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0);
      const simCpu = ((child.cpuMs() + (rt?.child.cpuMs() ?? 0) - simCpu0) / wallMs) * 100;
      const mediaLoop = (await agent.media.probe()).loop;
      const mediaActive = mediaLoop.activeMs - mediaLoop0.activeMs;
      const mediaElu = (mediaActive / Math.max(1, mediaActive + mediaLoop.idleMs - mediaLoop0.idleMs)) * 100;
      const rss = process.memoryUsage().rss;
      await agent.media.refreshStats();
      const send = mergeJitter(sendJitter(sessions), send0.map((c) => -c));
      const under = sessions.reduce((s, x) => s + (x.rtpStats()?.underruns ?? 0), 0) - under0;
      const resyncs = sessions.reduce((s, x) => s + (x.rtpStats()?.resyncs ?? 0), 0);
      const framesOut = sessions.reduce((s, x) => s + (x.rtpStats()?.packetsOut ?? 0), 0);
      await child.request({ cmd: 'hangupAll' });
      await agent.controller.endAll('bench step done');
      const r: StepResult = {
        n,
        cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        elu: elu.utilization * 100,
        mediaElu,
        simCpuPct: simCpu,
        rssPerCallMb: (rss - rss0) / n / 2 ** 20,
        underruns: under,
        p50: jitter.p50 ?? NaN,
        p99: jitter.p99 ?? NaN,
        max: jitter.max ?? NaN,
        sendP50: jitterQuantile(send, 0.5),
        sendP99: jitterQuantile(send, 0.99),
        gaps: jitter.gaps ?? 0,
        silentCalls: jitter.silentCalls ?? 0,
      };
      results.push(r);
      process.stdout.write(`  scale ${series} ${n} calls: cpu ${r.cpuPct.toFixed(0)} % (simulators ${r.simCpuPct.toFixed(0)} %; loops: main ${r.elu.toFixed(0)} %, media ${r.mediaElu.toFixed(0)} %), p99 ${r.p99.toFixed(2)} ms (send side ≤ ${r.sendP99} ms), underruns ${under}, resyncs ${resyncs}, frames out ${framesOut}, silent ${r.silentCalls}, gaps ${r.gaps}\n`);
      // Echo's jitter is its own drain clock (see the report); only stop it when calls go silent.
      if (r.silentCalls > 0 || (series === 'realtime' && r.p99 > GIVE_UP_P99_MS)) break;
    }
  } finally {
    await agent.stop('bench done');
    child.stop();
    rt?.child.stop();
  }
  return results;
}

function rowsFor(series: Series, results: StepResult[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const r of results) {
    const g = `scale: ${r.n} ${series} calls (ulaw)`;
    rows.push(
      { group: g, metric: 'agent CPU (% of one core) / main loop / media thread loop utilisation', value: `${r.cpuPct.toFixed(1)} / ${r.elu.toFixed(1)} / ${r.mediaElu.toFixed(1)}`, unit: '%' },
      { group: g, metric: 'simulated Asterisk + fake provider CPU, same cores (% of one core)', value: r.simCpuPct, unit: '%' },
      { group: g, metric: 'RSS per call', value: r.rssPerCallMb, unit: 'MB' },
      { group: g, metric: 'pacer underruns (all calls)', value: r.underruns, unit: '' },
      { group: g, metric: 'caller-side jitter p50 / max', value: `${r.p50.toFixed(2)} / ${r.max.toFixed(1)}`, unit: 'ms', note: `${r.gaps} talk gaps, ${r.silentCalls} silent calls` },
      { group: g, metric: 'agent send-side jitter p50 / p99 (bucket bounds)', value: `≤ ${r.sendP50} / ≤ ${r.sendP99}`, unit: 'ms' },
      { group: g, metric: 'caller-side jitter p99', value: r.p99, unit: 'ms', target: `≤ ${JITTER_TARGET_MS}`, met: r.p99 <= JITTER_TARGET_MS && r.silentCalls === 0 },
    );
  }
  const held = results.filter((r) => r.p99 <= JITTER_TARGET_MS && r.silentCalls === 0).map((r) => r.n);
  const best = held.length ? Math.max(...held) : 0;
  rows.push({ group: `scale (${series})`, metric: `largest N holding caller-side p99 jitter ≤ ${JITTER_TARGET_MS} ms (tested up to ${results.at(-1)?.n ?? 0})`, value: best, unit: 'calls', target: '≥ 300 on 2 cores', met: best >= 300 });
  const sendHeld = results.filter((r) => r.sendP99 <= JITTER_TARGET_MS && r.silentCalls === 0).map((r) => r.n);
  rows.push({ group: `scale (${series})`, metric: `largest N holding send-side p99 jitter ≤ ${JITTER_TARGET_MS} ms`, value: sendHeld.length ? Math.max(...sendHeld) : 0, unit: 'calls' });
  return rows;
}

export async function benchScale(): Promise<BenchRow[]> {
  const maxCalls = env.num('BENCH_MAX_CALLS', 400);
  const chosen = process.env.BENCH_STEPS?.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const steps = (chosen?.length ? chosen : env.quick ? [20, 50] : [50, 100, 200, 300, 400, 500, 600]).filter((n) => n <= maxCalls);
  const windowMs = env.num('BENCH_WINDOW_MS', env.quick ? 3_000 : 5_000);
  const series = (process.env.BENCH_SERIES ?? 'realtime,echo').split(',').map((s) => s.trim());
  const rows: BenchRow[] = [];
  for (const s of ['realtime', 'echo'] as const) if (series.includes(s)) rows.push(...rowsFor(s, await runSeries(s, steps, windowMs)));
  return rows;
}

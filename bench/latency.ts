/**
 * Latency our code adds, measured on a whole agent against the ARI simulator and the fake Realtime server (and, for
 * the pipeline, the provider against the fake REST server with zero scripted delays). Arrival times are taken on the
 * simulator's UDP socket (same process, so one event-loop turn is included: that is what a caller would get).
 */
import pino from 'pino';
import type { CallSession } from '../src/call/CallSession.js';
import { startHarness, type Harness } from '../test/call/harness.js';
import { speechLike } from '../test/call/speechLike.js';
import { FakeOpenAIRest } from '../test/fakes/FakeOpenAIRest.js';
import { FakeRealtimeServer, type FakeRealtimeConnection } from '../test/fakes/FakeRealtimeServer.js';
import { callerUtterance, feed, KEY, logger, makeProvider } from '../test/providers/pipeline/pipelineHarness.js';
import type { SimCall } from '../src/sim/SimCall.js';
import { startAgent } from '../src/call/startAgent.js';
import { env, sleep, summarize, type BenchRow } from './benchStats.js';
import { ChildHelper } from './child/spawnChild.js';
import { agentConfig } from './scale.js';
import { threadWakeFloor } from './wakeFloor.js';

const API_KEY = 'sk-bench';
/** Below the media thread's default (10): the agent's own sends come first. */
const CALLER_RT_PRIORITY = 5;

/** Arrival time (performance.now) of every packet the caller receives, from the moment its RTP peer exists. */
async function watchArrivals(call: SimCall, timeoutMs = 5_000): Promise<number[]> {
  const arrivals: number[] = [];
  const deadline = performance.now() + timeoutMs;
  while (call.rtpPeers.length === 0) {
    if (performance.now() > deadline) throw new Error('no RTP peer for the call');
    await new Promise((r) => setImmediate(r));
  }
  for (const peer of call.rtpPeers) peer.onChange(() => arrivals.push(performance.now()));
  return arrivals;
}

/** performance.now() of every server event of `type` the fake sends on this connection, as it sends it. */
function markSends(conn: FakeRealtimeConnection, type: string): { at: number; ev: Record<string, unknown> }[] {
  const marks: { at: number; ev: Record<string, unknown> }[] = [];
  const send = conn.send.bind(conn);
  conn.send = (ev: Record<string, unknown>): void => {
    if (ev.type === type) marks.push({ at: performance.now(), ev });
    send(ev);
  };
  return marks;
}

async function realtimeAgent(server: FakeRealtimeServer): Promise<Harness> {
  return startHarness({
    overrides: {
      providers: { openai_realtime: { api_key: API_KEY, base_url: server.url } },
      default_provider: 'openai_realtime',
      contexts: { default: { greeting: 'Hi.', prompt: 'Be brief.' } },
      // Barge-in is measured on the first long response; the greeting gate is not what is measured here.
      vad: { greeting_protection: false },
      external_media: { media_thread: env.mediaThread },
    },
  });
}

async function activeSession(h: Harness, call: SimCall): Promise<CallSession> {
  await h.sim.waitFor(() => h.agent.controller.sessions.get(call.id)?.phase === 'active', 10_000, 'call active');
  return h.agent.controller.sessions.get(call.id) as CallSession;
}

async function quiet(s: CallSession, ms: number): Promise<void> {
  for (let still = 0; still < ms; still += 10) {
    if (s.media?.agentSpeaking) still = 0;
    await sleep(10);
  }
}

async function stasisToGreeting(server: FakeRealtimeServer, runs: number): Promise<number[]> {
  const h = await realtimeAgent(server);
  const out: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const call = h.sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
      const arrivals = await watchArrivals(call);
      await h.sim.waitFor(() => arrivals.length > 0, 10_000, 'first greeting packet');
      out.push((arrivals[0] as number) - t0);
      call.hangup();
      await h.sim.waitFor(() => h.agent.controller.sessions.size === 0, 5_000, 'call ended');
    }
  } finally {
    await h.close();
  }
  return out;
}

async function deltaToRtpAndBargeIn(server: FakeRealtimeServer, turns: number, bargeIns: number): Promise<{ delta: number[]; cut: number[]; framesAfter: number[] }> {
  const h = await realtimeAgent(server);
  const delta: number[] = [];
  const cut: number[] = [];
  const framesAfter: number[] = [];
  try {
    const call = h.sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    const arrivals = await watchArrivals(call);
    const s = await activeSession(h, call);
    const conn = await server.waitFor(() => server.last, 5_000, 'provider connection');
    const deltas = markSends(conn, 'response.output_audio.delta');
    const started = markSends(conn, 'input_audio_buffer.speech_started');
    await quiet(s, 300); // greeting played

    // (a) first audio delta of a response (pacer idle) → its first RTP packet at the caller
    for (let i = 0; i < turns; i++) {
      const d0 = deltas.length;
      const a0 = arrivals.length;
      await s.provider?.say(`Turn ${i}.`);
      await h.sim.waitFor(() => arrivals.length > a0, 5_000, 'agent audio');
      const first = deltas[d0];
      if (first) delta.push((arrivals[a0] as number) - first.at);
      await quiet(s, 100);
    }

    // (b) barge-in: caller talks over a long response; speech_started sent → last agent packet at the caller
    for (let i = 0; i < bargeIns; i++) {
      const st0 = started.length;
      void s.provider?.say('This is a long answer that keeps going for several seconds so the caller can talk over it.');
      await h.sim.waitFor(() => s.media?.agentSpeaking === true, 5_000, 'agent speaking');
      await sleep(600);
      void call.playAudio(speechLike({ sampleRate: 8000, durationMs: 900, amplitude: 24_000, seed: i }), 8000);
      await h.sim.waitFor(() => started.length > st0, 5_000, 'speech_started');
      const t0 = (started[st0] as { at: number }).at;
      await sleep(400);
      // Only a barge-in over audio that was really playing counts (4+ packets in the 100 ms before).
      if (arrivals.filter((a) => a >= t0 - 100 && a < t0).length >= 4) {
        const after = arrivals.filter((a) => a >= t0);
        cut.push(after.length ? Math.max(...after) - t0 : 0);
        framesAfter.push(after.length);
      }
      await quiet(s, 1_500); // the caller's turn and the agent's short answer are over
    }
  } finally {
    await h.close();
  }
  return { delta, cut, framesAfter };
}

interface IsolatedRun {
  /** Fake's first delta of a response → its first RTP packet leaving the agent's socket (the agent's own stamp). */
  out: number[];
  /** The same → that packet at the simulated caller. */
  atCaller: number[];
  /** The agent's own playout-start delay of each response: its first delta in on our socket → first packet sent. */
  own: number[];
  callerPolicy: string;
}

/**
 * The same delta → RTP figure with nothing else on the agent's loop: the fake Realtime server and the simulated
 * caller each run in their own process, the fake stamps the first delta of each response as it hands it to its socket,
 * the agent's media thread stamps the first packet of each item right after its send (`onPlayoutStart`), the caller
 * stamps packet arrivals, all on CLOCK_MONOTONIC. Delta → packet out is our code plus one loopback hop and our
 * process's wake-up; at the caller, one more hop and the caller's wake-up.
 *
 * `callerRealtime`: the simulated Asterisk's loop runs at SCHED_RR, as `asterisk -p` runs Asterisk. Otherwise the
 * stamp includes how long a normal process waits to be scheduled on two vCPUs that the agent, the fake server and the
 * simulator share (a probe on each stage: up to 6 ms between our sendto and the caller's stamp, in the tail).
 */
async function deltaToRtpIsolated(turns: number, callerRealtime: boolean): Promise<IsolatedRun> {
  const sim = await ChildHelper.start<{ url: string }>('./simHost.ts');
  let callerPolicy = 'normal';
  if (callerRealtime) {
    const got = await sim.child.request<{ policy: string; realtime: number; reason?: string }>({ cmd: 'priority', realtime: CALLER_RT_PRIORITY });
    callerPolicy = got.policy === 'realtime' ? `SCHED_RR ${got.realtime}` : `normal (${got.reason ?? 'real-time refused'})`;
  }
  const rt = await ChildHelper.start<{ url: string }>('./realtimeHost.ts');
  const starts: { sentAt: number; delayMs: number }[] = [];
  const agent = await startAgent({
    config: agentConfig('realtime', { url: sim.hello.url, realtimeUrl: rt.hello.url }),
    logger: pino({ level: 'silent' }),
    observers: [{ onPlayoutStart: (_s, p) => starts.push(p) }],
  });
  try {
    await agent.ari.waitConnected(10_000);
    await rt.child.request({ cmd: 'audioMs', ms: 300 });
    await sim.child.request({ cmd: 'place', n: 1 });
    await rt.child.request({ cmd: 'mark' });
    const s = [...agent.controller.sessions.values()][0];
    if (!s) throw new Error('no call session');
    await quiet(s, 300); // the greeting
    await sim.child.request({ cmd: 'arrivals' });
    for (let i = 0; i < turns; i++) {
      await s.provider?.say(`Turn ${i}.`);
      await quiet(s, 100);
    }
    const { marks } = await rt.child.request<{ marks: number[] }>({ cmd: 'marks' });
    const { arrivals } = await sim.child.request<{ arrivals: number[] }>({ cmd: 'arrivals' });
    const run: IsolatedRun = { out: [], atCaller: [], own: [], callerPolicy };
    for (const t of marks) {
      const first = arrivals.find((a) => a >= t);
      if (first !== undefined && first - t < 100) run.atCaller.push(first - t);
      const start = starts.find((st) => st.sentAt >= t);
      if (start !== undefined && start.sentAt - t < 100) {
        run.out.push(start.sentAt - t);
        run.own.push(start.delayMs);
      }
    }
    return run;
  } finally {
    await agent.stop('bench done');
    await sim.child.request({ cmd: 'hangupAll' }).catch(() => undefined);
    sim.child.stop();
    rt.child.stop();
  }
}

async function pipelineEndOfSpeech(turns: number): Promise<number[]> {
  const fake = await FakeOpenAIRest.start({ apiKey: KEY });
  fake.speech = { ...fake.speech, chunkDelayMs: 0, firstByteDelayMs: 0 };
  const out: number[] = [];
  try {
    for (let i = 0; i < turns; i++) {
      const h = makeProvider(fake);
      await h.provider.start({ callId: `bench-${i}`, instructions: 'Be brief.', greeting: '', tools: [], logger });
      fake.scriptTranscript('Where is my order?');
      fake.scriptChat({ text: 'It shipped yesterday.', chunkDelayMs: 0 });
      let t0 = 0;
      let t1 = 0;
      h.provider.on('speechStopped', () => {
        t0 = performance.now();
      });
      h.provider.on('audio', () => {
        if (t1 === 0) t1 = performance.now();
      });
      feed(h.provider, callerUtterance());
      await h.next('responseDone');
      if (t0 > 0 && t1 > 0) out.push(t1 - t0);
      await h.provider.close();
    }
  } finally {
    await fake.close();
  }
  return out;
}

export async function benchLatency(): Promise<BenchRow[]> {
  const q = env.quick;
  const server = await FakeRealtimeServer.start({ apiKey: API_KEY });
  const rows: BenchRow[] = [];
  try {
    const g = summarize(await stasisToGreeting(server, q ? 3 : 10));
    rows.push({ group: 'latency', metric: 'StasisStart → first greeting packet p50', value: g.p50, unit: 'ms', note: 'includes 5 REST round trips and the provider handshake' });
    rows.push({ group: 'latency', metric: 'StasisStart → first greeting packet max', value: g.max, unit: 'ms' });
    const r = await deltaToRtpAndBargeIn(server, q ? 5 : 100, q ? 2 : 8);
    const d = summarize(r.delta);
    rows.push({ group: 'latency', metric: 'provider audio delta sent → RTP packet at caller p50', value: d.p50, unit: 'ms', note: `n=${d.n}, includes ws hop, JSON+base64, convert, pacer, UDP` });
    rows.push({ group: 'latency', metric: 'provider audio delta sent → RTP packet at caller p99', value: d.p99, unit: 'ms', note: "all in one process: the fake's and the simulator's turns share the agent's loop" });
    const c = summarize(r.cut);
    rows.push({ group: 'latency', metric: 'barge-in: speech_started sent → last agent packet, p50', value: c.p50, unit: 'ms', note: `n=${c.n}, frames after: ${r.framesAfter.join(',')}` });
    rows.push({ group: 'latency', metric: 'barge-in: speech_started sent → last agent packet, max', value: c.max, unit: 'ms', target: '≤ 20', met: c.max <= 20 });
  } finally {
    await server.close();
  }
  const runs: IsolatedRun[] = [];
  for (const callerRealtime of [false, true]) {
    const run = await deltaToRtpIsolated(q ? 5 : 200, callerRealtime);
    runs.push(run);
    if (process.env.BENCH_DEBUG) {
      const top = (xs: number[]): string => [...xs].sort((a, b) => b - a).slice(0, 12).map((x) => x.toFixed(2)).join(' ');
      process.stdout.write(`isolated (caller ${run.callerPolicy}): own ${top(run.own)} | from fake ${top(run.out)} | at caller ${top(run.atCaller)}\n`);
    }
  }
  const apart = 'fake server and caller in their own processes';
  const own = summarize(runs.flatMap((r) => r.own));
  rows.push({ group: 'latency', metric: `added by the agent: audio delta in on our provider socket → its first RTP packet sent (${apart}), p50`, value: own.p50, unit: 'ms', note: `n=${own.n} (both runs below); ai_agent_playout_start_delay_seconds, stamped on CLOCK_MONOTONIC in our two threads` });
  rows.push({ group: 'latency', metric: `added by the agent: audio delta in on our provider socket → its first RTP packet sent (${apart}), p99`, value: own.p99, unit: 'ms', target: '≤ 2', met: own.p99 <= 2, note: 'parse, base64, convert, thread hop (media thread wake-up), pacer, RTP build, sendto' });
  const floor = await threadWakeFloor(q ? 20 : 400);
  rows.push({ group: 'latency', metric: `the machine's floor: one idle thread (${floor.policy}) woken by a datagram, no agent code, p50 / p99`, value: floor.p50, unit: 'ms', note: `p99 ${floor.p99.toFixed(2)}, max ${floor.max.toFixed(2)} ms, n=${floor.n}; the figure above has one such wake-up (the media thread's doorbell)` });
  const out = summarize(runs.flatMap((r) => r.out));
  rows.push({ group: 'latency', metric: `the same from the fake's send (${apart}), p50`, value: out.p50, unit: 'ms', note: `n=${out.n}` });
  rows.push({ group: 'latency', metric: `the same from the fake's send (${apart}), p99`, value: out.p99, unit: 'ms', note: "adds the fake's socket write, loopback and our main thread waking up" });
  for (const run of runs) {
    const iso = summarize(run.atCaller);
    const who = `caller loop ${run.callerPolicy}`;
    rows.push({ group: 'latency', metric: `from the fake's send to the packet at the caller (${who}), p50`, value: iso.p50, unit: 'ms', note: `n=${iso.n}, one more loopback hop` });
    rows.push({ group: 'latency', metric: `from the fake's send to the packet at the caller (${who}), p99`, value: iso.p99, unit: 'ms', note: run.callerPolicy === 'normal' ? 'includes the caller process waiting to be scheduled' : "includes the caller's wake-up" });
  }
  const p = summarize(await pipelineEndOfSpeech(q ? 3 : 10));
  rows.push({ group: 'latency', metric: 'pipeline end-of-speech → first audio p50 (instant fakes)', value: p.p50, unit: 'ms', note: `n=${p.n}, STT + LLM SSE + TTS over loopback HTTP` });
  rows.push({ group: 'latency', metric: 'pipeline end-of-speech → first audio max (instant fakes)', value: p.max, unit: 'ms' });
  return rows;
}

/**
 * Child process hosting the ARI simulator for the scale benchmark, so the simulated callers (their 20 ms clocks,
 * their RTP in and out) run on their own event loop and CPU, as Asterisk would, and the agent's CPU use is its own.
 * IPC: { cmd: 'place', n } places n callers and waits until each is answered with media up;
 * { cmd: 'speak', ms } makes every caller talk for `ms` and reports the jitter of what each heard back;
 * { cmd: 'listen', ms } records for `ms` what callers hear without talking (a streamed greeting) and reports it;
 * { cmd: 'arrivals' } returns when each packet of the first call arrived ({ arrivals: ms[] }, monotonic clock shared
 * by every process) and forgets them; { cmd: 'priority', realtime } runs this process's loop at that SCHED_RR
 * priority (as `asterisk -p` runs Asterisk) and answers what it got; { cmd: 'hangupAll' }; { cmd: 'stop' }.
 */
import { AriSimulator } from '../../src/sim/AriSimulator.js';
import type { SimCall } from '../../src/sim/SimCall.js';
import { setThreadPriority } from '../../src/media/threadPriority.js';
import { speechLike } from '../../test/call/speechLike.js';

const FRAME_MS = 20;
/** A gap this long between packets is a pause in the talk, not jitter. */
const TALKSPURT_GAP_MS = 100;

const sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });

let calls: SimCall[] = [];
const arrivals = new Map<SimCall, number[]>();
/** Arrivals at the first call on CLOCK_MONOTONIC (performance.now() has a per-process origin). */
let monoArrivals: number[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number) : NaN;
}

async function place(n: number): Promise<void> {
  calls = Array.from({ length: n }, (_, i) => sim.placeCall({ callerNumber: `555${10_000 + i}`, variables: { AI_CONTEXT: 'default' } }));
  await sim.waitFor(() => calls.every((c) => sim.channels.get(c.id)?.state === 'Up' && c.rtpPeers.length > 0), 60_000, `${n} calls up`);
  for (const c of calls) {
    const list: number[] = [];
    arrivals.set(c, list);
    for (const peer of c.rtpPeers) peer.onChange(() => list.push(performance.now()));
  }
  monoArrivals = [];
  for (const peer of calls[0]?.rtpPeers ?? []) peer.onChange(() => monoArrivals.push(Number(process.hrtime.bigint()) / 1e6));
}

async function speak(ms: number): Promise<Record<string, number>> {
  for (const list of arrivals.values()) list.length = 0;
  const audio = speechLike({ sampleRate: 8000, durationMs: ms });
  const results = await Promise.all(calls.map((c) => c.playAudio(audio, 8000)));
  await new Promise((r) => setTimeout(r, 500)); // the echo's tail
  return jitterReport(ms, results.reduce((s, r) => s + r.droppedFrames, 0));
}

async function listen(ms: number): Promise<Record<string, number>> {
  for (const list of arrivals.values()) list.length = 0;
  await new Promise((r) => setTimeout(r, ms));
  return jitterReport(ms, 0);
}

function jitterReport(ms: number, droppedFrames: number): Record<string, number> {
  const devs: number[] = [];
  let gaps = 0;
  let packets = 0;
  let silentCalls = 0;
  for (const list of arrivals.values()) {
    packets += list.length;
    if (list.length < (ms / FRAME_MS) * 0.5) silentCalls++;
    for (let i = 1; i < list.length; i++) {
      const d = (list[i] as number) - (list[i - 1] as number);
      if (d > TALKSPURT_GAP_MS) gaps++;
      else devs.push(Math.abs(d - FRAME_MS));
    }
  }
  devs.sort((a, b) => a - b);
  return {
    p50: percentile(devs, 50),
    p99: percentile(devs, 99),
    max: devs[devs.length - 1] ?? NaN,
    packets,
    gaps,
    silentCalls,
    droppedFrames,
  };
}

async function hangupAll(): Promise<void> {
  for (const c of calls) c.hangup();
  await sim.waitFor(() => sim.channels.size === 0 && sim.bridges.size === 0, 60_000, 'all calls cleaned up');
  calls = [];
  arrivals.clear();
}

process.on('message', (m: { cmd: string; n?: number; ms?: number; realtime?: number }) => {
  const run = async (): Promise<unknown> => {
    switch (m.cmd) {
      case 'place':
        await place(m.n ?? 1);
        return { ok: true };
      case 'speak':
        return speak(m.ms ?? 3_000);
      case 'listen':
        return listen(m.ms ?? 3_000);
      case 'arrivals': {
        const out = monoArrivals;
        monoArrivals = [];
        return { arrivals: out };
      }
      case 'priority':
        return setThreadPriority({ realtime: m.realtime ?? 0, nice: 0 });
      case 'hangupAll':
        await hangupAll();
        return { ok: true };
      case 'stop':
        await sim.close();
        process.disconnect?.();
        return undefined;
      default:
        return { error: `unknown command ${m.cmd}` };
    }
  };
  run().then(
    (r) => {
      if (r !== undefined && process.connected) process.send?.(r);
    },
    (err: unknown) => process.connected && process.send?.({ error: err instanceof Error ? err.message : String(err) }),
  );
});
process.send?.({ url: sim.url });

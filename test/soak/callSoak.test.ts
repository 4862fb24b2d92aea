import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriSimulator } from '../../src/sim/AriSimulator.js';
import type { SimCall } from '../../src/sim/SimCall.js';
import { startHarness, type Harness } from '../call/harness.js';
import { speechLike } from '../call/speechLike.js';
import { FakeRealtimeServer } from '../fakes/FakeRealtimeServer.js';
import { Prng, trackUnhandled } from '../fuzz/prng.js';
import { resourceCounts, settledHeapBytes } from './leakProbe.js';

/**
 * Hundreds of calls through the simulator, each hung up by the caller at a random moment of a random scenario,
 * with the echo and the fake Realtime providers. Afterwards nothing may be left: sessions, UDP sockets, timers,
 * bridges, channels, provider sockets, heap. `SOAK_CALLS=1000` for a longer run.
 */
const CALLS = Number(process.env.SOAK_CALLS) > 0 ? Number(process.env.SOAK_CALLS) : 100;
/** Calls in flight at once: enough overlap to interleave set-ups and teardowns, light enough for 2 cores. */
const WAVE = 34;
const API_KEY = 'sk-soak';

type Scenario = 'setup' | 'greeting' | 'echo_talk' | 'mid_response' | 'tool_transfer';
const SCENARIOS: readonly Scenario[] = ['setup', 'greeting', 'echo_talk', 'mid_response', 'tool_transfer'];

const loud = (ms: number, seed: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 24_000, seed });
/**
 * The fakes keep a log of everything by design (requests, events, every caller's received packets, every provider
 * event with its base64 audio). Emptied before each heap measurement, so the heap compared is the agent's.
 */
function clearFakeLogs(sim: AriSimulator, realtime: FakeRealtimeServer): void {
  for (const log of [sim.requests, sim.events, sim.eventLog, sim.placedCalls, realtime.connections] as unknown[][]) log.length = 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(`soak: ${CALLS} calls hung up at random moments`, () => {
  let h: Harness;
  let realtime: FakeRealtimeServer;
  const unhandled = trackUnhandled();
  const r = new Prng(0x50a4);

  beforeAll(async () => {
    realtime = await FakeRealtimeServer.start({ apiKey: API_KEY, deltaIntervalMs: 5 });
    // Every caller turn asks for a transfer half of the time (the tool then rings a phone nobody answers),
    // otherwise a long spoken answer; greetings are long so a hangup can land in the middle.
    realtime.script((ctx) => {
      if (ctx.trigger === 'vad' && r.bool()) return { functionCalls: [{ name: 'transfer', arguments: { destination: 'sales' } }] };
      return { text: 'A long answer.', audioMs: ctx.trigger === 'vad' ? 3_000 : 1_500 };
    });
    const sim = await AriSimulator.start({ username: 'asterisk', password: 'secret', options: { restLatencyMs: 3 } });
    sim.setEndpointBehavior('Local/*', { noAnswer: true });
    h = await startHarness({
      sim,
      overrides: {
        providers: { echo: { delay_ms: 40 }, openai_realtime: { api_key: API_KEY, base_url: realtime.url } },
        contexts: {
          echo_ctx: { provider: 'echo', greeting: '' },
          rt_ctx: { provider: 'openai_realtime', greeting: 'Hello and welcome.', tools: ['transfer'] },
        },
        tools: { transfer: { mode: 'bridged', ring_timeout_s: 5, destinations: { sales: { type: 'extension', target: '6000', description: 'Sales' } } } },
        external_media: { port_range: '24000-24199' },
      },
    });
  });

  afterAll(async () => {
    await h?.close();
    await realtime?.close();
    unhandled.dispose();
  });

  async function oneCall(i: number, stats: Record<Scenario, number>): Promise<void> {
    const scenario = r.pick(SCENARIOS);
    stats[scenario]++;
    const { sim, agent } = h;
    const ctx = scenario === 'echo_talk' ? 'echo_ctx' : 'rt_ctx';
    const call: SimCall = sim.placeCall({ callerNumber: `555${1000 + i}`, variables: { AI_CONTEXT: ctx } });
    const active = (): boolean => agent.controller.sessions.get(call.id)?.phase === 'active';
    switch (scenario) {
      case 'setup':
        await sleep(r.int(0, 25));
        break;
      case 'greeting':
        await sim.waitFor(active, 10_000, 'active');
        await sleep(r.int(0, 600));
        break;
      case 'echo_talk':
        await sim.waitFor(active, 10_000, 'active');
        void call.playAudio(loud(r.int(200, 1_000), i), 8000);
        await sleep(r.int(50, 900));
        break;
      case 'mid_response':
      case 'tool_transfer':
        await sim.waitFor(active, 10_000, 'active');
        await sleep(r.int(300, 1_800)); // the greeting plays out (the gate keeps the caller out of it)
        void call.playAudio(loud(500, i), 8000);
        await sleep(r.int(700, 2_000)); // turn ends → answer playing, or the transfer rings
        break;
    }
    if (!call.hungUp) call.hangup();
  }

  it('leaves no session, socket, timer, bridge, channel, provider socket or heap behind', async () => {
    const { sim, agent } = h;
    const stats: Record<Scenario, number> = { setup: 0, greeting: 0, echo_talk: 0, mid_response: 0, tool_transfer: 0 };
    // Warm-up: the first calls fill module caches and JIT code; the baseline is taken after them.
    await Promise.all(Array.from({ length: 5 }, (_, i) => oneCall(i, stats)));
    await sim.waitFor(() => agent.controller.sessions.size === 0 && sim.channels.size === 0, 15_000, 'warm-up calls ended');
    await sleep(200);
    clearFakeLogs(sim, realtime);
    const baseResources = resourceCounts();
    expect(agent.media.kind).toBe('worker'); // the default: sockets and media timers live in the media thread
    const baseMedia = await agent.media.probe();
    const baseHeap = await settledHeapBytes();

    for (let start = 0; start < CALLS; start += WAVE) {
      const n = Math.min(WAVE, CALLS - start);
      await Promise.all(Array.from({ length: n }, (_, k) => oneCall(100 + start + k, stats)));
    }

    await sim.waitFor(() => agent.controller.sessions.size === 0, 15_000, 'no sessions');
    await sim.waitFor(() => sim.channels.size === 0, 15_000, 'no channels (callers, media, transfer legs)');
    await sim.waitFor(() => sim.bridges.size === 0, 5_000, 'no bridges');
    await sim.waitFor(() => sim.rtpPeers === 0, 5_000, 'no RTP peers');
    await realtime.waitFor(() => realtime.live.length === 0, 5_000, 'provider sockets closed');
    // Timers of ended calls may still be running their last tick: give them one frame and a bit.
    await sim.waitFor(() => (resourceCounts().UDPWrap ?? 0) <= (baseResources.UDPWrap ?? 0), 5_000, 'UDP sockets back to baseline');
    await sim.waitFor(() => (resourceCounts().Timeout ?? 0) <= (baseResources.Timeout ?? 0) + 1, 5_000, 'timers back to baseline');
    // The media thread: no channel, no port, no socket, and no timer of any call left there.
    let media = await agent.media.probe();
    for (let i = 0; i < 50 && (media.channels > 0 || (media.resources.Timeout ?? 0) > (baseMedia.resources.Timeout ?? 0)); i++) {
      await sleep(100);
      media = await agent.media.probe();
    }
    expect(media).toMatchObject({ channels: 0, ports: 0 });
    expect(media.resources.UDPWrap ?? 0).toBe(0);
    expect(media.resources.Timeout ?? 0).toBeLessThanOrEqual(baseMedia.resources.Timeout ?? 0);
    // REST keep-alive connections (fetch's pool; both ends counted, the simulator runs in this process) are closed
    // after ~4 s idle: the count must come back, not grow with the number of calls.
    await sim.waitFor(() => (resourceCounts().TCPSocketWrap ?? 0) <= (baseResources.TCPSocketWrap ?? 0) + 2, 10_000, 'TCP sockets back to baseline');
    const after = resourceCounts();
    expect(after.UDPWrap ?? 0).toBeLessThanOrEqual(baseResources.UDPWrap ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual((baseResources.TCPSocketWrap ?? 0) + 2); // keep-alive REST sockets may be pooled
    expect(Object.values(stats).every((n) => n > 0)).toBe(true);
    expect(agent.controller.stats.callsStarted).toBeGreaterThanOrEqual(CALLS);

    clearFakeLogs(sim, realtime);
    const heap = await settledHeapBytes();
    if (baseHeap === undefined || heap === undefined) {
      console.warn('soak: no way to force a GC in this runtime; heap check skipped');
    } else {
      // A per-call leak of even 50 KB would show as 5 MB over 100 calls.
      if (process.env.SOAK_VERBOSE) console.info(`soak heap growth: ${((heap - baseHeap) / 1024).toFixed(0)} KiB over ${CALLS} calls`, stats);
      expect(heap - baseHeap, `heap grew from ${baseHeap} to ${heap} bytes`).toBeLessThan(Math.max(6 * 2 ** 20, CALLS * 20_000));
    }
    expect(unhandled.rejections).toEqual([]);
  }, 120_000);
});

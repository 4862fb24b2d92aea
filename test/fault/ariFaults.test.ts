import { afterEach, describe, expect, it } from 'vitest';
import type { SimCall } from '../../src/sim/SimCall.js';
import { startHarness, type Harness } from '../call/harness.js';
import { speechLike } from '../call/speechLike.js';
import { trackUnhandled } from '../fuzz/prng.js';
import { endsOrHearsAudio, nothingLeft } from './endsOrHears.js';

const LOAD = 20;
const speech = (ms: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms });

/** Block the event loop (the agent's and, in-process, the simulator's): a GC pause or a slow synchronous handler. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

describe('fault injection: Asterisk side, under load', () => {
  let h: Harness | undefined;
  const unhandled = trackUnhandled();
  afterEach(async () => {
    await h?.close();
    h = undefined;
    expect(unhandled.rejections).toEqual([]);
  });

  async function loaded(): Promise<{ h: Harness; calls: SimCall[] }> {
    h = await startHarness({ overrides: { external_media: { port_range: '25000-25099' } } });
    const { sim, agent } = h;
    const calls = Array.from({ length: LOAD }, (_, i) => sim.placeCall({ callerNumber: `555${2000 + i}`, variables: { AI_CONTEXT: 'default' } }));
    await sim.waitFor(() => calls.every((c) => agent.controller.sessions.get(c.id)?.phase === 'active'), 15_000, 'all calls active');
    return { h, calls };
  }

  it('keeps every call talking through an ARI websocket drop, then resumes control of all of them', async () => {
    const { h, calls } = await loaded();
    const { sim, agent } = h;
    sim.dropWebsockets();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'agent noticed the drop');
    const outcomes = await Promise.all(calls.map((c) => endsOrHearsAudio(sim, c, { speak: () => c.playAudio(speech(500), 8000) })));
    expect(outcomes.every((o) => o === 'audio')).toBe(true);
    await sim.waitFor(() => agent.ari.state === 'connected' && sim.isAppConnected(), 10_000, 'reconnected');
    expect(agent.controller.sessions.size).toBe(LOAD);
    for (const c of calls) c.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  it('survives Asterisk going away and coming back: each call keeps talking or ends by policy, none in silence', async () => {
    const { h, calls } = await loaded();
    const { sim, agent } = h;
    await sim.stopHttp();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'agent noticed Asterisk is gone');
    await new Promise((r) => setTimeout(r, 300));
    await sim.startHttp();
    await sim.waitFor(() => agent.ari.state === 'connected' && sim.isAppConnected(), 10_000, 'reconnected after restart');
    const outcomes = await Promise.all(calls.map((c) => endsOrHearsAudio(sim, c, { speak: () => c.playAudio(speech(500), 8000) })));
    expect(outcomes).toHaveLength(LOAD);
    for (const c of calls) if (!c.hungUp) c.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  // Regression: reconcile only cleaned Asterisk-side orphans; a session whose caller left during the outage lived on.
  it('ends the session of a caller who hung up while the ARI websocket was down', async () => {
    const { h, calls } = await loaded();
    const { sim, agent } = h;
    await sim.stopHttp();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'agent noticed Asterisk is gone');
    calls[0]!.hangup(); // StasisEnd is published to nobody
    await sim.startHttp();
    await sim.waitFor(() => agent.ari.state === 'connected' && sim.isAppConnected(), 10_000, 'reconnected');
    await sim.waitFor(() => !agent.controller.sessions.has(calls[0]!.id), 10_000, 'session of the caller who left is gone');
    for (const c of calls) if (!c.hungUp) c.hangup();
    await nothingLeft(sim, () => agent.controller.sessions.size);
  });

  it('sets up and tears down every call while the event loop stalls for 150 ms at a time', async () => {
    h = await startHarness({ overrides: { external_media: { port_range: '25100-25199' } } });
    const { sim, agent } = h;
    const stall = setInterval(() => block(150), 200);
    try {
      const calls = Array.from({ length: LOAD }, (_, i) => sim.placeCall({ callerNumber: `555${3000 + i}`, variables: { AI_CONTEXT: 'default' } }));
      await sim.waitFor(() => calls.every((c) => agent.controller.sessions.get(c.id)?.phase === 'active'), 20_000, 'all calls active despite stalls');
      const outcomes = await Promise.all(calls.map((c) => endsOrHearsAudio(sim, c, { speak: () => c.playAudio(speech(600), 8000), timeoutMs: 15_000 })));
      expect(outcomes.every((o) => o === 'audio')).toBe(true);
      // Hangups arrive in a burst while the loop is blocked: all of them are processed.
      block(150);
      for (const c of calls) c.hangup();
      block(150);
      await nothingLeft(sim, () => agent.controller.sessions.size);
    } finally {
      clearInterval(stall);
    }
    const gaps = sim.requests.filter((r) => r.status >= 500);
    expect(gaps).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startAgent } from '../../src/call/startAgent.js';
import { AriSimulator } from '../../src/sim/AriSimulator.js';
import { startHarness, testConfig, type Harness } from './harness.js';
import { speechLike } from './speechLike.js';

async function noLeftovers(h: Harness): Promise<void> {
  const { sim, agent } = h;
  await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'no sessions');
  await sim.waitFor(
    () => [...sim.channels.keys()].every((id) => !id.startsWith('aiav-')) && sim.bridges.size === 0,
    5_000,
    'no channels or bridges of ours',
  );
  await sim.waitFor(() => sim.rtpPeers === 0, 5_000, 'no RTP peers');
}

describe('call lifecycle against the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const steps: [string, (r: { method: string; path: string }) => boolean][] = [
    ['reading variables', (r) => r.method === 'GET' && r.path.includes('/variable')],
    ['creating the bridge', (r) => r.method === 'POST' && r.path === '/bridges'],
    ['adding the caller', (r) => r.method === 'POST' && r.path.includes('/addChannel')],
    ['creating ExternalMedia', (r) => r.method === 'POST' && r.path === '/channels/externalMedia'],
    ['answering', (r) => r.method === 'POST' && r.path.endsWith('/answer')],
  ];
  for (const [step, match] of steps) {
    it(`cleans up everything when the caller hangs up while ${step}`, async () => {
      h = await startHarness();
      const { sim } = h;
      sim.options.restLatencyMs = 30;
      const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
      await sim.waitFor(() => sim.requests.some(match), 5_000, step);
      call.hangup();
      await noLeftovers(h);
      // A caller who hung up is never hung up again by us.
      expect(sim.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${call.id}`)).toBe(false);
    });
  }

  it('hangs up the caller and deletes everything when the agent ends the call', async () => {
    h = await startHarness();
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    await agent.controller.sessions.get(call.id)?.end('agent_hangup');
    await noLeftovers(h);
    expect(call.hungUp).toBe(true);
    const hangupReq = sim.events.find((e) => e.type === 'ChannelHangupRequest' && (e as unknown as { channel: { id: string } }).channel.id === call.id);
    expect(hangupReq).toMatchObject({ cause: 32, soft: true });
  });

  it('carries 50 concurrent calls, each hearing its own audio back', async () => {
    h = await startHarness();
    const { sim, agent } = h;
    const calls = Array.from({ length: 50 }, (_, i) => sim.placeCall({ callerNumber: `555${1000 + i}`, variables: { AI_CONTEXT: 'default' } }));
    await sim.waitFor(() => calls.every((c) => agent.controller.sessions.get(c.id)?.phase === 'active'), 20_000, '50 calls active');
    const audio = speechLike({ sampleRate: 8000, durationMs: 600 });
    await Promise.all(calls.map((c) => c.playAudio(audio, 8000, { realtime: true })));
    // The echo also returns the gap-filled silence, so wait for the speech itself to come back.
    const loud = (c: (typeof calls)[number]): number => c.received.filter((p) => p.pcm8k.some((s) => Math.abs(s) > 2_000)).length;
    await sim.waitFor(() => calls.every((c) => loud(c) >= 25), 20_000, 'every caller hears their speech back');
    for (const c of calls) expect(loud(c)).toBeLessThanOrEqual(31);
    for (const c of calls) c.hangup();
    await noLeftovers(h);
  }, 60_000);

  it('keeps audio flowing while the ARI websocket is down, then resumes control', async () => {
    h = await startHarness();
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    sim.dropWebsockets();
    await sim.waitFor(() => agent.ari.state !== 'connected', 5_000, 'agent noticed the drop');
    // Media is RTP, not ARI: the echo still works while control is away.
    const before = call.received.length;
    await call.playAudio(speechLike({ sampleRate: 8000, durationMs: 400 }), 8000, { realtime: true });
    await sim.waitFor(() => call.received.length > before + 15, 5_000, 'audio during the outage');
    await sim.waitFor(() => agent.ari.state === 'connected' && sim.isAppConnected(), 10_000, 'reconnected');
    expect(agent.controller.sessions.size).toBe(1);
    // Control resumed: the caller's hangup reaches the agent and everything is cleaned up.
    call.hangup();
    await noLeftovers(h);
  });

  it('after an agent restart, ends orphans and never leaves a held caller in silence', async () => {
    const sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });
    const first = await startHarness({ sim });
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => first.agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    // Crash: the agent vanishes without cleaning up; Asterisk keeps the caller, bridge and media channel in Stasis.
    await first.agent.ari.stop();
    await sim.waitFor(() => !sim.isAppConnected(), 5_000, 'app gone');
    expect([...sim.channels.keys()].some((id) => id.startsWith('aiav-em-'))).toBe(true);

    const config = testConfig(sim);
    const second = await startAgent({ config, logger: pino({ level: 'silent' }) });
    h = { sim, agent: second, config, close: async () => { await second.stop('test'); await sim.close(); } };
    await sim.waitFor(() => ![...sim.channels.keys()].some((id) => id.startsWith('aiav-')), 8_000, 'orphan media channel deleted');
    await sim.waitFor(() => sim.bridges.size === 0, 5_000, 'orphan bridge destroyed');
    // The held caller heard the failure sound and was then hung up (policy: hangup).
    await sim.waitFor(() => call.hungUp, 5_000, 'held caller ended');
    expect(call.playedMedia.length).toBeGreaterThan(0);
    first.agent.controller.sessions.clear();
  });

  it('starts before Asterisk: keeps retrying, then takes calls once Asterisk is up', async () => {
    const sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });
    await sim.stopHttp();
    const config = testConfig(sim);
    const agent = await startAgent({ config, logger: pino({ level: 'silent' }) });
    h = { sim, agent, config, close: async () => { await agent.stop('test'); await sim.close(); } };
    await new Promise((r) => setTimeout(r, 600));
    expect(agent.ari.state).not.toBe('connected');
    await sim.startHttp();
    await agent.ari.waitConnected(10_000);
    await sim.waitForApp();
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'call active');
    call.hangup();
    await noLeftovers(h);
  });
});

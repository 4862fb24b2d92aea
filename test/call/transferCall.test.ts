import { afterEach, describe, expect, it } from 'vitest';
import { FakeRealtimeServer, type ScriptContext } from '../fakes/FakeRealtimeServer.js';
import { startHarness, type Harness } from './harness.js';
import { speechLike } from './speechLike.js';

const speech = (ms: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 24_000 });
const SALES = 'Local/6000@from-internal';

/** First caller turn asks for sales; a later turn (if any) runs `second`. */
function script(second?: { name: string; arguments: Record<string, unknown> }) {
  let turns = 0;
  return (ctx: ScriptContext) => {
    if (ctx.verbatim !== undefined) return { text: ctx.verbatim, audioMs: 300 };
    if (ctx.trigger !== 'vad') return { text: 'Okay, I am back.', audioMs: 300 };
    turns++;
    if (turns === 1) return { text: 'Connecting you.', audioMs: 300, functionCalls: [{ name: 'transfer', arguments: { destination: 'sales' } }] };
    if (second) return { text: '', audioMs: 0, functionCalls: [second] };
    return { text: 'Sure.', audioMs: 200 };
  };
}

async function bridgedHarness(rt: FakeRealtimeServer): Promise<Harness> {
  return startHarness({
    overrides: {
      default_provider: 'openai_realtime',
      providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url }, echo: {} },
      contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['transfer', 'cancel_transfer'] } },
      tools: { transfer: { mode: 'bridged', ring_timeout_s: 5, destinations: { sales: { type: 'extension', target: '6000', description: 'Sales' } } } },
    },
  });
}

async function liveCall(h: Harness) {
  const call = h.sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
  await h.sim.waitFor(() => h.agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
  return call;
}

describe('bridged transfers through a whole call', () => {
  let h: Harness | undefined;
  let rt: FakeRealtimeServer | undefined;
  afterEach(async () => {
    await h?.close();
    await rt?.close();
    h = undefined;
    rt = undefined;
  });

  it('answered: caller hears hold music, then is bridged with the target and the AI leg leaves', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script(script());
    h = await bridgedHarness(rt);
    const { sim, agent } = h;
    sim.setEndpointBehavior(SALES, { answerAfterMs: 400 });
    const call = await liveCall(h);
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.moh !== null, 8_000, 'hold music');
    const leg = await sim.waitForEvent('StasisStart', (e) => (e as unknown as { channel: { id: string } }).channel.id.startsWith('aiav-xf'), 8_000);
    const legId = (leg as unknown as { channel: { id: string } }).channel.id;
    await sim.waitFor(() => [...sim.bridges.values()].some((b) => b.channels.includes(legId) && b.channels.includes(call.id)), 5_000, 'bridged');
    await sim.waitFor(() => ![...sim.channels.keys()].some((id) => id.startsWith('aiav-em-')), 5_000, 'AI leg gone');
    expect(call.moh).toBeNull();
    const session = agent.controller.sessions.get(call.id);
    expect(session?.phase).toBe('transferred');
    expect(session?.outcome).toBe('transferred');
    // The caller hangs up: the target leg is hung up by us and the bridge destroyed.
    call.hangup();
    await sim.waitFor(() => agent.controller.sessions.size === 0 && sim.bridges.size === 0 && !sim.channels.has(legId), 5_000, 'all gone');
  }, 30_000);

  it('no answer: the caller comes back to the agent, who is told nobody answered', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script(script());
    h = await bridgedHarness(rt);
    const { sim, agent } = h;
    sim.setEndpointBehavior(SALES, { noAnswer: true, afterMs: 500 });
    const call = await liveCall(h);
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.moh !== null, 8_000, 'hold music');
    await sim.waitFor(() => call.moh === null, 8_000, 'hold music stopped');
    const note = await rt.waitFor(
      () => rt!.receivedOf('conversation.item.create').find((e) => (e.item as { role?: string }).role === 'system'),
      8_000,
      'the model was told',
    );
    expect(JSON.stringify(note)).toMatch(/no_answer|not answer|nobody/i);
    expect(agent.controller.sessions.get(call.id)?.phase).toBe('active');
    // The agent speaks again to the caller (the media path resumed).
    const before = call.received.length;
    await sim.waitFor(() => call.received.length > before + 5, 8_000, 'agent audible again');
  }, 30_000);

  it('cancel_transfer while ringing hangs up the ringing leg and resumes the conversation', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script(script({ name: 'cancel_transfer', arguments: {} }));
    h = await bridgedHarness(rt);
    const { sim, agent } = h;
    sim.setEndpointBehavior(SALES, { noAnswer: true, afterMs: 20_000 });
    const call = await liveCall(h);
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.moh !== null, 8_000, 'hold music');
    const legId = await sim.waitFor(() => [...sim.channels.keys()].some((id) => id.startsWith('aiav-xf')), 5_000, 'leg ringing').then(
      () => [...sim.channels.keys()].find((id) => id.startsWith('aiav-xf'))!,
    );
    // On hold, the caller says "never mind": the agent still listens, and the model cancels the transfer.
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => !sim.channels.has(legId) && call.moh === null, 8_000, 'leg hung up, MOH off');
    const session = agent.controller.sessions.get(call.id)!;
    const outputs = (): Record<string, unknown>[] =>
      rt!.receivedOf('conversation.item.create').filter((e) => (e.item as { type?: string }).type === 'function_call_output');
    await rt.waitFor(() => outputs().length >= 2, 5_000, 'both tool results');
    expect(outputs().map((e) => JSON.parse((e.item as { output: string }).output).status)).toEqual(['ringing', 'cancelled']);
    // The conversation resumes: the agent is heard again.
    const before = call.received.length;
    await sim.waitFor(() => call.received.length > before + 5, 8_000, 'agent audible again');
    expect(session.phase).toBe('active');
  }, 30_000);
});

describe('provider failure policy', () => {
  let h: Harness | undefined;
  let rt: FakeRealtimeServer | undefined;
  afterEach(async () => {
    await h?.close();
    await rt?.close();
    h = undefined;
    rt = undefined;
  });

  it('a rejected API key: the caller hears an apology and is sent to the configured destination', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-right' });
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-wrong', base_url: rt.url }, echo: {} },
        on_provider_failure: { action: 'transfer', destination: 'operator', sound: 'sound:an-error-has-occurred' },
        tools: { transfer: { destinations: { operator: { type: 'extension', target: '0', description: 'Operator' } } } },
      },
    });
    const { sim, agent } = h;
    sim.options.playbackDurationMs = 200;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => call.continuedTo !== undefined && call.continuedTo !== null, 10_000, 'sent on');
    expect(call.playedMedia).toContain('sound:an-error-has-occurred');
    expect(call.continuedTo).toMatchObject({ context: 'from-internal', extension: '0' });
    // The apology finished before the caller was moved on.
    const finished = sim.events.findIndex((e) => e.type === 'PlaybackFinished');
    const continued = sim.requests.findIndex((r) => r.path.endsWith('/continue'));
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(continued).toBeGreaterThanOrEqual(0);
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    expect(call.hungUp).toBe(false);
  }, 30_000);

  it('quota exhausted mid-call: apology, then hang up (default policy)', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    h = await startHarness({
      overrides: { default_provider: 'openai_realtime', providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url }, echo: {} } },
    });
    const { sim } = h;
    sim.options.playbackDurationMs = 100;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => h!.agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    rt.quotaExceeded = true;
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.hungUp, 10_000, 'hung up');
    expect(call.playedMedia.length).toBeGreaterThan(0);
  }, 30_000);

  it('the provider failing while ARI set-up is still running: the caller is sent on once, never answered afterwards', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-right' });
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-wrong', base_url: rt.url }, echo: {} },
        on_provider_failure: { action: 'transfer', destination: 'operator' },
        tools: { transfer: { destinations: { operator: { type: 'extension', target: '0', description: 'Operator' } } } },
      },
    });
    const { sim, agent } = h;
    sim.options.playbackDurationMs = 50;
    // Slow ARI: the 401 arrives while the bridge and media channel are still being built.
    sim.options.restLatencyMs = 120;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => call.continuedTo != null, 10_000, 'sent on');
    await sim.waitFor(() => agent.controller.sessions.size === 0, 8_000, 'session ended');
    await sim.waitFor(() => sim.bridges.size === 0 && ![...sim.channels.keys()].some((id) => id.startsWith('aiav-')), 5_000, 'no leftovers');
    const continueAt = sim.requests.findIndex((r) => r.path.endsWith('/continue'));
    expect(sim.requests.filter((r) => r.path.endsWith('/continue'))).toHaveLength(1);
    expect(sim.requests.slice(continueAt).some((r) => r.path.endsWith('/answer'))).toBe(false);
    expect(call.hungUp).toBe(false);
  }, 30_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import type { PlayoutStart } from '../../src/call/CallMedia.js';
import { monoMs } from '../../src/util/monoMs.js';
import { FakeRealtimeServer } from '../fakes/FakeRealtimeServer.js';
import { startHarness, type Harness } from './harness.js';
import { speechLike } from './speechLike.js';

const GREETING = 'Thank you for calling Acme Plumbing, this is the virtual assistant, how can I help you today?';

async function realtimeHarness(rt: FakeRealtimeServer, extra: Record<string, unknown> = {}): Promise<Harness> {
  return startHarness({
    overrides: {
      default_provider: 'openai_realtime',
      providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url, model: 'gpt-realtime' }, echo: {} },
      contexts: { default: { greeting: GREETING, prompt: 'You are a plumber receptionist.', tools: ['transfer', 'hangup_call'] } },
      tools: { transfer: { mode: 'blind', destinations: { sales: { type: 'extension', target: '6000', description: 'Sales team' } } } },
      ...extra,
    },
  });
}

/** Loud enough for the fake server's VAD (RMS ≥ −20 dBFS) and for our own. */
const speech = (ms: number): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 24_000 });

describe('calls through the OpenAI Realtime provider (fake server over a real websocket)', () => {
  let h: Harness | undefined;
  let rt: FakeRealtimeServer | undefined;
  afterEach(async () => {
    await h?.close();
    await rt?.close();
    h = undefined;
    rt = undefined;
  });

  it('plays the greeting in full although the caller talks over it', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    h = await realtimeHarness(rt);
    const { sim, agent } = h;
    const call = sim.placeCall({ callerName: 'Ann', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    // "hello? hello?" while the greeting plays.
    await call.playAudio(speech(800), 8000, { realtime: true });
    const greetingMs = Math.max(300, GREETING.length * 60);
    await call.waitForReceivedMs(greetingMs - 40, 15_000);
    // The server never heard the caller during the greeting, so it never cut it or answered half of it.
    expect(rt.receivedOf('conversation.item.truncate')).toHaveLength(0);
    expect(rt.last?.receivedOf('response.cancel') ?? []).toHaveLength(0);
    const greetingRequest = rt.receivedOf('response.create')[0] as { response?: { instructions?: string } };
    expect(greetingRequest.response?.instructions).toContain(GREETING);
    // Played in full: as many 20 ms packets as the greeting has audio (within one frame of padding).
    await new Promise((r) => setTimeout(r, 300));
    expect(Math.abs(call.received.length * 20 - greetingMs)).toBeLessThanOrEqual(40);
  }, 30_000);

  it("reports when each response's audio starts playing, counted from its arrival on the provider socket", async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script(() => ({ text: 'Sure.', audioMs: 300 }));
    const starts: PlayoutStart[] = [];
    h = await startHarness({
      overrides: {
        default_provider: 'openai_realtime',
        providers: { openai_realtime: { api_key: 'sk-test', base_url: rt.url } },
        contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: [] } },
      },
      observers: [{ onPlayoutStart: (_s, p) => starts.push(p) }],
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    await sim.waitFor(() => starts.length === 1, 5_000, 'greeting started');
    const session = agent.controller.sessions.get(call.id)!;
    await sim.waitFor(() => session.media?.agentSpeaking === false, 5_000, 'greeting played');
    await session.provider?.say('Anything else?');
    await sim.waitFor(() => starts.length === 2, 5_000, 'second response started');
    const items = rt.last!.sent.filter((e) => e.type === 'response.output_audio.delta').map((e) => e.item_id);
    expect(starts.map((p) => p.itemId)).toEqual([...new Set(items)]);
    // The second one came while nothing played: from its first delta's arrival to its first packet, and before now.
    const second = starts[1]!;
    expect(second.delayMs).toBeGreaterThan(0);
    expect(second.sentAt).toBeLessThanOrEqual(monoMs());
    expect(second.sentAt - second.delayMs).toBeGreaterThan(starts[0]!.sentAt);
  }, 20_000);

  it('barge-in flushes playout at once and truncates at what the caller heard', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script((ctx) => (ctx.verbatim !== undefined ? { text: ctx.verbatim, audioMs: 400 } : { text: 'A long answer about pipes.', audioMs: 6_000 }));
    h = await realtimeHarness(rt, { contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: [] } } });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    await call.waitForReceivedMs(400, 5_000);
    const session = agent.controller.sessions.get(call.id)!;
    await sim.waitFor(() => session.media?.gate.canBargeIn() === true, 5_000, 'greeting over');
    // First turn: the caller asks; the agent starts a 6 s answer.
    await call.playAudio(speech(700), 8000, { realtime: true });
    const answerStart = call.received.length;
    await sim.waitFor(() => call.received.length >= answerStart + 50, 10_000, '1 s of the answer heard');
    // The caller interrupts.
    const interruptAt = call.received.length;
    void call.playAudio(speech(800), 8000, { realtime: true });
    const truncate = await rt.waitFor(() => rt!.receivedOf('conversation.item.truncate')[0], 10_000, 'truncate');
    const heardAtTruncate = call.received.length - answerStart;
    await new Promise((r) => setTimeout(r, 200));
    const afterTruncate = call.received.length - answerStart - heardAtTruncate;
    // Nothing more of the interrupted answer is played once the cut is made (at most the frame in flight).
    expect(afterTruncate).toBeLessThanOrEqual(1);
    const endMs = truncate.audio_end_ms as number;
    expect(Number.isInteger(endMs)).toBe(true);
    expect(Math.abs(endMs - heardAtTruncate * 20)).toBeLessThanOrEqual(40);
    expect(heardAtTruncate).toBeGreaterThan(interruptAt - answerStart);
    expect(session.conversation?.bargeIns).toBe(1);
  }, 30_000);

  it('a transfer tool call sends the caller to the configured extension and cleanup does not hang them up', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script((ctx) =>
      ctx.verbatim !== undefined
        ? { text: ctx.verbatim, audioMs: 300 }
        : ctx.trigger === 'vad'
          ? { text: 'Let me put you through to sales.', audioMs: 600, functionCalls: [{ name: 'transfer', arguments: { destination: 'sales' } }] }
          : { text: 'Okay.', audioMs: 200 },
    );
    h = await realtimeHarness(rt, { contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['transfer'] } } });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    await call.waitForReceivedMs(300, 5_000);
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 5_000, 'greeting over');
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.continuedTo !== undefined && call.continuedTo !== null, 10_000, 'continued');
    expect(call.continuedTo).toMatchObject({ context: 'from-internal', extension: '6000', priority: 1 });
    // The agent finished its sentence first (600 ms of audio after the 300 ms greeting).
    expect(call.received.length * 20).toBeGreaterThanOrEqual(860);
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    expect(sim.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${call.id}`)).toBe(false);
    expect(call.hungUp).toBe(false);
    const output = rt.receivedOf('conversation.item.create').find((e) => (e.item as { type?: string }).type === 'function_call_output');
    expect(JSON.parse((output?.item as { output: string }).output)).toMatchObject({ ok: true });
  }, 30_000);

  it('a transfer to a number that is not configured is refused and nothing is dialled', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script((ctx) =>
      ctx.verbatim !== undefined
        ? { text: ctx.verbatim, audioMs: 300 }
        : ctx.trigger === 'vad'
          ? { text: 'Sure.', audioMs: 200, functionCalls: [{ name: 'transfer', arguments: { destination: '+19005550100' } }] }
          : { text: 'Sorry, I cannot.', audioMs: 200 },
    );
    h = await realtimeHarness(rt, { contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['transfer'] } } });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    await call.playAudio(speech(700), 8000, { realtime: true });
    const output = await rt.waitFor(
      () => rt!.receivedOf('conversation.item.create').find((e) => (e.item as { type?: string }).type === 'function_call_output'),
      10_000,
      'tool result',
    );
    expect(JSON.parse((output.item as { output: string }).output)).toMatchObject({ ok: false });
    expect(sim.requests.some((r) => r.path.endsWith('/continue') || (r.method === 'POST' && r.path === '/channels'))).toBe(false);
    expect(agent.controller.sessions.get(call.id)?.phase).toBe('active');
  }, 30_000);

  it('hangup_call says the farewell, lets it drain, then hangs up', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.script((ctx) =>
      ctx.verbatim !== undefined
        ? { text: ctx.verbatim, audioMs: 500 }
        : ctx.trigger === 'vad'
          ? { text: '', audioMs: 0, functionCalls: [{ name: 'hangup_call', arguments: {} }] }
          : undefined,
    );
    h = await realtimeHarness(rt, { contexts: { default: { greeting: 'Hi.', prompt: 'x', tools: ['hangup_call'] } } });
    const { sim, agent } = h;
    const call = sim.placeCall({ variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    const beforeFarewell = call.received.length;
    await call.playAudio(speech(700), 8000, { realtime: true });
    await sim.waitFor(() => call.hungUp, 15_000, 'hung up');
    // The configured farewell (verbatim) was spoken and drained before the hangup.
    const farewell = rt.receivedOf('response.create').some((e) => JSON.stringify(e).includes('Thank you for calling. Goodbye!'));
    expect(farewell).toBe(true);
    expect((call.received.length - beforeFarewell) * 20).toBeGreaterThanOrEqual(480);
    await sim.waitFor(() => agent.controller.sessions.size === 0 && sim.bridges.size === 0, 5_000, 'cleaned up');
  }, 30_000);

  it("applies the context's voice and provider_overrides to the session (nested keys merged, not replaced)", async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    h = await realtimeHarness(rt, {
      contexts: {
        default: {
          greeting: 'Hi.',
          prompt: 'Hello {caller_name}, you called {company_name}.',
          voice: 'cedar',
          provider_overrides: { turn_detection: { type: 'server_vad', silence_duration_ms: 900 } },
        },
      },
      company_name: 'Acme',
    });
    const { sim, agent } = h;
    const call = sim.placeCall({ callerName: 'Ann', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.phase === 'active', 5_000, 'active');
    const update = (await rt.waitFor(() => rt!.receivedOf('session.update')[0], 5_000, 'session.update')) as {
      session: { instructions: string; audio: { output: { voice: string }; input: { turn_detection: Record<string, unknown> } } };
    };
    expect(update.session.audio.output.voice).toBe('cedar');
    expect(update.session.audio.input.turn_detection).toMatchObject({ type: 'server_vad', silence_duration_ms: 900, threshold: 0.5, prefix_padding_ms: 300 });
    expect(update.session.instructions).toBe('Hello Ann, you called Acme.');
  }, 30_000);
});

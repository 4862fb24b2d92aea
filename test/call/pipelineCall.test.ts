import { afterEach, describe, expect, it } from 'vitest';
import type { CallObserver } from '../../src/call/CallObserver.js';
import type { PlayedItem, TurnLatency } from '../../src/providers/VoiceProvider.js';
import { rmsDbfs } from '../../src/vad/frameEnergy.js';
import { FakeOpenAIRest, type Route } from '../fakes/FakeOpenAIRest.js';
import { startHarness, type Harness } from './harness.js';
import { speechLike } from './speechLike.js';

/**
 * Whole calls through the hybrid STT → LLM → TTS provider: the real agent against the ARI simulator over real
 * sockets, the three stages against the REST fake over real HTTP. The caller's pauses are not sent at all (a
 * two-member bridge sends nothing in silence), so the pipeline hears them as gap-filled digital silence.
 */

const KEY = 'sk-test-hybrid';
const GREETING = 'Hello, this is Acme. How can I help?';
const PROMPT = 'You are the Acme receptionist.';
/** Fake TTS pace, ms per character: short replies keep the tests quick, long ones leave room for a barge-in. */
const MS_PER_CHAR = 10;

const speech = (ms: number, seed = 1): Int16Array => speechLike({ sampleRate: 8000, durationMs: ms, amplitude: 16_000, seed });

interface HybridOptions {
  observers?: Partial<CallObserver>[];
  /** Per-stage overrides (e.g. retries). */
  stt?: Record<string, unknown>;
  llm?: Record<string, unknown>;
}

async function hybridHarness(rest: FakeOpenAIRest, opts: HybridOptions = {}): Promise<Harness> {
  // No SDK retries unless a test asks: a fault is then seen exactly once. Long enough for a held stream.
  const stage = { base_url: rest.baseUrl, api_key: KEY, timeout_ms: 20_000, max_retries: 0 };
  return startHarness({
    overrides: {
      default_provider: 'hybrid',
      pipelines: {
        hybrid: {
          stt: { ...stage, ...opts.stt },
          llm: { ...stage, ...opts.llm },
          tts: stage,
          // Quick turns: the agent answers 500 ms after the caller stops.
          endpointing: { silence_duration_ms: 500 },
        },
      },
      contexts: { default: { greeting: GREETING, prompt: PROMPT, tools: ['transfer', 'hangup_call'] } },
      tools: { transfer: { mode: 'blind', destinations: { sales: { type: 'extension', target: '6000', description: 'Sales team' } } } },
    },
    ...(opts.observers ? { observers: opts.observers } : {}),
  });
}

type ChatMessage = { role: string; content?: string | null; tool_calls?: unknown[]; tool_call_id?: string };
const messagesOf = (rest: FakeOpenAIRest, i: number): ChatMessage[] => (rest.requestsTo('chat')[i]?.body.messages ?? []) as ChatMessage[];

/** Bounded wait for `count` requests on a route, so a missing one fails with a message rather than the test timeout. */
async function requests(rest: FakeOpenAIRest, route: Route, count: number, what = `${count} ${route} request(s)`): Promise<void> {
  const deadline = Date.now() + 6_000;
  while (rest.requestsTo(route).length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Ms of agent audio the caller has received so far (20 ms packets). */
const heardMs = (call: { received: unknown[] }): number => call.received.length * 20;

describe('calls through the hybrid pipeline (ARI simulator + REST fake)', () => {
  let h: Harness | undefined;
  let rest: FakeOpenAIRest | undefined;
  afterEach(async () => {
    await h?.close();
    await rest?.close();
    h = undefined;
    rest = undefined;
  });

  async function liveCall(): Promise<ReturnType<Harness['sim']['placeCall']>> {
    const { sim, agent } = h!;
    const call = sim.placeCall({ callerName: 'Ann', variables: { AI_CONTEXT: 'default' } });
    await sim.waitFor(() => agent.controller.sessions.get(call.id)?.media?.gate.canBargeIn() === true, 8_000, 'greeting over');
    return call;
  }

  it('a turn: greeting played in full, the caller speaks, STT gets a WAV, the LLM the history, TTS reaches the caller, latency is broken down', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    rest.scriptTranscript('Do you fix leaking taps?');
    rest.scriptChat({ text: 'Yes, we do. A plumber can come tomorrow.' });
    const latency: TurnLatency[] = [];
    h = await hybridHarness(rest, { observers: [{ onLatency: (_s, l) => latency.push(l) }] });
    const call = await liveCall();

    // The greeting: synthesised sentence by sentence and played in full (within a frame of padding).
    const greetingMs = GREETING.length * MS_PER_CHAR;
    await call.waitForReceivedMs(greetingMs - 40, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(Math.abs(heardMs(call) - greetingMs)).toBeLessThanOrEqual(40);
    expect(rest.requestsTo('speech').map((r) => r.body.input)).toEqual(['Hello, this is Acme.', 'How can I help?']);
    const afterGreeting = call.received.length;

    await call.playAudio(speech(600), 8000, { realtime: true });
    await requests(rest, 'transcriptions', 1);
    const stt = rest.requestsTo('transcriptions')[0];
    expect(stt!.wav).toBeDefined();
    expect(stt!.wav!.sampleRate).toBe(8000);
    expect(stt!.wav!.channels).toBe(1);
    // The utterance with its padding: about the 600 ms spoken (plus up to 300 ms on each side), never the whole call.
    expect(stt!.wav!.durationMs).toBeGreaterThanOrEqual(500);
    expect(stt!.wav!.durationMs).toBeLessThanOrEqual(600 + 300 + 300 + 40);
    expect(rmsDbfs(stt!.wav!.pcm)).toBeGreaterThan(-30); // the caller's voice (-23 dBFS sent), not line silence

    await requests(rest, 'chat', 1);
    const messages = messagesOf(rest, 0);
    expect(messages[0]).toMatchObject({ role: 'system' });
    expect(messages[0]!.content).toContain(PROMPT);
    expect(messages.slice(1)).toEqual([
      { role: 'assistant', content: GREETING },
      { role: 'user', content: 'Do you fix leaking taps?' },
    ]);
    const chatBody = rest.requestsTo('chat')[0]!.body;
    expect(chatBody.stream).toBe(true);
    expect((chatBody.tools as { function: { name: string } }[]).map((t) => t.function.name).sort()).toEqual(['hangup_call', 'transfer']);

    // The reply reaches the caller over RTP, in full.
    const replyMs = 'Yes, we do.'.length * MS_PER_CHAR + 'A plumber can come tomorrow.'.length * MS_PER_CHAR;
    await h.sim.waitFor(() => (call.received.length - afterGreeting) * 20 >= replyMs - 40, 8_000, 'reply heard');
    expect(rest.requestsTo('speech').slice(2).map((r) => r.body.input)).toEqual(['Yes, we do.', 'A plumber can come tomorrow.']);
    expect(call.received.every((p) => p.pt === 0 && p.payloadBytes === 160)).toBe(true);

    // The per-turn latency breakdown, in causal order.
    await h.sim.waitFor(() => latency.length === 1, 5_000, 'latency');
    const l = latency[0]!;
    expect(l.turn).toBe(1);
    const steps = [l.speechEndAt, l.transcriptAt, l.firstTokenAt, l.firstSentenceAt, l.firstAudioAt];
    expect(steps.every((t) => typeof t === 'number')).toBe(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(h.agent.controller.sessions.get(call.id)?.phase).toBe('active');
  }, 20_000);

  it('three turns in a row, the pauses between them digital silence: every utterance is answered with the whole history', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    const asked = ['I have a leak.', 'It is in the kitchen.', 'Tomorrow morning works.'];
    const answered = ['Sorry to hear that.', 'Which room is it in?', 'Booked for tomorrow.'];
    rest.scriptTranscript(...asked);
    rest.scriptChat(...answered.map((text) => ({ text })));
    const latency: TurnLatency[] = [];
    h = await hybridHarness(rest, { observers: [{ onLatency: (_s, l) => latency.push(l) }] });
    const call = await liveCall();
    await call.waitForReceivedMs(GREETING.length * MS_PER_CHAR - 40, 5_000);

    for (let turn = 0; turn < 3; turn++) {
      const before = call.received.length;
      // Nothing is sent between utterances: the pause before each one is gap-filled silence on our side. 1.2 s at
      // nominal level, as in the VAD bug report: the noise floor used to rise during each and never come back
      // down in the digital silence, so the third utterance was never heard.
      await call.playAudio(speech(1200, turn + 1), 8000, { realtime: true });
      await requests(rest, 'chat', turn + 1, `utterance ${turn + 1} answered`);
      const replyMs = answered[turn]!.length * MS_PER_CHAR;
      await h.sim.waitFor(() => (call.received.length - before) * 20 >= replyMs - 40, 8_000, `reply ${turn + 1} heard`);
      await new Promise((r) => setTimeout(r, 100)); // the reply drains; the caller waits a moment before going on
    }

    expect(rest.requestsTo('transcriptions')).toHaveLength(3);
    expect(rest.requestsTo('transcriptions').every((r) => r.status === 200 && r.wav !== undefined)).toBe(true);
    expect(rest.requestsTo('chat')).toHaveLength(3);
    expect(messagesOf(rest, 2).slice(1)).toEqual([
      { role: 'assistant', content: GREETING },
      { role: 'user', content: asked[0] },
      { role: 'assistant', content: answered[0] },
      { role: 'user', content: asked[1] },
      { role: 'assistant', content: answered[1] },
      { role: 'user', content: asked[2] },
    ]);
    await h.sim.waitFor(() => latency.length === 3, 5_000, 'three latency reports');
    expect(latency.map((l) => l.turn)).toEqual([1, 2, 3]);
    expect(latency.every((l) => l.firstAudioAt !== undefined)).toBe(true);
  }, 20_000);

  it('barge-in: playout stops at once, in-flight LLM and TTS requests are aborted, the history keeps only what was heard', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    const s1 = 'Our plumbers cover the whole city and most of the suburbs too.';
    const s2 = 'They carry spare parts for every common brand of tap and boiler.';
    const s3 = 'Call-out charges depend on the time of day and the distance.';
    const reply = `${s1} ${s2} ${s3}`;
    // Two sentences and the start of the third are streamed, then the model stalls: its request is still open.
    const heldAfter = 1 + Math.ceil((s1.length + 1 + s2.length + 1 + 6) / 6);
    rest.scriptTranscript('Where do you work?', 'Sorry, how much is it?');
    rest.scriptChat({ text: reply, textChunkChars: 6, holdAfterChunks: heldAfter, holdMs: 15_000 }, { text: 'It depends on the time.' });
    let onBargeIn: () => void = () => undefined;
    const bargeIns: PlayedItem[][] = [];
    h = await hybridHarness(rest, {
      observers: [
        {
          onBargeIn: (_s, played) => {
            bargeIns.push(played);
            onBargeIn();
          },
        },
      ],
    });
    const { sim, agent } = h;
    const call = await liveCall();
    await call.waitForReceivedMs(GREETING.length * MS_PER_CHAR - 40, 5_000);
    await new Promise((r) => setTimeout(r, 100));
    const afterGreeting = call.received.length;

    // A long reply (40 ms a character), streamed slower than the fake's default so its synthesis is still open.
    rest.speech.msPerChar = 40;
    rest.speech.chunkSizes = [4800];
    rest.speech.chunkDelayMs = 60;
    await call.playAudio(speech(600), 8000, { realtime: true });
    await sim.waitFor(() => call.received.length - afterGreeting >= 15, 8_000, '300 ms of the reply heard');

    // The caller talks over it.
    let atBargeIn = -1;
    onBargeIn = () => (atBargeIn = call.received.length);
    void call.playAudio(speech(800, 7), 8000, { realtime: true });
    await sim.waitFor(() => atBargeIn >= 0, 8_000, 'barge-in');
    await new Promise((r) => setTimeout(r, 200));
    // Nothing more of the interrupted reply is played (at most the frame in flight, and one being sent).
    expect(call.received.length - atBargeIn).toBeLessThanOrEqual(2);
    const heardReplyMs = (atBargeIn - afterGreeting) * 20;
    expect(heardReplyMs).toBeLessThan(s1.length * 40);
    expect(bargeIns).toHaveLength(1);
    // The session reported what the pacer played of the reply: what the caller received.
    expect(bargeIns[0]).toHaveLength(1);
    expect(Math.abs(bargeIns[0]![0]!.playedMs - heardReplyMs)).toBeLessThanOrEqual(40);
    expect(agent.controller.sessions.get(call.id)?.conversation?.bargeIns).toBe(1);

    // The model stream and the synthesis in flight were cut off, not left to finish.
    await sim.waitFor(() => rest!.requestsTo('chat')[0]!.endedAt !== undefined, 2_000, 'chat request ended');
    expect(rest.requestsTo('chat')[0]!.aborted).toBe(true);
    const speechReqs = rest.requestsTo('speech').slice(2); // after the greeting's two sentences
    expect(speechReqs.map((r) => r.body.input)).toEqual([s1, s2]);
    await sim.waitFor(() => speechReqs.every((r) => r.endedAt !== undefined), 2_000, 'speech requests ended');
    expect(speechReqs.some((r) => r.aborted)).toBe(true);

    // The next turn: the history holds the part of the reply that was heard, cut at a word, never the rest.
    await requests(rest, 'chat', 2);
    const messages = messagesOf(rest, 1).slice(1);
    expect(messages[0]).toEqual({ role: 'assistant', content: GREETING });
    expect(messages[1]).toEqual({ role: 'user', content: 'Where do you work?' });
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Sorry, how much is it?' });
    const heard = messages.slice(2, -1);
    expect(heard.length).toBeLessThanOrEqual(1);
    const said = heard[0]?.content ?? '';
    expect(said).not.toContain(s2.slice(0, 12));
    // ≥ 600 ms were heard (300 ms before the caller spoke, then the gate's and the endpointer's start times), so
    // at least the first word survives, marked as cut.
    expect(said.endsWith('…')).toBe(true);
    expect(said.length).toBeGreaterThan(1);
    expect(s1.startsWith(said.slice(0, -1))).toBe(true);
    expect(said.length - 1).toBeLessThan(s1.length);
  }, 20_000);

  it('a stage failing: an STT 500 loses one turn, an LLM out of quota runs the failure policy (sound, then hang up)', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    const errors: string[] = [];
    // The LLM may retry twice: a quota 429 must still be tried only once.
    h = await hybridHarness(rest, { llm: { max_retries: 2 }, observers: [{ onError: (_s, code) => errors.push(code) }] });
    const { sim, agent } = h;
    sim.options.playbackDurationMs = 100;
    const call = await liveCall();
    await call.waitForReceivedMs(GREETING.length * MS_PER_CHAR - 40, 5_000);

    // First utterance: the transcription server fails. The turn is lost, the call goes on.
    rest.failNext('transcriptions', { status: 500 });
    await call.playAudio(speech(600), 8000, { realtime: true });
    await sim.waitFor(() => errors.length === 1, 5_000, 'stt error reported');
    expect(errors).toEqual(['http_500']);
    expect(rest.requestsTo('transcriptions')[0]!.status).toBe(500);
    expect(rest.requestsTo('chat')).toHaveLength(0);
    expect(agent.controller.sessions.get(call.id)?.phase).toBe('active');
    expect(call.playedMedia).toEqual([]);

    // Second utterance: transcribed, but the account is out of quota. Nothing more can work: apology, hang up.
    rest.scriptTranscript('Hello? Are you there?');
    rest.failNext('chat', { status: 429, code: 'insufficient_quota' }, 3);
    await call.playAudio(speech(600, 2), 8000, { realtime: true });
    await sim.waitFor(() => call.hungUp, 10_000, 'hung up');
    expect(call.playedMedia).toEqual(['sound:an-error-has-occurred']);
    expect(errors).toEqual(['http_500', 'insufficient_quota']);
    expect(rest.requestsTo('chat').map((r) => r.status)).toEqual([429]);
    // The sound finished before the caller was hung up.
    const finishedAt = sim.eventLog.find((e) => e.event.type === 'PlaybackFinished')?.atMs;
    const hangupAt = sim.requests.find((r) => r.method === 'DELETE' && r.path === `/channels/${call.id}`)?.atMs;
    expect(finishedAt).toBeDefined();
    expect(hangupAt).toBeGreaterThanOrEqual(finishedAt!);
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
  }, 20_000);

  it('a transfer tool call from the LLM sends the caller to the configured extension (blind) without hanging up', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    rest.scriptTranscript('Put me through to sales, please.');
    rest.scriptChat({
      text: 'Connecting you to sales.',
      toolCalls: [{ id: 'call_xfer1', name: 'transfer', arguments: JSON.stringify({ destination: 'sales' }) }],
    });
    h = await hybridHarness(rest);
    const { sim, agent } = h;
    const call = await liveCall();
    await call.waitForReceivedMs(GREETING.length * MS_PER_CHAR - 40, 5_000);
    const afterGreeting = call.received.length;

    await call.playAudio(speech(600), 8000, { realtime: true });
    await sim.waitFor(() => call.continuedTo !== null, 10_000, 'sent on in the dialplan');
    expect(call.continuedTo).toMatchObject({ context: 'from-internal', extension: '6000', priority: 1 });
    expect(afterGreeting).toBeGreaterThan(0);
    await sim.waitFor(() => agent.controller.sessions.size === 0, 5_000, 'session ended');
    expect(call.hungUp).toBe(false);
    expect(sim.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${call.id}`)).toBe(false);
    const chat = rest.requestsTo('chat')[0]!;
    expect(chat.status).toBe(200);
  }, 20_000);

  // Regression: the pipeline fires tool calls when the LLM stream ends, before the reply is synthesised; the
  // transfer's "wait for playout" found nothing queued and moved the caller on before "Connecting you to sales."
  // A tool now waits for the response that called it to deliver all its audio, then for that audio to play.
  it('the caller hears the model\'s words before a blind transfer moves them on', async () => {
    rest = await FakeOpenAIRest.start({ apiKey: KEY });
    rest.speech.msPerChar = MS_PER_CHAR;
    rest.scriptTranscript('Put me through to sales, please.');
    const said = 'Connecting you to sales.';
    rest.scriptChat({ text: said, toolCalls: [{ id: 'call_xfer1', name: 'transfer', arguments: JSON.stringify({ destination: 'sales' }) }] });
    h = await hybridHarness(rest);
    const call = await liveCall();
    await call.waitForReceivedMs(GREETING.length * MS_PER_CHAR - 40, 5_000);
    const afterGreeting = call.received.length;
    await call.playAudio(speech(600), 8000, { realtime: true });
    await h.sim.waitFor(() => call.continuedTo !== null, 10_000, 'sent on in the dialplan');
    expect((call.received.length - afterGreeting) * 20).toBeGreaterThanOrEqual(said.length * MS_PER_CHAR - 40);
  }, 20_000);
});

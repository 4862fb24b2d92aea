import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeOpenAIRest } from '../../fakes/FakeOpenAIRest.js';
import { fakeSpeechPcm } from '../../fakes/rest/speechPcm.js';
import { audioOf, callerUtterance, feed, KEY, logger, lookupOrder, makeProvider, SAMPLE_RATE, type Harness } from './pipelineHarness.js';

let fake: FakeOpenAIRest;
let h: Harness;

const INSTRUCTIONS = 'You are a phone agent.';

async function start(greeting = '', tools = [lookupOrder]): Promise<void> {
  await h.provider.start({ callId: 'c1', instructions: INSTRUCTIONS, greeting, tools, logger });
}

const pcmOf = (...sentences: string[]): Buffer => Buffer.concat(sentences.map((s) => fakeSpeechPcm(s)));

beforeAll(async () => {
  fake = await FakeOpenAIRest.start({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  h = makeProvider(fake);
});
afterEach(async () => {
  await h.provider.close();
});

describe('PipelineProvider formats', () => {
  it('takes 8 kHz from an 8 kHz profile (16 kHz for a 24 kHz one) and emits 24 kHz pcm16', () => {
    expect(h.provider.inputFormat).toEqual({ encoding: 'pcm16', sampleRate: SAMPLE_RATE });
    expect(h.provider.outputFormat).toEqual({ encoding: 'pcm16', sampleRate: 24000 });
  });
});

describe('PipelineProvider turn', () => {
  it('runs speech → STT → streamed LLM → per-sentence TTS, audio in order, first audio before the LLM finished', async () => {
    await start();
    const reply = 'Sure. Your order shipped yesterday. It arrives Monday.';
    fake.scriptTranscript('Where is my order?');
    // The stream pauses after the second sentence has begun: the first must already be playing by then.
    fake.scriptChat({ text: reply, textChunkChars: 4, chunkDelayMs: 3, holdAfterChunks: 4, holdMs: 300 });
    feed(h.provider, callerUtterance());
    const done = await h.next('responseDone');

    expect(h.of('speechStarted')).toHaveLength(1);
    expect(h.of('speechStopped')).toHaveLength(1);
    const [stt] = fake.requestsTo('transcriptions');
    expect(stt?.wav?.sampleRate).toBe(SAMPLE_RATE);
    expect(stt?.wav?.durationMs).toBeGreaterThan(1200);

    const chat = fake.requestsTo('chat')[0]!;
    expect(chat.body.messages).toEqual([
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: 'Where is my order?' },
    ]);
    expect(chat.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'lookup_order',
          description: 'Look up an order',
          parameters: expect.objectContaining({ type: 'object', properties: { order_id: { type: 'string' } } }),
        },
      },
    ]);
    expect(fake.requestsTo('speech').map((r) => r.body.input)).toEqual(['Sure.', 'Your order shipped yesterday.', 'It arrives Monday.']);

    expect(audioOf(h).equals(pcmOf('Sure.', 'Your order shipped yesterday.', 'It arrives Monday.'))).toBe(true);
    const audio = h.events.filter((e) => e.type === 'audio');
    expect(new Set(h.of('audio').map((a) => `${a.responseId}/${a.itemId}`)).size).toBe(1);
    expect(audio[0]!.at).toBeLessThan(chat.endedAt!);

    expect(done).toMatchObject({ status: 'completed', greeting: false, hadAudio: true, text: reply });
    expect(h.of('transcript')).toEqual([
      expect.objectContaining({ role: 'user', text: 'Where is my order?' }),
      expect.objectContaining({ role: 'assistant', text: reply, itemId: done.responseId.replace('resp', 'item') }),
    ]);
    const lat = await h.next('latency');
    expect(lat.turn).toBe(1);
    const order = [lat.speechEndAt, lat.transcriptAt, lat.firstTokenAt, lat.firstSentenceAt, lat.firstAudioAt];
    expect(order.every((t) => typeof t === 'number')).toBe(true);
    expect([...order].sort((a, b) => a! - b!)).toEqual(order);
  });

  it('runs a tool call (reported with finish_reason "stop") and calls the model again with the result', async () => {
    await start();
    fake.scriptTranscript('Where is order 42?');
    fake.scriptChat(
      { text: 'Let me check.', toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"order_id":"42"}' }], argsChunkChars: 4, finishReason: 'stop' },
      { text: 'It shipped yesterday.' },
    );
    h.provider.on('toolCall', (c) => setTimeout(() => h.provider.sendToolResult({ callId: c.callId, output: '{"ok":true,"status":"shipped"}' }), 20));
    feed(h.provider, callerUtterance());
    const second = await h.next('responseDone', undefined, 2);

    expect(h.of('toolCall')).toEqual([expect.objectContaining({ callId: 'call_1', name: 'lookup_order', argumentsJson: '{"order_id":"42"}' })]);
    expect(second).toMatchObject({ status: 'completed', text: 'It shipped yesterday.' });
    const followUp = fake.requestsTo('chat')[1]!.body.messages as unknown[];
    expect(followUp.slice(1)).toEqual([
      { role: 'user', content: 'Where is order 42?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"42"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true,"status":"shipped"}' },
    ]);
    expect(audioOf(h).equals(pcmOf('Let me check.', 'It shipped yesterday.'))).toBe(true);
  });

  it('drops Whisper filler instead of answering it', async () => {
    await start();
    fake.scriptTranscript('Thanks for watching!');
    feed(h.provider, callerUtterance());
    await fake.waitForRequests('transcriptions');
    await vi.waitFor(() => expect(h.provider.stats.filtered).toBe(1));
    expect(fake.requestsTo('chat')).toHaveLength(0);
    expect(h.of('transcript')).toHaveLength(0);
  });

  it('lets a new utterance supersede a reply that is still thinking, answering both in one turn', async () => {
    await start();
    fake.scriptTranscript('I want to', 'order a pizza.');
    fake.scriptChat({ text: 'Too early.', holdAfterChunks: 1, holdMs: 20_000 }, { text: 'One pizza, coming up.' });
    feed(h.provider, callerUtterance());
    await fake.waitForRequests('chat');
    feed(h.provider, callerUtterance());
    const done = await h.next('responseDone', (d) => d.status === 'completed');
    expect(done.text).toBe('One pizza, coming up.');
    await vi.waitFor(() => expect(fake.requestsTo('chat')[0]!.aborted).toBe(true));
    expect((fake.requestsTo('chat')[1]!.body.messages as unknown[]).slice(1)).toEqual([
      { role: 'user', content: 'I want to' },
      { role: 'user', content: 'order a pizza.' },
    ]);
    expect(h.of('audio').every((a) => a.responseId === done.responseId)).toBe(true);
  });

  it('answers a notify() system note with a model turn', async () => {
    await start();
    fake.scriptChat({ text: 'Sales did not answer. Can I take a message?' });
    h.provider.notify('The transfer to Sales was not answered.');
    await h.next('responseDone');
    expect((fake.requestsTo('chat')[0]!.body.messages as unknown[]).at(-1)).toEqual({ role: 'system', content: 'The transfer to Sales was not answered.' });
  });
});

describe('PipelineProvider greeting and say', () => {
  it('speaks the greeting with TTS only, flags it, and puts it first in the history', async () => {
    const greeting = 'Hello, thanks for calling. How can I help?';
    await start(greeting);
    const done = await h.next('responseDone');
    expect(done).toMatchObject({ greeting: true, status: 'completed', hadAudio: true, text: greeting });
    expect(fake.requestsTo('chat')).toHaveLength(0);
    expect(audioOf(h).equals(pcmOf('Hello, thanks for calling.', 'How can I help?'))).toBe(true);

    fake.scriptTranscript('Hi.');
    fake.scriptChat({ text: 'Hi!' });
    feed(h.provider, callerUtterance());
    await h.next('responseDone', undefined, 2);
    expect((fake.requestsTo('chat')[0]!.body.messages as unknown[]).slice(0, 3)).toEqual([
      { role: 'system', content: INSTRUCTIONS },
      { role: 'assistant', content: greeting },
      { role: 'user', content: 'Hi.' },
    ]);
  });

  it('say() resolves once its audio is delivered', async () => {
    await start();
    await h.provider.say('Goodbye!');
    expect(audioOf(h).equals(fakeSpeechPcm('Goodbye!'))).toBe(true);
    expect(h.of('responseDone')).toEqual([expect.objectContaining({ greeting: false, status: 'completed', text: 'Goodbye!' })]);
  });
});

describe('PipelineProvider barge-in', () => {
  it('aborts in-flight LLM and TTS, drops late audio and trims the history to what was heard', async () => {
    await start();
    fake.speech.chunkDelayMs = 100; // the second sentence is still streaming when the caller cuts in
    fake.scriptTranscript('Tell me about my order.');
    fake.scriptChat({ text: 'First sentence here. Second sentence is here. Third one never plays.', textChunkChars: 8, holdAfterChunks: 7, holdMs: 20_000 });
    feed(h.provider, callerUtterance());
    // Wait until the second sentence's audio has started (so its synthesis is in flight).
    const first = fakeSpeechPcm('First sentence here.').length;
    await h.next('audio', () => audioOf(h).length > first);
    const a = h.of('audio')[0]!;
    // 100 of the first sentence's 200 ms played: "First sent|ence here." → "First…"
    h.provider.interrupt([{ itemId: a.itemId, responseId: a.responseId, playedMs: 100 }]);
    const audioAtCut = h.of('audio').length;

    expect(h.of('transcript').at(-1)).toEqual(expect.objectContaining({ role: 'assistant', text: 'First…', truncated: true, itemId: a.itemId }));
    expect(h.of('responseDone').at(-1)).toMatchObject({ status: 'cancelled', responseId: a.responseId });
    await vi.waitFor(() => expect(fake.requestsTo('chat')[0]!.aborted).toBe(true));
    await vi.waitFor(() => expect(fake.requestsTo('speech')[1]!.aborted).toBe(true));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.of('audio')).toHaveLength(audioAtCut);

    fake.scriptTranscript('Actually, cancel it.');
    fake.scriptChat({ text: 'Okay, cancelled.' });
    feed(h.provider, callerUtterance());
    await h.next('responseDone', (d) => d.status === 'completed');
    expect((fake.requestsTo('chat')[1]!.body.messages as unknown[]).slice(1)).toEqual([
      { role: 'user', content: 'Tell me about my order.' },
      { role: 'assistant', content: 'First…' },
      { role: 'user', content: 'Actually, cancel it.' },
    ]);
  });

  it('cuts a completed reply still playing out to the sentences already heard', async () => {
    await start();
    fake.scriptTranscript('Hi.');
    fake.scriptChat({ text: 'One two three. Four five six.' });
    feed(h.provider, callerUtterance());
    const done = await h.next('responseDone');
    // "One two three." = 14 chars × 10 ms = 140 ms; cut right after it.
    h.provider.interrupt([{ itemId: done.responseId.replace('resp', 'item'), responseId: done.responseId, playedMs: 150 }]);
    expect(h.of('transcript').at(-1)).toMatchObject({ role: 'assistant', text: 'One two three.', truncated: true });
    expect(h.of('responseDone')).toHaveLength(1);

    fake.scriptTranscript('Wait.');
    feed(h.provider, callerUtterance());
    await h.next('responseDone', undefined, 2);
    expect((fake.requestsTo('chat')[1]!.body.messages as unknown[]).at(-2)).toEqual({ role: 'assistant', content: 'One two three.' });
  });
});

describe('PipelineProvider failures', () => {
  it('turns a failing LLM into a transient error event and can still say an apology', async () => {
    await start();
    fake.scriptTranscript('Hello?');
    fake.failNext('chat', { status: 500 });
    feed(h.provider, callerUtterance());
    const err = await h.next('error');
    expect(err).toMatchObject({ code: 'http_500', fatal: false });
    await h.provider.say('Sorry, something went wrong.');
    expect(h.of('responseDone').at(-1)).toMatchObject({ status: 'completed', text: 'Sorry, something went wrong.' });
  });

  it('reports an exhausted quota as fatal, without retrying', async () => {
    h = makeProvider(fake, { max_retries: 2 });
    await start();
    fake.scriptTranscript('Hello?');
    fake.failNext('chat', { status: 429, code: 'insufficient_quota' });
    feed(h.provider, callerUtterance());
    expect(await h.next('error')).toMatchObject({ code: 'insufficient_quota', fatal: true });
    expect(fake.requestsTo('chat')).toHaveLength(1);
  });

  it('reports a rejected API key on STT as fatal', async () => {
    h = makeProvider(fake, { api_key: 'sk-wrong' });
    await start();
    feed(h.provider, callerUtterance());
    expect(await h.next('error')).toMatchObject({ code: 'invalid_api_key', fatal: true });
  });

  it('marks a reply whose TTS fails as failed, keeping what was delivered in the history', async () => {
    await start();
    fake.scriptTranscript('Hello?');
    fake.scriptChat({ text: 'Fine thanks. And you?' });
    fake.failNext('speech', { status: 400, code: 'invalid_value', message: 'bad voice' });
    feed(h.provider, callerUtterance());
    expect(await h.next('error')).toMatchObject({ code: 'invalid_value', fatal: false });
    expect(await h.next('responseDone')).toMatchObject({ status: 'failed' });
  });

  it('resolves say() when TTS fails, reporting the error, and never emits after close()', async () => {
    await start();
    fake.failNext('speech', { status: 500 });
    await h.provider.say('Bye.');
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'http_500', fatal: false })]);
    expect(h.of('responseDone')).toEqual([expect.objectContaining({ status: 'failed', hadAudio: false })]);
    await h.provider.close();
    const n = h.events.length;
    feed(h.provider, callerUtterance());
    await new Promise((r) => setTimeout(r, 50));
    expect(h.events).toHaveLength(n);
  });
});

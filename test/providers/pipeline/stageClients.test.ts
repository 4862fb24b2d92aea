import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pipelineSchema } from '../../../src/config/schema.js';
import { ChatClient } from '../../../src/providers/pipeline/ChatClient.js';
import { toProviderError } from '../../../src/providers/pipeline/stageClient.js';
import { SttClient } from '../../../src/providers/pipeline/SttClient.js';
import { Pcm16Aligner, TtsClient } from '../../../src/providers/pipeline/TtsClient.js';
import { FakeOpenAIRest } from '../../fakes/FakeOpenAIRest.js';
import { fakeSpeechPcm } from '../../fakes/rest/speechPcm.js';

const KEY = 'sk-test-pipeline';
let fake: FakeOpenAIRest;

function stages(overrides: Record<string, unknown> = {}) {
  const common = { base_url: fake.baseUrl, api_key: KEY, max_retries: 2, timeout_ms: 5_000, ...overrides };
  return pipelineSchema.parse({ stt: { ...common, language: 'en', prompt: 'order, invoice' }, llm: common, tts: common });
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  fake = await FakeOpenAIRest.start({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe('SttClient', () => {
  it('uploads the utterance as a PCM16 mono WAV with model, language and prompt', async () => {
    fake.scriptTranscript('  Where is my order?  ');
    const pcm = new Int16Array(8000).map((_, i) => Math.round(3000 * Math.sin(i / 5)));
    const text = await new SttClient(stages().stt).transcribe(pcm, 8000);
    expect(text).toBe('Where is my order?');
    const [req] = fake.requestsTo('transcriptions');
    expect(req?.body).toMatchObject({ model: 'whisper-1', language: 'en', prompt: 'order, invoice', response_format: 'json', file: 'utterance.wav' });
    expect(req?.wav).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16, durationMs: 1000 });
    expect(Array.from(req!.wav!.pcm.subarray(0, 50))).toEqual(Array.from(pcm.subarray(0, 50)));
  });
});

describe('ChatClient', () => {
  it('streams text deltas in order and accumulates tool calls split mid-JSON, even with finish_reason "stop"', async () => {
    fake.scriptChat({
      text: 'Let me check that for you.',
      textChunkChars: 4,
      toolCalls: [
        { id: 'call_a', name: 'lookup_order', arguments: '{"order_id":"42"}' },
        { name: 'transfer', arguments: '{"destination":"sales"}' },
      ],
      argsChunkChars: 5,
      finishReason: 'stop',
    });
    const deltas: string[] = [];
    const res = await new ChatClient(stages().llm).stream([{ role: 'user', content: 'hi' }], [], { onText: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('Let me check that for you.');
    expect(res.finishReason).toBe('stop');
    expect(res.toolCalls).toEqual([
      { id: 'call_a', name: 'lookup_order', arguments: '{"order_id":"42"}' },
      { id: 'call_fake1', name: 'transfer', arguments: '{"destination":"sales"}' },
    ]);
    expect(res.usage?.promptTokens).toBe(80);
    const body = fake.requestsTo('chat')[0]!.body;
    expect(body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, max_tokens: 400 });
    expect(body.tools).toBeUndefined();
  });

  it('surfaces a mid-stream {"error":…} as an APIError after the text before it', async () => {
    fake.scriptChat({ text: 'Hello there, friend.', textChunkChars: 5, errorAfterChunks: 3 });
    const deltas: string[] = [];
    const err = await caught(new ChatClient(stages().llm).stream([{ role: 'user', content: 'hi' }], [], { onText: (d) => deltas.push(d) }));
    expect(err).toBeInstanceOf(APIError);
    expect(deltas.join('')).toBe('Hello ther'); // role chunk + two deltas, then the error
    expect(toProviderError('llm', err).fatal).toBe(false);
  });

  it('returns the text of a non-streamed completion', async () => {
    fake.scriptChat({ text: 'Caller asked about order 42.' });
    expect(await new ChatClient(stages().llm).complete([{ role: 'user', content: 'summarise' }])).toBe('Caller asked about order 42.');
    expect(fake.requestsTo('chat')[0]!.body.stream).toBeUndefined();
  });
});

describe('stage retries', () => {
  it('retries a rate-limit 429 after its retry-after and then succeeds', async () => {
    fake.failNext('chat', { status: 429, retryAfter: 1 });
    fake.scriptChat({ text: 'Fine.' });
    const t0 = Date.now();
    const res = await new ChatClient(stages().llm).stream([{ role: 'user', content: 'hi' }], []);
    expect(res.text).toBe('Fine.');
    expect(fake.requestsTo('chat').map((r) => r.status)).toEqual([429, 200]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // waited for retry-after: 1 s
  });

  it('retries a 500 and then succeeds', async () => {
    fake.failNext('speech', { status: 500 });
    const chunks: Buffer[] = [];
    for await (const c of new TtsClient(stages().tts).synthesize('Hi.')) chunks.push(c);
    expect(Buffer.concat(chunks).equals(fakeSpeechPcm('Hi.'))).toBe(true);
    expect(fake.requestsTo('speech').map((r) => r.status)).toEqual([500, 200]);
  });

  it('never retries an insufficient_quota 429 and reports it as fatal', async () => {
    fake.failNext('chat', { status: 429, code: 'insufficient_quota', retryAfter: 0 }, 3);
    const err = await caught(new ChatClient(stages().llm).stream([{ role: 'user', content: 'hi' }], []));
    expect(fake.requestsTo('chat')).toHaveLength(1);
    expect(toProviderError('llm', err)).toMatchObject({ code: 'insufficient_quota', fatal: true });
  });

  it('gives up after max_retries 5xx and reports a transient error', async () => {
    fake.failNext('transcriptions', { status: 503, retryAfterMs: 10 } as never, 3);
    const err = await caught(new SttClient(stages().stt).transcribe(new Int16Array(4000), 8000));
    expect(fake.requestsTo('transcriptions')).toHaveLength(3);
    expect(toProviderError('stt', err)).toMatchObject({ code: 'http_503', fatal: false });
  });

  it('reports a wrong API key as fatal invalid_api_key without retrying', async () => {
    const err = await caught(new SttClient(stages({ api_key: 'sk-wrong-key' }).stt).transcribe(new Int16Array(4000), 8000));
    expect(fake.requestsTo('transcriptions')).toHaveLength(1);
    expect(toProviderError('stt', err)).toMatchObject({ code: 'invalid_api_key', fatal: true });
  });

  it('times out a request that hangs and reports a transient timeout', async () => {
    fake.failNext('speech', { hangMs: 5_000 });
    const tts = new TtsClient(stages({ timeout_ms: 200, max_retries: 0 }).tts);
    const err = await caught((async () => { for await (const _ of tts.synthesize('Hi.')) void _; })());
    expect(toProviderError('tts', err)).toMatchObject({ code: 'timeout', fatal: false });
  });
});

describe('TtsClient', () => {
  it('streams the pcm body in even chunks although the server writes odd sizes', async () => {
    const text = 'Your order shipped yesterday and arrives Monday.';
    const chunks: Buffer[] = [];
    for await (const c of new TtsClient(stages().tts).synthesize(text, { voice: 'coral' })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.length % 2 === 0)).toBe(true);
    expect(Buffer.concat(chunks).equals(fakeSpeechPcm(text))).toBe(true);
    expect(fake.requestsTo('speech')[0]!.body).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'coral', input: text, response_format: 'pcm', speed: 1 });
  });

  it('aborts an in-flight synthesis on signal', async () => {
    fake.speech.chunkDelayMs = 30;
    const ac = new AbortController();
    const got: Buffer[] = [];
    const err = await caught(
      (async () => {
        for await (const c of new TtsClient(stages().tts).synthesize('A long sentence that takes a while to stream out.', { signal: ac.signal })) {
          got.push(c);
          ac.abort();
        }
      })(),
    );
    fake.speech.chunkDelayMs = 2;
    expect((err as Error).name).toMatch(/Abort/);
    expect(got).toHaveLength(1);
  });
});

describe('Pcm16Aligner', () => {
  it('carries an odd byte into the next chunk so no sample is split', () => {
    const a = new Pcm16Aligner();
    expect([...a.push(Uint8Array.from([1, 2, 3]))]).toEqual([1, 2]);
    expect(a.pending).toBe(true);
    expect([...a.push(Uint8Array.from([4, 5, 6, 7]))]).toEqual([3, 4, 5, 6]);
    expect([...a.push(Uint8Array.from([8]))]).toEqual([7, 8]);
    expect(a.pending).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { FakeRealtimeServer } from '../../fakes/FakeRealtimeServer.js';
import { openaiRealtimeSchema, profileSchema } from '../../../src/config/schema.js';
import { OpenAIRealtimeProvider } from '../../../src/providers/openaiRealtime/OpenAIRealtimeProvider.js';
import { API_KEY, callerTurn, lookupOrder, setup, silenceUlaw, silentLogger, waitForEvent, type Setup } from './harness.js';
import { monoMs } from '../../../src/util/monoMs.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('OpenAIRealtimeProvider: connection and session', () => {
  it('connects with Bearer auth and no OpenAI-Beta header; the strict GA fake accepts the session.update', async () => {
    s = await setup({ config: { transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' } } });
    await s.start({ tools: [lookupOrder] });
    const conn = s.server.connections[0]!;
    expect(conn.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(conn.headers['openai-beta']).toBeUndefined();
    expect(conn.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(conn.received[0]).toMatchObject({ type: 'session.update', session: { type: 'realtime', tool_choice: 'auto' } });
    expect(conn.sent.filter((e) => e.type === 'error')).toEqual([]);
    expect(conn.sent.some((e) => e.type === 'session.updated')).toBe(true);
    expect(conn.session).toMatchObject({
      instructions: 'You are a phone agent. Be brief.',
      audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin' } },
      tools: [{ type: 'function', name: 'lookup_order', parameters: { properties: { order_id: { type: 'string' } } } }],
    });
    expect(s.provider.inputFormat).toEqual({ encoding: 'pcmu', sampleRate: 8000 });
  });

  it('passes caller μ-law through unchanged (no transcoding)', async () => {
    s = await setup();
    await s.start();
    const chunk = silenceUlaw(20);
    chunk[7] = 0x12;
    s.provider.sendAudio(chunk);
    const append = await s.server.waitFor(() => s!.server.connections[0]!.receivedOf('input_audio_buffer.append')[0]);
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(chunk);
    expect(s.provider.stats().audioChunksSent).toBe(1);
  });

  it('speaks the greeting verbatim, marks it as the greeting and records it in the transcript', async () => {
    s = await setup();
    await s.start({ greeting: 'Thank you for calling ACME, how can I help?' });
    const [done] = await waitForEvent(s.provider, 'responseDone');
    const create = s.server.connections[0]!.receivedOf('response.create')[0]!;
    expect(create.response).toMatchObject({ instructions: 'Say exactly this, word for word, then stop: «Thank you for calling ACME, how can I help?»', tool_choice: 'none' });
    expect(done).toMatchObject({ greeting: true, status: 'completed', hadAudio: true, text: 'Thank you for calling ACME, how can I help?' });
    expect(s.rec.transcripts).toEqual([expect.objectContaining({ role: 'assistant', text: 'Thank you for calling ACME, how can I help?' })]);
  });

  it('delivers audio deltas of random sizes in order, tagged with response and item ids and when their message arrived', async () => {
    s = await setup();
    s.server.script(() => ({ text: 'A long enough answer to need many deltas.', audioMs: 2_000 }));
    const before = monoMs();
    await s.start({ greeting: 'Hi.' });
    await waitForEvent(s.provider, 'responseDone');
    const arrivals = s.rec.audio.map((a) => a.receivedAt ?? Number.NaN);
    expect(arrivals.every((t, i) => t >= before && t <= monoMs() && (i === 0 || t >= arrivals[i - 1]!))).toBe(true);
    const conn = s.server.connections[0]!;
    const sent = conn.sent.filter((e) => e.type === 'response.output_audio.delta');
    expect(sent.length).toBeGreaterThan(5);
    const sizes = new Set(sent.map((e) => Buffer.from(String(e.delta), 'base64').length));
    expect(sizes.size).toBeGreaterThan(1);
    expect(s.rec.audio.map((a) => a.itemId)).toEqual(sent.map((e) => e.item_id));
    expect(Buffer.concat(s.rec.audio.map((a) => a.audio))).toEqual(Buffer.concat(sent.map((e) => Buffer.from(String(e.delta), 'base64'))));
    expect(s.rec.audioBytes()).toBe(2_000 * 8);
  });

  it('a caller turn gives speech events, the user transcript and a reply', async () => {
    s = await setup();
    s.server.userSays('Where is my order?');
    s.server.script((ctx) => (ctx.trigger === 'vad' ? { text: 'Let me look.' } : undefined));
    await s.start();
    const latency = waitForEvent(s.provider, 'latency');
    callerTurn(s.provider);
    const [done] = await waitForEvent(s.provider, 'responseDone');
    expect(done).toMatchObject({ greeting: false, text: 'Let me look.' });
    expect(s.rec.speechStarted).toBe(1);
    await s.server.waitFor(() => s!.rec.transcripts.some((t) => t.role === 'user'));
    expect(s.provider.transcript().map((t) => [t.role, t.text])).toEqual([
      ['user', 'Where is my order?'],
      ['assistant', 'Let me look.'],
    ]);
    const [lat] = await latency;
    expect(lat.speechEndAt).toBeLessThanOrEqual(lat.firstAudioAt!);
  });

  it('api_version beta talks the beta shape to a beta-mode server', async () => {
    s = await setup({ config: { api_version: 'beta', voice: 'alloy' }, server: { mode: 'beta' } });
    await s.start({ greeting: 'Hello.' });
    const [done] = await waitForEvent(s.provider, 'responseDone');
    const conn = s.server.connections[0]!;
    expect(conn.headers['openai-beta']).toBe('realtime=v1');
    expect(conn.received[0]).toMatchObject({ session: { input_audio_format: 'g711_ulaw', modalities: ['audio', 'text'] } });
    expect(conn.sent.some((e) => e.type === 'response.audio.delta')).toBe(true);
    expect(done).toMatchObject({ greeting: true, hadAudio: true });
  });

  it('a beta client against the GA server is refused with beta_api_shape_disabled (fatal)', async () => {
    s = await setup({ config: { api_version: 'beta' } });
    await expect(s.start()).rejects.toMatchObject({ code: 'beta_api_shape_disabled' });
    expect(s.rec.errors).toEqual([expect.objectContaining({ code: 'beta_api_shape_disabled', fatal: true })]);
  });

  it('Azure: api-key header and the deployment as model on /openai/v1/realtime', async () => {
    const server = await FakeRealtimeServer.start({ apiKey: API_KEY });
    s = await setup({ existing: server, config: { base_url: server.url.replace(/\/v1$/, '/openai').replace('ws:', 'http:'), azure: { deployment: 'rt-prod' } } });
    await s.start();
    const conn = server.connections[0]!;
    expect(conn.url).toBe('/openai/v1/realtime?model=rt-prod');
    expect(conn.headers['api-key']).toBe(API_KEY);
    expect(conn.headers.authorization).toBeUndefined();
  });

  it('rejects a pcm16 profile at 16 kHz at construction', () => {
    const config = openaiRealtimeSchema.parse({ api_key: API_KEY });
    const profile = profileSchema.parse({ provider_encoding: 'pcm16', provider_rate: 16000 });
    expect(() => new OpenAIRealtimeProvider({ key: 'openai_realtime', config, profile, logger: silentLogger })).toThrow(/24000 Hz/);
  });
});

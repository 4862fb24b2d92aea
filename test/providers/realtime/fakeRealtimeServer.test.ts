import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeRealtimeServer } from '../../fakes/FakeRealtimeServer.js';

const KEY = 'sk-fake';
let server: FakeRealtimeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A raw client that collects server events. */
async function connect(headers: Record<string, string> = { Authorization: `Bearer ${KEY}` }): Promise<{ ws: WebSocket; events: Array<Record<string, any>>; send: (e: object) => void }> {
  server ??= await FakeRealtimeServer.start({ apiKey: KEY });
  const ws = new WebSocket(`${server.url}/realtime?model=gpt-realtime`, { headers });
  const events: Array<Record<string, any>> = [];
  ws.on('message', (d) => events.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, events, send: (e) => ws.send(JSON.stringify(e)) };
}

const errorsOf = (events: Array<Record<string, any>>) => events.filter((e) => e.type === 'error').map((e) => e.error);

describe('FakeRealtimeServer', () => {
  it('sends session.created first, with expires_at', async () => {
    const c = await connect();
    await server!.waitFor(() => c.events.length > 0);
    expect(c.events[0]).toMatchObject({ type: 'session.created', session: { type: 'realtime', expires_at: expect.any(Number) } });
    c.ws.close();
  });

  it('refuses a bad key with HTTP 401 at the upgrade', async () => {
    server = await FakeRealtimeServer.start({ apiKey: KEY });
    const ws = new WebSocket(`${server.url}/realtime?model=gpt-realtime`, { headers: { Authorization: 'Bearer nope' } });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });

  it('validates session.update like GA: session.type required, beta keys are unknown_parameter', async () => {
    const c = await connect();
    c.send({ type: 'session.update', session: { instructions: 'x' } });
    c.send({ type: 'session.update', session: { type: 'realtime', turn_detection: { type: 'server_vad' } } });
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } } } });
    await server!.waitFor(() => errorsOf(c.events).length === 3);
    expect(errorsOf(c.events).map((e) => [e.code, e.param])).toEqual([
      ['missing_required_parameter', 'session.type'],
      ['unknown_parameter', 'session.turn_detection'],
      ['invalid_value', 'session.audio.input.format.rate'],
    ]);
    c.ws.close();
  });

  it('enforces cancel, truncate and function_call_output rules', async () => {
    const c = await connect();
    server!.script(() => ({ text: 'Hi there.', audioMs: 500, functionCalls: [{ name: 'f', arguments: '{}', callId: 'call_1' }] }));
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } } } });
    c.send({ type: 'response.cancel' });
    c.send({ type: 'response.create' });
    c.send({ type: 'response.create' });
    await server!.waitFor(() => c.events.some((e) => e.type === 'response.done'));
    const item = c.events.find((e) => e.type === 'response.output_audio.delta')!.item_id as string;
    c.send({ type: 'conversation.item.truncate', item_id: item, content_index: 0, audio_end_ms: 501 });
    c.send({ type: 'conversation.item.truncate', item_id: item, content_index: 0, audio_end_ms: 12.5 });
    c.send({ type: 'conversation.item.truncate', item_id: 'item_nope', content_index: 0, audio_end_ms: 1 });
    c.send({ type: 'conversation.item.truncate', item_id: item, content_index: 0, audio_end_ms: 500 });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_zzz', output: '{}' } });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{}' } });
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'beta content' }] } });
    await server!.waitFor(() => errorsOf(c.events).length === 7);
    expect(errorsOf(c.events).map((e) => e.code)).toEqual([
      'response_cancel_not_active',
      'conversation_already_has_active_response',
      'invalid_value',
      'invalid_type',
      'item_not_found',
      'invalid_value',
      'invalid_value',
    ]);
    expect(errorsOf(c.events)[2].message).toBe('Audio content of 500ms is already shorter than 501ms');
    expect(c.events.filter((e) => e.type === 'conversation.item.truncated').map((e) => e.audio_end_ms)).toEqual([500]);
    const order = c.events.map((e) => e.type).filter((t) => t.startsWith('response.') && !t.includes('delta'));
    expect(order).toEqual([
      'response.created',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.done',
    ]);
    c.ws.close();
  });

  it('closes a beta-header client with beta_api_shape_disabled and 4000', async () => {
    const c = await connect({ Authorization: `Bearer ${KEY}`, 'OpenAI-Beta': 'realtime=v1' });
    const code = await new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    expect(code).toBe(4000);
    expect(errorsOf(c.events)[0].code).toBe('beta_api_shape_disabled');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { callerTurn, setup, silenceUlaw, waitForEvent, type Setup } from './harness.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('OpenAIRealtimeProvider: failures', () => {
  it('401 at handshake: fatal handshake_401 error, closed, and start rejects', async () => {
    s = await setup({ config: { api_key: 'sk-wrong' } });
    await expect(s.start()).rejects.toMatchObject({ code: 'handshake_401' });
    expect(s.rec.errors).toEqual([expect.objectContaining({ code: 'handshake_401', fatal: true })]);
    expect(s.rec.closed).toEqual(['handshake_401']);
    expect(s.server.refusedHandshakes).toEqual([401]);
  });

  it('insufficient_quota on a response is a fatal error with the server code', async () => {
    s = await setup();
    s.server.quotaExceeded = true;
    await s.start({ greeting: 'Hello.' });
    const [done] = await waitForEvent(s.provider, 'responseDone');
    expect(done).toMatchObject({ status: 'failed', greeting: true, hadAudio: false });
    expect(s.rec.errors).toEqual([expect.objectContaining({ code: 'insufficient_quota', fatal: true })]);
  });

  it('malformed JSON, unknown events and bad shapes are counted and dropped; the call goes on', async () => {
    s = await setup();
    await s.start();
    s.server.sendRaw('{"type": "response.output_audio.delta", oops');
    s.server.sendRaw(JSON.stringify({ type: 'response.something_new', x: 1 }));
    s.server.sendRaw(JSON.stringify({ type: 'response.output_audio.delta', response_id: 7 }));
    s.server.sendRaw(JSON.stringify({ type: 'rate_limits.updated', rate_limits: [] }));
    await s.server.waitFor(() => s!.provider.stats().droppedEvents === 3);
    await s.provider.say('Still here.');
    expect(s.rec.done.at(-1)).toMatchObject({ text: 'Still here.', hadAudio: true });
    expect(s.rec.errors).toEqual([]);
  });

  it('a text-only response (no audio) is still reported, so a farewell can end the call', async () => {
    s = await setup();
    s.server.responseMode = 'text-only';
    await s.start();
    await s.provider.say('Goodbye!');
    expect(s.rec.done).toEqual([expect.objectContaining({ status: 'completed', hadAudio: false, text: 'Goodbye!' })]);
    expect(s.rec.audio).toEqual([]);
  });

  it('socket drop mid-call: reconnects, resends the session and re-seeds the conversation', async () => {
    s = await setup();
    s.server.userSays('I need my order status.');
    s.server.script((ctx) => (ctx.trigger === 'vad' ? { text: 'Sure, what is the order number?' } : undefined));
    await s.start({ greeting: 'Hello, ACME.' });
    await waitForEvent(s.provider, 'responseDone');
    callerTurn(s.provider);
    await s.server.waitFor(() => s!.provider.transcript().length === 3, 5_000, 'three transcript entries');
    s.server.dropAll();
    await s.server.waitFor(() => s!.server.connections[1]?.receivedOf('conversation.item.create').length === 3, 5_000, 'the re-seed');
    const conn = s.server.connections[1]!;
    expect(conn.received[0]).toMatchObject({ type: 'session.update', session: { type: 'realtime' } });
    expect(conn.receivedOf('conversation.item.create').map((e) => e.item)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, ACME.' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'I need my order status.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sure, what is the order number?' }] },
    ]);
    expect(conn.sent.filter((e) => e.type === 'error')).toEqual([]);
    expect(s.rec.errors).toEqual([expect.objectContaining({ code: 'socket_closed', fatal: false })]);
    s.provider.sendAudio(silenceUlaw(20));
    await s.server.waitFor(() => conn.receivedOf('input_audio_buffer.append').length === 1);
    expect(s.provider.stats().reconnects).toBe(1);
  });

  it('reconnect that cannot succeed in time: fatal reconnect_failed, then closed', async () => {
    s = await setup({ config: { reconnect_timeout_ms: 400 } });
    await s.start();
    s.server.failNextHandshake(503, 1_000);
    s.server.dropAll();
    await s.server.waitFor(() => s!.rec.closed.length === 1, 5_000, 'closed');
    expect(s.rec.errors.map((e) => [e.code, e.fatal])).toEqual([
      ['socket_closed', false],
      ['reconnect_failed', true],
    ]);
    expect(s.server.refusedHandshakes.length).toBeGreaterThan(1);
    expect(s.rec.closed).toEqual(['reconnect_failed']);
  });

  it('session_expired with close 1001 continues on a new session', async () => {
    s = await setup();
    await s.start({ greeting: 'Hello.' });
    await waitForEvent(s.provider, 'responseDone');
    s.server.expireSessions();
    await s.server.waitFor(() => s!.server.connections[1]?.receivedOf('conversation.item.create').length === 1, 5_000, 'the re-seed');
    expect(s.server.connections[0]!.closeCode).toBe(1001);
    expect(s.rec.errors.every((e) => !e.fatal)).toBe(true);
  });

  it('renews the session before expires_at, at a quiet moment, without cutting a playing response', async () => {
    // expires_at ≈ 61 s ahead, renew 60 s before: the renewal starts within about a second.
    s = await setup({ server: { sessionDurationMs: 61_000 }, config: { session_renew_before_ms: 60_000 } });
    s.server.script((ctx) => (ctx.responseIndex === 0 ? { text: 'Welcome to ACME, this greeting is long.', audioMs: 3_000, stallAfterMs: 500 } : undefined));
    await s.start({ greeting: 'Welcome to ACME, this greeting is long.' });
    await s.server.waitFor(() => s!.server.connections[1]?.received.some((e) => e.type === 'session.update'), 5_000, 'the next session to open');
    await new Promise((r) => setTimeout(r, 50));
    // The greeting is still being generated: the old session stays, the new one waits.
    expect(s.server.connections[0]!.closed).toBe(false);
    expect(s.server.connections[1]!.receivedOf('conversation.item.create')).toEqual([]);
    s.server.releaseStalled();
    await s.server.waitFor(() => s!.server.connections[0]!.closed, 5_000, 'the old session to close');
    expect(s.rec.done[0]).toMatchObject({ greeting: true, status: 'completed' });
    expect(s.server.connections[0]!.closeCode).toBe(1000);
    expect(s.server.connections[1]!.receivedOf('conversation.item.create').map((e) => e.item)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Welcome to ACME, this greeting is long.' }] },
    ]);
    expect(s.provider.stats()).toMatchObject({ renewals: 1, reconnects: 0 });
    expect(s.rec.errors).toEqual([]);
    callerTurn(s.provider, 100, 100);
    expect(s.server.connections[0]!.receivedOf('input_audio_buffer.append').length).toBe(0);
    await s.server.waitFor(() => s!.server.connections[1]!.receivedOf('input_audio_buffer.append').length === 10);
  });
});

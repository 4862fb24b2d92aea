import { afterEach, describe, expect, it } from 'vitest';
import type { AgentAudio } from '../../../src/providers/VoiceProvider.js';
import { callerTurn, setup, speechUlaw, waitForEvent, type Setup } from './harness.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** Starts a reply that stalls after ~1 s of audio (still active), and returns its first audio chunk. */
async function stalledReply(setupOpts: Parameters<typeof setup>[0] = {}): Promise<AgentAudio> {
  s = await setup(setupOpts);
  s.server.script((ctx) => (ctx.trigger === 'vad' ? { text: 'Your order shipped yesterday and should arrive on Monday.', audioMs: 4_000, stallAfterMs: 1_000 } : undefined));
  await s.start();
  callerTurn(s.provider);
  await s.server.waitFor(() => s!.server.connections[0]!.active?.stalled, 5_000, 'the reply to stall');
  await s.server.waitFor(() => s!.rec.audioBytes() >= 1_000 * 8, 5_000, 'audio up to the stall');
  return s.rec.audio[0]!;
}

describe('OpenAIRealtimeProvider: barge-in', () => {
  it('truncates at played ms on barge-in; the server cancels by itself (interrupt_response true), so no response.cancel', async () => {
    const first = await stalledReply();
    const provider = s!.provider;
    provider.on('speechStarted', () => provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 412.7 }]));
    const cancelled = waitForEvent(provider, 'responseDone');
    for (let t = 0; t < 200; t += 20) provider.sendAudio(speechUlaw(20));
    const [done] = await cancelled;
    expect(done).toMatchObject({ responseId: first.responseId, status: 'cancelled' });
    const conn = s!.server.connections[0]!;
    await s!.server.waitFor(() => conn.sent.find((e) => e.type === 'conversation.item.truncated'));
    expect(conn.receivedOf('conversation.item.truncate')).toEqual([expect.objectContaining({ item_id: first.itemId, content_index: 0, audio_end_ms: 412 })]);
    expect(conn.receivedOf('response.cancel')).toEqual([]);
    expect(conn.sent.filter((e) => e.type === 'error')).toEqual([]);
    expect(s!.provider.stats()).toMatchObject({ truncates: 1, cancels: 0 });
  });

  it('clamps audio_end_ms to what was received, so the server never answers "already shorter"', async () => {
    const first = await stalledReply();
    const receivedMs = s!.rec.audioBytes(first.responseId) / 8;
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 60_000 }]);
    const conn = s!.server.connections[0]!;
    const truncated = await s!.server.waitFor(() => conn.sent.find((e) => e.type === 'conversation.item.truncated'));
    expect(truncated.audio_end_ms).toBe(Math.floor(receivedMs));
    expect(conn.sent.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('deletes the item when the caller heard nothing of it', async () => {
    const first = await stalledReply();
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 0 }]);
    const conn = s!.server.connections[0]!;
    await s!.server.waitFor(() => conn.sent.find((e) => e.type === 'conversation.item.deleted'));
    expect(conn.receivedOf('conversation.item.delete')).toEqual([expect.objectContaining({ item_id: first.itemId })]);
    expect(conn.receivedOf('conversation.item.truncate')).toEqual([]);
  });

  it('sends response.cancel only when interrupt_response is false', async () => {
    const first = await stalledReply({
      config: { turn_detection: { type: 'server_vad', interrupt_response: false, silence_duration_ms: 500 } },
    });
    const conn = s!.server.connections[0]!;
    const done = waitForEvent(s!.provider, 'responseDone');
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 300 }]);
    expect((await done)[0]).toMatchObject({ status: 'cancelled' });
    expect(conn.receivedOf('response.cancel')).toEqual([expect.objectContaining({ response_id: first.responseId })]);
    expect(conn.receivedOf('conversation.item.truncate')).toEqual([expect.objectContaining({ audio_end_ms: 300 })]);
    // The response has finished: a second barge-in on the same item only truncates; nothing to cancel.
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 200 }]);
    await s!.server.waitFor(() => conn.receivedOf('conversation.item.truncate').length === 2);
    expect(conn.receivedOf('response.cancel')).toHaveLength(1);
  });

  it('drops late deltas of the interrupted response', async () => {
    const first = await stalledReply();
    const before = s!.rec.audio.length;
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 500 }]);
    // A delta that was already on the wire when the caller barged in.
    const conn = s!.server.connections[0]!;
    conn.send({ type: 'response.output_audio.delta', response_id: first.responseId, item_id: first.itemId, output_index: 0, content_index: 0, delta: speechUlaw(40).toString('base64') });
    await s!.server.waitFor(() => s!.provider.stats().discardedDeltas === 1);
    expect(s!.rec.audio.length).toBe(before);
  });

  it('response_cancel_not_active is harmless: no error event', async () => {
    s = await setup();
    await s.start({ greeting: 'Hi.' });
    await waitForEvent(s.provider, 'responseDone');
    s.server.connections[0]!.sendError('response_cancel_not_active', 'Cancellation failed: no active response found');
    s.server.connections[0]!.sendError('conversation_already_has_active_response', 'x');
    await new Promise((r) => setTimeout(r, 50));
    expect(s.rec.errors).toEqual([]);
  });

  it('cuts the assistant transcript to what the caller heard', async () => {
    const first = await stalledReply();
    s!.provider.interrupt([{ itemId: first.itemId, responseId: first.responseId, playedMs: 500 }]);
    await waitForEvent(s!.provider, 'responseDone');
    const assistant = s!.provider.transcript().find((t) => t.role === 'assistant')!;
    expect(assistant.truncated).toBe(true);
    expect('Your order shipped yesterday and should arrive on Monday.'.startsWith(assistant.text)).toBe(true);
    expect(assistant.text.length).toBeLessThan(20);
  });
});

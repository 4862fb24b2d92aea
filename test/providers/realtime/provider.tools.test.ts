import { afterEach, describe, expect, it } from 'vitest';
import { callerTurn, lookupOrder, setup, waitForEvent, type Setup } from './harness.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** Client events of interest, in the order the fake received them. */
function sequence(s: Setup): string[] {
  return s.server.connections[0]!.received
    .filter((e) => e.type !== 'input_audio_buffer.append' && e.type !== 'session.update')
    .map((e) => (e.type === 'conversation.item.create' ? `item:${String((e.item as { type: string }).type)}` : String(e.type)));
}

describe('OpenAIRealtimeProvider: tools', () => {
  it('function_call → toolCall once → sendToolResult → exactly one response.create after response.done', async () => {
    s = await setup();
    s.server.script((ctx) =>
      ctx.responseIndex === 0
        ? { text: 'Let me check.', functionCalls: [{ name: 'lookup_order', arguments: { order_id: '42' }, callId: 'call_A' }] }
        : { text: 'Order 42 shipped yesterday.' },
    );
    await s.start({ tools: [lookupOrder] });
    // Answer at once, before the response is done: the follow-up must still wait for response.done.
    s.provider.on('toolCall', (call) => s!.provider.sendToolResult({ callId: call.callId, output: JSON.stringify({ ok: true, status: 'shipped' }) }));
    callerTurn(s.provider);
    await s.server.waitFor(() => s!.rec.done.length === 2, 5_000, 'the follow-up reply');
    expect(s.rec.toolCalls).toEqual([{ callId: 'call_A', name: 'lookup_order', argumentsJson: '{"order_id":"42"}', responseId: s.rec.done[0]!.responseId }]);
    expect(s.rec.done[1]).toMatchObject({ text: 'Order 42 shipped yesterday.', greeting: false });
    expect(sequence(s)).toEqual(['item:function_call_output', 'response.create']);
    const conn = s.server.connections[0]!;
    const createIdx = conn.received.findIndex((e) => e.type === 'response.create');
    const firstDoneIdx = conn.sent.findIndex((e) => e.type === 'response.done');
    expect(createIdx).toBeGreaterThan(0);
    expect(firstDoneIdx).toBeGreaterThan(0);
    expect(conn.sent.filter((e) => e.type === 'error')).toEqual([]);
    expect(conn.receivedOf('conversation.item.create')[0]!.item).toEqual({ type: 'function_call_output', call_id: 'call_A', output: '{"ok":true,"status":"shipped"}' });
  });

  it('two calls in one response: one response.create, only after both results', async () => {
    s = await setup();
    s.server.script((ctx) =>
      ctx.responseIndex === 0
        ? { functionCalls: [{ name: 'lookup_order', arguments: { order_id: '1' } }, { name: 'lookup_order', arguments: { order_id: '2' } }] }
        : { text: 'Both shipped.' },
    );
    await s.start({ tools: [lookupOrder] });
    callerTurn(s.provider);
    await waitForEvent(s.provider, 'responseDone');
    expect(s.rec.toolCalls).toHaveLength(2);
    expect(s.rec.done[0]).toMatchObject({ hadAudio: false });
    s.provider.sendToolResult({ callId: s.rec.toolCalls[0]!.callId, output: '{"ok":true}' });
    await new Promise((r) => setTimeout(r, 30));
    expect(sequence(s)).toEqual(['item:function_call_output']);
    s.provider.sendToolResult({ callId: s.rec.toolCalls[1]!.callId, output: '{"ok":true}' });
    s.provider.sendToolResult({ callId: s.rec.toolCalls[1]!.callId, output: '{"ok":true}' }); // duplicate: dropped
    await waitForEvent(s.provider, 'responseDone');
    expect(sequence(s)).toEqual(['item:function_call_output', 'item:function_call_output', 'response.create']);
  });

  it('conversation_already_has_active_response defers the follow-up to the next response.done', async () => {
    s = await setup();
    s.server.script((ctx) => {
      if (ctx.responseIndex === 0) return { text: 'Checking.', functionCalls: [{ name: 'lookup_order', arguments: { order_id: '7' } }] };
      if (ctx.responseIndex === 1) return { text: 'Mm-hm?', audioMs: 300 };
      return { text: 'Order 7 is on its way.' };
    });
    await s.start({ tools: [lookupOrder] });
    callerTurn(s.provider);
    await waitForEvent(s.provider, 'responseDone');
    const conn = s.server.connections[0]!;
    // The server starts a response of its own (a VAD turn) just as the tool result goes out.
    conn.startResponse('vad', undefined);
    s.provider.sendToolResult({ callId: s.rec.toolCalls[0]!.callId, output: '{"ok":true}' });
    await s.server.waitFor(() => s!.rec.done.some((d) => d.text === 'Order 7 is on its way.'), 5_000, 'the deferred follow-up');
    expect(conn.sent.filter((e) => e.type === 'error').map((e) => (e.error as { code: string }).code)).toEqual(['conversation_already_has_active_response']);
    expect(conn.receivedOf('response.create')).toHaveLength(2);
    expect(s.rec.errors).toEqual([]);
    expect(s.rec.done.map((d) => d.text)).toEqual(['Checking.', 'Mm-hm?', 'Order 7 is on its way.']);
  });

  it('notify() adds a system note and asks for one response', async () => {
    s = await setup();
    s.server.script(() => ({ text: 'Sorry, nobody answered in Sales.' }));
    await s.start();
    s.provider.notify('The transfer to Sales was not answered.');
    const [done] = await waitForEvent(s.provider, 'responseDone');
    expect(done.text).toBe('Sorry, nobody answered in Sales.');
    expect(sequence(s)).toEqual(['item:message', 'response.create']);
    expect(s.server.connections[0]!.receivedOf('conversation.item.create')[0]!.item).toMatchObject({ role: 'system', content: [{ type: 'input_text', text: 'The transfer to Sales was not answered.' }] });
  });
});

import { describe, expect, it } from 'vitest';
import { parseServerEvent } from '../../../src/providers/openaiRealtime/serverEvents.js';
import { heardText } from '../../../src/providers/openaiRealtime/ConversationTranscript.js';
import { ToolCallLedger } from '../../../src/providers/openaiRealtime/ToolCallLedger.js';
import { ResponseRequests } from '../../../src/providers/openaiRealtime/ResponseRequests.js';

describe('parseServerEvent', () => {
  it('parses a captured GA speech_started', () => {
    const r = parseServerEvent('{"type":"input_audio_buffer.speech_started","event_id":"event_1","audio_start_ms":1236,"item_id":"item_U1"}');
    expect(r).toEqual({ kind: 'event', event: { type: 'input_audio_buffer.speech_started', event_id: 'event_1', audio_start_ms: 1236, item_id: 'item_U1' } });
  });

  it('maps beta names to GA names', () => {
    const r = parseServerEvent('{"type":"response.audio.delta","response_id":"r","item_id":"i","delta":"AAA="}');
    expect(r.kind === 'event' && r.event.type).toBe('response.output_audio.delta');
  });

  it('drops malformed JSON, unknown types and bad shapes without throwing', () => {
    expect(parseServerEvent('{not json')).toMatchObject({ kind: 'dropped', reason: 'malformed_json' });
    expect(parseServerEvent('{"type":"response.brand_new"}')).toMatchObject({ kind: 'dropped', reason: 'unknown_type' });
    expect(parseServerEvent('{"type":"response.output_audio.delta"}')).toMatchObject({ kind: 'dropped', reason: 'bad_shape' });
    expect(parseServerEvent('42')).toMatchObject({ kind: 'dropped' });
  });

  it('known events we do not act on are ignored, not counted', () => {
    expect(parseServerEvent('{"type":"rate_limits.updated","rate_limits":[]}')).toEqual({ kind: 'ignored', type: 'rate_limits.updated' });
    expect(parseServerEvent('{"type":"conversation.item.created","item":{}}')).toEqual({ kind: 'ignored', type: 'conversation.item.added' });
  });
});

describe('heardText', () => {
  it('cuts to the heard share at a word boundary', () => {
    expect(heardText('one two three four', 500, 1000)).toBe('one two');
    expect(heardText('one two', 0, 1000)).toBe('');
    expect(heardText('one two', 2000, 1000)).toBe('one two');
  });
});

describe('ToolCallLedger', () => {
  it('dispatches once and allows one follow-up after done and all results', () => {
    const l = new ToolCallLedger();
    expect(l.register('c1', 'a', 'r1', 0)).toBe(true);
    expect(l.register('c1', 'a', 'r1', 0)).toBe(false);
    l.register('c2', 'b', 'r1', 0);
    l.result('c1');
    l.responseDone('r1', false);
    expect(l.takeFollowup('r1')).toBe(false);
    l.result('c2');
    expect(l.takeFollowup('r1')).toBe(true);
    expect(l.takeFollowup('r1')).toBe(false);
  });
});

describe('ResponseRequests', () => {
  it('a rejected create goes back to the front', () => {
    const q = new ResponseRequests();
    q.enqueue({ event: { type: 'response.create' }, kind: 'say', ref: 'a' });
    q.enqueue({ event: { type: 'response.create' }, kind: 'say', ref: 'b' });
    const a = q.take()!;
    q.sent('e1', a);
    expect(q.take()).toBeUndefined();
    expect(q.rejected('e1')).toBe(true);
    expect(q.take()?.ref).toBe('a');
  });
});

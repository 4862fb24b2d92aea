import { describe, expect, it } from 'vitest';
import { parseAriEvent } from '../../src/ari/ariEvents.js';
import { parseServerEvent } from '../../src/providers/openaiRealtime/serverEvents.js';
import { Prng } from './prng.js';

const channel = {
  id: '1763700984.12',
  name: 'Local/s@from-ai-agent-00000003;2',
  state: 'Ring',
  protocol_id: '',
  caller: { name: 'Lab Caller', number: '5551234' },
  connected: { name: 'Lab Caller', number: '5551234' },
  accountcode: '',
  dialplan: { context: 'from-ai-agent', exten: 's', priority: 4, app_name: 'Stasis', app_data: 'asterisk-ai-voice-agent' },
  creationtime: '2026-11-21T04:56:24.930+0000',
  language: 'en',
};
const bridge = { id: 'aiav-br-1763700984.12', technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', channels: ['1763700984.12'] };
const base = { timestamp: '2026-11-21T04:56:24.935+0000', application: 'asterisk-ai-voice-agent', asterisk_id: '02:fc:00:00:00:01' };

/** ARI 10 events as Asterisk 22 sends them (shapes from the simulator's traces). */
const ARI_FIXTURES: Record<string, unknown>[] = [
  { type: 'StasisStart', ...base, args: [], channel },
  { type: 'StasisEnd', ...base, channel },
  { type: 'ChannelHangupRequest', ...base, cause: 16, soft: true, channel },
  { type: 'ChannelDestroyed', ...base, cause: 16, cause_txt: 'Normal Clearing', channel },
  { type: 'ChannelStateChange', ...base, channel: { ...channel, state: 'Up' } },
  { type: 'ChannelEnteredBridge', ...base, bridge, channel },
  { type: 'ChannelLeftBridge', ...base, bridge, channel },
  { type: 'BridgeDestroyed', ...base, bridge },
  { type: 'ChannelDtmfReceived', ...base, digit: '5', duration_ms: 120, channel },
  { type: 'Dial', ...base, dialstatus: 'ANSWER', peer: channel, caller: channel },
  { type: 'PlaybackFinished', ...base, playback: { id: 'pb-1', media_uri: 'sound:hello', target_uri: 'channel:1', language: 'en', state: 'done' } },
  { type: 'ChannelVarset', ...base, variable: 'STASISSTATUS', value: '', channel },
];

const response = { object: 'realtime.response', id: 'resp_1', status: 'completed', status_details: null, output: [{ id: 'item_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_audio', transcript: 'Hello.' }] }], metadata: { purpose: 'greeting' }, usage: null };

/** GA Realtime server events (PROTOCOL §2.4 shapes). */
const REALTIME_FIXTURES: Record<string, unknown>[] = [
  { type: 'session.created', event_id: 'event_1', session: { id: 'sess_1', object: 'realtime.session', expires_at: 1_900_000_000 } },
  { type: 'session.updated', event_id: 'event_2', session: { id: 'sess_1' } },
  { type: 'error', event_id: 'event_3', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad', param: 'type', event_id: null } },
  { type: 'input_audio_buffer.speech_started', event_id: 'e', audio_start_ms: 1200, item_id: 'item_2' },
  { type: 'input_audio_buffer.speech_stopped', event_id: 'e', audio_end_ms: 2400, item_id: 'item_2' },
  { type: 'input_audio_buffer.committed', event_id: 'e', item_id: 'item_2', previous_item_id: null },
  { type: 'conversation.item.input_audio_transcription.completed', event_id: 'e', item_id: 'item_2', content_index: 0, transcript: 'hello' },
  { type: 'response.created', event_id: 'e', response: { ...response, status: 'in_progress', output: [] } },
  { type: 'response.output_audio.delta', event_id: 'e', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta: 'AAAA//8=' },
  { type: 'response.audio.delta', event_id: 'e', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta: 'AAAA' },
  { type: 'response.output_audio_transcript.done', event_id: 'e', response_id: 'resp_1', item_id: 'item_1', transcript: 'Hello.' },
  { type: 'response.output_item.done', event_id: 'e', response_id: 'resp_1', output_index: 0, item: { id: 'item_3', type: 'function_call', call_id: 'call_1', name: 'hangup_call', arguments: '{}' } },
  { type: 'response.done', event_id: 'e', response },
  { type: 'conversation.item.truncated', event_id: 'e', item_id: 'item_1', content_index: 0, audio_end_ms: 640 },
  { type: 'conversation.item.deleted', event_id: 'e', item_id: 'item_1' },
  { type: 'rate_limits.updated', event_id: 'e', rate_limits: [] },
];

const ARI_TYPES = new Set(ARI_FIXTURES.map((f) => f.type as string));
const REALTIME_TYPES = new Set([...REALTIME_FIXTURES.map((f) => f.type as string), 'response.output_audio.delta']);

function textCases(r: Prng, fixtures: Record<string, unknown>[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fixtures);
    switch (r.int(0, 9)) {
      case 0: {
        // Truncated or byte-mutated JSON text.
        const t = JSON.stringify(f);
        out.push(r.bool() ? t.slice(0, r.int(0, t.length)) : r.mutateBytes(Buffer.from(t)).toString('utf8'));
        break;
      }
      case 1:
        out.push(JSON.stringify(r.jsonValue()));
        break;
      case 2:
        out.push(JSON.stringify({ ...f, type: r.pick(['Nope', '', 'constructor', '__proto__', 'x'.repeat(10_000), 'response.bogus']) }));
        break;
      default:
        out.push(JSON.stringify(r.mutateJson(f)));
    }
  }
  return out;
}

describe('fuzz: ARI event parser', () => {
  it('accepts every recorded event shape', () => {
    for (const f of ARI_FIXTURES) {
      const res = parseAriEvent(JSON.stringify(f));
      if (f.type === 'ChannelVarset') expect(res).toMatchObject({ ok: false, reason: 'ignored' });
      else expect(res).toMatchObject({ ok: true, event: { type: f.type } });
    }
  });

  it('never throws on mutated events: each one is parsed, ignored or reported with a reason', () => {
    const r = new Prng(0xa41);
    const tally = { ok: 0, malformed_json: 0, invalid: 0, ignored: 0 };
    const bad: string[] = [];
    for (const text of textCases(r, ARI_FIXTURES, 5_000)) {
      const res = parseAriEvent(text);
      if (res.ok) {
        tally.ok++;
        // What is accepted is usable as typed: the fields the controller reads are there.
        if (!ARI_TYPES.has(res.event.type)) bad.push(text.slice(0, 200));
        const ch = (res.event as { channel?: { id?: unknown } }).channel;
        if (ch !== undefined && (typeof ch.id !== 'string' || ch.id === '')) bad.push(text.slice(0, 200));
      } else {
        tally[res.reason]++;
        if (typeof res.type !== 'string') bad.push(text.slice(0, 200));
      }
    }
    expect(bad).toEqual([]);
    expect(tally.ok + tally.malformed_json + tally.invalid + tally.ignored).toBe(5_000);
    expect(tally.malformed_json).toBeGreaterThan(0);
    expect(tally.invalid).toBeGreaterThan(0);
    expect(tally.ok).toBeGreaterThan(0);
  });
});

describe('fuzz: Realtime server event parser', () => {
  it('accepts every GA event shape (and maps beta names)', () => {
    for (const f of REALTIME_FIXTURES) {
      const res = parseServerEvent(JSON.stringify(f));
      expect(res.kind, String(f.type)).not.toBe('dropped');
    }
    expect(parseServerEvent(JSON.stringify(REALTIME_FIXTURES[9]))).toMatchObject({ kind: 'event', event: { type: 'response.output_audio.delta' } });
  });

  it('never throws on mutated events: each one is an event, ignored, or dropped with a reason', () => {
    const r = new Prng(0x0a1);
    const tally = { event: 0, ignored: 0, malformed_json: 0, unknown_type: 0, bad_shape: 0 };
    const bad: string[] = [];
    for (const text of textCases(r, REALTIME_FIXTURES, 5_000)) {
      const res = parseServerEvent(text);
      if (res.kind === 'event') {
        tally.event++;
        if (!REALTIME_TYPES.has(res.event.type)) bad.push(text.slice(0, 200));
        if (res.event.type === 'response.output_audio.delta' && typeof res.event.delta !== 'string') bad.push(text.slice(0, 200));
      } else if (res.kind === 'ignored') tally.ignored++;
      else tally[res.reason]++;
    }
    expect(bad).toEqual([]);
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(tally.malformed_json).toBeGreaterThan(0);
    expect(tally.unknown_type).toBeGreaterThan(0);
    expect(tally.bad_shape).toBeGreaterThan(0);
    expect(tally.event).toBeGreaterThan(0);
  });
});

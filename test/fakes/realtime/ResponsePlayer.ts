import { tone } from './fakeAudio.js';
import type { FakeRealtimeConnection } from './FakeRealtimeConnection.js';

type Json = Record<string, unknown>;

/** What a test scripts for one response. */
export interface ScriptedResponse {
  /** Spoken text (the transcript). */
  text?: string;
  /** Audio length; default from the text length (~60 ms per character, at least 300 ms). */
  audioMs?: number;
  functionCalls?: Array<{ name: string; arguments: string | Json; callId?: string }>;
  /** Emit this much audio, then hold the response open until it is cancelled or `server.releaseStalled()`. */
  stallAfterMs?: number;
  /** Pause between deltas (faster than real time either way). */
  deltaIntervalMs?: number;
}

export interface ActiveResponse {
  id: string;
  cancelled: 'turn_detected' | 'client_cancelled' | undefined;
  stalled: boolean;
  /** Wakes a stalled response (after cancel, or to let it finish). */
  release(): void;
}

/** Real responses deliver deltas of undocumented, varying sizes; the fake uses 20–200 ms at random. */
function randomChunkMs(): number {
  return 20 + Math.floor(Math.random() * 181);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Plays one scripted response with the full event order of a GA voice turn (PROTOCOL §2.4): created, output item
 * added, content part, interleaved audio and transcript deltas, the .done events (also when cancelled), function
 * calls per §3, then response.done.
 */
export class ResponsePlayer {
  readonly #conn: FakeRealtimeConnection;

  constructor(conn: FakeRealtimeConnection) {
    this.#conn = conn;
  }

  async play(script: ScriptedResponse, request: Json | undefined, bytesPerMs: number): Promise<void> {
    const conn = this.#conn;
    const host = conn.host;
    const id = conn.nextId('resp');
    let wake: (() => void) | undefined;
    const active: ActiveResponse = {
      id,
      cancelled: undefined,
      stalled: false,
      release: () => {
        active.stalled = false;
        wake?.();
      },
    };
    conn.active = active;
    const metadata = (request?.metadata as Json | undefined) ?? null;
    const base = { object: 'realtime.response', id, conversation_id: `conv_${conn.index}`, output_modalities: ['audio'], max_output_tokens: 'inf', metadata };
    conn.send({ type: 'response.created', response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null } });

    if (host.quotaExceeded) {
      conn.active = undefined;
      const error = { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.' };
      conn.send({ type: 'response.done', response: { ...base, status: 'failed', status_details: { type: 'failed', error }, output: [], usage: null } });
      return;
    }

    const output: Json[] = [];
    const text = script.text ?? '';
    const audioMs = script.audioMs ?? (text ? Math.max(300, text.length * 60) : 0);
    const interval = script.deltaIntervalMs ?? host.deltaIntervalMs;
    const textOnly = host.responseMode === 'text-only' || conn.view.textOnly;
    let index = 0;

    if (text || audioMs > 0) {
      const itemId = conn.nextId('item');
      const previous = conn.lastItemId;
      const state = { id: itemId, type: 'message', role: 'assistant', audioMs: 0, item: {} as Json };
      conn.addItem(state);
      const inProgress = { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      const at = { response_id: id, item_id: itemId, output_index: index, content_index: 0 };
      conn.send({ type: 'response.output_item.added', response_id: id, output_index: index, item: inProgress });
      conn.send({ type: 'conversation.item.added', previous_item_id: previous, item: inProgress });
      conn.send({ type: 'response.content_part.added', ...at, part: textOnly ? { type: 'text', text: '' } : { type: 'audio', transcript: '' } });
      let spoken = '';
      if (textOnly) {
        for (const word of text.split(/(?<=\s)/)) {
          conn.send({ type: 'response.output_text.delta', ...at, delta: word });
          spoken += word;
        }
        conn.send({ type: 'response.output_text.done', ...at, text });
      } else {
        let emittedMs = 0;
        let sample = 0;
        const samplesPerMs = bytesPerMs === 48 ? 24 : 8;
        while (emittedMs < audioMs && !active.cancelled && !conn.closed) {
          if (script.stallAfterMs !== undefined && emittedMs >= script.stallAfterMs && wake === undefined) {
            active.stalled = true;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            if (active.cancelled || conn.closed) break;
          }
          const chunkMs = Math.min(randomChunkMs(), audioMs - emittedMs);
          const audio = tone(conn.view.outputFormat, chunkMs, sample);
          sample += chunkMs * samplesPerMs;
          emittedMs += chunkMs;
          state.audioMs = emittedMs;
          conn.send({ type: 'response.output_audio.delta', ...at, delta: audio.toString('base64') });
          const target = text.slice(0, Math.round((text.length * emittedMs) / audioMs));
          if (target.length > spoken.length) {
            conn.send({ type: 'response.output_audio_transcript.delta', ...at, delta: target.slice(spoken.length), obfuscation: 'z9A9dJucSf1J' });
            spoken = target;
          }
          await sleep(interval);
        }
        conn.send({ type: 'response.output_audio.done', ...at });
        conn.send({ type: 'response.output_audio_transcript.done', ...at, transcript: spoken });
      }
      const part = textOnly ? { type: 'text', text: spoken } : { type: 'audio', transcript: spoken };
      conn.send({ type: 'response.content_part.done', ...at, part });
      const done = {
        id: itemId,
        type: 'message',
        status: active.cancelled ? 'incomplete' : 'completed',
        role: 'assistant',
        content: [textOnly ? { type: 'output_text', text: spoken } : { type: 'output_audio', transcript: spoken }],
      };
      state.item = done;
      conn.send({ type: 'response.output_item.done', response_id: id, output_index: index, item: done });
      conn.send({ type: 'conversation.item.done', previous_item_id: previous, item: done });
      output.push(done);
      index++;
    }

    for (const call of script.functionCalls ?? []) {
      if (active.cancelled || conn.closed) break;
      const itemId = conn.nextId('item');
      const callId = call.callId ?? conn.nextId('call');
      const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      const previous = conn.lastItemId;
      const added = { id: itemId, type: 'function_call', status: 'in_progress', name: call.name, call_id: callId, arguments: '' };
      conn.send({ type: 'response.output_item.added', response_id: id, output_index: index, item: added });
      conn.send({ type: 'conversation.item.added', previous_item_id: previous, item: added });
      const half = Math.ceil(args.length / 2);
      for (const delta of [args.slice(0, half), args.slice(half)]) {
        if (delta) conn.send({ type: 'response.function_call_arguments.delta', response_id: id, item_id: itemId, output_index: index, call_id: callId, delta });
      }
      const argsDone: Json = { type: 'response.function_call_arguments.done', response_id: id, item_id: itemId, output_index: index, call_id: callId, arguments: args };
      if (conn.mode === 'ga') argsDone.name = call.name;
      conn.send(argsDone);
      const done = { id: itemId, type: 'function_call', status: 'completed', name: call.name, call_id: callId, arguments: args };
      conn.addItem({ id: itemId, type: 'function_call', audioMs: 0, callId, item: done });
      conn.send({ type: 'response.output_item.done', response_id: id, output_index: index, item: done });
      conn.send({ type: 'conversation.item.done', previous_item_id: previous, item: done });
      output.push(done);
      index++;
      await sleep(interval);
    }

    if (conn.active === active) conn.active = undefined;
    const status = active.cancelled ? 'cancelled' : 'completed';
    const statusDetails = active.cancelled ? { type: 'cancelled', reason: active.cancelled } : null;
    const usage = { total_tokens: 320, input_tokens: 132, output_tokens: 188 };
    conn.send({ type: 'response.done', response: { ...base, status, status_details: statusDetails, output, usage } });
    conn.send({ type: 'rate_limits.updated', rate_limits: [{ name: 'tokens', limit: 40000, remaining: 38490, reset_seconds: 2.265 }] });
  }
}

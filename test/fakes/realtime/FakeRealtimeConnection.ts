import type { IncomingHttpHeaders } from 'node:http';
import type WebSocket from 'ws';
import { bytesPerMs, decodeToPcm, sampleRate } from './fakeAudio.js';
import { FakeVad } from './FakeVad.js';
import { ResponsePlayer, type ActiveResponse, type ScriptedResponse } from './ResponsePlayer.js';
import {
  defaultBetaSession,
  defaultGaSession,
  mergeSession,
  validateBetaSession,
  validateGaSession,
  viewSession,
  type SessionView,
} from './sessionValidation.js';

type Json = Record<string, unknown>;

export interface ScriptContext {
  connection: FakeRealtimeConnection;
  /** Responses so far on this connection (0 = first). */
  responseIndex: number;
  trigger: 'vad' | 'client';
  /** `response.create.response`, when the client asked. */
  request: Json | undefined;
  /** The text inside «…» of the request instructions (our verbatim greeting/say wording). */
  verbatim: string | undefined;
}
export type ScriptFn = (ctx: ScriptContext) => ScriptedResponse | undefined;

/** What a connection needs from its server (settings that tests flip at run time). */
export interface ConnectionHost {
  readonly mode: 'ga' | 'beta';
  readonly quotaExceeded: boolean;
  readonly responseMode: 'audio' | 'text-only';
  readonly deltaIntervalMs: number;
  readonly sessionDurationMs: number;
  scriptFor(ctx: ScriptContext): ScriptedResponse;
  nextUserTranscript(): string;
}

export interface ItemState {
  id: string;
  type: string;
  role?: string;
  /** Audio the item holds, in ms (assistant audio items). */
  audioMs: number;
  callId?: string;
  truncatedAtMs?: number;
  item: Json;
}

const BETA_NAMES: Record<string, string> = {
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
  'conversation.item.added': 'conversation.item.created',
};

/** Input transcription lands a little after the commit, as on the real server (asynchronously). */
const TRANSCRIPTION_DELAY_MS = 5;

/** One client socket of the fake: session, input buffer + VAD, conversation items, one active response. */
export class FakeRealtimeConnection {
  readonly index: number;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Every client event received, parsed, in order. */
  readonly received: Json[] = [];
  /** Raw frames that were not JSON. */
  readonly unparsed: string[] = [];
  /** Events sent to the client, in order. */
  readonly sent: Json[] = [];
  readonly items = new Map<string, ItemState>();
  session: Json;
  view: SessionView;
  closed = false;
  closeCode: number | undefined;
  appendedBytes = 0;
  active: ActiveResponse | undefined;
  responseCount = 0;
  readonly mode: 'ga' | 'beta';
  readonly #ws: WebSocket;
  readonly #host: ConnectionHost;
  readonly #vad = new FakeVad();
  readonly #player: ResponsePlayer;
  #seq = 0;
  #lastItemId: string | null = null;
  #userItemId: string | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(opts: { ws: WebSocket; index: number; url: string; headers: IncomingHttpHeaders; host: ConnectionHost }) {
    this.#ws = opts.ws;
    this.index = opts.index;
    this.url = opts.url;
    this.headers = opts.headers;
    this.#host = opts.host;
    this.mode = opts.host.mode;
    const model = new URL(opts.url, 'http://x').searchParams.get('model') ?? 'gpt-realtime';
    const expiresAtS = Math.floor((Date.now() + opts.host.sessionDurationMs) / 1000);
    const sessId = `sess_${opts.index}`;
    this.session = this.mode === 'ga' ? defaultGaSession(sessId, model, expiresAtS) : defaultBetaSession(sessId, model, expiresAtS);
    this.view = viewSession(this.session, this.mode);
    this.#player = new ResponsePlayer(this);
    opts.ws.on('message', (data) => this.#onMessage(data.toString()));
    opts.ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      clearTimeout(this.#expiryTimer);
      if (this.active) this.active.cancelled ??= 'client_cancelled';
      this.active?.release();
    });
    this.send({ type: 'session.created', session: this.session });
    this.#expiryTimer = setTimeout(() => this.expire(), Math.max(0, expiresAtS * 1000 - Date.now()));
    this.#expiryTimer.unref();
  }

  get host(): ConnectionHost {
    return this.#host;
  }

  nextId(prefix: string): string {
    return `${prefix}_${this.index}_${++this.#seq}`;
  }

  /** Received client events of one type. */
  receivedOf(type: string): Json[] {
    return this.received.filter((e) => e.type === type);
  }

  send(ev: Json): void {
    if (this.closed) return;
    const type = String(ev.type);
    const wire = { ...ev, type: this.mode === 'beta' ? (BETA_NAMES[type] ?? type) : type, event_id: this.nextId('event') };
    this.sent.push(wire);
    this.#ws.send(JSON.stringify(wire));
  }

  sendRaw(text: string): void {
    if (!this.closed) this.#ws.send(text);
  }

  sendError(code: string, message: string, param: string | null = null, eventId: unknown = null, type = 'invalid_request_error'): void {
    this.send({ type: 'error', error: { type, code, message, param, event_id: typeof eventId === 'string' ? eventId : null } });
  }

  /** The maximum duration is reached: error, then close 1001 (PROTOCOL §10). */
  expire(): void {
    const minutes = Math.round(this.#host.sessionDurationMs / 60_000);
    this.sendError('session_expired', `Your session hit the maximum duration of ${minutes} minutes.`);
    this.close(1001, 'session expired');
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  addItem(state: ItemState): void {
    this.items.set(state.id, state);
    this.#lastItemId = state.id;
  }

  get lastItemId(): string | null {
    return this.#lastItemId;
  }

  #onMessage(text: string): void {
    let ev: Json;
    try {
      ev = JSON.parse(text) as Json;
    } catch {
      this.unparsed.push(text);
      this.sendError('invalid_json', 'The server could not parse the JSON body of your event.');
      return;
    }
    this.received.push(ev);
    const eventId = ev.event_id;
    switch (ev.type) {
      case 'session.update':
        return this.#onSessionUpdate(ev, eventId);
      case 'input_audio_buffer.append':
        return this.#onAppend(ev, eventId);
      case 'input_audio_buffer.commit':
        if (this.appendedBytes / this.view.inputBytesPerMs < 100) {
          const ms = (this.appendedBytes / this.view.inputBytesPerMs).toFixed(2);
          this.sendError('input_audio_buffer_commit_empty', `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms}ms of audio.`, null, eventId);
          return;
        }
        this.#commitUserItem(this.nextId('item'));
        return;
      case 'input_audio_buffer.clear':
        this.send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'conversation.item.create':
        return this.#onItemCreate(ev, eventId);
      case 'conversation.item.truncate':
        return this.#onTruncate(ev, eventId);
      case 'conversation.item.delete': {
        const id = String(ev.item_id);
        if (!this.items.delete(id)) return this.sendError('item_not_found', `Item with item_id '${id}' not found.`, 'item_id', eventId);
        this.send({ type: 'conversation.item.deleted', item_id: id });
        return;
      }
      case 'response.create':
        if (this.active) {
          this.sendError(
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
            null,
            eventId,
          );
          return;
        }
        this.startResponse('client', (ev.response as Json | undefined) ?? undefined);
        return;
      case 'response.cancel': {
        const wanted = ev.response_id;
        if (!this.active || (typeof wanted === 'string' && wanted !== this.active.id)) {
          this.sendError('response_cancel_not_active', 'Cancellation failed: no active response found', null, eventId);
          return;
        }
        this.active.cancelled = 'client_cancelled';
        this.active.release();
        return;
      }
      default:
        this.sendError('invalid_value', `Invalid value: '${String(ev.type)}'. Supported values are: session.update, input_audio_buffer.append, …`, 'type', eventId);
    }
  }

  #onSessionUpdate(ev: Json, eventId: unknown): void {
    const err = this.mode === 'ga' ? validateGaSession(ev.session) : validateBetaSession(ev.session);
    if (err) {
      this.send({ type: 'error', error: { ...err, event_id: typeof eventId === 'string' ? eventId : null } });
      return;
    }
    this.session = mergeSession(this.session, ev.session as Json);
    this.view = viewSession(this.session, this.mode);
    this.send({ type: 'session.updated', session: this.session });
  }

  #onAppend(ev: Json, eventId: unknown): void {
    if (typeof ev.audio !== 'string') return this.sendError('invalid_type', "Invalid type for 'audio': expected a base64 string.", 'audio', eventId);
    const bytes = Buffer.from(ev.audio, 'base64');
    this.appendedBytes += bytes.length;
    const td = this.view.turnDetection;
    if (!td) return;
    const events = this.#vad.push(decodeToPcm(this.view.inputFormat, bytes), sampleRate(this.view.inputFormat), td);
    for (const vadEvent of events) {
      if (vadEvent.type === 'speech_started') {
        this.#userItemId = this.nextId('item');
        this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: vadEvent.audioStartMs, item_id: this.#userItemId });
        if (td.interruptResponse && this.active) {
          this.active.cancelled ??= 'turn_detected';
          this.active.release();
        }
      } else {
        const itemId = this.#userItemId ?? this.nextId('item');
        this.#userItemId = undefined;
        this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: vadEvent.audioEndMs, item_id: itemId });
        this.#commitUserItem(itemId);
        if (td.createResponse && !this.active) this.startResponse('vad', undefined);
      }
    }
  }

  #commitUserItem(itemId: string): void {
    const previous = this.#lastItemId;
    this.send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    const item = { id: itemId, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
    this.addItem({ id: itemId, type: 'message', role: 'user', audioMs: 0, item });
    this.send({ type: 'conversation.item.added', previous_item_id: previous, item });
    this.send({ type: 'conversation.item.done', previous_item_id: previous, item });
    if (this.view.transcription) {
      const transcript = this.#host.nextUserTranscript();
      setTimeout(() => {
        this.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0, transcript, usage: { type: 'duration', seconds: 1 } });
      }, TRANSCRIPTION_DELAY_MS);
    }
  }

  #onItemCreate(ev: Json, eventId: unknown): void {
    const item = ev.item as Json | undefined;
    if (!item || typeof item !== 'object') return this.sendError('missing_required_parameter', "Missing required parameter: 'item'.", 'item', eventId);
    const id = typeof item.id === 'string' ? item.id : this.nextId('item');
    if (item.type === 'function_call_output') {
      const callId = item.call_id;
      const known = [...this.items.values()].some((i) => i.type === 'function_call' && i.callId === callId);
      if (!known) return this.sendError('invalid_value', `No function call found with call_id '${String(callId)}'.`, 'item.call_id', eventId);
      if (typeof item.output !== 'string') return this.sendError('invalid_type', "Invalid type for 'item.output': expected a string.", 'item.output', eventId);
    } else if (item.type === 'message') {
      const role = item.role;
      const content = Array.isArray(item.content) ? (item.content as Json[]) : [];
      const allowed = role === 'assistant' ? (this.mode === 'ga' ? ['output_text', 'output_audio'] : ['text', 'audio']) : ['input_text', 'input_audio'];
      for (const [i, c] of content.entries()) {
        if (!allowed.includes(String(c.type))) {
          return this.sendError('invalid_value', `Invalid value: '${String(c.type)}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`, `item.content[${i}].type`, eventId);
        }
      }
      if (!['user', 'assistant', 'system'].includes(String(role))) return this.sendError('invalid_value', `Invalid value: '${String(role)}'.`, 'item.role', eventId);
    } else {
      return this.sendError('invalid_value', `Invalid value: '${String(item.type)}'.`, 'item.type', eventId);
    }
    const previous = this.#lastItemId;
    const stored = { ...item, id, status: 'completed' };
    this.addItem({ id, type: String(item.type), ...(typeof item.role === 'string' ? { role: item.role } : {}), audioMs: 0, item: stored });
    this.send({ type: 'conversation.item.added', previous_item_id: previous, item: stored });
    this.send({ type: 'conversation.item.done', previous_item_id: previous, item: stored });
  }

  #onTruncate(ev: Json, eventId: unknown): void {
    const id = String(ev.item_id);
    const item = this.items.get(id);
    if (!item) return this.sendError('item_not_found', `Item with item_id '${id}' not found.`, 'item_id', eventId);
    if (item.type !== 'message' || item.role !== 'assistant') return this.sendError('invalid_value', 'Only assistant messages can be truncated.', 'item_id', eventId);
    if (ev.content_index !== 0) return this.sendError('invalid_value', 'content_index must be 0.', 'content_index', eventId);
    const endMs = ev.audio_end_ms;
    if (typeof endMs !== 'number' || !Number.isInteger(endMs) || endMs < 0) {
      return this.sendError('invalid_type', `Invalid type for 'audio_end_ms': expected an integer, but got ${JSON.stringify(endMs)}.`, 'audio_end_ms', eventId);
    }
    const haveMs = Math.floor(item.truncatedAtMs ?? item.audioMs);
    if (endMs > haveMs) return this.sendError('invalid_value', `Audio content of ${haveMs}ms is already shorter than ${endMs}ms`, 'audio_end_ms', eventId);
    item.truncatedAtMs = endMs;
    this.send({ type: 'conversation.item.truncated', item_id: id, content_index: 0, audio_end_ms: endMs });
  }

  /** Starts a scripted response (VAD turn or client request). */
  startResponse(trigger: 'vad' | 'client', request: Json | undefined): void {
    const instructions = typeof request?.instructions === 'string' ? request.instructions : undefined;
    const verbatim = instructions ? /«([\s\S]*)»/.exec(instructions)?.[1] : undefined;
    const script = this.#host.scriptFor({ connection: this, responseIndex: this.responseCount, trigger, request, verbatim });
    this.responseCount++;
    void this.#player.play(script, request, bytesPerMs(this.view.outputFormat));
  }
}

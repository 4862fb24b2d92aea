import type { Logger } from 'pino';
import type { OpenAIRealtimeConfig, ProfileConfig } from '../../config/schema.js';
import { toRealtimeTool } from '../../tools/toolSchemas.js';
import { TypedEmitter } from '../../util/TypedEmitter.js';
import type {
  AudioFormat,
  PlayedItem,
  ProviderError,
  ProviderEvents,
  ProviderStartOptions,
  ToolCallResult,
  TurnLatency,
  VoiceProvider,
} from '../VoiceProvider.js';
import * as client from './clientEvents.js';
import { connectionTarget, type ConnectionTarget } from './connectionTarget.js';
import { ConversationTranscript, heardText } from './ConversationTranscript.js';
import { openSession, type OpenedSession } from './openSession.js';
import { FATAL_SERVER_CODES, RealtimeError } from './RealtimeError.js';
import { realtimeAudioSpec, type RealtimeAudioSpec } from './realtimeAudioSpec.js';
import type { RealtimeTransport, TransportEvents } from './RealtimeTransport.js';
import { ResponseLedger, type ResponseRecord } from './ResponseLedger.js';
import { ResponseRequests } from './ResponseRequests.js';
import type { ServerEvent, ServerEventOf } from './serverEvents.js';
import { buildSessionUpdate } from './sessionConfig.js';
import { SessionRenewal } from './SessionRenewal.js';
import { ToolCallLedger } from './ToolCallLedger.js';

/** Bound on connect + session.update at start: past this the caller has heard silence too long; the policy runs. */
const START_TIMEOUT_MS = 8_000;
/** A verbatim sentence takes seconds; never let say() hang a shutdown path. */
const SAY_TIMEOUT_MS = 30_000;
/** First retry quickly (a blip), then back off so a dead endpoint is not hammered within the reconnect window. */
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 1_000;
/** History re-seeded into a new session: recent context matters; a huge seed slows the first reply. */
const SEED_MAX_CHARS = 16_000;

export interface RealtimeProviderStats {
  /** Server frames that were malformed or of an unknown type (counted, dropped). */
  droppedEvents: number;
  /** Audio deltas of interrupted responses that arrived late and were dropped. */
  discardedDeltas: number;
  audioChunksSent: number;
  /** Caller audio that arrived while no session was usable (connecting, reconnecting). */
  audioChunksDropped: number;
  truncates: number;
  deletes: number;
  cancels: number;
  toolCalls: number;
  reconnects: number;
  renewals: number;
  serverErrors: number;
}

type State = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface OpenAIRealtimeProviderOptions {
  key: string;
  config: OpenAIRealtimeConfig;
  profile: ProfileConfig;
  logger: Logger;
  /** Tests only: shorter start bound. */
  startTimeoutMs?: number;
}

/**
 * The OpenAI Realtime provider (GA shape; beta behind `api_version: beta`). It owns the conversation (responses,
 * items, tool calls, transcript); each socket is a RealtimeTransport. It never touches playout: barge-in is
 * decided by the session, which calls interrupt() with what the caller heard.
 */
export class OpenAIRealtimeProvider extends TypedEmitter<ProviderEvents> implements VoiceProvider {
  readonly name: string;
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;

  readonly #config: OpenAIRealtimeConfig;
  readonly #spec: RealtimeAudioSpec;
  readonly #target: ConnectionTarget;
  readonly #startTimeoutMs: number;
  #logger: Logger;
  #state: State = 'idle';
  #options: ProviderStartOptions | undefined;
  #transport: RealtimeTransport | undefined;
  #generation = 0;
  readonly #ledger: ResponseLedger;
  readonly #tools = new ToolCallLedger();
  readonly #transcript = new ConversationTranscript();
  readonly #requests = new ResponseRequests();
  readonly #sayWaiters = new Map<string, () => void>();
  #refSeq = 0;
  /** System notes (tool results, notify) that could not be sent (no socket); delivered on the next session. */
  readonly #undelivered: string[] = [];
  #speechActive = false;
  /** speech_started events seen (ordering, not time: two events can share a millisecond). */
  #speechSeq = 0;
  readonly #userItemStartMs = new Map<string, number>();
  #turn = 0;
  #turnLatency: TurnLatency | undefined;
  readonly #renewal: SessionRenewal;
  readonly #stats: RealtimeProviderStats = {
    droppedEvents: 0,
    discardedDeltas: 0,
    audioChunksSent: 0,
    audioChunksDropped: 0,
    truncates: 0,
    deletes: 0,
    cancels: 0,
    toolCalls: 0,
    reconnects: 0,
    renewals: 0,
    serverErrors: 0,
  };

  constructor(opts: OpenAIRealtimeProviderOptions) {
    super();
    this.name = opts.key;
    this.#config = opts.config;
    this.#spec = realtimeAudioSpec(opts.profile);
    this.inputFormat = this.#spec.format;
    this.outputFormat = this.#spec.format;
    this.#logger = opts.logger.child({ provider: opts.key });
    this.#target = connectionTarget(opts.config, opts.config.api_key);
    this.#startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
    this.#ledger = new ResponseLedger(this.#spec.bytesPerMs);
    this.#renewal = new SessionRenewal({
      renewBeforeMs: opts.config.session_renew_before_ms,
      isQuiet: () => this.#isQuiet(),
      open: () => this.#open(`r${this.#generation + 1}`),
      switchTo: (opened: OpenedSession) => this.#switchTo(opened, 'renewal'),
      logger: () => this.#logger,
    });
  }

  stats(): RealtimeProviderStats {
    return { ...this.#stats };
  }

  /** The conversation so far as text (what re-seeds a new session). */
  transcript(): readonly import('../VoiceProvider.js').TranscriptEntry[] {
    return this.#transcript.entries();
  }

  async start(options: ProviderStartOptions): Promise<void> {
    if (this.#state !== 'idle') throw new RealtimeError('already_started', 'start() called twice');
    this.#options = options;
    this.#logger = options.logger.child({ provider: this.name });
    this.#state = 'connecting';
    let opened: OpenedSession;
    try {
      opened = await this.#open('c0', this.#startTimeoutMs);
    } catch (err) {
      const e = err instanceof RealtimeError ? err : new RealtimeError('connect_failed', String(err));
      if (this.#state === 'connecting') this.#fail(new RealtimeError(e.code, e.message, true));
      throw e;
    }
    if (this.#state !== 'connecting') {
      opened.transport.close('closed during start');
      throw new RealtimeError('closed', 'provider closed during start');
    }
    this.#install(opened);
    this.#state = 'ready';
    if (options.greeting.trim() !== '') this.#request('greeting', options.greeting);
  }

  sendAudio(chunk: Buffer): void {
    if (this.#state !== 'ready' || !this.#transport?.send(client.appendAudio(chunk))) {
      this.#stats.audioChunksDropped++;
      return;
    }
    this.#stats.audioChunksSent++;
  }

  interrupt(played: PlayedItem[]): void {
    if (this.#state === 'closed') return;
    const active = this.#ledger.active(this.#generation);
    const interruptedActive = active !== undefined && played.some((p) => p.responseId === active.id);
    // The server cancels by itself on its own speech_started when interrupt_response is on; otherwise we must.
    const serverCancels = this.#config.turn_detection.interrupt_response && active !== undefined && this.#speechSeq > active.speechSeqAtCreate;
    for (const p of played) this.#ledger.discard(p.responseId);
    if (active && interruptedActive && !serverCancels && this.#transport?.send(client.cancelResponse(active.id))) this.#stats.cancels++;
    for (const p of played) this.#trimItem(p);
  }

  sendToolResult(result: ToolCallResult): void {
    const call = this.#tools.result(result.callId);
    if (!call) {
      this.#logger.warn({ callId: result.callId }, 'tool result for an unknown or already answered call; dropped');
      return;
    }
    // A call of a previous session no longer exists server-side: its result goes in as a system note.
    if (call.generation === this.#generation && this.#state === 'ready') {
      if (!this.#transport?.send(client.functionCallOutput(call.callId, result.output))) this.#undelivered.push(toolNote(call.name, result.output));
    } else {
      this.#sendNote(toolNote(call.name, result.output));
    }
    this.#maybeFollowup(call.responseId);
  }

  notify(text: string): void {
    if (this.#state === 'closed' || text.trim() === '') return;
    this.#sendNote(text);
    const ref = `notify_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.followupResponse('notify', ref), kind: 'notify', ref });
    this.#pump();
  }

  #sendNote(text: string): void {
    if (this.#state !== 'ready' || !this.#transport?.send(client.systemMessage(text))) this.#undelivered.push(text);
  }

  say(text: string): Promise<void> {
    if (this.#state === 'closed' || text.trim() === '') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const ref = this.#request('say', text);
      const timer = setTimeout(() => finish(), SAY_TIMEOUT_MS);
      const finish = (): void => {
        clearTimeout(timer);
        this.#sayWaiters.delete(ref);
        resolve();
      };
      this.#sayWaiters.set(ref, finish);
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#shutdown('closed by client');
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  #open(tag: string, timeoutMs = this.#startTimeoutMs): Promise<OpenedSession> {
    const options = this.#options!;
    const sessionUpdate = buildSessionUpdate(this.#config.api_version, {
      config: this.#config,
      audio: this.#spec,
      instructions: options.instructions,
      tools: options.tools.map(toRealtimeTool),
      voice: options.voice,
    });
    return openSession({
      target: this.#target,
      logger: this.#logger,
      tag,
      sessionUpdate,
      timeoutMs,
      onEvent: (t, ev) => {
        if (t === this.#transport) this.#onEvent(ev);
      },
      onDropped: (_t, info) => {
        this.#stats.droppedEvents++;
        this.#logger.debug({ type: info.type, reason: info.reason }, 'realtime event dropped');
      },
      onClosed: (t, info) => this.#onClosed(t, info),
    });
  }

  #install(opened: OpenedSession): void {
    this.#transport = opened.transport;
    this.#renewal.schedule(opened.created.expiresAtMs);
    this.#logger.info({ sessionId: opened.created.sessionId, generation: this.#generation, target: this.#target.describe }, 'realtime session ready');
  }

  /** A new session replaces the current one (reconnect or renewal): re-seed it, then carry on. */
  #switchTo(opened: OpenedSession, why: 'reconnect' | 'renewal'): void {
    const old = this.#transport;
    this.#abandonGeneration();
    this.#generation++;
    for (const item of client.seedItems(this.#config.api_version, this.#transcript.entries(), SEED_MAX_CHARS)) opened.transport.send(item);
    for (const note of this.#undelivered.splice(0)) opened.transport.send(client.systemMessage(note));
    this.#install(opened);
    this.#state = 'ready';
    if (why === 'renewal') this.#stats.renewals++;
    old?.close(why === 'renewal' ? 'session renewed' : 'replaced');
    this.#pump();
  }

  /** Responses of the outgoing session that will never finish: report them incomplete so nothing waits forever. */
  #abandonGeneration(): void {
    this.#requests.requeueInflight();
    this.#speechActive = false;
    for (const rec of this.#ledger.unfinished(this.#generation)) {
      this.#ledger.finish(rec.id, 'incomplete', this.#generation, Date.now());
      this.#ledger.discard(rec.id);
      this.#tools.responseDone(rec.id, true);
      this.#emitResponseDone(rec);
    }
  }

  #onClosed(transport: RealtimeTransport, info: TransportEvents['closed'][0]): void {
    if (transport !== this.#transport || info.expected || this.#state !== 'ready') return;
    this.#logger.warn({ code: info.code, reason: info.reason }, 'realtime socket closed mid-call; reconnecting');
    void this.#reconnect(info.reason || `closed ${info.code}`);
  }

  async #reconnect(reason: string): Promise<void> {
    this.#state = 'reconnecting';
    this.#stats.reconnects++;
    this.#renewal.cancel();
    this.#abandonGeneration();
    this.emit('error', { code: 'socket_closed', message: `realtime connection lost (${reason}); reconnecting`, fatal: false });
    const deadline = Date.now() + this.#config.reconnect_timeout_ms;
    let delay = RECONNECT_FIRST_DELAY_MS;
    let lastError: RealtimeError | undefined;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const opened = await this.#open(`c${this.#generation + 1}`, remaining);
        if (this.#state !== 'reconnecting') {
          opened.transport.close('closed during reconnect');
          return;
        }
        this.#switchTo(opened, 'reconnect');
        this.#logger.info({ attempt }, 'realtime reconnected; conversation re-seeded');
        return;
      } catch (err) {
        lastError = err instanceof RealtimeError ? err : new RealtimeError('connect_failed', String(err));
        this.#logger.warn({ attempt, code: lastError.code }, 'realtime reconnect attempt failed');
        if (this.#state !== 'reconnecting') return;
        if (lastError.code === 'handshake_401' || FATAL_SERVER_CODES.has(lastError.code)) break;
      }
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    }
    if (this.#state !== 'reconnecting') return;
    const code = lastError?.code === 'handshake_401' ? 'handshake_401' : 'reconnect_failed';
    this.#fail(new RealtimeError(code, `could not reconnect within ${this.#config.reconnect_timeout_ms} ms${lastError ? ` (${lastError.code})` : ''}`));
  }

  #fail(err: RealtimeError): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#logger.error({ code: err.code }, `realtime provider failed: ${err.message}`);
    this.emit('error', { code: err.code, message: err.message, fatal: true });
    this.#shutdown(err.code);
    this.emit('closed', { reason: err.code });
  }

  #shutdown(reason: string): void {
    this.#renewal.cancel();
    this.#transport?.close(reason);
    for (const ref of this.#requests.clear()) this.#sayWaiters.get(ref)?.();
    for (const finish of [...this.#sayWaiters.values()]) finish();
  }

  #isQuiet(): boolean {
    return this.#state === 'ready' && !this.#speechActive && !this.#requests.hasInflight && this.#ledger.active(this.#generation) === undefined;
  }

  // ---- responses ------------------------------------------------------------------------------------------

  #request(kind: 'greeting' | 'say', text: string): string {
    const ref = `${kind}_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.verbatimResponse(this.#config.api_version, text, kind, ref), kind, ref });
    this.#pump();
    return ref;
  }

  #maybeFollowup(responseId: string): void {
    if (!this.#tools.takeFollowup(responseId)) return;
    const ref = `tool_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.followupResponse('tool_followup', ref), kind: 'tool_followup', ref });
    this.#pump();
  }

  /** Sends the next queued response.create when no response is active. */
  #pump(): void {
    if (this.#state !== 'ready' || !this.#transport || this.#ledger.active(this.#generation)) return;
    const next = this.#requests.take();
    if (!next) return;
    const eventId = this.#transport.send(next.event);
    if (eventId) this.#requests.sent(eventId, next);
    else this.#requests.enqueue(next);
  }

  #emitResponseDone(rec: ResponseRecord): void {
    this.emit('responseDone', {
      responseId: rec.id,
      status: rec.status ?? 'incomplete',
      greeting: rec.kind === 'greeting',
      ...(rec.text !== undefined ? { text: rec.text } : {}),
      hadAudio: rec.hadAudio,
    });
    if (rec.ref) this.#sayWaiters.get(rec.ref)?.();
  }

  // ---- server events --------------------------------------------------------------------------------------

  #onEvent(ev: ServerEvent): void {
    const now = Date.now();
    switch (ev.type) {
      case 'input_audio_buffer.speech_started':
        this.#speechActive = true;
        this.#speechSeq++;
        if (ev.item_id) this.#userItemStartMs.set(ev.item_id, now);
        this.emit('speechStarted', { atMs: now });
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#speechActive = false;
        this.#turnLatency = { turn: ++this.#turn, speechEndAt: now };
        this.emit('speechStopped', { atMs: now });
        this.#renewal.quietMoment();
        return;
      case 'conversation.item.input_audio_transcription.completed': {
        const atMs = this.#userItemStartMs.get(ev.item_id) ?? now;
        this.#userItemStartMs.delete(ev.item_id);
        if (this.#turnLatency && this.#turnLatency.transcriptAt === undefined) this.#turnLatency.transcriptAt = now;
        const text = ev.transcript.trim();
        if (text) this.emit('transcript', this.#transcript.put({ role: 'user', text, atMs, itemId: ev.item_id }));
        return;
      }
      case 'response.created':
        this.#onResponseCreated(ev, now);
        return;
      case 'response.output_audio.delta':
        this.#onAudioDelta(ev, now);
        return;
      case 'response.output_audio_transcript.done':
        this.#onAssistantText(ev.response_id, ev.item_id, ev.transcript);
        return;
      case 'response.output_text.done':
        this.#onAssistantText(ev.response_id, ev.item_id, ev.text);
        return;
      case 'response.output_item.done':
        this.#onOutputItemDone(ev);
        return;
      case 'response.done':
        this.#onResponseDone(ev, now);
        return;
      case 'error':
        this.#onServerError(ev);
        return;
      case 'conversation.item.input_audio_transcription.failed':
        this.#logger.warn({ itemId: ev.item_id, code: ev.error?.code }, 'caller transcription failed');
        return;
      default:
        return;
    }
  }

  #onResponseCreated(ev: ServerEventOf<'response.created'>, now: number): void {
    const meta = ev.response.metadata ?? undefined;
    const ref = typeof meta?.[client.METADATA_REF] === 'string' ? (meta[client.METADATA_REF] as string) : undefined;
    // OpenAI sends `metadata: null` on responses it made itself; a server without the field gets FIFO matching.
    const ours = this.#requests.created(ref, 'metadata' in ev.response);
    const rec = this.#ledger.created(ev.response.id, ours?.kind ?? 'turn', ours?.ref, this.#generation, now);
    rec.speechSeqAtCreate = this.#speechSeq;
    if (!ours && this.#turnLatency && this.#turnLatency.firstAudioAt === undefined) rec.turn = this.#turnLatency.turn;
  }

  #onAudioDelta(ev: ServerEventOf<'response.output_audio.delta'>, now: number): void {
    if (this.#ledger.isDiscarded(ev.response_id)) {
      this.#stats.discardedDeltas++;
      this.#ledger.discarded(ev.item_id, base64Bytes(ev.delta));
      return;
    }
    const audio = Buffer.from(ev.delta, 'base64');
    if (audio.length === 0) return;
    this.#ledger.audio(ev.response_id, ev.item_id, audio.length, this.#generation, now);
    const rec = this.#ledger.get(ev.response_id);
    if (rec?.turn !== undefined && this.#turnLatency?.turn === rec.turn) this.#turnLatency.firstAudioAt ??= now;
    this.emit('audio', { audio, responseId: ev.response_id, itemId: ev.item_id });
  }

  #onAssistantText(responseId: string, itemId: string, text: string): void {
    const rec = this.#ledger.get(responseId);
    if (rec) rec.text = rec.text ? `${rec.text} ${text}` : text;
    const item = this.#ledger.item(itemId);
    const heard = item?.heardMs;
    const cut = heard !== undefined ? heardText(text, heard, this.#ledger.msGenerated(itemId)) : text;
    if (cut.trim() === '' && heard === undefined) return;
    const atMs = rec?.firstAudioAtMs ?? rec?.createdAtMs ?? Date.now();
    this.emit('transcript', this.#transcript.put({ role: 'assistant', text: cut, atMs, itemId, ...(heard !== undefined ? { truncated: true } : {}) }));
  }

  #onOutputItemDone(ev: ServerEventOf<'response.output_item.done'>): void {
    const item = ev.item;
    if (item.type !== 'function_call' || !item.call_id || !item.name) return;
    if (item.status === 'incomplete') return; // cut off mid-arguments by a cancel: nothing sensible to run
    if (!this.#tools.register(item.call_id, item.name, ev.response_id, this.#generation)) return;
    this.#stats.toolCalls++;
    this.emit('toolCall', { callId: item.call_id, name: item.name, argumentsJson: item.arguments ?? '{}', responseId: ev.response_id });
  }

  #onResponseDone(ev: ServerEventOf<'response.done'>, now: number): void {
    const r = ev.response;
    const status = r.status === 'in_progress' ? 'incomplete' : r.status;
    const rec = this.#ledger.finish(r.id, status, this.#generation, now);
    if (rec.text === undefined) {
      const texts = (r.output ?? []).flatMap((o) => (o.content ?? []).map((c) => c.transcript ?? c.text ?? '')).filter((t) => t !== '');
      if (texts.length > 0) rec.text = texts.join(' ');
    }
    this.#tools.responseDone(r.id, status === 'cancelled');
    if (status === 'failed') {
      const e = r.status_details?.error;
      const code = e?.code ?? e?.type ?? 'response_failed';
      this.#logger.error({ code, responseId: r.id }, `realtime response failed: ${e?.message ?? code}`);
      this.emit('error', { code, message: e?.message ?? 'response failed', fatal: true });
    }
    this.#emitResponseDone(rec);
    if (rec.turn !== undefined && this.#turnLatency?.turn === rec.turn) {
      this.emit('latency', this.#turnLatency);
      this.#turnLatency = undefined;
    }
    this.#maybeFollowup(r.id);
    this.#pump();
    this.#renewal.quietMoment();
  }

  #onServerError(ev: ServerEventOf<'error'>): void {
    const code = ev.error.code ?? ev.error.type ?? 'server_error';
    const message = ev.error.message ?? code;
    if (code === 'response_cancel_not_active') {
      this.#logger.debug({ code }, 'cancel arrived after the response ended (harmless)');
      return;
    }
    this.#stats.serverErrors++;
    if (code === 'conversation_already_has_active_response') {
      if (this.#requests.rejected(ev.error.event_id ?? undefined)) this.#logger.debug({ code }, 'response.create deferred to the next response.done');
      return;
    }
    if (code === 'session_expired') {
      this.#logger.warn({ code }, 'realtime session expired');
      return; // the close that follows reconnects
    }
    const fatal = FATAL_SERVER_CODES.has(code);
    this.#logger[fatal ? 'error' : 'warn']({ code, param: ev.error.param }, `realtime server error: ${message}`);
    if (fatal) this.#fail(new RealtimeError(code, message, true));
    else this.emit('error', { code, message, fatal: false } satisfies ProviderError);
  }

  // ---- barge-in -------------------------------------------------------------------------------------------

  /** Make the server's item match what the caller heard: truncate, or delete when nothing was heard. */
  #trimItem(p: PlayedItem): void {
    const item = this.#ledger.item(p.itemId);
    if (!item) {
      this.#logger.warn({ itemId: p.itemId }, 'interrupt names an item we never received audio for; skipped');
      return;
    }
    const heardMs = Math.max(0, Math.floor(Math.min(p.playedMs, this.#ledger.msReceived(p.itemId))));
    item.heardMs = heardMs;
    const entry = this.#transcript.find(p.itemId);
    if (entry && !entry.truncated) {
      const text = heardText(entry.text, heardMs, this.#ledger.msReceived(p.itemId));
      this.emit('transcript', this.#transcript.put({ ...entry, text, truncated: true }));
    }
    // Items of a previous session no longer exist server-side; the re-seed already carries the cut text.
    if (item.generation !== this.#generation || this.#state !== 'ready') return;
    if (heardMs === 0) {
      if (this.#transport?.send(client.deleteItem(p.itemId))) this.#stats.deletes++;
    } else if (this.#transport?.send(client.truncateItem(p.itemId, heardMs))) {
      this.#stats.truncates++;
    }
  }
}

function toolNote(name: string, output: string): string {
  return `Result of the ${name} tool call: ${output}`;
}

/** Decoded size of a base64 string, without decoding it (late deltas are only counted). */
function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - padding);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

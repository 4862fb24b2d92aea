import type { Logger } from 'pino';
import type { PlayedItem, ProviderEvents, ToolCallResult, TranscriptEntry } from '../VoiceProvider.js';
import * as client from './clientEvents.js';
import { ConversationTranscript, heardText } from './ConversationTranscript.js';
import type { RealtimeProviderStats } from './providerStats.js';
import { FATAL_SERVER_CODES, RealtimeError } from './RealtimeError.js';
import { ResponseLedger, type ResponseRecord } from './ResponseLedger.js';
import { ResponseRequests } from './ResponseRequests.js';
import type { ServerEvent, ServerEventOf } from './serverEvents.js';
import { ToolCallLedger } from './ToolCallLedger.js';
import { TurnTracker } from './TurnTracker.js';

/** History re-seeded into a new session: recent context matters; a huge seed slows the first reply. */
const SEED_MAX_CHARS = 16_000;

/** What the conversation needs from the provider that owns the sockets. */
export interface ConversationHost {
  readonly apiVersion: client.ApiVersion;
  readonly interruptResponse: boolean;
  readonly stats: RealtimeProviderStats;
  /** Bumped on every new session: items of older sessions no longer exist server-side. */
  generation(): number;
  /** Sends on the current session when it is usable; the event_id, or undefined when not sent. */
  send(event: client.ClientEvent): string | undefined;
  emit<K extends keyof ProviderEvents & string>(event: K, ...args: ProviderEvents[K]): void;
  logger(): Logger;
  /** A server error after which the provider cannot go on. */
  fail(err: RealtimeError): void;
  /** A response finished: a good moment for a pending session switch. */
  quietMoment(): void;
}

/**
 * The conversation side of the provider (the session owns the conversation; transports own bytes): responses
 * and their audio, our response.create queue, tool calls, the transcript, caller turns, and the barge-in
 * procedure. It survives reconnects and renewals; server events of the current session are fed to handle().
 */
export class RealtimeConversation {
  readonly #host: ConversationHost;
  readonly #ledger: ResponseLedger;
  readonly #tools = new ToolCallLedger();
  readonly #transcript = new ConversationTranscript();
  readonly #requests = new ResponseRequests();
  readonly #turns = new TurnTracker();
  readonly #sayWaiters = new Map<string, () => void>();
  /** System notes (tool results, notify) that could not be sent (no socket); delivered on the next session. */
  readonly #undelivered: string[] = [];
  #refSeq = 0;

  constructor(host: ConversationHost, bytesPerMs: number) {
    this.#host = host;
    this.#ledger = new ResponseLedger(bytesPerMs);
  }

  transcript(): readonly TranscriptEntry[] {
    return this.#transcript.entries();
  }

  /** No response active or requested, caller not speaking: a session can be switched without cutting anything. */
  isQuiet(): boolean {
    return !this.#turns.speaking && !this.#requests.hasInflight && this.#ledger.active(this.#host.generation()) === undefined;
  }

  /** Queues a verbatim response (greeting or say); returns its ref. */
  speak(kind: 'greeting' | 'say', text: string): string {
    const ref = `${kind}_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.verbatimResponse(this.#host.apiVersion, text, kind, ref), kind, ref });
    this.pump();
    return ref;
  }

  /** Resolves `finish` when the response of `ref` is done (or the conversation ends). */
  onDone(ref: string, finish: () => void): void {
    this.#sayWaiters.set(ref, finish);
  }

  forget(ref: string): void {
    this.#sayWaiters.delete(ref);
  }

  notify(text: string): void {
    this.#sendNote(text);
    const ref = `notify_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.followupResponse('notify', ref), kind: 'notify', ref });
    this.pump();
  }

  sendToolResult(result: ToolCallResult): void {
    const call = this.#tools.result(result.callId);
    if (!call) {
      this.#host.logger().warn({ callId: result.callId }, 'tool result for an unknown or already answered call; dropped');
      return;
    }
    // A call of a previous session no longer exists server-side: its result goes in as a system note.
    if (call.generation !== this.#host.generation() || !this.#host.send(client.functionCallOutput(call.callId, result.output))) {
      this.#sendNote(`Result of the ${call.name} tool call: ${result.output}`);
    }
    this.#maybeFollowup(call.responseId);
  }

  /**
   * Barge-in, the one procedure: drop late audio of the interrupted responses, cancel the active one unless the
   * server does so itself (interrupt_response and it heard the speech), and make each item match what the caller
   * heard: truncate at min(played, received) ms, or delete when nothing was heard.
   */
  interrupt(played: PlayedItem[]): void {
    const host = this.#host;
    const generation = host.generation();
    const active = this.#ledger.active(generation);
    const serverCancels = host.interruptResponse && active !== undefined && this.#turns.speechSeq > active.speechSeqAtCreate;
    for (const p of played) this.#ledger.discard(p.responseId);
    if (active && !serverCancels && played.some((p) => p.responseId === active.id) && host.send(client.cancelResponse(active.id))) host.stats.cancels++;
    for (const p of played) {
      const item = this.#ledger.item(p.itemId);
      if (!item) {
        host.logger().warn({ itemId: p.itemId }, 'interrupt names an item we never received audio for; skipped');
        continue;
      }
      const receivedMs = this.#ledger.msReceived(p.itemId);
      const heardMs = Math.max(0, Math.floor(Math.min(p.playedMs, receivedMs)));
      item.heardMs = heardMs;
      const entry = this.#transcript.find(p.itemId);
      if (entry && !entry.truncated) host.emit('transcript', this.#transcript.put({ ...entry, text: heardText(entry.text, heardMs, receivedMs), truncated: true }));
      // Items of a previous session no longer exist server-side; the re-seed already carries the cut text.
      if (item.generation !== generation) continue;
      if (heardMs === 0) {
        if (host.send(client.deleteItem(p.itemId))) host.stats.deletes++;
      } else if (host.send(client.truncateItem(p.itemId, heardMs))) {
        host.stats.truncates++;
      }
    }
  }

  /** Sends the next queued response.create when no response is active. */
  pump(): void {
    if (this.#ledger.active(this.#host.generation())) return;
    const next = this.#requests.take();
    if (!next) return;
    const eventId = this.#host.send(next.event);
    if (eventId) this.#requests.sent(eventId, next);
    else this.#requests.enqueue(next);
  }

  /** The current session is going away: its unfinished responses are reported incomplete so nothing waits forever. */
  abandonSession(): void {
    const generation = this.#host.generation();
    this.#requests.requeueInflight();
    this.#turns.reset();
    for (const rec of this.#ledger.unfinished(generation)) {
      this.#ledger.finish(rec.id, 'incomplete', generation, Date.now());
      this.#ledger.discard(rec.id);
      this.#tools.responseDone(rec.id, true);
      this.#emitResponseDone(rec);
    }
  }

  /** What a fresh session needs before it takes over: the history as text, then notes that could not be sent. */
  seedEvents(): client.ClientEvent[] {
    const seed = client.seedItems(this.#host.apiVersion, this.#transcript.entries(), SEED_MAX_CHARS);
    return [...seed, ...this.#undelivered.splice(0).map((note) => client.systemMessage(note))];
  }

  /** The provider is gone: release every waiter. */
  end(): void {
    for (const ref of this.#requests.clear()) this.#sayWaiters.get(ref)?.();
    for (const finish of [...this.#sayWaiters.values()]) finish();
  }

  /** `receivedAt`: when the message arrived (monoMs), passed on with its audio. */
  handle(ev: ServerEvent, receivedAt?: number): void {
    const now = Date.now();
    const host = this.#host;
    switch (ev.type) {
      case 'input_audio_buffer.speech_started':
        this.#turns.speechStarted(ev.item_id, now);
        host.emit('speechStarted', { atMs: now });
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#turns.speechStopped(now);
        host.emit('speechStopped', { atMs: now });
        return;
      case 'conversation.item.input_audio_transcription.completed': {
        const atMs = this.#turns.userTranscript(ev.item_id, now);
        const text = ev.transcript.trim();
        if (text) host.emit('transcript', this.#transcript.put({ role: 'user', text, atMs, itemId: ev.item_id }));
        return;
      }
      case 'conversation.item.input_audio_transcription.failed':
        host.logger().warn({ itemId: ev.item_id, code: ev.error?.code }, 'caller transcription failed');
        return;
      case 'response.created':
        return this.#onResponseCreated(ev, now);
      case 'response.output_audio.delta':
        return this.#onAudioDelta(ev, now, receivedAt);
      case 'response.output_audio_transcript.done':
        return this.#onAssistantText(ev.response_id, ev.item_id, ev.transcript);
      case 'response.output_text.done':
        return this.#onAssistantText(ev.response_id, ev.item_id, ev.text);
      case 'response.output_item.done':
        return this.#onOutputItemDone(ev);
      case 'response.done':
        return this.#onResponseDone(ev, now);
      case 'error':
        return this.#onServerError(ev);
      default:
        return;
    }
  }

  #sendNote(text: string): void {
    if (!this.#host.send(client.systemMessage(text))) this.#undelivered.push(text);
  }

  #maybeFollowup(responseId: string): void {
    if (!this.#tools.takeFollowup(responseId)) return;
    const ref = `tool_${++this.#refSeq}`;
    this.#requests.enqueue({ event: client.followupResponse('tool_followup', ref), kind: 'tool_followup', ref });
    this.pump();
  }

  #emitResponseDone(rec: ResponseRecord): void {
    this.#host.emit('responseDone', {
      responseId: rec.id,
      status: rec.status ?? 'incomplete',
      greeting: rec.kind === 'greeting',
      ...(rec.text !== undefined ? { text: rec.text } : {}),
      hadAudio: rec.hadAudio,
    });
    if (rec.ref) this.#sayWaiters.get(rec.ref)?.();
  }

  #onResponseCreated(ev: ServerEventOf<'response.created'>, now: number): void {
    const meta = ev.response.metadata ?? undefined;
    const ref = typeof meta?.[client.METADATA_REF] === 'string' ? (meta[client.METADATA_REF] as string) : undefined;
    // OpenAI sends `metadata: null` on responses it made itself; a server without the field gets FIFO matching.
    const ours = this.#requests.created(ref, 'metadata' in ev.response);
    const rec = this.#ledger.created(ev.response.id, ours?.kind ?? 'turn', ours?.ref, this.#host.generation(), now);
    rec.speechSeqAtCreate = this.#turns.speechSeq;
    if (!ours) rec.turn = this.#turns.pendingTurn();
  }

  #onAudioDelta(ev: ServerEventOf<'response.output_audio.delta'>, now: number, receivedAt: number | undefined): void {
    if (this.#ledger.isDiscarded(ev.response_id)) {
      this.#host.stats.discardedDeltas++;
      this.#ledger.discarded(ev.item_id, base64Bytes(ev.delta));
      return;
    }
    const audio = Buffer.from(ev.delta, 'base64');
    if (audio.length === 0) return;
    this.#ledger.audio(ev.response_id, ev.item_id, audio.length, this.#host.generation(), now);
    this.#turns.firstAudio(this.#ledger.get(ev.response_id)?.turn, now);
    this.#host.emit('audio', { audio, responseId: ev.response_id, itemId: ev.item_id, ...(receivedAt !== undefined ? { receivedAt } : {}) });
  }

  #onAssistantText(responseId: string, itemId: string, text: string): void {
    const rec = this.#ledger.get(responseId);
    if (rec) rec.text = rec.text ? `${rec.text} ${text}` : text;
    const heard = this.#ledger.item(itemId)?.heardMs;
    const cut = heard !== undefined ? heardText(text, heard, this.#ledger.msGenerated(itemId)) : text;
    if (cut.trim() === '' && heard === undefined) return;
    const atMs = rec?.firstAudioAtMs ?? rec?.createdAtMs ?? Date.now();
    this.#host.emit('transcript', this.#transcript.put({ role: 'assistant', text: cut, atMs, itemId, ...(heard !== undefined ? { truncated: true } : {}) }));
  }

  #onOutputItemDone(ev: ServerEventOf<'response.output_item.done'>): void {
    const item = ev.item;
    if (item.type !== 'function_call' || !item.call_id || !item.name) return;
    if (item.status === 'incomplete') return; // cut off mid-arguments by a cancel: nothing sensible to run
    if (!this.#tools.register(item.call_id, item.name, ev.response_id, this.#host.generation())) return;
    this.#host.stats.toolCalls++;
    this.#host.emit('toolCall', { callId: item.call_id, name: item.name, argumentsJson: item.arguments ?? '{}', responseId: ev.response_id });
  }

  #onResponseDone(ev: ServerEventOf<'response.done'>, now: number): void {
    const r = ev.response;
    const status = r.status === 'in_progress' ? 'incomplete' : r.status;
    const rec = this.#ledger.finish(r.id, status, this.#host.generation(), now);
    if (rec.text === undefined) {
      const texts = (r.output ?? []).flatMap((o) => (o.content ?? []).map((c) => c.transcript ?? c.text ?? '')).filter((t) => t !== '');
      if (texts.length > 0) rec.text = texts.join(' ');
    }
    this.#tools.responseDone(r.id, status === 'cancelled');
    if (status === 'failed') {
      // Quota and rate limits inside Realtime arrive here (PROTOCOL §10); the call cannot get its answer.
      const e = r.status_details?.error;
      const code = e?.code ?? e?.type ?? 'response_failed';
      this.#host.logger().error({ code, responseId: r.id }, `realtime response failed: ${e?.message ?? code}`);
      this.#host.emit('error', { code, message: e?.message ?? 'response failed', fatal: true });
    }
    this.#emitResponseDone(rec);
    const latency = this.#turns.takeLatency(rec.turn);
    if (latency) this.#host.emit('latency', latency);
    this.#maybeFollowup(r.id);
    this.pump();
    this.#host.quietMoment();
  }

  #onServerError(ev: ServerEventOf<'error'>): void {
    const host = this.#host;
    const code = ev.error.code ?? ev.error.type ?? 'server_error';
    const message = ev.error.message ?? code;
    if (code === 'response_cancel_not_active') {
      host.logger().debug({ code }, 'cancel arrived after the response ended (harmless)');
      return;
    }
    host.stats.serverErrors++;
    if (code === 'conversation_already_has_active_response') {
      if (this.#requests.rejected(ev.error.event_id ?? undefined)) host.logger().debug({ code }, 'response.create deferred to the next response.done');
      return;
    }
    if (code === 'session_expired') {
      host.logger().warn({ code }, 'realtime session expired');
      return; // the close that follows reconnects
    }
    const fatal = FATAL_SERVER_CODES.has(code);
    host.logger()[fatal ? 'error' : 'warn']({ code, param: ev.error.param }, `realtime server error: ${message}`);
    if (fatal) host.fail(new RealtimeError(code, message, true));
    else host.emit('error', { code, message, fatal: false });
  }
}

/** Decoded size of a base64 string, without decoding it (late deltas are only counted). */
function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - padding);
}

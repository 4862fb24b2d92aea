import type { Logger } from 'pino';
import type { OpenAIRealtimeConfig, ProfileConfig } from '../../config/schema.js';
import { toRealtimeTool } from '../../tools/toolSchemas.js';
import { TypedEmitter } from '../../util/TypedEmitter.js';
import type {
  AudioFormat,
  PlayedItem,
  ProviderEvents,
  ProviderStartOptions,
  ToolCallResult,
  TranscriptEntry,
  VoiceProvider,
} from '../VoiceProvider.js';
import * as client from './clientEvents.js';
import { connectionTarget, type ConnectionTarget } from './connectionTarget.js';
import { openSession, type OpenedSession } from './openSession.js';
import { emptyStats, type RealtimeProviderStats } from './providerStats.js';
import { RealtimeConversation } from './RealtimeConversation.js';
import { RealtimeError, retryIsPointless } from './RealtimeError.js';
import { realtimeAudioSpec, type RealtimeAudioSpec } from './realtimeAudioSpec.js';
import type { RealtimeTransport, TransportEvents } from './RealtimeTransport.js';
import { retryWithin } from './retryWithin.js';
import { buildSessionUpdate } from './sessionConfig.js';
import { SessionRenewal } from './SessionRenewal.js';

export type { RealtimeProviderStats };

/** Bound on connect + session.update at start: past this the caller has heard silence too long; the policy runs. */
const START_TIMEOUT_MS = 8_000;
/** A verbatim sentence takes seconds; never let say() hang a shutdown path. */
const SAY_TIMEOUT_MS = 30_000;

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
 * The OpenAI Realtime provider (GA shape; beta behind `api_version: beta`). This class owns the session
 * lifecycle: connect, reconnect within `reconnect_timeout_ms`, renew before `expires_at`. The conversation
 * (responses, tools, transcript, barge-in) lives in RealtimeConversation and survives session changes. It never
 * touches playout: barge-in is decided by the call session, which calls interrupt() with what the caller heard.
 */
export class OpenAIRealtimeProvider extends TypedEmitter<ProviderEvents> implements VoiceProvider {
  readonly name: string;
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;

  readonly #config: OpenAIRealtimeConfig;
  readonly #spec: RealtimeAudioSpec;
  readonly #target: ConnectionTarget;
  readonly #startTimeoutMs: number;
  readonly #stats = emptyStats();
  readonly #conversation: RealtimeConversation;
  readonly #renewal: SessionRenewal;
  #logger: Logger;
  #state: State = 'idle';
  #options: ProviderStartOptions | undefined;
  #transport: RealtimeTransport | undefined;
  #generation = 0;

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
    this.#conversation = new RealtimeConversation(
      {
        apiVersion: opts.config.api_version,
        interruptResponse: opts.config.turn_detection.interrupt_response,
        stats: this.#stats,
        generation: () => this.#generation,
        send: (event) => (this.#state === 'ready' ? this.#transport?.send(event) : undefined),
        emit: (event, ...args) => {
          this.emit(event, ...args);
        },
        logger: () => this.#logger,
        fail: (err) => this.#fail(err),
        quietMoment: () => this.#renewal.quietMoment(),
      },
      this.#spec.bytesPerMs,
    );
    this.#renewal = new SessionRenewal({
      renewBeforeMs: opts.config.session_renew_before_ms,
      isQuiet: () => this.#state === 'ready' && this.#conversation.isQuiet(),
      open: () => this.#open(`r${this.#generation + 1}`, this.#startTimeoutMs),
      switchTo: (opened: OpenedSession) => this.#switchTo(opened, 'renewal'),
      logger: () => this.#logger,
    });
  }

  stats(): RealtimeProviderStats {
    return { ...this.#stats };
  }

  /** The conversation so far as text, in spoken order (what re-seeds a new session). */
  transcript(): readonly TranscriptEntry[] {
    return this.#conversation.transcript();
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
    if (options.greeting.trim() !== '') this.#conversation.speak('greeting', options.greeting);
  }

  sendAudio(chunk: Buffer): void {
    if (this.#state !== 'ready' || !this.#transport?.send(client.appendAudio(chunk))) {
      this.#stats.audioChunksDropped++;
      return;
    }
    this.#stats.audioChunksSent++;
  }

  interrupt(played: PlayedItem[]): void {
    if (this.#state !== 'closed') this.#conversation.interrupt(played);
  }

  sendToolResult(result: ToolCallResult): void {
    if (this.#state !== 'closed') this.#conversation.sendToolResult(result);
  }

  notify(text: string): void {
    if (this.#state !== 'closed' && text.trim() !== '') this.#conversation.notify(text);
  }

  say(text: string): Promise<void> {
    if (this.#state === 'closed' || text.trim() === '') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const ref = this.#conversation.speak('say', text);
      const timer = setTimeout(() => finish(), SAY_TIMEOUT_MS);
      const finish = (): void => {
        clearTimeout(timer);
        this.#conversation.forget(ref);
        resolve();
      };
      this.#conversation.onDone(ref, finish);
    });
  }

  /** Closes for good. Does not emit `closed` (that event means the provider gave up by itself). */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#shutdown('closed by client');
  }

  #open(tag: string, timeoutMs: number): Promise<OpenedSession> {
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
      onEvent: (t, ev, receivedAt) => {
        if (t === this.#transport && this.#state !== 'closed') this.#conversation.handle(ev, receivedAt);
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
    this.#conversation.abandonSession();
    this.#generation++;
    for (const event of this.#conversation.seedEvents()) opened.transport.send(event);
    this.#install(opened);
    this.#state = 'ready';
    if (why === 'renewal') this.#stats.renewals++;
    old?.close(why === 'renewal' ? 'session renewed' : 'replaced');
    this.#conversation.pump();
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
    this.#conversation.abandonSession();
    this.emit('error', { code: 'socket_closed', message: `realtime connection lost (${reason}); reconnecting`, fatal: false });
    const outcome = await retryWithin({
      windowMs: this.#config.reconnect_timeout_ms,
      attempt: (remainingMs) => this.#open(`c${this.#generation + 1}`, remainingMs),
      wanted: () => this.#state === 'reconnecting',
      giveUp: (err) => retryIsPointless(err.code),
      onFailure: (err, attempt) => this.#logger.warn({ attempt, code: err.code }, 'realtime reconnect attempt failed'),
    });
    if (outcome.ok) {
      if (this.#state !== 'reconnecting') {
        outcome.value.transport.close('closed during reconnect');
        return;
      }
      this.#switchTo(outcome.value, 'reconnect');
      this.#logger.info({ attempts: outcome.attempts }, 'realtime reconnected; conversation re-seeded');
      return;
    }
    if (outcome.cancelled || this.#state !== 'reconnecting') return;
    const last = outcome.lastError;
    const code = last?.code === 'handshake_401' ? 'handshake_401' : 'reconnect_failed';
    this.#fail(new RealtimeError(code, `could not reconnect within ${this.#config.reconnect_timeout_ms} ms${last ? ` (${last.code})` : ''}`));
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
    this.#conversation.end();
  }
}

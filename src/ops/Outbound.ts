import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AriConnection } from '../ari/AriConnection.js';
import { AriHttpError, AriUnreachableError } from '../ari/AriRest.js';
import type { AriEvent } from '../ari/ariEvents.js';
import { outboundChannelId } from '../call/callIds.js';
import type { AppConfig } from '../config/schema.js';
import { unansweredResult, type OutboundState } from './outboundRequest.js';

/**
 * The agent calls someone: originate through ARI with a channel id of ours, register the call with the controller
 * (so its StasisStart starts a session with the requested context and variables), and follow it to a result:
 * answered, busy, no answer, failed, or (with AMD) answering machine.
 *
 * Without AMD the channel is originated straight into our Stasis app. With `outbound.amd_context` it is originated
 * into that dialplan context, which runs AMD() and enters Stasis(app) for a human only (see
 * dialplan/extensions_custom.conf); we subscribe our app to the channel so its hangup reaches us either way.
 */
export interface OutboundController {
  expectOutbound(channelId: string, vars: Record<string, string>): void;
  forgetOutbound(channelId: string): void;
}

export interface OutboundDeps {
  ari: AriConnection;
  controller: OutboundController;
  config: () => AppConfig;
  logger: Logger;
  /** Not taking calls (shutting down): refuse to place new ones. */
  isDraining?: () => boolean;
  /** Each call's final result (for metrics and records). */
  onResult?: (status: OutboundStatus) => void;
}

export interface PlaceCallRequest {
  endpoint: string;
  context: string;
  variables?: Record<string, string>;
  callerId?: string;
}

export interface OutboundStatus {
  id: string;
  context: string;
  amd: boolean;
  state: OutboundState | 'unknown';
  /** Q.850 cause when the channel ended. */
  cause?: number;
  causeText?: string;
  /** AMDSTATUS passed by the AMD dialplan as Stasis args (`amd,HUMAN`). */
  amdStatus?: string;
  createdAt: string;
  answeredAt?: string;
  endedAt?: string;
}

export type OutboundErrorCode = 'unknown_context' | 'draining' | 'ari_unavailable' | 'originate_rejected';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    /** HTTP status for POST /calls. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** Statuses kept for GET /calls/:id: recent calls only, so a busy dialer does not grow memory. */
const MAX_KEPT_STATUSES = 500;
/** AMD() analyses up to 5 s by default (totalAnalysisTime); allow it on top of the ring timeout. */
const AMD_ALLOWANCE_MS = 6_000;
/** Beyond Asterisk's own originate timeout, how long we wait for a channel's fate before calling it unknown. */
const RESULT_MARGIN_MS = 15_000;

interface Tracked {
  status: OutboundStatus;
  upSeen: boolean;
  timer: NodeJS.Timeout | undefined;
  endpoint: string;
}

export class Outbound {
  readonly #calls = new Map<string, Tracked>();
  readonly #onEvent = (e: AriEvent): void => this.#handle(e);

  constructor(private readonly deps: OutboundDeps) {
    deps.ari.on('event', this.#onEvent);
  }

  /** Originate a call into the agent. Resolves with our channel id once Asterisk accepted it (it is ringing). */
  async placeCall(req: PlaceCallRequest): Promise<{ id: string }> {
    const cfg = this.deps.config();
    if (this.deps.isDraining?.()) throw new OutboundError('draining', 'the agent is shutting down and takes no new calls', 503);
    if (!Object.hasOwn(cfg.contexts, req.context)) {
      const known = Object.keys(cfg.contexts).join(', ') || 'none';
      throw new OutboundError('unknown_context', `context '${req.context}' is not configured (known: ${known})`, 400);
    }
    if (this.deps.ari.state !== 'connected') {
      throw new OutboundError('ari_unavailable', `ARI is ${this.deps.ari.state}; cannot place calls`, 503);
    }
    const id = outboundChannelId(randomUUID());
    const amdContext = cfg.outbound.amd_context;
    const app = cfg.asterisk.app_name;
    const callerId = req.callerId ?? cfg.outbound.caller_id;
    const status: OutboundStatus = { id, context: req.context, amd: amdContext !== undefined, state: 'dialing', createdAt: new Date().toISOString() };
    const tracked: Tracked = { status, upSeen: false, timer: undefined, endpoint: req.endpoint };
    this.#remember(tracked);
    // Registered before the request: the StasisStart may arrive before the REST reply.
    this.deps.controller.expectOutbound(id, { ...req.variables, AI_CONTEXT: req.context });
    const rest = this.deps.ari.rest;
    try {
      if (amdContext === undefined) {
        await rest.originate({
          endpoint: req.endpoint,
          app,
          appArgs: 'outbound',
          channelId: id,
          timeoutS: cfg.outbound.ring_timeout_s,
          ...(callerId === undefined ? {} : { callerId }),
        });
      } else {
        await rest.request('POST', '/channels', {
          endpoint: req.endpoint,
          context: amdContext,
          extension: 's',
          priority: 1,
          channelId: id,
          timeout: cfg.outbound.ring_timeout_s,
          callerId,
        });
        // Not originated into our app: ask for its events so busy / no answer / machine hang-ups reach us.
        await rest.request('POST', `/applications/${encodeURIComponent(app)}/subscription`, { eventSource: `channel:${id}` }).catch((err: unknown) => {
          this.deps.logger.warn({ err, channel: id }, 'could not subscribe to the outbound channel; only an answer will be seen');
        });
      }
    } catch (err) {
      this.deps.controller.forgetOutbound(id);
      this.#finish(tracked, 'failed', {});
      if (err instanceof AriUnreachableError) throw new OutboundError('ari_unavailable', `ARI unreachable: ${err.message}`, 503);
      const detail = err instanceof AriHttpError ? `Asterisk refused the call (${err.status}): ${err.message}` : String(err);
      throw new OutboundError('originate_rejected', detail, err instanceof AriHttpError && err.status < 500 ? 400 : 502);
    }
    const waitMs = cfg.outbound.ring_timeout_s * 1000 + (status.amd ? AMD_ALLOWANCE_MS : 0) + RESULT_MARGIN_MS;
    tracked.timer = setTimeout(() => {
      if (tracked.status.state !== 'dialing') return;
      this.deps.controller.forgetOutbound(id);
      this.#finish(tracked, 'unknown', {});
    }, waitMs);
    tracked.timer.unref();
    this.deps.logger.info({ channel: id, to: req.endpoint, context: req.context, amd: status.amd }, 'outbound call placed');
    return { id };
  }

  status(id: string): OutboundStatus | undefined {
    const t = this.#calls.get(id);
    return t ? { ...t.status } : undefined;
  }

  close(): void {
    this.deps.ari.off('event', this.#onEvent);
    for (const t of this.#calls.values()) clearTimeout(t.timer);
  }

  #handle(e: AriEvent): void {
    if (e.type !== 'StasisStart' && e.type !== 'ChannelStateChange' && e.type !== 'ChannelDestroyed') return;
    const t = this.#calls.get(e.channel.id);
    if (!t) return;
    if (e.type === 'ChannelStateChange') {
      if (e.channel.state === 'Up') t.upSeen = true;
      return;
    }
    if (e.type === 'StasisStart') {
      if (t.status.state !== 'dialing') return;
      t.upSeen = true;
      if (e.args[0] === 'amd' && e.args[1]) t.status.amdStatus = e.args[1];
      t.status.answeredAt = new Date().toISOString();
      this.#finish(t, 'answered', {});
      return;
    }
    // ChannelDestroyed
    const cause = { cause: e.cause, causeText: e.cause_txt };
    if (t.status.state === 'answered') {
      t.status.endedAt = new Date().toISOString();
      Object.assign(t.status, cause);
      return;
    }
    if (t.status.state !== 'dialing') return;
    this.deps.controller.forgetOutbound(t.status.id);
    this.#finish(t, unansweredResult(e.cause, t.upSeen, t.status.amd), cause);
  }

  #finish(t: Tracked, state: OutboundStatus['state'], extra: Pick<OutboundStatus, 'cause' | 'causeText'>): void {
    clearTimeout(t.timer);
    t.timer = undefined;
    Object.assign(t.status, extra, { state });
    if (state !== 'answered') t.status.endedAt = new Date().toISOString();
    const log = state === 'answered' ? 'outbound call answered' : 'outbound call not answered';
    this.deps.logger.info(
      { channel: t.status.id, to: t.endpoint, context: t.status.context, result: state, cause: t.status.cause, amd_status: t.status.amdStatus },
      log,
    );
    try {
      this.deps.onResult?.({ ...t.status });
    } catch {
      // A recorder bug must not break call tracking.
    }
  }

  #remember(t: Tracked): void {
    this.#calls.set(t.status.id, t);
    if (this.#calls.size <= MAX_KEPT_STATUSES) return;
    for (const [id, old] of this.#calls) {
      if (this.#calls.size <= MAX_KEPT_STATUSES) break;
      if (old.status.state === 'dialing') continue;
      this.#calls.delete(id);
    }
  }
}

import type { Logger } from 'pino';
import type { AriConnection } from '../ari/AriConnection.js';
import type { AriChannel, AriEvent, AriEventOf } from '../ari/ariEvents.js';
import { isAriStatus } from '../ari/AriRest.js';
import type { AppConfig } from '../config/schema.js';
import type { MediaHost } from '../media/MediaChannel.js';
import type { ToolRegistry } from '../tools/ToolRegistry.js';
import { callIdOf, ownedKind } from './callIds.js';
import type { CallObserver } from './CallObserver.js';
import { CallSession } from './CallSession.js';
import { reconcile, type ReconcileReport } from './reconcile.js';

/**
 * Routes ARI events to call sessions. Holds only the map of sessions; everything per call lives in CallSession.
 * Every StasisStart is classified: our ExternalMedia leg, our transfer leg, an outbound call we placed, or a caller.
 * Our objects carry ids we chose (see callIds), so no ordering between REST replies and events matters.
 */
export interface CallControllerDeps {
  ari: AriConnection;
  /** Current config; a reload changes it for new calls only (a session keeps the one it started with). */
  config: () => AppConfig;
  tools: () => ToolRegistry;
  media: MediaHost;
  observer: CallObserver;
  logger: Logger;
}

export class CallController {
  readonly sessions = new Map<string, CallSession>();
  /** Outbound calls we placed: variables for their session when they answer. */
  readonly #pendingOutbound = new Map<string, Record<string, string>>();
  #draining = false;
  readonly stats = { callsStarted: 0, callsRejectedDraining: 0, orphansCleaned: 0, unknownEvents: 0 };

  constructor(private readonly deps: CallControllerDeps) {
    deps.ari.on('event', (e) => this.#onEvent(e));
    deps.ari.on('connected', ({ reconnect }) => void this.reconcileNow(reconnect));
  }

  get activeCalls(): number {
    return this.sessions.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Stop taking new calls: they go back to the dialplan (where the STASISSTATUS fallback runs). */
  startDraining(): void {
    this.#draining = true;
  }

  /** Register an outbound call we are about to originate (its StasisStart then starts a session with these vars). */
  expectOutbound(channelId: string, vars: Record<string, string>): void {
    this.#pendingOutbound.set(channelId, vars);
  }

  forgetOutbound(channelId: string): void {
    this.#pendingOutbound.delete(channelId);
  }

  async endAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.end(reason)));
  }

  async reconcileNow(reconnect: boolean): Promise<ReconcileReport | undefined> {
    const cfg = this.deps.config();
    try {
      const report = await reconcile({
        rest: this.deps.ari.rest,
        app: cfg.asterisk.app_name,
        isLive: (id) => this.sessions.has(id),
        runningCallIds: [...this.sessions.keys()],
        endLostCall: (id) => this.sessions.get(id)?.onCallerStasisEnd(),
        failurePolicy: cfg.on_provider_failure,
        failureTarget: (policy) => this.#failureTarget(cfg, policy),
        logger: this.deps.logger,
      });
      const cleaned = report.deletedChannels.length + report.deletedBridges.length + report.endedCallers.length + report.lostCalls.length;
      this.stats.orphansCleaned += cleaned;
      if (reconnect || cleaned > 0) {
        this.deps.logger.info({ ...report, reconnect }, 'reconciled with Asterisk');
      }
      return report;
    } catch (err) {
      this.deps.logger.warn({ err }, 'reconciliation failed; will retry on next connect');
      return undefined;
    }
  }

  #failureTarget(cfg: AppConfig, policy: AppConfig['on_provider_failure']): { context: string; extension: string; priority: number } | undefined {
    if (policy.action === 'transfer' && policy.destination) {
      const d = cfg.tools.transfer.destinations[policy.destination];
      if (!d) return undefined;
      const ctx = d.context ?? (d.type === 'queue' ? 'ext-queues' : d.type === 'ringgroup' ? 'ext-group' : 'from-internal');
      return { context: ctx, extension: d.target, priority: 1 };
    }
    const vm = cfg.tools.leave_voicemail;
    if (policy.action === 'voicemail' && vm.mailbox) return { context: vm.context, extension: `${vm.prefix}${vm.mailbox}`, priority: 1 };
    return undefined;
  }

  #onEvent(e: AriEvent): void {
    switch (e.type) {
      case 'StasisStart':
        this.#onStasisStart(e);
        return;
      case 'StasisEnd':
        this.#onStasisEnd(e.channel);
        return;
      case 'ChannelDestroyed':
        this.#onChannelGone(e.channel, e.cause);
        return;
      case 'PlaybackFinished':
        this.#sessionFor(e.playback.id)?.onPlaybackFinished(e.playback.id);
        return;
      case 'ChannelHangupRequest':
        return;
      default:
        return;
    }
  }

  #sessionFor(ownedId: string): CallSession | undefined {
    const callId = callIdOf(ownedId);
    return callId === undefined ? undefined : this.sessions.get(callId);
  }

  #onStasisStart(e: AriEventOf<'StasisStart'>): void {
    const ch = e.channel;
    const kind = ownedKind(ch.id);
    if (kind === 'media') {
      const s = this.#sessionFor(ch.id);
      if (s) s.onMediaStasisStart();
      else void this.#deleteOrphan(ch.id, 'media channel without a call');
      return;
    }
    if (kind === 'transfer') {
      const s = this.#sessionFor(ch.id);
      if (s) void s.control.onLegAnswered(ch.id);
      else void this.#deleteOrphan(ch.id, 'transfer leg without a call');
      return;
    }
    if (kind === 'outbound') {
      const vars = this.#pendingOutbound.get(ch.id);
      this.#pendingOutbound.delete(ch.id);
      if (!vars) {
        void this.#deleteOrphan(ch.id, 'outbound call we no longer know');
        return;
      }
      this.#startSession(ch, vars);
      return;
    }
    if (ch.name.startsWith('UnicastRTP/') || ch.name.startsWith('Snoop/')) {
      // Someone else's media channel in our app (another agent instance on the same app name): not ours to touch.
      this.deps.logger.warn({ channel: ch.name }, 'StasisStart for a media channel we did not create; ignored');
      return;
    }
    this.#startSession(ch, undefined);
  }

  #startSession(ch: AriChannel, extraVars: Record<string, string> | undefined): void {
    if (this.sessions.has(ch.id)) return;
    const cfg = this.deps.config();
    if (this.#draining) {
      this.stats.callsRejectedDraining++;
      // Shutting down: hand the caller back to the dialplan right away (next priority), where the fallback runs.
      void this.deps.ari.rest
        .continueInDialplan(ch.id, {
          context: ch.dialplan?.context ?? '',
          extension: ch.dialplan?.exten ?? '',
          priority: (ch.dialplan?.priority ?? 0) + 1,
        })
        .catch(() => this.deps.ari.rest.hangup(ch.id).catch(() => undefined));
      return;
    }
    const session = new CallSession(ch, {
      rest: this.deps.ari.rest,
      app: cfg.asterisk.app_name,
      config: cfg,
      media: this.deps.media,
      tools: this.deps.tools(),
      observer: this.deps.observer,
      onEnded: (s) => {
        if (this.sessions.get(s.callId) === s) this.sessions.delete(s.callId);
      },
      logger: this.deps.logger,
      extraVars,
    });
    this.sessions.set(ch.id, session);
    this.stats.callsStarted++;
    void session.start();
  }

  #onStasisEnd(ch: AriChannel): void {
    const s = this.sessions.get(ch.id);
    if (s) {
      s.onCallerStasisEnd();
      return;
    }
    const kind = ownedKind(ch.id);
    if (kind === 'media') this.#sessionFor(ch.id)?.onMediaGone();
    if (kind === 'transfer') {
      const owner = this.#sessionFor(ch.id);
      if (owner) void owner.control.onLegGone(ch.id, 16);
    }
  }

  #onChannelGone(ch: AriChannel, cause: number): void {
    const kind = ownedKind(ch.id);
    if (kind === 'transfer') {
      const owner = this.#sessionFor(ch.id);
      if (owner) void owner.control.onLegGone(ch.id, cause);
    } else if (kind === 'outbound') {
      this.#pendingOutbound.delete(ch.id);
    }
  }

  async #deleteOrphan(channelId: string, why: string): Promise<void> {
    this.stats.orphansCleaned++;
    this.deps.logger.info({ channel: channelId, why }, 'deleting orphaned channel');
    await this.deps.ari.rest.hangup(channelId).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) this.deps.logger.warn({ err }, 'orphan delete failed');
    });
  }
}

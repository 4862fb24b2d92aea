import type { MediaHost } from '../media/MediaChannel.js';
import type { Logger } from 'pino';
import type { AriConnection } from '../ari/AriConnection.js';
import type { CallController } from '../call/CallController.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import type { AppConfig } from '../config/schema.js';
import { CounterDeltas } from './CounterDeltas.js';
import { healthReport, packageVersion, readiness, type HealthReport, type Readiness } from './health.js';
import { HttpServer } from './HttpServer.js';
import { Metrics, type OutboundResultLabel } from './Metrics.js';
import { MetricsObserver } from './MetricsObserver.js';
import { Outbound, type OutboundStatus, type PlaceCallRequest } from './Outbound.js';
import { reloadConfig, type ReloadResult } from './reloadConfig.js';
import { gracefulShutdown, type ShutdownReport } from './shutdown.js';

/**
 * Everything operations adds to a running agent: metrics (and the observer feeding them), the HTTP listener,
 * reload, outbound calls and graceful shutdown. Created before the agent (its observer must be in the agent's
 * list), attached once the agent exists.
 */
export interface OpsAgent {
  readonly controller: CallController;
  readonly ari: AriConnection;
  /** Where RTP runs; its counters are refreshed before each scrape. */
  readonly media?: Pick<MediaHost, 'refreshStats'>;
  config(): AppConfig;
  applyConfig(next: AppConfig): void;
  stop(reason: string): Promise<void>;
}

export interface AgentOpsOptions {
  logger: Logger;
  configPath?: string | undefined;
  /** Loader used by reload (default: loadConfig with configPath). */
  load?: () => Promise<LoadedConfig>;
  /** Node process metrics in /metrics (default on). */
  processMetrics?: boolean;
}

export class AgentOps {
  readonly metrics: Metrics;
  readonly observer: MetricsObserver;
  readonly startedAtMs = Date.now();
  #agent: OpsAgent | undefined;
  #outbound: Outbound | undefined;
  #http: HttpServer | undefined;
  #draining = false;
  readonly #controllerDeltas = new CounterDeltas<object>();
  readonly #outboundListeners: Array<(s: OutboundStatus) => void> = [];
  readonly #flushers: Array<() => Promise<void>> = [];

  constructor(private readonly opts: AgentOpsOptions) {
    this.metrics = new Metrics({ processMetrics: opts.processMetrics ?? true });
    this.observer = new MetricsObserver(this.metrics);
  }

  /** Wire to the running agent; starts the HTTP listener when `http.enabled`. */
  async attach(agent: OpsAgent): Promise<void> {
    this.#agent = agent;
    const { logger } = this.opts;
    if (agent.media) {
      const media = agent.media;
      this.metrics.beforeScrape(() => media.refreshStats(), { first: true });
    }
    this.metrics.beforeScrape(() => {
      this.metrics.ariConnected.set(agent.ari.state === 'connected' ? 1 : 0);
      const d = this.#controllerDeltas.sample(agent.controller, { rejected: agent.controller.stats.callsRejectedDraining });
      if (d.rejected) this.metrics.callsRejectedDraining.inc(d.rejected);
    });
    this.#outbound = new Outbound({
      ari: agent.ari,
      controller: agent.controller,
      config: () => agent.config(),
      logger: logger.child({ component: 'outbound' }),
      isDraining: () => this.#draining,
      onResult: (s) => {
        this.metrics.recordOutbound(s.state as OutboundResultLabel);
        for (const l of this.#outboundListeners) l(s);
      },
    });
    const cfg = agent.config();
    if (cfg.http.enabled) {
      this.#http = await HttpServer.start({
        host: cfg.http.host,
        port: cfg.http.port,
        apiToken: () => agent.config().http.api_token,
        ready: () => this.ready(),
        health: () => this.health(),
        metrics: this.metrics,
        reload: () => this.reload(),
        placeCall: (req) => this.placeCall(req),
        callStatus: (id) => this.#outbound?.status(id),
        logger: logger.child({ component: 'http' }),
      });
    }
  }

  get http(): HttpServer | undefined {
    return this.#http;
  }

  get draining(): boolean {
    return this.#draining;
  }

  ready(): Readiness {
    const agent = this.#agent;
    if (!agent) return { ready: false, reason: 'starting' };
    return readiness({ ariState: agent.ari.state, configLoaded: true, draining: this.#draining });
  }

  health(): HealthReport {
    const agent = this.#requireAgent();
    const now = Date.now();
    return healthReport({
      ariState: agent.ari.state,
      configLoaded: true,
      draining: this.#draining,
      config: agent.config(),
      activeCalls: agent.controller.activeCalls,
      recentErrors: this.observer.recentErrors.summary(now),
      version: packageVersion(),
      startedAtMs: this.startedAtMs,
      nowMs: now,
      ariReconnects: agent.ari.stats.reconnects,
    });
  }

  /** SIGHUP / POST /reload. */
  reload(): Promise<ReloadResult> {
    return reloadConfig({
      agent: this.#requireAgent(),
      configPath: this.opts.configPath,
      ...(this.opts.load ? { load: this.opts.load } : {}),
      logger: this.opts.logger,
      onResult: (ok) => this.metrics.configReloads.inc({ result: ok ? 'ok' : 'rejected' }),
    });
  }

  placeCall(req: PlaceCallRequest): Promise<{ id: string }> {
    if (!this.#outbound) throw new Error('AgentOps.placeCall before attach');
    return this.#outbound.placeCall(req);
  }

  outboundStatus(id: string): OutboundStatus | undefined {
    return this.#outbound?.status(id);
  }

  /** Call records: be told each outbound call's result (answered ones also get a normal call record). */
  onOutboundResult(listener: (s: OutboundStatus) => void): void {
    this.#outboundListeners.push(listener);
  }

  /** Call records, the email spool: what must be written out at shutdown, after the last call ended. */
  addFlusher(flush: () => Promise<void>): void {
    this.#flushers.push(flush);
  }

  /**
   * SIGTERM/SIGINT: drain (config `shutdown.drain_timeout_s` unless given), end the rest, run the registered
   * flushers then `flushers`, stop the agent.
   */
  shutdown(o: { flushers?: Array<() => Promise<void>>; drainTimeoutMs?: number; reason?: string } = {}): Promise<ShutdownReport> {
    const agent = this.#requireAgent();
    return gracefulShutdown(agent, {
      drainTimeoutMs: o.drainTimeoutMs ?? agent.config().shutdown.drain_timeout_s * 1000,
      logger: this.opts.logger,
      flushers: [...this.#flushers, ...(o.flushers ?? [])],
      ...(o.reason ? { reason: o.reason } : {}),
      onDraining: () => {
        this.#draining = true;
      },
    });
  }

  /** Release the listener and event subscriptions (agent.stop calls this). */
  async close(): Promise<void> {
    this.#draining = true;
    this.#outbound?.close();
    await this.#http?.close();
    this.#http = undefined;
  }

  #requireAgent(): OpsAgent {
    if (!this.#agent) throw new Error('AgentOps used before attach');
    return this.#agent;
  }
}

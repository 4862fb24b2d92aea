import type { Logger } from 'pino';
import WebSocket from 'ws';
import { createRequire } from 'node:module';
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { AsteriskConfig } from '../config/schema.js';
import { parseAriEvent, type AriEvent } from './ariEvents.js';
import { AriHttpError, AriRest } from './AriRest.js';
import { probeAri } from './preflight.js';

/**
 * Supervised connection to Asterisk ARI: pre-flight, API discovery, the events websocket, reconnect forever with
 * capped backoff, and a liveness ping. The agent may start before Asterisk; state changes are logged once, not
 * per retry.
 *
 * `ari-client` does the API discovery (it loads the server's swagger and tells us whether the operations we need
 * exist). We do not use its websocket: its message handler throws on malformed JSON or an event type missing from
 * the swagger (an uncaught exception in our process) and its reconnect gives up after a few tries. Events are read
 * here, validated with zod and dispatched from one place.
 */
export type AriState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export type AriConnectionEvents = {
  state: [{ state: AriState; reason?: string }];
  /** The events socket is open and the app registered; `reconnect` is true after a drop (reconcile then). */
  connected: [{ reconnect: boolean }];
  event: [AriEvent];
};

/** Ping interval: Asterisk answers pings at once; 2 missed pings (≈10 s) is a dead socket. */
const PING_INTERVAL_MS = 5_000;

const require = createRequire(import.meta.url);

export class AriConnection extends TypedEmitter<AriConnectionEvents> {
  readonly rest: AriRest;
  #state: AriState = 'disconnected';
  #ws: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #awaitingPong = 0;
  #attempt = 0;
  #everConnected = false;
  #lastFailure = '';
  #stopped = false;
  #discovered = false;
  readonly stats = { eventsReceived: 0, eventsMalformed: 0, eventsInvalid: 0, eventsIgnored: 0, reconnects: 0 };

  constructor(
    readonly config: AsteriskConfig,
    private readonly logger: Logger,
  ) {
    super();
    this.rest = new AriRest({
      ariUrl: config.ari_url,
      username: config.username,
      password: config.password,
      timeoutMs: config.request_timeout_ms,
    });
  }

  get state(): AriState {
    return this.#state;
  }

  /** Start supervising. Returns at once; `connected` fires when the app is registered. */
  start(): void {
    this.#stopped = false;
    void this.#connectOnce();
  }

  /** Resolves at the first `connected`, or rejects after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new Error(`ARI not connected after ${timeoutMs} ms (${this.#lastFailure || 'no answer'})`));
      }, timeoutMs);
      const onConnected = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    this.#dropSocket();
    this.#setState('stopped');
  }

  async #connectOnce(): Promise<void> {
    if (this.#stopped) return;
    this.#setState('connecting');
    try {
      // The same pre-flight as `ai-agent doctor`: refused / DNS / timeout / 401 / 404 each say what to fix.
      const probe = await probeAri(this.config, { timeoutMs: this.config.request_timeout_ms });
      if (!probe.ok) throw new Error(`${probe.message} (${probe.hint})`);
      if (!this.#discovered) await this.#discoverApi();
      await this.#openEvents();
    } catch (err) {
      this.#fail(describeFailure(err));
    }
  }

  /** Ask ari-client to load the swagger and check the operations the call path needs are there. */
  async #discoverApi(): Promise<void> {
    const ari = require('ari-client') as { connect(url: string, user: string, pass: string): Promise<AriClientLike> };
    const client = await ari.connect(this.config.ari_url, this.config.username, this.config.password);
    const channels = client.channels as Record<string, unknown> | undefined;
    if (typeof channels?.externalMedia !== 'function') {
      throw new Error('this Asterisk has no channels/externalMedia operation (Asterisk 16.6+ is needed)');
    }
    this.#discovered = true;
  }

  #openEvents(): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(`${this.config.ari_url.replace(/\/+$/, '')}/ari/events`);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('app', this.config.app_name);
      url.searchParams.set('api_key', `${this.config.username}:${this.config.password}`);
      url.searchParams.set('subscribeAll', 'false');
      const ws = new WebSocket(url, { handshakeTimeout: this.config.request_timeout_ms });
      this.#ws = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        const reconnect = this.#everConnected;
        this.#everConnected = true;
        this.#attempt = 0;
        if (reconnect) this.stats.reconnects++;
        this.#startPing(ws);
        this.#setState('connected');
        this.emit('connected', { reconnect });
        resolve();
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        this.#onMessage(data.toString());
      });
      ws.on('pong', () => {
        this.#awaitingPong = 0;
      });
      ws.on('unexpected-response', (_req, res) => {
        reject(new AriHttpError(res.statusCode ?? 0, 'GET', '/events', res.statusMessage ?? ''));
        ws.terminate();
      });
      ws.on('error', (err) => {
        if (!opened) reject(err);
      });
      ws.on('close', () => {
        if (this.#ws !== ws) return;
        clearInterval(this.#pingTimer);
        this.#ws = undefined;
        if (opened) this.#fail('events websocket closed');
      });
    });
  }

  #onMessage(text: string): void {
    const parsed = parseAriEvent(text);
    if (!parsed.ok) {
      if (parsed.reason === 'ignored') this.stats.eventsIgnored++;
      else if (parsed.reason === 'malformed_json') this.stats.eventsMalformed++;
      else {
        this.stats.eventsInvalid++;
        this.logger.debug({ type: parsed.type }, 'ARI event failed validation; dropped');
      }
      return;
    }
    this.stats.eventsReceived++;
    try {
      this.emit('event', parsed.event);
    } catch (err) {
      // A bug in one handler must not take the event stream down with it.
      this.logger.error({ err, type: parsed.event.type }, 'ARI event handler threw');
    }
  }

  #startPing(ws: WebSocket): void {
    clearInterval(this.#pingTimer);
    this.#awaitingPong = 0;
    this.#pingTimer = setInterval(() => {
      if (this.#awaitingPong >= 2) {
        this.logger.warn('ARI events websocket stopped answering pings; reconnecting');
        ws.terminate();
        return;
      }
      this.#awaitingPong++;
      try {
        ws.ping();
      } catch {
        /* close handler reconnects */
      }
    }, PING_INTERVAL_MS);
    this.#pingTimer.unref();
  }

  #fail(reason: string): void {
    if (this.#stopped) return;
    this.#dropSocket();
    clearInterval(this.#pingTimer);
    if (reason !== this.#lastFailure || this.#state === 'connected') {
      this.logger.warn({ reason }, 'ARI unavailable; retrying in the background');
    }
    this.#lastFailure = reason;
    this.#setState('disconnected', reason);
    const delay = Math.min(this.config.reconnect_max_ms, this.config.reconnect_initial_ms * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 20);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connectOnce(), delay);
  }

  /** Close the events socket without letting its late close/error events reach the supervisor. */
  #dropSocket(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    if (!ws) return;
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
  }

  #setState(state: AriState, reason?: string): void {
    if (state === this.#state) return;
    const from = this.#state;
    this.#state = state;
    if (state === 'connected') this.logger.info({ from, app: this.config.app_name }, 'ARI connected');
    this.emit('state', { state, ...(reason === undefined ? {} : { reason }) });
  }
}

interface AriClientLike {
  channels?: unknown;
}

/** Why the events websocket could not be opened (the REST pre-flight explains its own failures). */
export function describeFailure(err: unknown): string {
  if (err instanceof AriHttpError) {
    if (err.status === 401) return 'ARI rejected the credentials on the events websocket (401): check asterisk.username/password against ari.conf';
    if (err.status === 404) return 'ARI events websocket answered 404: check asterisk.ari_url (http.conf prefix, no trailing /ari)';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

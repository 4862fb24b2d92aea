import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { FakeRealtimeConnection, type ConnectionHost, type ScriptContext, type ScriptFn } from './realtime/FakeRealtimeConnection.js';
import type { ScriptedResponse } from './realtime/ResponsePlayer.js';

export type { ScriptContext, ScriptFn, ScriptedResponse };
export { FakeRealtimeConnection };

export interface FakeRealtimeServerOptions {
  apiKey: string;
  /** 'ga' (default): OpenAI today; a client sending `OpenAI-Beta` is closed with 4000. 'beta': an old compatible server. */
  mode?: 'ga' | 'beta';
  /** Session lifetime (expires_at = connect + this); default 60 min as on GA. */
  sessionDurationMs?: number;
  /** Pause between audio deltas; default 1 ms (much faster than real time). */
  deltaIntervalMs?: number;
}

/**
 * A faithful fake of the OpenAI Realtime WebSocket API (PROTOCOL.md §12) on 127.0.0.1, for tests: real `ws`
 * server, auth at upgrade, `session.created` first, strict `session.update` validation, server-VAD emulation on
 * received audio, scripted responses with random-size audio deltas faster than real time, function calls,
 * cancel/truncate validation, errors, drops and session expiry. Every client event is recorded per connection.
 */
export class FakeRealtimeServer implements ConnectionHost {
  readonly connections: FakeRealtimeConnection[] = [];
  readonly mode: 'ga' | 'beta';
  /** Every response fails with `insufficient_quota` (response.done status failed). */
  quotaExceeded = false;
  /** 'text-only': responses come as output_text without audio (the known API bug). */
  responseMode: 'audio' | 'text-only' = 'audio';
  deltaIntervalMs: number;
  sessionDurationMs: number;
  /** Handshakes refused so far (status per attempt), for assertions. */
  readonly refusedHandshakes: number[] = [];
  #url = '';
  #apiKey: string;
  #http: Server;
  #wss: WebSocketServer;
  #script: ScriptFn | undefined;
  #failHandshakes: Array<{ status: number; remaining: number }> = [];
  #userTranscripts: string[] = [];

  private constructor(opts: FakeRealtimeServerOptions) {
    this.#apiKey = opts.apiKey;
    this.mode = opts.mode ?? 'ga';
    this.sessionDurationMs = opts.sessionDurationMs ?? 60 * 60_000;
    this.deltaIntervalMs = opts.deltaIntervalMs ?? 1;
    this.#wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
    });
    this.#http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    this.#http.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
  }

  static async start(opts: FakeRealtimeServerOptions): Promise<FakeRealtimeServer> {
    const server = new FakeRealtimeServer(opts);
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve));
    const { port } = server.#http.address() as AddressInfo;
    server.#url = `ws://127.0.0.1:${port}/v1`;
    return server;
  }

  /** Use as `base_url`. */
  get url(): string {
    return this.#url;
  }

  /** Connections still open. */
  get live(): FakeRealtimeConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  get last(): FakeRealtimeConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** Decide each response: called per VAD turn and per `response.create`. */
  script(fn: ScriptFn): void {
    this.#script = fn;
  }

  /** Transcripts for the next caller turns (input transcription), in order; default "hello". */
  userSays(...texts: string[]): void {
    this.#userTranscripts.push(...texts);
  }

  /** Refuse the next `times` upgrades with this HTTP status (401, 500, …). */
  failNextHandshake(status: number, times = 1): void {
    this.#failHandshakes.push({ status, remaining: times });
  }

  /** Cut every live socket abruptly (no close frame), as a network drop would. */
  dropAll(): void {
    for (const c of this.live) c.terminate();
  }

  /** Send an `error` event to every live connection. */
  sendError(code: string, opts: { message?: string; type?: string; param?: string } = {}): void {
    for (const c of this.live) c.sendError(code, opts.message ?? code, opts.param ?? null, null, opts.type ?? 'invalid_request_error');
  }

  /** Send a raw text frame (malformed JSON, unknown events) to every live connection. */
  sendRaw(text: string): void {
    for (const c of this.live) c.sendRaw(text);
  }

  /** Every live session hits its maximum duration now: `session_expired`, then close 1001. */
  expireSessions(): void {
    for (const c of this.live) c.expire();
  }

  /** Let stalled responses (`stallAfterMs`) finish. */
  releaseStalled(): void {
    for (const c of this.live) c.active?.release();
  }

  /** All client events of a type across connections, in connection order. */
  receivedOf(type: string): Array<Record<string, unknown>> {
    return this.connections.flatMap((c) => c.receivedOf(type));
  }

  /** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`FakeRealtimeServer: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    for (const c of this.live) c.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  // ConnectionHost
  scriptFor(ctx: ScriptContext): ScriptedResponse {
    const scripted = this.#script?.(ctx);
    if (scripted) return scripted;
    if (ctx.verbatim !== undefined) return { text: ctx.verbatim };
    return { text: 'Okay.' };
  }

  nextUserTranscript(): string {
    return this.#userTranscripts.shift() ?? 'hello';
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refuse = (status: number, body: Record<string, unknown>): void => {
      this.refusedHandshakes.push(status);
      socket.on('error', () => undefined); // a client resetting a refused upgrade must not crash the test process
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    const forced = this.#failHandshakes[0];
    if (forced) {
      if (--forced.remaining <= 0) this.#failHandshakes.shift();
      refuse(forced.status, { error: { message: `forced ${forced.status}`, type: 'server_error', param: null, code: null } });
      return;
    }
    if (!/\/realtime$/.test(path)) {
      refuse(404, { error: { message: `Invalid URL (GET ${path})`, type: 'invalid_request_error', param: null, code: null } });
      return;
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const keyOk =
      req.headers.authorization === `Bearer ${this.#apiKey}` ||
      req.headers['api-key'] === this.#apiKey ||
      protocols.includes(`openai-insecure-api-key.${this.#apiKey}`);
    if (!keyOk) {
      refuse(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.mode === 'ga' && req.headers['openai-beta'] !== undefined) {
        ws.send(JSON.stringify({ type: 'error', event_id: 'event_beta', error: { type: 'invalid_request_error', code: 'beta_api_shape_disabled', message: 'The beta Realtime API shape has been disabled. Use the GA shape.', param: null, event_id: null } }));
        ws.close(4000, 'beta_api_shape_disabled');
        return;
      }
      const conn = new FakeRealtimeConnection({ ws, index: this.connections.length, url: req.url ?? '/', headers: req.headers, host: this });
      this.connections.push(conn);
    });
  }
}

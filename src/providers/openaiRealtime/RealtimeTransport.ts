import WebSocket from 'ws';
import type { Logger } from 'pino';
import { monoMs } from '../../util/monoMs.js';
import { TypedEmitter } from '../../util/TypedEmitter.js';
import type { ClientEvent } from './clientEvents.js';
import type { ConnectionTarget } from './connectionTarget.js';
import { RealtimeError } from './RealtimeError.js';
import { parseServerEvent, type ServerEvent } from './serverEvents.js';

export type TransportEvents = {
  /** A server event, and when its message arrived (monoMs). */
  event: [ev: ServerEvent, receivedAt: number];
  /** A frame that was malformed or of an unknown type (already counted by the listener). */
  dropped: [{ type: string; reason: string }];
  /** The socket is gone (either side). `expected` is true after our own close(). */
  closed: [{ code: number; reason: string; expected: boolean }];
};

export interface SessionCreated {
  sessionId: string | undefined;
  /** Epoch ms when the server ends the session (from `session.expires_at`), if it said. */
  expiresAtMs: number | undefined;
}

/**
 * One WebSocket, one Realtime session. Owns bytes and the connection only: no conversation state. Reconnects
 * and renewals create a new transport. Event ids are ours (`c<gen>_<n>`), so a server `error.event_id` names
 * the client event that caused it.
 */
export class RealtimeTransport extends TypedEmitter<TransportEvents> {
  #ws: WebSocket | undefined;
  #seq = 0;
  #closing = false;
  readonly #target: ConnectionTarget;
  readonly #logger: Logger;
  readonly #tag: string;

  constructor(opts: { target: ConnectionTarget; logger: Logger; tag: string }) {
    super();
    this.#target = opts.target;
    this.#logger = opts.logger;
    this.#tag = opts.tag;
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /**
   * Opens the socket and waits for `session.created`. Rejects with a RealtimeError: `handshake_<status>` for an
   * HTTP refusal (401 bad key), the server's code for an `error` before `session.created`
   * (`beta_api_shape_disabled`), `connect_timeout`, or `connect_failed`.
   */
  connect(timeoutMs: number): Promise<SessionCreated> {
    return new Promise<SessionCreated>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(this.#target.url, { headers: this.#target.headers, handshakeTimeout: timeoutMs });
      this.#ws = ws;
      const fail = (err: RealtimeError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#closing = true;
        ws.removeAllListeners('unexpected-response');
        try {
          ws.terminate();
        } catch {
          // already gone
        }
        reject(err);
      };
      const timer = setTimeout(() => fail(new RealtimeError('connect_timeout', `no session.created within ${timeoutMs} ms`)), timeoutMs);
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        fail(new RealtimeError(`handshake_${status}`, status === 401 ? 'the Realtime API refused the key (HTTP 401)' : `the Realtime API refused the connection (HTTP ${status})`));
      });
      ws.on('error', (err) => {
        if (!settled) fail(new RealtimeError('connect_failed', `cannot connect: ${err.message}`));
        else this.#logger.warn({ err: err.message, conn: this.#tag }, 'realtime socket error');
      });
      ws.on('close', (code, reasonBuf) => {
        const reason = reasonBuf.toString();
        if (!settled) {
          fail(new RealtimeError('connect_failed', `socket closed before session.created (${code} ${reason})`));
          return;
        }
        this.emit('closed', { code, reason, expected: this.#closing });
      });
      ws.on('message', (data, isBinary) => {
        const receivedAt = monoMs();
        if (isBinary) {
          this.emit('dropped', { type: '(binary)', reason: 'binary_frame' });
          return;
        }
        const parsed = parseServerEvent(data.toString());
        if (parsed.kind === 'dropped') {
          this.emit('dropped', { type: parsed.type, reason: parsed.reason });
          return;
        }
        if (parsed.kind === 'ignored') return;
        const ev = parsed.event;
        if (!settled) {
          if (ev.type === 'session.created') {
            settled = true;
            clearTimeout(timer);
            const expiresAt = ev.session.expires_at;
            resolve({ sessionId: ev.session.id ?? undefined, expiresAtMs: typeof expiresAt === 'number' && expiresAt > 0 ? expiresAt * 1000 : undefined });
            return;
          }
          if (ev.type === 'error') {
            const code = ev.error.code ?? ev.error.type ?? 'server_error';
            fail(new RealtimeError(code, ev.error.message ?? code));
            return;
          }
        }
        this.emit('event', ev, receivedAt);
      });
    });
  }

  /** Sends one client event; returns its event_id, or undefined when the socket is not open (never throws). */
  send(event: ClientEvent): string | undefined {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return undefined;
    const eventId = `${this.#tag}_${++this.#seq}`;
    try {
      ws.send(JSON.stringify({ ...event, event_id: eventId }));
    } catch (err) {
      this.#logger.warn({ err: (err as Error).message, type: event.type, conn: this.#tag }, 'realtime send failed');
      return undefined;
    }
    return eventId;
  }

  /** Closes for good (1000); idempotent. */
  close(reason = 'client closing'): void {
    this.#closing = true;
    const ws = this.#ws;
    if (!ws) return;
    try {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, reason);
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    } catch {
      // already closed
    }
  }
}

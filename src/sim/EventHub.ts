/**
 * The ARI events websocket (`GET /ari/events?app=A[,B]&subscribeAll=true`): registers Stasis apps per
 * connection, delivers events to the connection that currently owns each app (a newer connection for the same
 * app takes it over and the old one gets ApplicationReplaced, as Asterisk's app registry does), and records
 * everything published for assertions.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { AriEvent } from './ariShapes.js';
import { makeEvent } from './ariShapes.js';

interface AppConnection {
  ws: WebSocket;
  apps: string[];
  subscribeAll: boolean;
  /** Apps another connection has taken over: this one no longer gets their events. */
  replaced: Set<string>;
}

export interface LoggedEvent {
  event: AriEvent;
  /** Number of websocket connections it was written to (0: no app connected, the event is lost). */
  delivered: number;
  atMs: number;
}

export class EventHub {
  readonly log: LoggedEvent[] = [];
  readonly events: AriEvent[] = [];
  /** Apps that ever had a websocket (Asterisk keeps them registered after the socket goes). */
  readonly knownApps = new Set<string>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<AppConnection>();
  private readonly emitter = new EventEmitter();
  private readonly startedAt = Date.now();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  get openCount(): number {
    return this.conns.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, apps: string[], subscribeAll: boolean): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      for (const other of this.conns) {
        for (const app of apps) {
          if (other.apps.includes(app) && !other.replaced.has(app)) {
            other.replaced.add(app);
            this.write(other, makeEvent('ApplicationReplaced', {}, app));
          }
        }
      }
      const conn: AppConnection = { ws, apps, subscribeAll, replaced: new Set() };
      this.conns.add(conn);
      for (const app of apps) this.knownApps.add(app);
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
      // Asterisk ignores anything the client writes on this socket except pings (answered by ws itself).
      this.emitter.emit('connection', apps);
    });
  }

  isAppConnected(app: string): boolean {
    for (const c of this.conns) if (c.apps.includes(app) && !c.replaced.has(app) && c.ws.readyState === c.ws.OPEN) return true;
    return false;
  }

  /** Publish one event per subscribed app (`application` set to that app); subscribeAll sockets see everything. */
  publish(type: string, body: Record<string, unknown>, apps: Iterable<string>): void {
    const targets = new Set(apps);
    const written = new Set<AppConnection>();
    const at = new Date();
    for (const app of targets) {
      const event = makeEvent(type, body, app, at);
      let delivered = 0;
      for (const c of this.conns) {
        if (c.apps.includes(app) && !c.replaced.has(app) && this.write(c, event)) {
          written.add(c);
          delivered++;
        }
      }
      this.record(event, delivered);
    }
    for (const c of this.conns) {
      if (!c.subscribeAll || written.has(c) || targets.size === 0) continue;
      const app = c.apps[0] ?? '';
      const event = makeEvent(type, body, app, at);
      this.record(event, this.write(c, event) ? 1 : 0);
    }
  }

  onEvent(fn: (e: AriEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }

  onConnection(fn: (apps: string[]) => void): () => void {
    this.emitter.on('connection', fn);
    return () => this.emitter.off('connection', fn);
  }

  /** Server side vanishes without a close handshake (like Asterisk being killed). */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  close(): void {
    this.dropAll();
    this.wss.close();
    this.emitter.removeAllListeners();
  }

  private write(c: AppConnection, event: AriEvent): boolean {
    if (c.ws.readyState !== c.ws.OPEN) return false;
    c.ws.send(JSON.stringify(event));
    return true;
  }

  private record(event: AriEvent, delivered: number): void {
    this.log.push({ event, delivered, atMs: Date.now() - this.startedAt });
    this.events.push(event);
    this.emitter.emit('event', event);
  }
}

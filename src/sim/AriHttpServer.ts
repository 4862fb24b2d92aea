/**
 * The HTTP side of the simulated Asterisk on 127.0.0.1: `/ari/...` REST with basic auth or `?api_key=user:pass`
 * (401 + WWW-Authenticate like res_ari.c), the events websocket upgrade, a request log, and fault injection
 * (latency, REST down, stop/start on the same port).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ASTERISK_VERSION } from './ariShapes.js';
import type { EventHub } from './EventHub.js';
import { routeAri } from './restRoutes.js';
import type { RequestParams, RouteContext, RouteResult } from './routeTypes.js';
import { error } from './routeTypes.js';

export interface LoggedRequest {
  method: string;
  /** Path after `/ari`, e.g. `/channels/123/answer`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  atMs: number;
}

export type RestDownMode = 'reset' | 503;

export class AriHttpServer {
  readonly requests: LoggedRequest[] = [];
  restDown: RestDownMode | null = null;
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(
    private readonly ctx: RouteContext,
    private readonly hub: EventHub,
    private readonly creds: { username: string; password: string },
  ) {}

  get listeningPort(): number {
    return this.port;
  }

  get isListening(): boolean {
    return this.server !== null;
  }

  async start(port = this.port): Promise<number> {
    if (this.server) return this.port;
    const server = http.createServer((req, res) => void this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Stop listening and cut every connection (REST keep-alives and websockets): connection refused from now on. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.hub.dropAll();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private authorized(req: http.IncomingMessage, query: URLSearchParams): boolean {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const idx = decoded.indexOf(':');
      return idx >= 0 && decoded.slice(0, idx) === this.creds.username && decoded.slice(idx + 1) === this.creds.password;
    }
    const key = query.get('api_key');
    if (key === null) return false;
    const idx = key.indexOf(':');
    return idx >= 0 && key.slice(0, idx) === this.creds.username && key.slice(idx + 1) === this.creds.password;
  }

  private onUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reject = (status: number, message: string, extra = '') => {
      // Node hands an upgrade's socket over without an error listener: a client that resets it would crash us.
      socket.on('error', () => undefined);
      const body = JSON.stringify({ message });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nServer: Asterisk/${ASTERISK_VERSION}\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    if (this.restDown) return void socket.destroy();
    if (url.pathname !== '/ari/events') return reject(404, 'Resource not found');
    if (!this.authorized(req, url.searchParams)) return reject(401, 'Authentication required', 'WWW-Authenticate: Basic realm="Asterisk REST Interface"\r\n');
    const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (apps.length === 0) return reject(400, "Missing param 'app'");
    this.hub.handleUpgrade(req, socket, head, apps, url.searchParams.get('subscribeAll') === 'true');
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith('/ari') ? url.pathname.slice(4) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    if (this.restDown === 'reset') return void req.socket.destroy();
    if (this.ctx.options.restLatencyMs > 0) await new Promise((r) => setTimeout(r, this.ctx.options.restLatencyMs));
    if (!this.server) return void req.socket.destroy();

    let result: RouteResult;
    let body: unknown = raw;
    if (!url.pathname.startsWith('/ari/') && url.pathname !== '/ari') {
      res.writeHead(404, { 'Content-Type': 'text/html', Server: `Asterisk/${ASTERISK_VERSION}` });
      res.end('<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n');
      this.log(method, path, query, raw, 404, started);
      return;
    }
    const parsed = this.parseParams(req, raw, url.searchParams);
    if (parsed === null) {
      result = error(400, 'Error parsing request body');
    } else {
      body = parsed.body;
      if (this.restDown === 503) result = error(503, 'Asterisk not booted');
      else if (!this.authorized(req, url.searchParams)) {
        result = error(401, 'Authentication required');
        result.headers = { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' };
      } else if (path.endsWith('/')) result = error(404, `ARI URLs do not end with a slash. Try /ari${path.slice(0, -1)}`);
      else {
        const seg = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
        result = await routeAri(this.ctx, method, seg, parsed.req, req.headers.host ?? `127.0.0.1:${this.port}`);
      }
    }
    if (result.before) await result.before();
    this.write(res, result);
    this.log(method, path, query, body, result.status, started);
    result.after?.();
  }

  private parseParams(req: http.IncomingMessage, raw: string, search: URLSearchParams): { req: RequestParams; body: unknown } | null {
    const params: Record<string, string> = Object.fromEntries(search);
    delete params.api_key;
    const variables: Record<string, string> = {};
    const type = req.headers['content-type'] ?? '';
    let body: unknown = raw || undefined;
    if (raw && type.includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(raw)) params[k] ??= v;
    } else if (raw && type.includes('application/json')) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        return null;
      }
      if (body && typeof body === 'object') {
        for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
          if (k === 'variables' && v && typeof v === 'object') {
            for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) variables[vk] = String(vv);
          } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] ??= String(v);
        }
      }
    }
    return { req: { params, variables }, body };
  }

  private write(res: http.ServerResponse, result: RouteResult): void {
    const headers: Record<string, string> = { Server: `Asterisk/${ASTERISK_VERSION}`, 'Cache-Control': 'no-cache, no-store', ...result.headers };
    if (result.status === 204 || result.body === undefined) {
      res.writeHead(result.status, { ...headers, 'Content-Length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(result.body);
    res.writeHead(result.status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private log(method: string, path: string, query: Record<string, string>, body: unknown, status: number, started: number): void {
    const { api_key: _hidden, ...shown } = query;
    this.requests.push({ method, path, query: shown, body, status, atMs: started - this.ctx.startedAt.getTime() });
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { authStatus, checkBearer } from './bearerAuth.js';
import type { HealthReport, Readiness } from './health.js';
import type { Metrics } from './Metrics.js';
import { OutboundError, type OutboundStatus, type PlaceCallRequest } from './Outbound.js';
import { outboundRequestSchema } from './outboundRequest.js';
import type { ReloadResult } from './reloadConfig.js';

/**
 * The local operations listener (node:http, no framework):
 *   GET  /live      200 while the process runs
 *   GET  /ready     200 when ARI is connected, the app registered and config loaded; 503 {reason} otherwise
 *   GET  /health    JSON: ARI state, active calls, providers, version, uptime
 *   GET  /metrics   Prometheus text
 *   POST /reload    reload the configuration (bearer token)        → 200 | 400 {problems}
 *   POST /calls     place an outbound call (bearer token)          → 202 {id}
 *   GET  /calls/:id an outbound call's result (bearer token)
 * POST endpoints are refused (403) when no `http.api_token` is configured.
 */
export interface HttpServerDeps {
  host: string;
  port: number;
  /** Read per request: a reload may change the token. */
  apiToken: () => string;
  ready: () => Readiness;
  health: () => HealthReport;
  metrics: Metrics;
  reload: () => Promise<ReloadResult>;
  placeCall: (req: PlaceCallRequest) => Promise<{ id: string }>;
  callStatus: (id: string) => OutboundStatus | undefined;
  logger: Logger;
}

/** Request bodies are small JSON objects; anything bigger is a mistake or an attack. */
const MAX_BODY_BYTES = 64 * 1024;
/** A local admin endpoint: a client that cannot send its request in 10 s is gone. */
const REQUEST_TIMEOUT_MS = 10_000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? status));
  }
}

export class HttpServer {
  readonly #server: Server;

  private constructor(private readonly deps: HttpServerDeps) {
    this.#server = createServer((req, res) => void this.#serve(req, res));
    this.#server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.#server.headersTimeout = REQUEST_TIMEOUT_MS;
  }

  static async start(deps: HttpServerDeps): Promise<HttpServer> {
    const s = new HttpServer(deps);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(deps.port, deps.host, () => {
        s.#server.off('error', reject);
        resolve();
      });
    });
    deps.logger.info({ host: deps.host, port: s.port }, 'HTTP listener up (/live /ready /health /metrics)');
    return s;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://host:port` */
  get url(): string {
    const host = this.deps.host.includes(':') ? `[${this.deps.host}]` : this.deps.host;
    return `http://${host}:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.#route(req, res);
    } catch (err) {
      if (err instanceof HttpProblem) {
        sendJson(res, err.status, err.body);
        return;
      }
      this.deps.logger.error({ err, path: req.url }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
      else res.destroy();
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const only = (m: string): void => {
      if (method !== m) throw new HttpProblem(405, { error: 'method_not_allowed', allowed: m });
    };
    switch (path) {
      case '/live':
        only('GET');
        return sendJson(res, 200, { status: 'ok' });
      case '/ready': {
        only('GET');
        const r = this.deps.ready();
        return sendJson(res, r.ready ? 200 : 503, r);
      }
      case '/health':
        only('GET');
        return sendJson(res, 200, this.deps.health());
      case '/metrics': {
        only('GET');
        const text = await this.deps.metrics.render();
        res.writeHead(200, { 'content-type': this.deps.metrics.contentType });
        res.end(text);
        return;
      }
      case '/reload': {
        only('POST');
        this.#authorize(req);
        await drainBody(req);
        const result = await this.deps.reload();
        if (result.ok) return sendJson(res, 200, { ok: true, files: result.files, warnings: result.warnings, restart_needed_for: result.restartNeededFor });
        return sendJson(res, 400, { ok: false, error: 'invalid_config', problems: result.problems });
      }
      case '/calls':
        only('POST');
        this.#authorize(req);
        return this.#placeCall(req, res);
      default: {
        const m = /^\/calls\/([^/]+)$/.exec(path);
        if (m?.[1]) {
          only('GET');
          this.#authorize(req);
          const status = this.deps.callStatus(decodeURIComponent(m[1]));
          return status ? sendJson(res, 200, status) : sendJson(res, 404, { error: 'not_found' });
        }
        return sendJson(res, 404, { error: 'not_found' });
      }
    }
  }

  #authorize(req: IncomingMessage): void {
    const r = checkBearer(req.headers.authorization, this.deps.apiToken());
    if (r === 'ok') return;
    const message =
      r === 'not_configured'
        ? 'this endpoint is disabled: set http.api_token in the configuration to enable it'
        : 'a valid "Authorization: Bearer <http.api_token>" header is required';
    throw new HttpProblem(authStatus(r), { error: r === 'not_configured' ? 'forbidden' : 'unauthorized', message });
  }

  async #placeCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readJson(req);
    const parsed = outboundRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new HttpProblem(400, { error: 'invalid_request', problems });
    }
    const { endpoint, context, variables, caller_id } = parsed.data;
    try {
      const { id } = await this.deps.placeCall({ endpoint, context, variables, ...(caller_id === undefined ? {} : { callerId: caller_id }) });
      sendJson(res, 202, { id, status_url: `/calls/${encodeURIComponent(id)}` });
    } catch (err) {
      if (err instanceof OutboundError) throw new HttpProblem(err.status, { error: err.code, message: err.message });
      throw err;
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, { error: 'body_too_large', limit_bytes: MAX_BODY_BYTES });
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

async function drainBody(req: IncomingMessage): Promise<void> {
  await readBody(req);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) throw new HttpProblem(400, { error: 'invalid_request', message: 'a JSON body is required' });
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, { error: 'invalid_json', message: 'the body is not valid JSON' });
  }
}

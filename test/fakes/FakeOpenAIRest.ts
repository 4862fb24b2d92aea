import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chatCompletionBody, chatStreamPayloads, type ChatScript } from './rest/chatSse.js';
import { boundaryOf, parseMultipart } from './rest/multipart.js';
import { DEFAULT_MS_PER_CHAR, fakeSpeechPcm } from './rest/speechPcm.js';
import { parseWav, type WavInfo } from './rest/wavInfo.js';

/**
 * A faithful fake of the OpenAI REST endpoints the hybrid pipeline uses, over real HTTP on 127.0.0.1:
 * - `POST /v1/audio/transcriptions` (multipart; the file must be a RIFF/WAVE PCM16 mono with a sane rate);
 * - `POST /v1/chat/completions` streamed (SSE exactly as PROTOCOL §8) or not;
 * - `POST /v1/audio/speech` → chunked raw pcm 24 kHz, written in odd chunk sizes with small delays.
 * Bearer auth (401 `invalid_api_key` body per §10), fault injection per route, and a record of every request
 * (headers minus secrets, parsed body, whether the client went away before the answer ended).
 */

export type Route = 'transcriptions' | 'chat' | 'speech';

export type Fault =
  | { status: 429; retryAfter?: number; retryAfterMs?: number; code?: 'rate_limit_exceeded' | 'insufficient_quota' }
  | { status: number; code?: string; message?: string }
  | { hangMs: number };

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  path: string;
  headers: Record<string, string>;
  /** JSON body, or the multipart text fields (+ `file` name) for transcriptions. */
  body: Record<string, unknown>;
  wav?: WavInfo;
  status: number;
  at: number;
  /** The client disconnected before the response was complete (aborted request). */
  aborted: boolean;
  /** The response was completely written. */
  completed: boolean;
  /** When the response ended (written or aborted), epoch ms. */
  endedAt?: number;
}

export interface SpeechOptions {
  msPerChar: number;
  /** Body chunk sizes, cycled; odd on purpose (a sample split across chunks). */
  chunkSizes: number[];
  chunkDelayMs: number;
  firstByteDelayMs: number;
}

export type ScriptedTranscript = string | { text: string; delayMs?: number };

const SECRET_HEADERS = new Set(['authorization', 'api-key', 'cookie']);

function errorBody(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export class FakeOpenAIRest {
  readonly requests: RecordedRequest[] = [];
  readonly transcripts: ScriptedTranscript[] = [];
  defaultTranscript = 'Hello.';
  readonly chatScripts: ChatScript[] = [];
  defaultChat: ChatScript = { text: 'OK.' };
  speech: SpeechOptions = { msPerChar: DEFAULT_MS_PER_CHAR, chunkSizes: [4801, 3333, 1999, 777], chunkDelayMs: 2, firstByteDelayMs: 5 };
  readonly #faults = new Map<Route, Fault[]>();
  readonly #listeners: Array<(r: RecordedRequest) => void> = [];
  #seq = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly sockets: Set<Socket>,
    readonly apiKey: string,
    readonly baseUrl: string,
  ) {}

  static async start(opts: { apiKey: string }): Promise<FakeOpenAIRest> {
    let fake: FakeOpenAIRest | undefined;
    const sockets = new Set<Socket>();
    const server = http.createServer((req, res) => void fake!.#handle(req, res));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    fake = new FakeOpenAIRest(server, sockets, opts.apiKey, `http://127.0.0.1:${port}/v1`);
    return fake;
  }

  /** Forget requests, scripts and pending faults; default speech pacing. */
  reset(): void {
    this.requests.length = 0;
    this.transcripts.length = 0;
    this.chatScripts.length = 0;
    this.#faults.clear();
    this.speech = { msPerChar: DEFAULT_MS_PER_CHAR, chunkSizes: [4801, 3333, 1999, 777], chunkDelayMs: 2, firstByteDelayMs: 5 };
  }

  scriptTranscript(...items: ScriptedTranscript[]): void {
    this.transcripts.push(...items);
  }

  scriptChat(...scripts: ChatScript[]): void {
    this.chatScripts.push(...scripts);
  }

  /** The next `times` requests on `route` get this fault (after auth). */
  failNext(route: Route, fault: Fault, times = 1): void {
    const list = this.#faults.get(route) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.#faults.set(route, list);
  }

  requestsTo(route: Route): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  /** Resolves once `count` requests on `route` have been received (headers and body read). */
  waitForRequests(route: Route, count = 1): Promise<RecordedRequest[]> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const got = this.requestsTo(route);
        if (got.length < count) return false;
        resolve(got);
        return true;
      };
      if (check()) return;
      const l = (): void => {
        if (check()) this.#listeners.splice(this.#listeners.indexOf(l), 1);
      };
      this.#listeners.push(l);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route: Route | 'unknown' =
      path === '/v1/audio/transcriptions' ? 'transcriptions'
      : path === '/v1/chat/completions' ? 'chat'
      : path === '/v1/audio/speech' ? 'speech'
      : 'unknown';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!SECRET_HEADERS.has(k) && typeof v === 'string') headers[k] = v;
    const rec: RecordedRequest = { route, method: req.method ?? '', path, headers, body: {}, status: 0, at: Date.now(), aborted: false, completed: false };
    res.on('close', () => {
      rec.endedAt = Date.now();
      if (!res.writableFinished) rec.aborted = true;
    });
    res.on('finish', () => (rec.completed = true));
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${this.#seq}`, ...extra });
      res.end(body);
    };
    try {
      if (route === 'transcriptions') {
        const parts = parseMultipart(raw, boundaryOf(req.headers['content-type']));
        for (const p of parts) rec.body[p.name] = p.filename !== undefined ? p.filename : p.data.toString('utf8');
        const file = parts.find((p) => p.name === 'file');
        if (file !== undefined) {
          try {
            rec.wav = parseWav(file.data);
          } catch {
            // recorded without wav info; answered below
          }
        }
      } else if (raw.length > 0) {
        rec.body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      }
    } catch (err) {
      this.#record(rec);
      return send(400, errorBody(`Could not parse the request body: ${(err as Error).message}`, 'invalid_request_error', null));
    }
    this.#seq++;
    this.#record(rec);

    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.apiKey}`) {
      const shown = auth.replace(/^Bearer\s*/, '');
      const masked = shown.length > 6 ? `${shown.slice(0, 3)}***${shown.slice(-2)}` : '***';
      return send(
        401,
        errorBody(
          `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    if (route === 'unknown' || req.method !== 'POST') {
      return send(404, errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null));
    }
    const fault = this.#faults.get(route)?.shift();
    if (fault !== undefined) {
      if ('hangMs' in fault) {
        await sleep(fault.hangMs, gone.signal);
        if (gone.signal.aborted) return;
      } else {
        return this.#sendFault(fault, send);
      }
    }
    if (route === 'transcriptions') return this.#transcribe(rec, send, gone.signal);
    if (route === 'chat') return this.#chat(rec, res, send, gone.signal);
    return this.#speech(rec, res, send, gone.signal);
  }

  #record(rec: RecordedRequest): void {
    this.requests.push(rec);
    for (const l of [...this.#listeners]) l(rec);
  }

  #sendFault(fault: Exclude<Fault, { hangMs: number }>, send: (s: number, b: string, h?: Record<string, string>) => void): void {
    const extra: Record<string, string> = {};
    if ('retryAfter' in fault && fault.retryAfter !== undefined) extra['retry-after'] = String(fault.retryAfter);
    if ('retryAfterMs' in fault && fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
    if (fault.status === 429 && fault.code === 'insufficient_quota') {
      return send(
        429,
        errorBody(
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          'insufficient_quota',
          'insufficient_quota',
        ),
        extra,
      );
    }
    if (fault.status === 429) {
      return send(
        429,
        errorBody(
          'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.',
          'requests',
          'rate_limit_exceeded',
        ),
        { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s', ...extra },
      );
    }
    const message = 'message' in fault && fault.message !== undefined ? fault.message : 'The server had an error while processing your request. Sorry about that!';
    const code = 'code' in fault && fault.code !== undefined ? fault.code : null;
    return send(fault.status, errorBody(message, fault.status >= 500 ? 'server_error' : 'invalid_request_error', code), extra);
  }

  async #transcribe(rec: RecordedRequest, send: (s: number, b: string) => void, gone: AbortSignal): Promise<void> {
    if (rec.wav === undefined) {
      return send(400, errorBody('Invalid file format. Supported formats: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm', 'invalid_request_error', null, 'file'));
    }
    if (rec.wav.durationMs < 100) {
      return send(400, errorBody('Audio file is too short. Minimum audio length is 0.1 seconds.', 'invalid_request_error', 'audio_too_short', 'file'));
    }
    if (typeof rec.body.model !== 'string' || rec.body.model === '') {
      return send(400, errorBody("you must provide a model parameter", 'invalid_request_error', null, 'model'));
    }
    const next = this.transcripts.shift() ?? this.defaultTranscript;
    const item = typeof next === 'string' ? { text: next } : next;
    if (item.delayMs) await sleep(item.delayMs, gone);
    if (gone.aborted) return;
    send(200, JSON.stringify({ text: item.text, usage: { type: 'duration', seconds: Math.ceil(rec.wav.durationMs / 1000) } }));
  }

  async #chat(rec: RecordedRequest, res: http.ServerResponse, send: (s: number, b: string) => void, gone: AbortSignal): Promise<void> {
    const body = rec.body;
    if (!Array.isArray(body.messages) || typeof body.model !== 'string') {
      return send(400, errorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages'));
    }
    const script = this.chatScripts.shift() ?? this.defaultChat;
    const id = `chatcmpl-fake${this.#seq}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true) return send(200, JSON.stringify(chatCompletionBody(script, { id, created })));
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const payloads = chatStreamPayloads(script, { id, created, includeUsage });
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${this.#seq}` });
    for (let i = 0; i < payloads.length; i++) {
      if (gone.aborted) return;
      if (script.errorAfterChunks !== undefined && i === script.errorAfterChunks) {
        res.write(`data: ${errorBody('The server had an error processing your request. Sorry about that!', 'server_error', null)}\n\n`);
        res.end();
        return;
      }
      if (script.holdAfterChunks !== undefined && i === script.holdAfterChunks) await sleep(script.holdMs ?? 60_000, gone);
      else if (i > 0 && script.chunkDelayMs) await sleep(script.chunkDelayMs, gone);
      if (gone.aborted) return;
      res.write(`data: ${payloads[i]}\n\n`);
    }
    res.end();
  }

  async #speech(rec: RecordedRequest, res: http.ServerResponse, send: (s: number, b: string) => void, gone: AbortSignal): Promise<void> {
    const input = rec.body.input;
    if (typeof input !== 'string' || input === '' || input.length > 4096) {
      return send(400, errorBody("Invalid 'input': string must be 1 to 4096 characters.", 'invalid_request_error', 'invalid_value', 'input'));
    }
    if (rec.body.response_format !== 'pcm') {
      return send(400, errorBody('This fake only speaks pcm.', 'invalid_request_error', 'invalid_value', 'response_format'));
    }
    const pcm = fakeSpeechPcm(input, this.speech.msPerChar);
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked', 'x-request-id': `req_${this.#seq}` });
    await sleep(this.speech.firstByteDelayMs, gone);
    let off = 0;
    for (let i = 0; off < pcm.length; i++) {
      if (gone.aborted) return;
      const size = this.speech.chunkSizes[i % this.speech.chunkSizes.length]!;
      res.write(pcm.subarray(off, off + size));
      off += size;
      if (off < pcm.length) await sleep(this.speech.chunkDelayMs, gone);
    }
    res.end();
  }
}

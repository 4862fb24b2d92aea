import type { AriBridge, AriChannel } from './ariEvents.js';

/**
 * ARI REST calls with their HTTP status intact. `ari-client`'s swagger layer turns every failure into
 * `new Error(body)`, losing the status we need to tell "404 already gone" (fine during teardown) from
 * "422 not in Stasis yet" from a real failure, so requests go through here.
 */
export class AriHttpError extends Error {
  override readonly name = 'AriHttpError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly ariMessage: string,
  ) {
    super(`ARI ${method} ${path} → ${status}${ariMessage ? `: ${ariMessage}` : ''}`);
  }
}

/** The request never got an HTTP answer (refused, timeout, DNS). */
export class AriUnreachableError extends Error {
  override readonly name = 'AriUnreachableError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly causeCode: string,
  ) {
    super(`ARI ${method} ${path} unreachable (${causeCode})`);
  }
}

export function isAriStatus(err: unknown, ...statuses: number[]): boolean {
  return err instanceof AriHttpError && statuses.includes(err.status);
}

type Query = Record<string, string | number | boolean | undefined>;

export interface ExternalMediaParams {
  channelId: string;
  app: string;
  externalHost: string;
  format: string;
  /** Tag echoed back as the channel's StasisStart args, so the event can be recognised as ours. */
  data?: string;
  direction?: 'both' | 'in' | 'out';
}

export interface OriginateParams {
  endpoint: string;
  app: string;
  appArgs?: string;
  channelId?: string;
  callerId?: string;
  timeoutS?: number;
  variables?: Record<string, string>;
  formats?: string;
}

export interface AriApplication {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
}

export class AriRest {
  readonly #base: string;
  readonly #auth: string;
  readonly #timeoutMs: number;

  constructor(opts: { ariUrl: string; username: string; password: string; timeoutMs: number }) {
    this.#base = `${opts.ariUrl.replace(/\/+$/, '')}/ari`;
    this.#auth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    this.#timeoutMs = opts.timeoutMs;
  }

  async request<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.#base}${path}${qs.size > 0 ? `?${qs.toString()}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: this.#auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new AriUnreachableError(method, path, causeCode(err));
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new AriHttpError(res.status, method, path, ariMessage(text));
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AriHttpError(res.status, method, path, 'response is not JSON');
    }
  }

  getInfo(): Promise<{ system?: { version?: string } }> {
    return this.request('GET', '/asterisk/info');
  }

  /** Channel variable, or undefined when unset (Asterisk answers 404). */
  async getChannelVar(channelId: string, variable: string): Promise<string | undefined> {
    try {
      const r = await this.request<{ value?: string }>('GET', `/channels/${enc(channelId)}/variable`, { variable });
      return r?.value;
    } catch (err) {
      if (isAriStatus(err, 404)) return undefined;
      throw err;
    }
  }

  createBridge(bridgeId: string, name: string): Promise<AriBridge> {
    return this.request('POST', '/bridges', { type: 'mixing', bridgeId, name });
  }

  addChannel(bridgeId: string, channelId: string): Promise<void> {
    return this.request('POST', `/bridges/${enc(bridgeId)}/addChannel`, { channel: channelId });
  }

  removeChannel(bridgeId: string, channelId: string): Promise<void> {
    return this.request('POST', `/bridges/${enc(bridgeId)}/removeChannel`, { channel: channelId });
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.request('DELETE', `/bridges/${enc(bridgeId)}`);
  }

  externalMedia(p: ExternalMediaParams): Promise<AriChannel & { channelvars?: Record<string, string> }> {
    return this.request('POST', '/channels/externalMedia', {
      channelId: p.channelId,
      app: p.app,
      external_host: p.externalHost,
      format: p.format,
      encapsulation: 'rtp',
      transport: 'udp',
      connection_type: 'client',
      direction: p.direction ?? 'both',
      data: p.data,
    });
  }

  answer(channelId: string): Promise<void> {
    return this.request('POST', `/channels/${enc(channelId)}/answer`);
  }

  hangup(channelId: string, reason = 'normal'): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}`, { reason });
  }

  continueInDialplan(channelId: string, target: { context: string; extension: string; priority: number }): Promise<void> {
    return this.request('POST', `/channels/${enc(channelId)}/continue`, {
      context: target.context,
      extension: target.extension,
      priority: target.priority,
    });
  }

  originate(p: OriginateParams): Promise<AriChannel> {
    return this.request(
      'POST',
      '/channels',
      {
        endpoint: p.endpoint,
        app: p.app,
        appArgs: p.appArgs,
        channelId: p.channelId,
        callerId: p.callerId,
        timeout: p.timeoutS,
        formats: p.formats,
      },
      p.variables ? { variables: p.variables } : undefined,
    );
  }

  startMoh(channelId: string, mohClass?: string): Promise<void> {
    return this.request('POST', `/channels/${enc(channelId)}/moh`, { mohClass });
  }

  stopMoh(channelId: string): Promise<void> {
    return this.request('DELETE', `/channels/${enc(channelId)}/moh`);
  }

  play(channelId: string, media: string, playbackId?: string): Promise<{ id: string }> {
    return this.request('POST', `/channels/${enc(channelId)}/play`, { media, playbackId });
  }

  getApplication(app: string): Promise<AriApplication> {
    return this.request('GET', `/applications/${enc(app)}`);
  }

  listChannels(): Promise<AriChannel[]> {
    return this.request('GET', '/channels');
  }

  listBridges(): Promise<AriBridge[]> {
    return this.request('GET', '/bridges');
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function ariMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof j.message === 'string') return j.message;
    if (typeof j.error === 'string') return j.error;
  } catch {
    /* not JSON: fall through */
  }
  return text.slice(0, 200);
}

function causeCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? 'network_error';
}

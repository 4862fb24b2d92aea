/**
 * Is Asterisk's ARI reachable with these credentials? One `GET /ari/asterisk/info`, with every way it fails told
 * apart, because each has a different fix (http.conf, ari.conf, the URL, the network). Used by `ai-agent doctor`
 * and by the ARI controller before it connects.
 */
export interface AriProbeTarget {
  ari_url: string;
  username: string;
  password: string;
  app_name?: string | undefined;
}

export type AriProbeFailureKind = 'refused' | 'dns' | 'timeout' | 'unauthorized' | 'not_found' | 'http_error' | 'bad_response';

export type AriProbeResult =
  | {
      ok: true;
      version: string;
      /** Whether the Stasis app is registered right now (true only while an agent is connected); undefined: unknown. */
      appRegistered?: boolean | undefined;
    }
  | { ok: false; kind: AriProbeFailureKind; status?: number | undefined; message: string; hint: string };

/** ARI answers in milliseconds; a few seconds covers a loaded PBX without making `doctor` feel hung. */
const DEFAULT_TIMEOUT_MS = 4_000;

function ariBase(ariUrl: string): string {
  return ariUrl.replace(/\/+$/, '');
}

function httpConfHint(url: URL): string {
  return (
    `in /etc/asterisk/http.conf set [general] enabled=yes, bindaddr=${url.hostname === 'localhost' || url.hostname === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0 (or this address)'}, ` +
    `bindport=${url.port || (url.protocol === 'https:' ? '8089' : '8088')}; then "asterisk -rx 'module reload http'" and check "asterisk -rx 'http show status'"`
  );
}

function networkFailure(error: unknown, url: URL, timeoutMs: number): AriProbeResult {
  const err = error as { name?: string; cause?: { code?: string; name?: string; message?: string }; code?: string };
  const code = err.cause?.code ?? err.code;
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return {
      ok: false,
      kind: 'timeout',
      message: `no answer from ${where} within ${timeoutMs} ms`,
      hint: `a firewall may drop the traffic, or the host is wrong; ${httpConfHint(url)}`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { ok: false, kind: 'dns', message: `host name '${url.hostname}' does not resolve (${code})`, hint: 'fix asterisk.ari_url (an IP address such as 127.0.0.1 avoids DNS)' };
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return {
      ok: false,
      kind: 'refused',
      message: code === 'ECONNREFUSED' ? `connection refused by ${where}: nothing listens there` : `cannot reach ${where} (${code})`,
      hint: `Asterisk's HTTP server is off or bound elsewhere: ${httpConfHint(url)}`,
    };
  }
  const detail = err.cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (/certificate|ssl|tls/i.test(detail)) {
    return { ok: false, kind: 'refused', message: `TLS failed talking to ${where}: ${detail}`, hint: 'use http:// with port 8088, or fix http.conf tlsenable/tlscertfile' };
  }
  return { ok: false, kind: 'refused', message: `cannot connect to ${where}: ${detail}`, hint: httpConfHint(url) };
}

export async function probeAri(target: AriProbeTarget, options: { timeoutMs?: number } = {}): Promise<AriProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL(`${ariBase(target.ari_url)}/ari/asterisk/info`);
  } catch {
    return { ok: false, kind: 'bad_response', message: `asterisk.ari_url '${target.ari_url}' is not a URL`, hint: 'write it like http://127.0.0.1:8088' };
  }
  const authorization = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  const get = (u: URL): Promise<Response> => fetch(u, { headers: { authorization, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });

  let response: Response;
  try {
    response = await get(url);
  } catch (error) {
    return networkFailure(error, url, timeoutMs);
  }
  const body = await response.text().catch(() => '');

  if (response.status === 401 || response.status === 403) {
    return {
      ok: false,
      kind: 'unauthorized',
      status: response.status,
      message: `ARI refused user '${target.username}' (HTTP ${response.status})`,
      hint:
        `the user and password must match a [${target.username}] section in /etc/asterisk/ari.conf (type=user, password=…, ` +
        `password_format=plain) with [general] enabled=yes; then "asterisk -rx 'module reload res_ari'". FreePBX: Settings → Asterisk REST Interface Users`,
    };
  }
  if (response.status === 404) {
    const doubled = /\/ari\/?$/.test(new URL(ariBase(target.ari_url)).pathname);
    return {
      ok: false,
      kind: 'not_found',
      status: 404,
      message: `${url.pathname} not found on ${url.host}: the HTTP server answers but ARI is not at this path`,
      hint: doubled
        ? `asterisk.ari_url must not end in /ari (the agent adds it): use ${ariBase(target.ari_url).replace(/\/ari$/, '')}`
        : `if http.conf has prefix=<p>, ari_url must end in /<p> (e.g. http://host:8088/asterisk); ARI also needs res_ari loaded and [general] enabled=yes in ari.conf`,
    };
  }
  if (!response.ok) {
    return {
      ok: false,
      kind: 'http_error',
      status: response.status,
      message: `ARI answered HTTP ${response.status}${body ? `: ${body.slice(0, 120)}` : ''}`,
      hint: response.status >= 300 && response.status < 400 ? 'ari_url points at something that redirects (a web server, not Asterisk?); check the port (8088 by default)' : 'check the Asterisk log (asterisk -rvvv)',
    };
  }

  let version: unknown;
  try {
    version = (JSON.parse(body) as { system?: { version?: unknown } }).system?.version;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string') {
    return {
      ok: false,
      kind: 'bad_response',
      status: response.status,
      message: `${url.host} answered, but not like Asterisk ARI (no system.version in ${url.pathname})`,
      hint: 'another web server listens at that address; Asterisk ARI is usually on port 8088 (http.conf bindport)',
    };
  }

  let appRegistered: boolean | undefined;
  if (target.app_name) {
    try {
      const app = await get(new URL(`${ariBase(target.ari_url)}/ari/applications/${encodeURIComponent(target.app_name)}`));
      await app.arrayBuffer().catch(() => undefined);
      appRegistered = app.status === 200 ? true : app.status === 404 ? false : undefined;
    } catch {
      appRegistered = undefined;
    }
  }
  return { ok: true, version, appRegistered };
}

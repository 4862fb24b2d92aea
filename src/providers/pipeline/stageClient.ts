import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ProviderError } from '../VoiceProvider.js';

/**
 * One OpenAI SDK client per pipeline stage (STT, LLM, TTS may each be a different server), and the mapping of
 * stage failures to the provider's error codes.
 *
 * Retries are the SDK's: 408/409/429/5xx and connection errors, `retry-after-ms` / `retry-after` honoured, else
 * exponential backoff, `max_retries` times. The SDK cannot tell the two kinds of 429 apart (it never reads the
 * body to decide), so a quota 429 would be retried; `quotaAwareFetch` marks it `x-should-retry: false`, the
 * SDK's own override header, before the SDK sees it.
 */

export interface StageConfig {
  base_url: string;
  api_key: string;
  timeout_ms: number;
  max_retries: number;
}

export type StageName = 'stt' | 'llm' | 'tts';

/**
 * Local servers (Ollama, whisper.cpp, Kokoro) ignore the key but the SDK refuses to build a client without one;
 * an empty key against api.openai.com then fails with a clear 401 (fatal) instead of a constructor error.
 */
const PLACEHOLDER_API_KEY = 'no-key';

export function createStageClient(stage: StageConfig, fetchImpl: typeof fetch = fetch): OpenAI {
  return new OpenAI({
    baseURL: stage.base_url,
    apiKey: stage.api_key === '' ? PLACEHOLDER_API_KEY : stage.api_key,
    timeout: stage.timeout_ms,
    maxRetries: stage.max_retries,
    fetch: quotaAwareFetch(fetchImpl),
  });
}

/** True when a 429 body says the account is out of quota (retrying cannot help). */
export function isQuotaBody(bodyText: string): boolean {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; type?: unknown } } | null;
    return parsed?.error?.code === 'insufficient_quota' || parsed?.error?.type === 'insufficient_quota';
  } catch {
    return false;
  }
}

/** Wraps fetch: a 429 whose body is `insufficient_quota` comes back with `x-should-retry: false`. */
export function quotaAwareFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.status !== 429) return res;
    const text = await res.text();
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding'); // the text is already decoded
    if (isQuotaBody(text)) headers.set('x-should-retry', 'false');
    return new Response(text, { status: res.status, statusText: res.statusText, headers });
  };
}

/** Our own abort (barge-in, close): not an error. */
export function isAbort(err: unknown): boolean {
  if (err instanceof APIUserAbortError) return true;
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError');
}

/** Codes that no retry and no later turn can fix: the session runs its failure policy. */
const FATAL_CODES = new Set(['insufficient_quota', 'invalid_api_key', 'model_not_found', 'permission_denied']);

/**
 * A stage failure (after the SDK's retries) as a ProviderError. Fatal: bad key (401/403), no quota, unknown model
 * (404): they will fail the same way on every turn. Everything else (timeouts, 5xx, rate limits, mid-stream
 * errors) is transient: this turn is lost, the call goes on.
 */
export function toProviderError(stage: StageName, err: unknown): ProviderError {
  if (err instanceof APIConnectionTimeoutError) {
    return { code: 'timeout', message: `${stage}: request timed out`, fatal: false };
  }
  if (err instanceof APIError) {
    const status = err.status;
    let code = typeof err.code === 'string' && err.code !== '' ? err.code : undefined;
    if (err.type === 'insufficient_quota') code = 'insufficient_quota';
    if (code === undefined) {
      code =
        status === 401 ? 'invalid_api_key'
        : status === 403 ? 'permission_denied'
        : status === 404 ? 'model_not_found'
        : status === 429 ? 'rate_limit_exceeded'
        : status === undefined ? 'connection_failed'
        : `http_${status}`;
    }
    const fatal = FATAL_CODES.has(code) || status === 401 || status === 403 || status === 404;
    return { code, message: `${stage}: ${err.message}`, fatal };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: `${stage}_failed`, message: `${stage}: ${message}`, fatal: false };
}

import { stdSerializers } from 'pino';
import { isSecretKey, maskUrlCredentials } from '../config/maskSecrets.js';

/** Header names that carry credentials (any case). */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|openai-api-key)$/i;
const MAX_DEPTH = 8;

export const SECRET_CENSOR = '[secret]';

export function isCredentialKey(key: string): boolean {
  return isSecretKey(key) || CREDENTIAL_HEADER.test(key);
}

/**
 * A copy of a log object with every credential-named field (at any depth, inside errors too) replaced by
 * `[secret]`. Errors are serialized first (pino's err shape) so their extra fields (headers, config) are walked.
 */
export function scrubObject(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubObject(stdSerializers.err(value), depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrubObject(item, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isCredentialKey(key) && item !== '' && item !== undefined && item !== null ? SECRET_CENSOR : scrubObject(item, depth + 1);
  }
  return out;
}

/**
 * The last line of defence, on the serialized line: known secret values (from the config), bearer/basic
 * credentials, OpenAI-style keys and URL passwords are removed wherever they appear (messages, stacks, bindings).
 */
export function createLineScrubber(secrets: readonly string[]): (line: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))]
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(SECRET_CENSOR);
    out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${SECRET_CENSOR}`);
    out = out.replace(/\bsk-[A-Za-z0-9_-]{12,}/g, SECRET_CENSOR);
    return maskUrlCredentials(out);
  };
}

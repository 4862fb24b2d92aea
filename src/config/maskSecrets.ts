import { isPlainObject } from './deepMerge.js';

/** Keys whose values are credentials: api_key, password, api_token, client_secret, smtp_password, … */
const SECRET_KEY = /(key|secret|token|password|passwd|credentials?)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * `sk-proj-abcdefgh1234` → `sk-…1234`: enough to tell two keys apart, not enough to use one. Passwords and short
 * values (where 7 characters would reveal too much) become `***`; empty stays empty so "not set" remains visible.
 */
export function maskValue(value: string, key = ''): string {
  if (value === '') return '';
  if (value.length < 16 || /pass(word|wd)/i.test(key)) return '***';
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}

/** `https://user:pass@host/` → `https://user:***@host/` (credentials inside URLs). */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s/@]+)@/gi, '$1:***@');
}

/** A deep copy of `value` with every secret-named string masked and URL credentials hidden. */
export function maskSecrets<T>(value: T): T {
  const walk = (node: unknown, key: string | undefined): unknown => {
    if (typeof node === 'string') return key !== undefined && isSecretKey(key) ? maskValue(node, key) : maskUrlCredentials(node);
    if (Array.isArray(node)) return node.map((item) => walk(item, key));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, k);
      return out;
    }
    return node;
  };
  return walk(value, undefined) as T;
}

/** Every non-empty secret-named string in `value` (fed to the logger, which scrubs them from every line). */
export function collectSecrets(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, key: string | undefined): void => {
    if (typeof node === 'string') {
      if (key !== undefined && isSecretKey(key) && node.length >= 4) found.add(node);
    } else if (Array.isArray(node)) node.forEach((item) => walk(item, key));
    else if (isPlainObject(node)) for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(value, undefined);
  return [...found];
}

import type { z } from 'zod';
import { isPlainObject } from './deepMerge.js';
import { formatPath, kindAt, type ConfigPath } from './schemaWalk.js';

export type Env = Record<string, string | undefined>;

export interface UnsetVariable {
  path: ConfigPath;
  name: string;
}

export interface ExpandResult {
  data: unknown;
  /** `${NAME}` (no default) whose variable is unset or empty; the value became ''. */
  unset: UnsetVariable[];
  /** Dotted path → variables used in that value (so schema errors can say where a bad value came from). */
  used: Map<string, string[]>;
  malformed: Array<{ path: ConfigPath; message: string }>;
}

const PLACEHOLDER = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([\s\S]*))?$/;

/**
 * Expand `${NAME}`, `${NAME:-default}` (default when unset or empty) and `${NAME-default}` (default only when unset)
 * in every string value (not in keys). `$${` is a literal `${`. A value that is exactly one placeholder takes the
 * type the schema expects at that key, so `port: ${SMTP_PORT:-587}` is a number and `enabled: ${X:-true}` a boolean.
 */
export function expandEnv(data: unknown, env: Env, schema: z.ZodType): ExpandResult {
  const result: ExpandResult = { data: undefined, unset: [], used: new Map(), malformed: [] };

  const expandString = (text: string, path: ConfigPath): unknown => {
    if (!text.includes('${')) return text;
    let out = '';
    let placeholders = 0;
    let literalText = false;
    const names: string[] = [];
    for (let i = 0; i < text.length; ) {
      if (text.startsWith('$${', i)) {
        out += '${';
        literalText = true;
        i += 3;
        continue;
      }
      if (!text.startsWith('${', i)) {
        out += text[i];
        literalText = true;
        i += 1;
        continue;
      }
      const end = text.indexOf('}', i);
      const match = end < 0 ? null : PLACEHOLDER.exec(text.slice(i + 2, end));
      if (!match) {
        result.malformed.push({ path, message: `malformed placeholder ${text.slice(i, end < 0 ? undefined : end + 1)}` });
        return text;
      }
      const [, name, op, fallback] = match as unknown as [string, string, string | undefined, string | undefined];
      const value = env[name];
      names.push(name);
      placeholders += 1;
      if (op === ':-') out += value === undefined || value === '' ? (fallback ?? '') : value;
      else if (op === '-') out += value === undefined ? (fallback ?? '') : value;
      else {
        if (value === undefined || value === '') result.unset.push({ path, name });
        out += value ?? '';
      }
      i = end + 1;
    }
    result.used.set(formatPath(path), names);
    if (placeholders === 1 && !literalText) return retype(out, kindAt(schema, path, result.data));
    return out;
  };

  const walk = (value: unknown, path: ConfigPath): unknown => {
    if (typeof value === 'string') return expandString(value, path);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key]);
      return out;
    }
    return value;
  };

  result.data = data;
  result.data = walk(data, []);
  return result;
}

function retype(value: string, kind: string | undefined): unknown {
  if ((kind === 'number' || kind === 'union') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (kind === 'boolean') {
    const lower = value.trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(lower)) return true;
    if (['false', 'no', 'off', '0'].includes(lower)) return false;
  }
  return value;
}

import type { z } from 'zod';
import { didYouMean } from './didYouMean.js';
import { isSecretKey } from './maskSecrets.js';
import { knownKeysAt, type ConfigPath } from './schemaWalk.js';

export interface PathProblem {
  path: ConfigPath;
  message: string;
  hint?: string | undefined;
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let value = data;
  for (const segment of path) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
  return value;
}

function describe(value: unknown, path: ConfigPath): string {
  const key = path[path.length - 1];
  if (typeof key === 'string' && isSecretKey(key)) return `a ${value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value} (value hidden)`;
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text "${value.length > 40 ? value.slice(0, 37) + '...' : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Turn zod issues into problems a PBX admin can act on: what was expected, what was found, the likely fix. */
export function zodProblems(error: z.ZodError, schema: z.ZodType, data: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path, data);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, known);
          problems.push({
            path: [...path, key],
            message: `unknown key '${key}'`,
            hint: suggestion ? `did you mean '${suggestion}'?` : known.length > 0 ? `known keys here: ${known.join(', ')}` : undefined,
          });
        }
        break;
      }
      case 'invalid_union': {
        const discriminator = (issue as { discriminator?: string }).discriminator;
        if (discriminator !== undefined && path[path.length - 1] === discriminator) {
          const entryPath = path.slice(0, -1);
          const entry = valueAt(data, entryPath);
          const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
          const looksLikePipeline = entry !== null && typeof entry === 'object' && ['stt', 'llm', 'tts'].some((k) => k in entry);
          const given = valueAt(data, path);
          problems.push({
            path,
            message: given === undefined ? `missing ${discriminator}` : `unknown ${discriminator} '${String(given)}'; expected one of ${options.join(', ')}`,
            hint: looksLikePipeline
              ? 'an STT/LLM/TTS chain belongs under pipelines:, not providers:'
              : `set ${discriminator}: ${options.join(' or ')} (it may be left out when the key itself is ${options.join(' or ')})`,
          });
        } else {
          problems.push({ path, message: issue.message });
        }
        break;
      }
      case 'invalid_type': {
        const value = valueAt(data, path);
        const expected = issue.expected;
        if (value === undefined) {
          problems.push({ path, message: `is required (${expected})` });
          break;
        }
        const hint =
          expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
            ? isSecretKey(String(path[path.length - 1]))
              ? 'put the value in quotes'
              : `quote it: "${String(value)}"`
            : expected === 'number' && typeof value === 'string'
              ? 'write the number without quotes'
              : expected === 'object' && value === null
                ? 'remove the key or give it at least one entry (an empty section is written {})'
                : expected === 'array' && typeof value === 'string'
                  ? `write a list: [${value}]`
                  : undefined;
        problems.push({ path, message: `expected ${expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : expected}, got ${describe(value, path)}`, hint });
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        const given = valueAt(data, path);
        const suggestion = typeof given === 'string' ? didYouMean(given, values) : undefined;
        problems.push({
          path,
          message: `expected one of ${values.join(', ')}, got ${describe(given, path)}`,
          hint: suggestion ? `did you mean '${suggestion}'?` : undefined,
        });
        break;
      }
      case 'invalid_format': {
        problems.push({ path, message: `${issue.message}, got ${describe(valueAt(data, path), path)}`, hint: issue.format === 'url' ? 'a full URL such as http://127.0.0.1:8088' : undefined });
        break;
      }
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { ConfigProblem } from './ConfigError.js';
import { formatPath, type ConfigPath } from './schemaWalk.js';

export interface SourceLocation {
  file: string;
  line?: number;
}

export interface YamlSource {
  /** Parsed content; undefined when the file has syntax errors. */
  data: unknown;
  /** Where each key was written: dotted path (under `prefix`) → file and line. */
  locations: Map<string, SourceLocation>;
  problems: ConfigProblem[];
}

/**
 * Parse one YAML file, keeping the line of every key so later (schema, semantic) errors can point at it.
 * `prefix` places the file's content in the merged tree (a contexts/x.yaml file lives under `contexts.x`).
 */
export function parseYamlSource(text: string, file: string, prefix: ConfigPath = []): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locations = new Map<string, SourceLocation>();
  const problems: ConfigProblem[] = doc.errors.map((error) => {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return {
      file,
      line: pos?.line,
      column: pos?.col,
      path: '',
      message: `YAML syntax error: ${error.message.split('\n')[0]}`,
      hint: yamlHint(error.code),
    };
  });
  if (problems.length > 0) return { data: undefined, locations, problems };

  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const walk = (node: unknown, path: ConfigPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyPath = [...path, key];
        locations.set(formatPath(keyPath), { file, line: lineOf(pair.key) });
        walk(pair.value, keyPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const itemPath = [...path, index];
        locations.set(formatPath(itemPath), { file, line: lineOf(item) });
        walk(item, itemPath);
      });
    }
  };
  walk(doc.contents, prefix);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The yaml library throws (ReferenceError) for an alias without its anchor and for alias bombs.
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    const hint = /alias count/i.test(message)
      ? 'aliases expand to too much data; write the values out instead of nesting aliases'
      : 'every *alias needs an &anchor defined before it in the same file';
    problems.push({ file, line: 1, path: formatPath(prefix), message: `YAML alias error: ${message}`, hint });
    return { data: undefined, locations, problems };
  }
  if (data === null || data === undefined) return { data: {}, locations, problems };
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, line: 1, path: formatPath(prefix), message: 'expected a mapping of keys (key: value), got ' + (Array.isArray(data) ? 'a list' : `a ${typeof data}`) });
    return { data: undefined, locations, problems };
  }
  return { data, locations, problems };
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'DUPLICATE_KEY':
      return 'each key may appear once per section; merge the two entries';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and that text containing ": " or starting with { [ * & is quoted';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key is missing its ":" or a value spans lines without | or >';
    default:
      return undefined;
  }
}

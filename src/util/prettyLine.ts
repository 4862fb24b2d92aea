/** Human-readable rendering of one pino JSON line for a terminal (we ship no pino-pretty). */

const LEVEL_NAMES: Record<string, string> = { '10': 'TRACE', '20': 'DEBUG', '30': 'INFO', '40': 'WARN', '50': 'ERROR', '60': 'FATAL' };
const LEVEL_COLORS: Record<string, string> = { TRACE: '90', DEBUG: '36', INFO: '32', WARN: '33', ERROR: '31', FATAL: '35' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'call_id', 'err']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** `12:00:01.234 INFO  [call 1700000.1] call started  context=default provider=echo` (+ error stack lines). */
export function prettyLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry.level === 'number' ? (LEVEL_NAMES[String(entry.level)] ?? String(entry.level)) : String(entry.level ?? '').toUpperCase();
  const time = typeof entry.time === 'string' || typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const paint = (code: string | undefined, text: string): string => (color && code ? `\u001b[${code}m${text}\u001b[0m` : text);
  let out = `${time} ${paint(LEVEL_COLORS[level], level.padEnd(5))}`;
  if (entry.call_id !== undefined) out += ` [call ${String(entry.call_id)}]`;
  out += ` ${typeof entry.msg === 'string' ? entry.msg : ''}`;
  const fields = Object.entries(entry).filter(([key]) => !HIDDEN.has(key));
  if (fields.length > 0) out += '  ' + paint('90', fields.map(([k, v]) => `${k}=${formatValue(v)}`).join(' '));
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  if (err && typeof err === 'object') out += '\n    ' + String(err.stack ?? err.message).split('\n').join('\n    ');
  return out + '\n';
}

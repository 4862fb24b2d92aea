import pino, { type DestinationStream, type Logger } from 'pino';
import type { LoggingConfig } from '../config/schema.js';
import { createLineScrubber, isCredentialKey, scrubObject, SECRET_CENSOR } from './logScrub.js';
import { prettyLine } from './prettyLine.js';

export type { Logger } from 'pino';

/** Caller personal data: only ever logged as these structured fields, removed when `logging.redact_pii` is on. */
export const PII_FIELDS = ['caller_number', 'caller_name', 'transcript', 'text', 'args', 'arguments', 'email', 'to'] as const;

/** Credential fields pino's redact removes even before our deep scrub (top level and one level down). */
const SECRET_FIELDS = ['api_key', 'password', 'api_token', 'authorization', 'token', 'secret'];

export interface CreateLoggerOptions {
  /** Where lines go (tests pass a collector); default stdout. */
  destination?: DestinationStream | undefined;
  /** Exact secret values (LoadedConfig.secrets) scrubbed from every line, wherever they appear. */
  secrets?: readonly string[] | undefined;
  /** Force human-readable output; default `logging.pretty`, else whether stdout is a terminal. */
  pretty?: boolean | undefined;
}

function redactPaths(redactPii: boolean): string[] {
  const names = redactPii ? [...SECRET_FIELDS, ...PII_FIELDS] : SECRET_FIELDS;
  return names.flatMap((name) => [name, `*.${name}`]).concat(['headers.authorization', '*.headers.authorization', '*.headers.Authorization']);
}

/**
 * The service logger: pino JSON lines (human-readable on a terminal), secrets scrubbed three ways (pino redact of
 * credential fields, a deep walk of every logged object, and a final pass over the serialized line for known secret
 * values and bearer tokens), and PII fields removed when `redact_pii` is set. One child per call:
 * `logger.child({ call_id })`.
 */
export function createLogger(logging: Partial<LoggingConfig> = {}, options: CreateLoggerOptions = {}): Logger {
  const usingStdout = options.destination === undefined;
  const target: DestinationStream = options.destination ?? pino.destination({ dest: 1, sync: false });
  const pretty = options.pretty ?? logging.pretty ?? (usingStdout && process.stdout.isTTY === true);
  const color = pretty && usingStdout && process.stdout.isTTY === true;
  const scrubLine = createLineScrubber(options.secrets ?? []);
  const stream: DestinationStream & { flushSync?: () => void; flush?: (cb?: (err?: Error) => void) => void } = {
    write(line: string) {
      const clean = scrubLine(line);
      target.write(pretty ? prettyLine(clean, color) : clean);
    },
  };
  const flushable = target as { flushSync?: () => void; flush?: (cb?: (err?: Error) => void) => void };
  if (flushable.flushSync) stream.flushSync = () => flushable.flushSync?.();
  if (flushable.flush) stream.flush = (cb) => flushable.flush?.(cb);
  if (usingStdout) process.once('exit', () => flushable.flushSync?.());

  const piiSet = new Set<string>(PII_FIELDS);
  return pino(
    {
      level: logging.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors arrive here already serialized and scrubbed by formatters.log; keep pino from re-typing them 'Object'.
      serializers: { err: (value: unknown) => (value instanceof Error ? scrubObject(value) : value) },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubObject(object) as Record<string, unknown>,
        bindings: (bindings) => scrubObject(bindings) as Record<string, unknown>,
      },
      redact: {
        paths: redactPaths(logging.redact_pii ?? false),
        // PII keys disappear (undefined is not serialized); credential keys keep a marker so "it was set" shows.
        censor: (value: unknown, path: string[]) => {
          const key = path[path.length - 1] ?? '';
          if (piiSet.has(key) && !isCredentialKey(key)) return undefined;
          return value === '' ? value : SECRET_CENSOR;
        },
      },
    },
    stream,
  );
}

/** The per-call logger: every line carries `call_id`. */
export function callLogger(logger: Logger, callId: string): Logger {
  return logger.child({ call_id: callId });
}

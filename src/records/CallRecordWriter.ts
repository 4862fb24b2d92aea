import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { CallOutcome } from '../tools/CallControl.js';
import type { CallRecord, CallRecordEvent, CallRecordEventInput } from './CallRecord.js';
import { foldCallRecord } from './foldCallRecord.js';

/** `<dir>/YYYY-MM-DD/<callId>.jsonl`, the day in UTC (one rule on every server, whatever its time zone). */
export function callRecordPath(dir: string, callId: string, startedAtMs: number): string {
  const day = new Date(startedAtMs).toISOString().slice(0, 10);
  return join(dir, day, `${safeFileName(callId)}.jsonl`);
}

/** Channel ids are `1700000000.123`; anything else that could walk out of the directory is replaced. */
export function safeFileName(id: string): string {
  const s = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.length > 0 ? s.slice(0, 128) : '_';
}

/**
 * Writes one call's record as JSON Lines, one line per event, as the call goes.
 *
 * Each event is ONE synchronous write() of one whole line on an O_APPEND descriptor kept open for the call. Why
 * synchronous: when append() returns the line is in the OS, so any crash after that (uncaught exception, SIGKILL,
 * OOM) keeps it, and ordering is trivially kept. The cost is a few µs of page-cache copy per event; events are per
 * turn (a handful per minute per call), never per RTP frame. Disk errors are counted and logged, never thrown:
 * a full disk must not end a call.
 */
export class CallRecordWriter {
  readonly file: string;
  #fd: number | undefined;
  #openFailed = false;
  #events: CallRecordEvent[] = [];
  #ended = false;
  #startedAtMs: number;
  readonly #logger: Logger | undefined;
  /** Lines that could not be written (disk errors) or came after `end`/`close`. */
  dropped = 0;

  constructor(opts: { dir: string; callId: string; startedAtMs?: number; logger?: Logger }) {
    this.#startedAtMs = opts.startedAtMs ?? Date.now();
    this.file = callRecordPath(opts.dir, opts.callId, this.#startedAtMs);
    this.#logger = opts.logger;
  }

  /** Append one event (`atMs` defaults to now). No-op (counted) after `end`/`close`. */
  append(input: CallRecordEventInput): void {
    if (this.#ended) {
      this.dropped++;
      return;
    }
    const event = { ...input, atMs: input.atMs ?? Date.now() } as CallRecordEvent;
    if (event.type === 'start') this.#startedAtMs = event.atMs;
    this.#events.push(event);
    const fd = this.#descriptor();
    if (fd === undefined) {
      this.dropped++;
      return;
    }
    try {
      writeSync(fd, JSON.stringify(event) + '\n');
    } catch (err) {
      this.dropped++;
      this.#logger?.error({ err, file: this.file }, 'call record line not written');
    }
  }

  /** Write the `end` line (duration from the start event) and close the file. Idempotent. */
  end(info: { outcome: CallOutcome; reason: string; atMs?: number }): void {
    if (this.#ended) return;
    const atMs = info.atMs ?? Date.now();
    this.append({ type: 'end', outcome: info.outcome, reason: info.reason, atMs, durationMs: Math.max(0, atMs - this.#startedAtMs) });
    this.close();
  }

  /** Close without an `end` line (the record reads back as incomplete). Idempotent. */
  close(): void {
    this.#ended = true;
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already closed by the OS; nothing to keep */
      }
      this.#fd = undefined;
    }
  }

  /** The record so far, folded from memory (what the end-of-call email describes). */
  snapshot(): CallRecord {
    return foldCallRecord(this.#events, this.file);
  }

  #descriptor(): number | undefined {
    if (this.#fd !== undefined || this.#openFailed) return this.#fd;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      this.#fd = openSync(this.file, 'a');
    } catch (err) {
      this.#openFailed = true;
      this.#logger?.error({ err, file: this.file }, 'call record cannot be opened');
    }
    return this.#fd;
  }
}

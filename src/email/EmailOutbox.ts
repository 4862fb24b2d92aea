import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface OutboxMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

/** One spool file (`<spool_dir>/<id>.json`). */
export interface SpooledEmail {
  id: string;
  createdAtMs: number;
  attempts: number;
  status: 'pending' | 'failed';
  lastError?: string;
  message: OutboxMessage;
}

export interface OutboxStats {
  /** Delivered (and removed from the spool) by this process. */
  sent: number;
  /** Gave up after max attempts (still in the spool, marked failed). */
  failed: number;
  /** Messages on disk right now, waiting or failed. */
  spooled: number;
}

export interface EmailOutboxOptions {
  spoolDir: string;
  /** Deliver one message; rejects on failure. */
  send: (message: OutboxMessage) => Promise<void>;
  maxAttempts: number;
  /** First retry delay; doubles after each failure. */
  retryInitialMs: number;
  logger?: Logger;
  /** Told of every spooled, delivered and given-up message (metrics). Must not throw. */
  onEvent?: (status: 'spooled' | 'sent' | 'failed') => void;
}

/**
 * Nothing is lost: every message is written to the spool before the first attempt and removed only once delivered.
 * Failures retry with exponential backoff; after `maxAttempts` the file stays, marked failed, and `resendSpool()`
 * (run at start-up) tries everything in the spool again. Callers never wait for delivery.
 */
export class EmailOutbox {
  readonly #opts: EmailOutboxOptions;
  /** Ids being delivered (or waiting for a retry) by this process. */
  readonly #active = new Map<string, Promise<void>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  #closed = false;
  #sent = 0;
  #failed = 0;
  /** Ids whose file is in the spool (waiting or failed). */
  readonly #onDisk = new Set<string>();

  constructor(opts: EmailOutboxOptions) {
    this.#opts = opts;
  }

  stats(): OutboxStats {
    return { sent: this.#sent, failed: this.#failed, spooled: this.#onDisk.size };
  }

  /** Spool the message, then deliver it in the background. Resolves once it is on disk (rejects only if it is not). */
  async enqueue(message: OutboxMessage): Promise<string> {
    const entry: SpooledEmail = { id: `${Date.now()}-${randomUUID()}`, createdAtMs: Date.now(), attempts: 0, status: 'pending', message };
    await mkdir(this.#opts.spoolDir, { recursive: true });
    await this.#persist(entry);
    this.#onDisk.add(entry.id);
    this.#opts.onEvent?.('spooled');
    this.#start(entry);
    return entry.id;
  }

  /**
   * Deliver everything in the spool that this process is not already delivering (failed ones included, with a
   * fresh attempt budget). Returns how many were picked up. Unreadable files are left alone and logged.
   */
  async resendSpool(): Promise<number> {
    const names = await readdir(this.#opts.spoolDir).catch(() => [] as string[]);
    let picked = 0;
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -'.json'.length);
      if (this.#active.has(id)) continue;
      let entry: SpooledEmail;
      try {
        entry = JSON.parse(await readFile(join(this.#opts.spoolDir, name), 'utf8')) as SpooledEmail;
        if (entry.id !== id || !Array.isArray(entry.message?.to)) throw new Error('not a spooled email');
      } catch (err) {
        this.#opts.logger?.warn({ err, file: name }, 'unreadable email spool file left in place');
        continue;
      }
      entry.attempts = 0;
      entry.status = 'pending';
      this.#onDisk.add(id);
      picked++;
      this.#start(entry);
    }
    return picked;
  }

  /** Wait for every delivery in progress (retries included) up to `timeoutMs`. True when nothing is left active. */
  async flush(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.#active.size > 0) {
        const done = await Promise.race([Promise.all([...this.#active.values()]).then(() => true), deadline]);
        if (!done) return false;
      }
      return true;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Stop retrying (shutdown). Messages not delivered stay in the spool for the next start. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.wake();
    }
    this.#timers.clear();
  }

  #start(entry: SpooledEmail): void {
    const run = this.#deliver(entry).finally(() => this.#active.delete(entry.id));
    this.#active.set(entry.id, run);
  }

  async #deliver(entry: SpooledEmail): Promise<void> {
    const { maxAttempts, retryInitialMs, logger } = this.#opts;
    while (!this.#closed) {
      try {
        await this.#opts.send(entry.message);
        await unlink(this.#file(entry.id)).catch(() => undefined);
        this.#sent++;
        this.#opts.onEvent?.('sent');
        this.#onDisk.delete(entry.id);
        logger?.info({ emailId: entry.id, attempts: entry.attempts + 1 }, 'email sent');
        return;
      } catch (err) {
        entry.attempts++;
        entry.lastError = err instanceof Error ? err.message : String(err);
        if (entry.attempts >= maxAttempts) {
          entry.status = 'failed';
          this.#failed++;
          this.#opts.onEvent?.('failed');
          await this.#persist(entry).catch(() => undefined);
          logger?.error({ emailId: entry.id, attempts: entry.attempts, err: entry.lastError }, 'email not sent; kept in the spool');
          return;
        }
        await this.#persist(entry).catch(() => undefined);
        const delayMs = retryInitialMs * 2 ** (entry.attempts - 1);
        logger?.warn({ emailId: entry.id, attempts: entry.attempts, delayMs, err: entry.lastError }, 'email send failed; will retry');
        await this.#sleep(delayMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = {
        timer: setTimeout(() => {
          this.#timers.delete(t);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#timers.add(t);
    });
  }

  #file(id: string): string {
    return join(this.#opts.spoolDir, `${id}.json`);
  }

  /** Write-then-rename: a crash mid-write never leaves a torn spool file. */
  async #persist(entry: SpooledEmail): Promise<void> {
    const tmp = join(this.#opts.spoolDir, `.${entry.id}.tmp`);
    await writeFile(tmp, JSON.stringify(entry, null, 1));
    await rename(tmp, this.#file(entry.id));
  }
}

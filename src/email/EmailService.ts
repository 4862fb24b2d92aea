import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { EmailConfig } from '../config/schema.js';
import type { CallRecord } from '../records/CallRecord.js';
import { CallSummarizer } from './CallSummarizer.js';
import { EmailOutbox, type OutboxMessage, type OutboxStats } from './EmailOutbox.js';
import { renderSummaryEmail, renderTranscriptEmail } from './renderCallEmail.js';

/** An SMTP server that does not greet/answer within these is down; the outbox retries later. */
const SMTP_CONNECT_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;

export interface EmailServiceOptions {
  logger?: Logger;
  /** Used in the caller's transcript email ("your call with <company>"). */
  companyName?: string;
  /** Override delivery (tests of the outbox alone); default: nodemailer SMTP from `config.smtp`. */
  send?: (message: OutboxMessage) => Promise<void>;
  /** Spooled / sent / failed notifications (the agent's email metrics). */
  onEvent?: (status: 'spooled' | 'sent' | 'failed') => void;
}

/**
 * End-of-call emails. `sendSummary` / `sendTranscript` return at once for the caller's purposes (the session must
 * not await them at teardown; they never reject): the summary is written by the LLM (bounded by its timeout),
 * the message is spooled to disk, then delivered with retries by the outbox.
 */
export class EmailService {
  readonly outbox: EmailOutbox;
  readonly #config: EmailConfig;
  readonly #logger: Logger | undefined;
  readonly #summarizer: CallSummarizer | undefined;
  readonly #companyName: string | undefined;
  /** Emails being composed (LLM running), so `flush` waits for them too. */
  readonly #composing = new Set<Promise<void>>();

  constructor(config: EmailConfig, options: EmailServiceOptions = {}) {
    this.#config = config;
    this.#logger = options.logger;
    this.#companyName = options.companyName;
    this.#summarizer = config.summary.enabled ? new CallSummarizer(config.summary, options.logger) : undefined;
    const send = options.send ?? smtpSender(config);
    this.outbox = new EmailOutbox({
      spoolDir: config.spool_dir,
      send,
      maxAttempts: config.max_attempts,
      retryInitialMs: config.retry_initial_ms,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  }

  /** At start-up: deliver whatever a previous run left in the spool. */
  start(): Promise<number> {
    return this.outbox.resendSpool();
  }

  /** Summary to the business (recipients: the context's, else `email.recipients`). */
  sendSummary(record: CallRecord, recipients: readonly string[] = this.#config.recipients, options: { subject?: string } = {}): Promise<void> {
    const to = [...new Set(recipients)];
    if (to.length === 0) {
      this.#logger?.warn({ callId: record.callId }, 'summary email requested but no recipients are configured');
      return Promise.resolve();
    }
    return this.#track(async () => {
      const summary = this.#summarizer ? await this.#summarizer.summarize(record) : undefined;
      const rendered = renderSummaryEmail(record, {
        subjectPrefix: this.#config.subject_prefix,
        ...(options.subject ? { subject: options.subject } : {}),
        ...(summary !== undefined ? { summary } : {}),
      });
      await this.outbox.enqueue({ from: this.#config.from, to, ...rendered });
    }, record.callId);
  }

  /** The transcript to the caller's (validated) address. */
  sendTranscript(record: CallRecord, address: string): Promise<void> {
    return this.#track(async () => {
      const rendered = renderTranscriptEmail(record, {
        subjectPrefix: this.#config.subject_prefix,
        ...(this.#companyName ? { companyName: this.#companyName } : {}),
      });
      await this.outbox.enqueue({ from: this.#config.from, to: [address], ...rendered });
    }, record.callId);
  }

  stats(): OutboxStats {
    return this.outbox.stats();
  }

  /** Shutdown: wait for emails being composed and delivered, up to `timeoutMs`; then stop retrying. */
  async flush(timeoutMs: number): Promise<boolean> {
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.#composing]), deadline]);
    if (timer) clearTimeout(timer);
    return this.outbox.flush(Math.max(0, timeoutMs - (Date.now() - startedAt)));
  }

  close(): void {
    this.outbox.close();
  }

  #track(job: () => Promise<void>, callId: string): Promise<void> {
    const run = job().catch((err: unknown) => {
      // Only the spool write can fail here (disk full / unwritable spool_dir): loud, because this one is lost.
      this.#logger?.error({ err, callId }, 'email could not be spooled');
    });
    this.#composing.add(run);
    void run.finally(() => this.#composing.delete(run));
    return run;
  }
}

/** nodemailer over SMTP: implicit TLS when `secure`, else plain upgraded by STARTTLS when offered (required if `require_tls`). */
export function smtpSender(config: EmailConfig): (message: OutboxMessage) => Promise<void> {
  const { smtp } = config;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.require_tls,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: SMTP_CONNECT_TIMEOUT_MS,
    greetingTimeout: SMTP_CONNECT_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  });
  return async (message) => {
    await transport.sendMail({ from: message.from, to: message.to, subject: message.subject, text: message.text, ...(message.html ? { html: message.html } : {}) });
  };
}

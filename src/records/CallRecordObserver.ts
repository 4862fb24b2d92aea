import type { Logger } from 'pino';
import type { EmailService } from '../email/EmailService.js';
import type { PlayedItem, TranscriptEntry, TurnLatency } from '../providers/VoiceProvider.js';
import type { CallOutcome } from '../tools/CallControl.js';
import type { ToolCallRecord } from '../tools/ToolRegistry.js';
import { CallRecordWriter } from './CallRecordWriter.js';

/** What the observer reads from a call session (structural: the CallSession satisfies it). */
export interface RecordedCall {
  readonly callId: string;
  readonly startedAt: Date;
  readonly callerNumber: string;
  readonly callerName: string;
  readonly contextName: string;
  readonly providerKey: string;
  readonly profileName: string;
  readonly outcome: CallOutcome;
  readonly endReason: string;
  readonly bridgeId?: string;
  readonly mediaChannelId?: string;
  /** What the tools asked for during the call (SessionControl). */
  readonly control?: { readonly summaryRequested: boolean; readonly transcriptEmails: readonly string[] };
}

export interface CallRecordObserverOptions {
  dir: string;
  logger?: Logger;
  /** Sends the emails the call asked for, after the record is closed. Absent = email disabled. */
  email?: EmailService;
  /** Per-context email override (`contexts.<name>.email`). */
  contextEmail?: (contextName: string) => { recipients?: string[]; subject?: string } | undefined;
}

/**
 * A CallObserver that writes each call's record as it goes and, at the end, hands the finished record to the
 * email service (summary and transcript emails the tools queued). Never throws into the call; never waits for email.
 */
export class CallRecordObserver {
  readonly #writers = new Map<string, CallRecordWriter>();
  readonly #opts: CallRecordObserverOptions;

  constructor(opts: CallRecordObserverOptions) {
    this.#opts = opts;
  }

  onStart(s: RecordedCall): void {
    this.#writer(s);
  }
  onAnswer(s: RecordedCall): void {
    this.#writer(s).append({ type: 'answer' });
  }
  onTranscript(s: RecordedCall, t: TranscriptEntry): void {
    this.#writer(s).append({
      type: 'transcript',
      atMs: t.atMs,
      role: t.role,
      text: t.text,
      ...(t.itemId ? { itemId: t.itemId } : {}),
      ...(t.truncated ? { truncated: true } : {}),
    });
  }
  onToolCall(s: RecordedCall, r: ToolCallRecord): void {
    this.#writer(s).append({
      type: 'tool_call',
      atMs: r.startedAt,
      name: r.name,
      args: r.args,
      ok: r.ok,
      result: r.result,
      durationMs: r.durationMs,
      ...(r.error !== undefined ? { error: r.error } : {}),
    });
  }
  onBargeIn(s: RecordedCall, played: PlayedItem[]): void {
    const last = played.at(-1);
    this.#writer(s).append({ type: 'barge_in', playedMs: last?.playedMs ?? 0, ...(last ? { itemId: last.itemId } : {}) });
  }
  onLatency(s: RecordedCall, l: TurnLatency): void {
    this.#writer(s).append({ type: 'latency', ...l });
  }
  onTransfer(s: RecordedCall, t: { mode: 'blind' | 'bridged'; target: string; result: string }): void {
    this.#writer(s).append({ type: 'transfer', mode: t.mode, target: t.target, result: t.result });
  }
  onError(s: RecordedCall, code: string, err: unknown): void {
    this.#writer(s).append({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
  }

  onEnd(s: RecordedCall): void {
    const writer = this.#writer(s);
    this.#writers.delete(s.callId);
    const email = this.#opts.email;
    const override = this.#opts.contextEmail?.(s.contextName);
    const summary = email !== undefined && s.control?.summaryRequested === true;
    const transcripts = email !== undefined ? [...new Set(s.control?.transcriptEmails ?? [])] : [];
    const recipients = override?.recipients;
    if (summary) writer.append({ type: 'email', kind: 'summary', to: recipients ?? ['(default recipients)'] });
    for (const address of transcripts) writer.append({ type: 'email', kind: 'transcript', to: [address] });
    writer.end({ outcome: s.outcome, reason: s.endReason || 'ended' });
    if (!email) return;
    const record = writer.snapshot();
    if (summary) void email.sendSummary(record, recipients, override?.subject ? { subject: override.subject } : {});
    for (const address of transcripts) void email.sendTranscript(record, address);
  }

  /** Calls with an open record (for shutdown: `closeAll` marks them incomplete rather than inventing an outcome). */
  get openCalls(): number {
    return this.#writers.size;
  }

  closeAll(): void {
    for (const w of this.#writers.values()) w.close();
    this.#writers.clear();
  }

  #writer(s: RecordedCall): CallRecordWriter {
    let w = this.#writers.get(s.callId);
    if (w) return w;
    const startedAtMs = s.startedAt.getTime();
    w = new CallRecordWriter({ dir: this.#opts.dir, callId: s.callId, startedAtMs, ...(this.#opts.logger ? { logger: this.#opts.logger } : {}) });
    const ids: Record<string, string> = { channel: s.callId };
    if (s.bridgeId) ids.bridge = s.bridgeId;
    if (s.mediaChannelId) ids.media = s.mediaChannelId;
    w.append({
      type: 'start',
      atMs: startedAtMs,
      callId: s.callId,
      ids,
      caller: { number: s.callerNumber, name: s.callerName },
      context: s.contextName,
      provider: s.providerKey,
      profile: s.profileName,
    });
    this.#writers.set(s.callId, w);
    return w;
  }
}

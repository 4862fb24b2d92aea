import type { Logger } from 'pino';
import type { FailurePolicy } from '../config/schema.js';
import { dialplanTargetFor } from '../tools/builtin/transfer.js';
import type { BridgedTransferResult, CallControl, DialplanTarget } from '../tools/CallControl.js';
import type { TranscriptEntry } from '../providers/VoiceProvider.js';
import { BridgedTransfer } from './BridgedTransfer.js';
import { transferLegIdFor } from './callIds.js';
import type { CallSession } from './CallSession.js';

/**
 * What tools may do to a call (CallControl), implemented over ARI for one session. Transfers mark the call as
 * sent on BEFORE asking Asterisk, because the caller's StasisEnd follows `continue` at once and cleanup must not
 * hang them up.
 */
export class SessionControl implements CallControl {
  readonly transcriptEmails: string[] = [];
  summaryRequested = false;
  #transfer: BridgedTransfer | undefined;
  #attempts = 0;
  /** A bridged transfer was answered: caller and target share our bridge until one hangs up. */
  bridgedLegId: string | undefined;
  bridgedLegGone = false;

  constructor(private readonly s: CallSession) {}

  get callId(): string {
    return this.s.callId;
  }
  get contextName(): string {
    return this.s.contextName;
  }
  get callerNumber(): string {
    return this.s.callerNumber;
  }
  get callerName(): string {
    return this.s.callerName;
  }
  get startedAt(): Date {
    return this.s.startedAt;
  }
  get logger(): Logger {
    return this.s.logger;
  }

  /** The leg of the transfer attempt in progress (ringing), if any. */
  get ringingLegId(): string | undefined {
    return this.#transfer && !this.#transfer.settled ? this.#transfer.legId : undefined;
  }

  async waitForPlayout(timeoutMs: number): Promise<void> {
    if (this.s.conversation) await this.s.conversation.waitForTurnPlayout(timeoutMs);
    else await this.s.media?.waitForPlayout(timeoutMs);
  }

  async continueInDialplan(target: DialplanTarget, outcome: 'transferred' | 'voicemail'): Promise<void> {
    if (this.s.ended) throw new Error('the call has ended');
    const previous = this.s.phase;
    this.s.markTransferred(outcome);
    void this.s.media?.flush();
    this.s.media?.setPaused(true);
    try {
      await this.s.deps.rest.continueInDialplan(this.s.callId, target);
      this.s.logger.info({ context: target.context, extension: target.extension, outcome }, 'caller sent on in the dialplan');
      this.s.deps.observer.onTransfer(this.s, { mode: 'blind', target: `${target.extension}@${target.context}`, result: outcome });
    } catch (err) {
      this.s.phase = previous;
      this.s.outcome = 'abandoned';
      this.s.media?.setPaused(false);
      throw err;
    }
  }

  async startBridgedTransfer(
    endpoint: string,
    opts: { timeoutMs: number; callerId?: string; mohClass?: string },
  ): Promise<BridgedTransferResult> {
    if (this.s.ended) return 'failed';
    if (this.ringingLegId) return 'failed';
    this.#attempts++;
    const transfer = new BridgedTransfer({
      rest: this.s.deps.rest,
      app: this.s.deps.app,
      callerChannelId: this.s.callId,
      bridgeId: this.s.bridgeId,
      legId: transferLegIdFor(this.s.callId, this.#attempts),
      endpoint,
      timeoutMs: opts.timeoutMs,
      callerId: opts.callerId,
      mohClass: opts.mohClass,
      logger: this.s.logger,
    });
    this.#transfer = transfer;
    // The caller hears hold music; the agent stays silent but keeps listening ("never mind" → cancel_transfer).
    this.s.media?.setMuted(true);
    await transfer.start();
    const result = await transfer.outcome;
    this.s.deps.observer.onTransfer(this.s, { mode: 'bridged', target: endpoint, result });
    if (result === 'answered') {
      this.bridgedLegId = transfer.legId;
      this.s.markTransferred('transferred');
      await this.s.detachAgent();
    } else if (!this.s.ended) {
      this.s.media?.setMuted(false);
    }
    return result;
  }

  async cancelTransfer(): Promise<boolean> {
    return (await this.#transfer?.cancel()) ?? false;
  }

  /** Routed by the controller: our transfer leg entered Stasis (answered). */
  async onLegAnswered(legId: string): Promise<void> {
    if (this.#transfer?.legId === legId) await this.#transfer.onLegAnswered();
    else await this.s.deps.rest.hangup(legId).catch(() => undefined);
  }

  /** Routed by the controller: our transfer leg is gone (before answer: busy/no answer; after: the call is over). */
  async onLegGone(legId: string, cause: number): Promise<void> {
    if (this.bridgedLegId === legId) {
      this.bridgedLegGone = true;
      await this.s.end('transfer_target_hangup');
      return;
    }
    if (this.#transfer?.legId === legId) await this.#transfer.onLegGone(cause);
  }

  hangupAfterFarewell(farewell: string | undefined, timeoutMs: number): void {
    this.s.conversation?.scheduleHangup(farewell, timeoutMs);
  }

  async say(text: string): Promise<void> {
    try {
      await this.s.provider?.say(text);
    } catch {
      /* a provider that cannot speak resolves at once */
    }
  }

  notifyAgent(text: string): void {
    if (!this.s.ended) this.s.provider?.notify(text);
  }

  transcript(): readonly TranscriptEntry[] {
    return this.s.conversation?.transcript() ?? [];
  }

  queueTranscriptEmail(address: string): void {
    this.transcriptEmails.push(address);
  }

  requestSummaryEmail(): void {
    this.summaryRequested = true;
  }

  /** Where the failure policy sends the caller (undefined = hang up). */
  failureTarget(policy: FailurePolicy): DialplanTarget | undefined {
    const tools = this.s.deps.config.tools;
    if (policy.action === 'transfer' && policy.destination) {
      const dest = tools.transfer.destinations[policy.destination];
      return dest ? dialplanTargetFor(dest) : undefined;
    }
    if (policy.action === 'voicemail' && tools.leave_voicemail.mailbox) {
      const vm = tools.leave_voicemail;
      return { context: vm.context, extension: `${vm.prefix}${vm.mailbox}`, priority: 1 };
    }
    return undefined;
  }

  async dispose(): Promise<void> {
    await this.#transfer?.dispose();
  }
}

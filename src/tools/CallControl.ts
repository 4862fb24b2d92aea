import type { Logger } from 'pino';
import type { TranscriptEntry } from '../providers/VoiceProvider.js';

/**
 * What a tool may do to the call it runs in. Implemented by the call session over ARI (or by the simulator
 * CLI, which reports what it would have done). Tools never touch ARI, sockets or the provider directly.
 */
export type CallOutcome = 'completed' | 'transferred' | 'voicemail' | 'abandoned' | 'failed';

export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

export type BridgedTransferResult = 'answered' | 'busy' | 'no_answer' | 'failed' | 'cancelled';

export interface CallControl {
  readonly callId: string;
  readonly contextName: string;
  readonly callerNumber: string;
  readonly callerName: string;
  readonly startedAt: Date;
  readonly logger: Logger;

  /**
   * Wait until the agent has finished the sentence it is speaking (its queued audio has played out), bounded by
   * `timeoutMs`. Transfers and voicemail run after this so the caller hears the whole "I'll put you through".
   */
  waitForPlayout(timeoutMs: number): Promise<void>;

  /** Blind transfer: marks the call transferred, then `continue`s the caller into the dialplan target. */
  continueInDialplan(target: DialplanTarget, outcome: 'transferred' | 'voicemail'): Promise<void>;

  /**
   * Bridged transfer: caller hears hold music while `endpoint` (e.g. `Local/6000@from-internal`) is originated into
   * our app; on answer caller and target are bridged and the AI leg leaves; on busy/no answer (within `timeoutMs`)
   * the caller comes back to the agent. Resolves when the attempt has an outcome.
   */
  startBridgedTransfer(endpoint: string, opts: { timeoutMs: number; callerId?: string; mohClass?: string }): Promise<BridgedTransferResult>;

  /** Hang up the ringing leg of a bridged transfer, stop hold music, resume the conversation. False if none. */
  cancelTransfer(): Promise<boolean>;

  /**
   * End the call politely: speak `farewell` (if any), let it drain to the caller, then hang up. `timeoutMs` bounds
   * the wait when the farewell audio never comes. Resolves once the hangup is scheduled (not performed).
   */
  hangupAfterFarewell(farewell: string | undefined, timeoutMs: number): void;

  /**
   * Speak a fixed text now (e.g. the voicemail announcement) and resolve once its audio has been delivered to the
   * playout queue; tools that need it heard follow with `waitForPlayout`. Never rejects (a provider that cannot
   * speak resolves at once).
   */
  say(text: string): Promise<void>;

  /**
   * Tell the model something that happened after its tool call returned (a bridged transfer nobody answered) as a
   * system message, and let it respond to the caller. Fire and forget.
   */
  notifyAgent(text: string): void;

  /** Transcript so far (for request_transcript / summaries). */
  transcript(): readonly TranscriptEntry[];

  /** Queue a transcript email to `address` at the end of the call (validated by the tool). */
  queueTranscriptEmail(address: string): void;

  /** Ask for the call summary email at the end of the call (recipients from config, per-context override). */
  requestSummaryEmail(): void;
}

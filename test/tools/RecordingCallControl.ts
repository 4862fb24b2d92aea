import { pino } from 'pino';
import type { BridgedTransferResult, CallControl, DialplanTarget } from '../../src/tools/CallControl.js';
import type { TranscriptEntry } from '../../src/providers/VoiceProvider.js';

/** Every CallControl method a tool called, in order, with its arguments. */
export type ControlCall =
  | { method: 'waitForPlayout'; timeoutMs: number }
  | { method: 'continueInDialplan'; target: DialplanTarget; outcome: string }
  | { method: 'startBridgedTransfer'; endpoint: string; opts: { timeoutMs: number; callerId?: string; mohClass?: string } }
  | { method: 'cancelTransfer' }
  | { method: 'hangupAfterFarewell'; farewell: string | undefined; timeoutMs: number }
  | { method: 'say'; text: string }
  | { method: 'notifyAgent'; text: string }
  | { method: 'queueTranscriptEmail'; address: string }
  | { method: 'requestSummaryEmail' };

/** A CallControl that records what the tools asked for; bridged transfers settle when the test says so. */
export class RecordingCallControl implements CallControl {
  readonly calls: ControlCall[] = [];
  readonly logger = pino({ level: 'silent' });
  readonly startedAt = new Date('2025-01-02T10:00:00Z');
  private pendingTransfer: ((r: BridgedTransferResult) => void) | undefined;
  entries: TranscriptEntry[] = [];

  constructor(
    readonly callId = 'call-1',
    readonly contextName = 'default',
    readonly callerNumber = '+15551230000',
    readonly callerName = 'Alice',
  ) {}

  /** Methods that make the caller leave or be dialled somewhere. */
  get dialled(): ControlCall[] {
    return this.calls.filter((c) => c.method === 'continueInDialplan' || c.method === 'startBridgedTransfer');
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** Settle the ringing bridged transfer (as the call session would on answer/busy/no answer). */
  settleTransfer(result: BridgedTransferResult): void {
    const settle = this.pendingTransfer;
    this.pendingTransfer = undefined;
    settle?.(result);
  }

  async waitForPlayout(timeoutMs: number): Promise<void> {
    this.calls.push({ method: 'waitForPlayout', timeoutMs });
  }
  async continueInDialplan(target: DialplanTarget, outcome: 'transferred' | 'voicemail'): Promise<void> {
    this.calls.push({ method: 'continueInDialplan', target, outcome });
  }
  startBridgedTransfer(endpoint: string, opts: { timeoutMs: number; callerId?: string; mohClass?: string }): Promise<BridgedTransferResult> {
    this.calls.push({ method: 'startBridgedTransfer', endpoint, opts });
    return new Promise((resolve) => {
      this.pendingTransfer = resolve;
    });
  }
  async cancelTransfer(): Promise<boolean> {
    this.calls.push({ method: 'cancelTransfer' });
    if (!this.pendingTransfer) return false;
    this.settleTransfer('cancelled');
    return true;
  }
  hangupAfterFarewell(farewell: string | undefined, timeoutMs: number): void {
    this.calls.push({ method: 'hangupAfterFarewell', farewell, timeoutMs });
  }
  async say(text: string): Promise<void> {
    this.calls.push({ method: 'say', text });
  }
  notifyAgent(text: string): void {
    this.calls.push({ method: 'notifyAgent', text });
  }
  transcript(): readonly TranscriptEntry[] {
    return this.entries;
  }
  queueTranscriptEmail(address: string): void {
    this.calls.push({ method: 'queueTranscriptEmail', address });
  }
  requestSummaryEmail(): void {
    this.calls.push({ method: 'requestSummaryEmail' });
  }
}

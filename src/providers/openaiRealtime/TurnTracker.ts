import type { TurnLatency } from '../VoiceProvider.js';

/**
 * Caller turns as the server VAD reports them: whether the caller is speaking, when each user item started
 * (the transcript timestamp), and the per-turn latency (speech end → transcript → first reply audio).
 * Pure and synchronous; times are epoch ms passed in.
 */
export class TurnTracker {
  speaking = false;
  /** speech_started events seen (ordering, not time: two events can share a millisecond). */
  speechSeq = 0;
  #turn = 0;
  #latency: TurnLatency | undefined;
  readonly #itemStartMs = new Map<string, number>();

  speechStarted(itemId: string | null | undefined, nowMs: number): void {
    this.speaking = true;
    this.speechSeq++;
    if (itemId) this.#itemStartMs.set(itemId, nowMs);
  }

  speechStopped(nowMs: number): void {
    this.speaking = false;
    this.#latency = { turn: ++this.#turn, speechEndAt: nowMs };
  }

  /** When the user item started (for its transcript entry); forgets it. */
  userTranscript(itemId: string, nowMs: number): number {
    const atMs = this.#itemStartMs.get(itemId) ?? nowMs;
    this.#itemStartMs.delete(itemId);
    if (this.#latency && this.#latency.transcriptAt === undefined) this.#latency.transcriptAt = nowMs;
    return atMs;
  }

  /** The turn a server-made response answers, if one is waiting for its reply. */
  pendingTurn(): number | undefined {
    return this.#latency && this.#latency.firstAudioAt === undefined ? this.#latency.turn : undefined;
  }

  firstAudio(turn: number | undefined, nowMs: number): void {
    if (turn !== undefined && this.#latency?.turn === turn) this.#latency.firstAudioAt ??= nowMs;
  }

  /** The reply of `turn` is done: its latency record, once. */
  takeLatency(turn: number | undefined): TurnLatency | undefined {
    if (turn === undefined || this.#latency?.turn !== turn) return undefined;
    const out = this.#latency;
    this.#latency = undefined;
    return out;
  }

  reset(): void {
    this.speaking = false;
  }
}

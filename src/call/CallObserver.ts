import type { ToolCallRecord } from '../tools/ToolRegistry.js';
import type { PlayedItem, TranscriptEntry, TurnLatency } from '../providers/VoiceProvider.js';
import type { PlayoutStart } from './CallMedia.js';
import type { CallSession } from './CallSession.js';

/**
 * Everything that watches calls without steering them: the call record on disk, metrics, the end-of-call email.
 * The session reports; observers must not throw (CompositeObserver isolates them anyway).
 */
export interface TransferInfo {
  mode: 'blind' | 'bridged';
  target: string;
  result: string;
}

export interface CallObserver {
  onStart(s: CallSession): void;
  onAnswer(s: CallSession): void;
  onTranscript(s: CallSession, t: TranscriptEntry): void;
  onToolCall(s: CallSession, r: ToolCallRecord): void;
  onBargeIn(s: CallSession, played: PlayedItem[]): void;
  onLatency(s: CallSession, l: TurnLatency): void;
  /** An agent audio item's first RTP packet went out (how long the media path took to start it). */
  onPlayoutStart(s: CallSession, p: PlayoutStart): void;
  onTransfer(s: CallSession, t: TransferInfo): void;
  onError(s: CallSession, code: string, err: unknown): void;
  onEnd(s: CallSession): void;
}

export class CompositeObserver implements CallObserver {
  constructor(private readonly observers: Partial<CallObserver>[]) {}

  #each<K extends keyof CallObserver>(k: K, ...args: Parameters<CallObserver[K]>): void {
    for (const o of this.observers) {
      const fn = o[k] as ((...a: Parameters<CallObserver[K]>) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(o, args);
      } catch {
        // An observer bug (disk full, metrics label error) must never break a call.
      }
    }
  }

  onStart(s: CallSession): void { this.#each('onStart', s); }
  onAnswer(s: CallSession): void { this.#each('onAnswer', s); }
  onTranscript(s: CallSession, t: TranscriptEntry): void { this.#each('onTranscript', s, t); }
  onToolCall(s: CallSession, r: ToolCallRecord): void { this.#each('onToolCall', s, r); }
  onBargeIn(s: CallSession, p: PlayedItem[]): void { this.#each('onBargeIn', s, p); }
  onLatency(s: CallSession, l: TurnLatency): void { this.#each('onLatency', s, l); }
  onPlayoutStart(s: CallSession, p: PlayoutStart): void { this.#each('onPlayoutStart', s, p); }
  onTransfer(s: CallSession, t: TransferInfo): void { this.#each('onTransfer', s, t); }
  onError(s: CallSession, code: string, err: unknown): void { this.#each('onError', s, code, err); }
  onEnd(s: CallSession): void { this.#each('onEnd', s); }
}

import { heardText, type HeardText } from './heardText.js';
import { SpeechQueue, type Synthesize } from './SpeechQueue.js';
import type { AccumulatedToolCall } from './ToolCallAccumulator.js';

/**
 * One response of the pipeline (an LLM reply, the greeting, or a fixed `say` text): its ids, its sentences on the
 * way to audio, and what became of it. One response = one assistant item (`itemId`), like a Realtime response
 * with one audio item, so the session's played-ms bookkeeping maps straight onto `heard()`.
 */

export type ResponseKind = 'reply' | 'greeting' | 'say';
export type ResponseState = 'active' | 'completed' | 'cancelled' | 'failed';

export interface SpokenResponseOptions {
  responseId: string;
  itemId: string;
  kind: ResponseKind;
  synthesize: Synthesize;
  /** Sentences synthesised at once (the playing one + those ahead). */
  concurrency: number;
  /** TTS pcm16 mono bytes per ms (48 at 24 kHz): audio length per sentence, for the barge-in cut. */
  bytesPerMs: number;
  /** Aborting the parent (turn, provider) aborts this response. */
  parentSignal: AbortSignal;
  onAudio: (r: SpokenResponse, chunk: Buffer) => void;
}

export class SpokenResponse {
  readonly responseId: string;
  readonly itemId: string;
  readonly kind: ResponseKind;
  readonly startedAtMs = Date.now();
  readonly controller = new AbortController();
  readonly speech: SpeechQueue;
  /** All text of the response so far (LLM deltas, or the fixed text). */
  text = '';
  /** True while the LLM is still streaming text. */
  generating = false;
  toolCalls: AccumulatedToolCall[] = [];
  /** Its assistant message in the history, once written. */
  historyId: number | undefined;
  state: ResponseState = 'active';
  hadAudio = false;
  /** A transcript entry for it has been emitted (a later cut must replace it). */
  transcriptEmitted = false;
  readonly #parent: AbortSignal;
  readonly #onParentAbort = (): void => this.controller.abort();

  constructor(o: SpokenResponseOptions) {
    this.responseId = o.responseId;
    this.itemId = o.itemId;
    this.kind = o.kind;
    this.#parent = o.parentSignal;
    if (o.parentSignal.aborted) this.controller.abort();
    else o.parentSignal.addEventListener('abort', this.#onParentAbort, { once: true });
    this.speech = new SpeechQueue({
      synthesize: o.synthesize,
      concurrency: o.concurrency,
      bytesPerMs: o.bytesPerMs,
      onAudio: (chunk) => {
        if (this.state !== 'active') return;
        this.hadAudio = true;
        o.onAudio(this, chunk);
      },
    });
    this.controller.signal.addEventListener('abort', () => this.speech.abort(), { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What the caller heard after `playedMs` of this response's audio (rule in heardText.ts). */
  heard(playedMs: number): HeardText {
    const h = heardText(this.speech.sentences, playedMs);
    return this.generating ? { text: h.text, truncated: true } : h;
  }

  /** Stops generation and synthesis for good; late audio is dropped from here on. */
  stop(state: 'cancelled' | 'failed'): void {
    if (this.state === 'active') this.state = state;
    this.controller.abort();
    this.dispose();
  }

  dispose(): void {
    this.#parent.removeEventListener('abort', this.#onParentAbort);
  }
}

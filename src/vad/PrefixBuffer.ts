import { z } from 'zod';

/**
 * Keeps the most recent `prefixPaddingMs` of frames so that, when speech is declared (which happens only
 * after `startMs` of speech, and after the first syllable's soft onset), the audio just before it can be put
 * back in front of the utterance and the first syllable is not cut.
 *
 * Stores frame references, never copies: a caller whose frames are views into a reused receive buffer must
 * copy them first (the Endpointer does, once per frame). A fixed ring, so pushing is O(1) with no allocation
 * once it has grown to its working size.
 */

/** Default padding. Why 300 ms: covers a soft plosive or fricative onset the detector scores as non-speech. */
export const DEFAULT_PREFIX_PADDING_MS = 300;

export const prefixBufferOptionsSchema = z.object({
  prefixPaddingMs: z.number().min(0).max(60_000).default(DEFAULT_PREFIX_PADDING_MS),
});
export type PrefixBufferOptions = z.input<typeof prefixBufferOptionsSchema>;

const EMPTY = new Int16Array(0);

export class PrefixBuffer {
  readonly prefixPaddingMs: number;
  #frames: Int16Array[] = [];
  #ms: number[] = [];
  #head = 0; // index of the oldest entry
  #count = 0;
  #durationMs = 0;

  constructor(options: PrefixBufferOptions = {}) {
    this.prefixPaddingMs = prefixBufferOptionsSchema.parse(options).prefixPaddingMs;
  }

  /** Total duration currently held, ms (never more than `prefixPaddingMs`). */
  get durationMs(): number {
    return this.#durationMs;
  }

  get size(): number {
    return this.#count;
  }

  /** Appends a frame and evicts the oldest ones until at most `prefixPaddingMs` is held. */
  push(frame: Int16Array, frameMs: number): void {
    if (!(frameMs >= 0) || frameMs > this.prefixPaddingMs) {
      // A frame longer than the whole padding cannot be kept: the prefix is just emptied.
      this.clear();
      return;
    }
    if (this.#count === this.#frames.length) this.#grow();
    const cap = this.#frames.length;
    const tail = (this.#head + this.#count) % cap;
    this.#frames[tail] = frame;
    this.#ms[tail] = frameMs;
    this.#count++;
    this.#durationMs += frameMs;
    while (this.#durationMs > this.prefixPaddingMs + 1e-9 && this.#count > 0) this.#dropOldest();
  }

  /** Returns the held frames, oldest first, and empties the buffer. */
  drain(): Int16Array[] {
    const out: Int16Array[] = new Array<Int16Array>(this.#count);
    const cap = this.#frames.length;
    for (let i = 0; i < this.#count; i++) out[i] = this.#frames[(this.#head + i) % cap]!;
    this.clear();
    return out;
  }

  clear(): void {
    this.#frames.fill(EMPTY);
    this.#head = 0;
    this.#count = 0;
    this.#durationMs = 0;
  }

  #dropOldest(): void {
    const cap = this.#frames.length;
    this.#durationMs -= this.#ms[this.#head]!;
    this.#frames[this.#head] = EMPTY;
    this.#head = (this.#head + 1) % cap;
    this.#count--;
    if (this.#count === 0) this.#durationMs = 0; // no float drift when empty
  }

  #grow(): void {
    const cap = this.#frames.length;
    const nextCap = Math.max(8, cap * 2);
    const frames: Int16Array[] = new Array<Int16Array>(nextCap).fill(EMPTY);
    const ms: number[] = new Array<number>(nextCap).fill(0);
    for (let i = 0; i < this.#count; i++) {
      frames[i] = this.#frames[(this.#head + i) % cap]!;
      ms[i] = this.#ms[(this.#head + i) % cap]!;
    }
    this.#frames = frames;
    this.#ms = ms;
    this.#head = 0;
  }
}

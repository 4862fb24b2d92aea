import type { SpokenSentence } from './heardText.js';

/**
 * The sentences of one reply on their way to audio: each is synthesised as soon as a slot is free (at most
 * `concurrency` sentences between the one being delivered and the furthest one started), and audio is delivered
 * strictly in sentence order. The head sentence streams straight through; sentences ahead of it buffer their
 * audio until they become the head. So the first sentence starts playing while later ones are synthesised.
 *
 * `done` resolves once every sentence's audio has been delivered after `end()`, or on `abort()`; it rejects with
 * the first synthesis error (the rest is aborted). Audio is never delivered after abort or failure.
 */

export type Synthesize = (text: string, signal: AbortSignal) => AsyncIterable<Buffer>;

export interface SpeechQueueOptions {
  synthesize: Synthesize;
  /** Sentences in flight at once (the one playing + the ones synthesised ahead). */
  concurrency: number;
  /** Audio bytes per ms (pcm16 at 24 kHz = 48), for the per-sentence audio length. */
  bytesPerMs: number;
  onAudio: (chunk: Buffer, sentenceIndex: number) => void;
  /** Called when a sentence's audio has all been delivered. */
  onSentenceDone?: (sentenceIndex: number) => void;
}

interface Job {
  text: string;
  started: boolean;
  finished: boolean;
  buffered: Buffer[];
}

export class SpeechQueue {
  readonly #o: SpeechQueueOptions;
  readonly #controller = new AbortController();
  readonly #jobs: Job[] = [];
  /** What was delivered per sentence (same indexes as the jobs). */
  readonly sentences: SpokenSentence[] = [];
  #head = 0;
  #started = 0;
  #ended = false;
  #settled = false;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(opts: SpeechQueueOptions) {
    this.#o = opts;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined); // the owner awaits it; never an unhandled rejection
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Total audio delivered so far, ms. */
  get deliveredMs(): number {
    return this.sentences.reduce((a, s) => a + s.audioMs, 0);
  }

  push(text: string): void {
    if (this.#ended || this.#settled) return;
    this.#jobs.push({ text, started: false, finished: false, buffered: [] });
    this.sentences.push({ text, audioMs: 0, complete: false });
    this.#pump();
  }

  /** No more sentences will come. */
  end(): void {
    this.#ended = true;
    this.#maybeDone();
  }

  abort(): void {
    if (this.#settled) return;
    this.#controller.abort();
    this.#settle();
  }

  #pump(): void {
    while (!this.#settled && this.#started < this.#jobs.length && this.#started - this.#head < this.#o.concurrency) {
      const index = this.#started++;
      void this.#run(index);
    }
  }

  async #run(index: number): Promise<void> {
    const job = this.#jobs[index]!;
    job.started = true;
    try {
      for await (const chunk of this.#o.synthesize(job.text, this.#controller.signal)) {
        if (this.#settled) return;
        if (index === this.#head) this.#deliver(chunk, index);
        else job.buffered.push(chunk);
      }
    } catch (err) {
      if (this.#settled) return;
      this.#controller.abort();
      this.#settle(err);
      return;
    }
    if (this.#settled) return;
    job.finished = true;
    if (index === this.#head) this.#advance();
  }

  #deliver(chunk: Buffer, index: number): void {
    this.sentences[index]!.audioMs += chunk.length / this.#o.bytesPerMs;
    this.#o.onAudio(chunk, index);
  }

  /** The head sentence is fully delivered: move on, flushing what the next ones buffered meanwhile. */
  #advance(): void {
    while (!this.#settled) {
      const head = this.#jobs[this.#head];
      if (head === undefined || !head.finished) break;
      this.sentences[this.#head]!.complete = true;
      this.#o.onSentenceDone?.(this.#head);
      this.#head++;
      const next = this.#jobs[this.#head];
      if (next === undefined) break;
      for (const chunk of next.buffered.splice(0)) {
        if (this.#settled) return;
        this.#deliver(chunk, this.#head);
      }
    }
    this.#pump();
    this.#maybeDone();
  }

  #maybeDone(): void {
    if (this.#ended && this.#head === this.#jobs.length) this.#settle();
  }

  #settle(err?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const job of this.#jobs) job.buffered.length = 0;
    if (err === undefined) this.#resolve();
    else this.#reject(err);
  }
}

import { z } from 'zod';
import { PrefixBuffer, DEFAULT_PREFIX_PADDING_MS } from './PrefixBuffer.js';
import { VadStateMachine, DEFAULT_START_MS, DEFAULT_STOP_MS, type VadState } from './VadStateMachine.js';
import { VoiceDetector } from './VoiceDetector.js';

/**
 * Turns the caller's continuous PCM stream into utterances for the hybrid STT → LLM → TTS pipeline.
 *
 * VoiceDetector classifies each frame, VadStateMachine segments, PrefixBuffer keeps the audio just before a
 * start. An utterance is: prefix padding + the speech (its pauses included) + at most `trailingPaddingMs` of
 * the closing silence. Frames are copied once on entry (callers may hand views into a reused receive buffer)
 * and collected in a list; the utterance is concatenated once, when it is emitted.
 *
 * The stream may contain synthetic silence (the media engine fills gaps because Asterisk sends nothing while
 * the caller is silent): it counts as silence and does not disturb the noise floor.
 */

/** Why 250 ms: a one-word answer ("no") is longer; shorter voiced spans are coughs, clicks and breaths. */
const DEFAULT_MIN_UTTERANCE_MS = 250;
/** Why 30 s: Whisper-class STT takes at most 30 s per request, and it bounds memory per call (~1 MB at 16 kHz). */
const DEFAULT_MAX_UTTERANCE_MS = 30_000;
/** Why 300 ms: STT clips the last phoneme without a short tail; the rest of the closing silence is dead air. */
const DEFAULT_TRAILING_PADDING_MS = 300;

export const endpointerOptionsSchema = z
  .object({
    sampleRate: z.union([z.literal(8000), z.literal(16000), z.literal(24000)]),
    aggressiveness: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(2),
    startMs: z.number().min(0).max(5000).default(DEFAULT_START_MS),
    silenceDurationMs: z.number().min(0).max(10_000).default(DEFAULT_STOP_MS),
    prefixPaddingMs: z.number().min(0).max(5000).default(DEFAULT_PREFIX_PADDING_MS),
    trailingPaddingMs: z.number().min(0).max(10_000).default(DEFAULT_TRAILING_PADDING_MS),
    minUtteranceMs: z.number().min(0).default(DEFAULT_MIN_UTTERANCE_MS),
    maxUtteranceMs: z.number().positive().max(600_000).default(DEFAULT_MAX_UTTERANCE_MS),
  })
  .refine((o) => o.maxUtteranceMs > o.prefixPaddingMs + o.startMs, {
    message: 'maxUtteranceMs must exceed prefixPaddingMs + startMs',
    path: ['maxUtteranceMs'],
  })
  .refine((o) => o.minUtteranceMs < o.maxUtteranceMs, {
    message: 'minUtteranceMs must be below maxUtteranceMs',
    path: ['minUtteranceMs'],
  });
export type EndpointerOptions = z.input<typeof endpointerOptionsSchema>;

export type EndpointEvent =
  | { type: 'speech_start' }
  | {
      type: 'utterance';
      pcm: Int16Array;
      /** Duration of `pcm`, padding included. */
      durationMs: number;
      /** From the first to the last speech frame (what `minUtteranceMs` is compared with). */
      speechMs: number;
      /** True when cut at `maxUtteranceMs` rather than ended by silence. */
      forced: boolean;
    }
  | { type: 'discarded'; reason: 'too_short'; durationMs: number; speechMs: number };

export class Endpointer {
  readonly sampleRate: 8000 | 16000 | 24000;
  readonly detector: VoiceDetector;
  readonly #sm: VadStateMachine;
  readonly #prefix: PrefixBuffer;
  readonly #o: z.output<typeof endpointerOptionsSchema>;

  /** Frames of the current start run (state `starting`), not yet known to be speech. */
  #pending: Int16Array[] = [];
  #pendingMs: number[] = [];
  /** Frames of the current utterance; null outside one. */
  #utter: Int16Array[] | null = null;
  #utterMs = 0;
  /** Offset (ms into the utterance) of the first speech frame, i.e. the end of the prefix padding. */
  #voicedStartMs = 0;
  /** Offset (ms) just after the last speech frame, and the frame count up to it. */
  #voicedEndMs = 0;
  #voicedEndFrames = 0;

  utterances = 0;
  discarded = 0;
  forcedCuts = 0;
  /** Empty frames: counted and dropped. */
  badFrames = 0;

  constructor(options: EndpointerOptions) {
    const o = endpointerOptionsSchema.parse(options);
    this.#o = o;
    this.sampleRate = o.sampleRate;
    this.detector = new VoiceDetector({ sampleRate: o.sampleRate, aggressiveness: o.aggressiveness });
    this.#sm = new VadStateMachine({ startMs: o.startMs, stopMs: o.silenceDurationMs });
    this.#prefix = new PrefixBuffer({ prefixPaddingMs: o.prefixPaddingMs });
  }

  get state(): VadState {
    return this.#sm.state;
  }

  /** True between `speech_start` and the utterance (or discard) that ends it. */
  get inUtterance(): boolean {
    return this.#utter !== null;
  }

  /** Feeds one caller frame (10/20/30 ms). At most one event per frame. */
  push(frame: Int16Array): EndpointEvent | null {
    if (frame.length === 0) {
      this.badFrames++;
      return null;
    }
    const f = frame.slice(); // one frame-sized copy; the utterance itself is never copied per frame
    const frameMs = (f.length * 1000) / this.sampleRate;
    const speech = this.detector.isSpeech(f);
    const ev = this.#sm.push(speech, frameMs);

    const utter = this.#utter;
    if (utter === null) {
      if (ev === 'speech_start') return this.#begin(f, frameMs);
      if (this.#sm.state === 'starting') {
        this.#pending.push(f);
        this.#pendingMs.push(frameMs);
        return null;
      }
      // Quiet: a start run that fell short becomes ordinary prefix material, in order.
      for (let i = 0; i < this.#pending.length; i++) this.#prefix.push(this.#pending[i]!, this.#pendingMs[i]!);
      this.#pending = [];
      this.#pendingMs = [];
      this.#prefix.push(f, frameMs);
      return null;
    }

    utter.push(f);
    this.#utterMs += frameMs;
    if (speech) {
      this.#voicedEndMs = this.#utterMs;
      this.#voicedEndFrames = utter.length;
    }
    if (ev === 'speech_end') return this.#finish(false);
    if (this.#utterMs >= this.#o.maxUtteranceMs) return this.#finish(true);
    return null;
  }

  /** Ends a pending utterance now (e.g. the call is hanging up); null when none is open. */
  flush(): EndpointEvent | null {
    return this.#utter === null ? null : this.#finish(false);
  }

  /** Drops any pending audio and returns to quiet; the noise floor is kept (same line). */
  reset(): void {
    this.#utter = null;
    this.#pending = [];
    this.#pendingMs = [];
    this.#prefix.clear();
    this.#sm.reset();
  }

  #begin(f: Int16Array, frameMs: number): EndpointEvent {
    const prefixMs = this.#prefix.durationMs;
    const utter = this.#prefix.drain();
    let ms = prefixMs;
    for (let i = 0; i < this.#pending.length; i++) {
      utter.push(this.#pending[i]!);
      ms += this.#pendingMs[i]!;
    }
    utter.push(f);
    ms += frameMs;
    this.#pending = [];
    this.#pendingMs = [];
    this.#utter = utter;
    this.#utterMs = ms;
    this.#voicedStartMs = prefixMs;
    this.#voicedEndMs = ms;
    this.#voicedEndFrames = utter.length;
    return { type: 'speech_start' };
  }

  #finish(forced: boolean): EndpointEvent {
    const utter = this.#utter ?? [];
    this.#utter = null;
    this.#sm.reset(); // no-op after speech_end; after a forced cut, ongoing speech must re-declare its start
    const speechMs = this.#voicedEndMs - this.#voicedStartMs;

    // Keep the closing silence up to trailingPaddingMs (a forced cut is mid-speech: keep everything). The
    // silence left out is the most recent audio: it becomes prefix material for the next utterance.
    let end = forced ? utter.length : this.#voicedEndFrames;
    let tailMs = 0;
    while (end < utter.length) {
      const ms = (utter[end]!.length * 1000) / this.sampleRate;
      if (tailMs + ms > this.#o.trailingPaddingMs + 1e-9) break;
      tailMs += ms;
      end++;
    }
    for (let i = end; i < utter.length; i++) {
      const fr = utter[i]!;
      this.#prefix.push(fr, (fr.length * 1000) / this.sampleRate);
    }
    let samples = 0;
    for (let i = 0; i < end; i++) samples += utter[i]!.length;
    const durationMs = (samples * 1000) / this.sampleRate;

    if (!forced && speechMs < this.#o.minUtteranceMs) {
      this.discarded++;
      return { type: 'discarded', reason: 'too_short', durationMs, speechMs };
    }
    const pcm = new Int16Array(samples);
    let o = 0;
    for (let i = 0; i < end; i++) {
      const fr = utter[i]!;
      pcm.set(fr, o);
      o += fr.length;
    }
    this.utterances++;
    if (forced) this.forcedCuts++;
    return { type: 'utterance', pcm, durationMs, speechMs, forced };
  }
}

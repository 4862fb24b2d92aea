import { z } from 'zod';

/**
 * Four-state speech segmenter fed one frame decision at a time:
 *
 *   quiet ──speech──▶ starting ──(startMs of consecutive speech)──▶ speaking   emits 'speech_start'
 *   starting ──silence──▶ quiet                                     (a blip shorter than startMs is forgotten)
 *   speaking ──silence──▶ stopping ──speech──▶ speaking             (pauses inside a sentence)
 *   stopping ──(stopMs of consecutive silence)──▶ quiet             emits 'speech_end'
 *
 * Pure and synchronous: durations come from the caller (`frameMs`), there is no clock.
 */

export type VadState = 'quiet' | 'starting' | 'speaking' | 'stopping';
export type VadEvent = 'speech_start' | 'speech_end';

/**
 * Speech needed to declare a start. Why 200 ms: clicks, coughs, line pops and single misclassified noise
 * frames are shorter, while even a one-syllable "yes" is longer; the prefix buffer gives the 200 ms back.
 */
export const DEFAULT_START_MS = 200;
/**
 * Silence needed to declare an end, for STT pipelines. Why 600 ms: longer than the pauses inside a sentence
 * (breaths, commas: 200–500 ms), short enough that the turn still feels prompt.
 */
export const DEFAULT_STOP_MS = 600;

export const vadStateMachineOptionsSchema = z.object({
  startMs: z.number().min(0).max(5000).default(DEFAULT_START_MS),
  stopMs: z.number().min(0).max(10_000).default(DEFAULT_STOP_MS),
});
export type VadStateMachineOptions = z.input<typeof vadStateMachineOptionsSchema>;

export class VadStateMachine {
  readonly startMs: number;
  readonly stopMs: number;
  state: VadState = 'quiet';
  /** Speech-frame ms in the current segment (starting run included); 0 when quiet. */
  speechMs = 0;
  /** Consecutive speech ms in the current run (what `startMs` is compared with). */
  speechRunMs = 0;
  /** Consecutive non-speech ms since the last speech frame (what `stopMs` is compared with). */
  silenceMs = 0;
  /** Frames with a non-finite or negative duration: counted and ignored. */
  badFrames = 0;

  constructor(options: VadStateMachineOptions = {}) {
    const o = vadStateMachineOptionsSchema.parse(options);
    this.startMs = o.startMs;
    this.stopMs = o.stopMs;
  }

  /** Feeds one frame's decision; returns the event this frame completes, if any. */
  push(isSpeech: boolean, frameMs: number): VadEvent | null {
    if (!Number.isFinite(frameMs) || frameMs < 0) {
      this.badFrames++;
      return null;
    }
    if (isSpeech) {
      this.speechMs += frameMs;
      this.speechRunMs += frameMs;
      this.silenceMs = 0;
      switch (this.state) {
        case 'quiet':
        case 'starting':
          if (this.speechRunMs >= this.startMs) {
            this.state = 'speaking';
            return 'speech_start';
          }
          this.state = 'starting';
          return null;
        case 'stopping':
          this.state = 'speaking';
          return null;
        case 'speaking':
          return null;
      }
    }
    this.speechRunMs = 0;
    switch (this.state) {
      case 'quiet':
        return null;
      case 'starting':
        this.state = 'quiet';
        this.speechMs = 0;
        return null;
      case 'speaking':
      case 'stopping':
        this.silenceMs += frameMs;
        if (this.silenceMs >= this.stopMs) {
          this.#toQuiet();
          return 'speech_end';
        }
        this.state = 'stopping';
        return null;
    }
  }

  /** Back to quiet without an event (e.g. an utterance was force-cut or the call was reset). */
  reset(): void {
    this.#toQuiet();
  }

  /** True in `speaking` and `stopping`: a start was declared and no end yet. */
  get inSpeech(): boolean {
    return this.state === 'speaking' || this.state === 'stopping';
  }

  #toQuiet(): void {
    this.state = 'quiet';
    this.speechMs = 0;
    this.speechRunMs = 0;
    this.silenceMs = 0;
  }
}

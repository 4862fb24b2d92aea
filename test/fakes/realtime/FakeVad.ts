import type { TurnDetectionView } from './sessionValidation.js';

/**
 * Server-VAD emulation for the fake: 10 ms frames, speech when the RMS (0..1 of full scale) reaches
 * `threshold × 0.2` (threshold 0.5 → -20 dBFS: a spoken test tone passes, line hiss does not). Offsets are ms
 * into all audio appended in the session, as on the real server.
 */
export type VadEvent = { type: 'speech_started'; audioStartMs: number } | { type: 'speech_stopped'; audioEndMs: number };

const FRAME_MS = 10;

export class FakeVad {
  #speaking = false;
  #silenceMs = 0;
  #lastSpeechEndMs = 0;
  #pending: number[] = [];
  #pendingRate = 0;
  /** ms of audio processed so far (whole frames). */
  #positionMs = 0;

  get speaking(): boolean {
    return this.#speaking;
  }

  push(pcm: Int16Array, sampleRate: number, td: TurnDetectionView): VadEvent[] {
    if (this.#pendingRate !== sampleRate) {
      this.#pending = [];
      this.#pendingRate = sampleRate;
    }
    const frame = (sampleRate * FRAME_MS) / 1000;
    const events: VadEvent[] = [];
    for (let i = 0; i < pcm.length; i++) this.#pending.push(pcm[i]!);
    while (this.#pending.length >= frame) {
      const samples = this.#pending.splice(0, frame);
      let acc = 0;
      for (const s of samples) acc += s * s;
      const rms = Math.sqrt(acc / frame) / 32768;
      const speech = rms >= td.threshold * 0.2;
      const startMs = this.#positionMs;
      this.#positionMs += FRAME_MS;
      if (speech) {
        this.#silenceMs = 0;
        this.#lastSpeechEndMs = this.#positionMs;
        if (!this.#speaking) {
          this.#speaking = true;
          events.push({ type: 'speech_started', audioStartMs: Math.max(0, startMs - td.prefixPaddingMs) });
        }
      } else if (this.#speaking) {
        this.#silenceMs += FRAME_MS;
        if (this.#silenceMs >= td.silenceDurationMs) {
          this.#speaking = false;
          events.push({ type: 'speech_stopped', audioEndMs: this.#lastSpeechEndMs });
        }
      }
    }
    return events;
  }
}

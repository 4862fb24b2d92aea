import type { PipelineConfig, VadConfig } from '../../config/schema.js';
import { pcm16leToPcm } from '../../media/l16.js';
import { Endpointer, type EndpointEvent } from '../../vad/Endpointer.js';

/**
 * The caller side of the pipeline: pcm16 LE chunks of any size → exact 20 ms frames → the endpointer (VAD +
 * start/stop durations, prefix padding, min/max utterance). Copies into one frame buffer (the media engine may
 * reuse its buffers); the endpointer copies the frame itself.
 */

/** Frame the endpointer gets: 20 ms, the RTP packet time and a size the VAD accepts. */
const FRAME_MS = 20;

export class CallerEndpointing {
  readonly #endpointer: Endpointer;
  readonly #frame: Int16Array;
  #fill = 0;
  /** Chunks with an odd byte count (the byte is dropped). */
  oddChunks = 0;

  constructor(sampleRate: 8000 | 16000, endpointing: PipelineConfig['endpointing'], vad: VadConfig) {
    this.#endpointer = new Endpointer({
      sampleRate,
      aggressiveness: vad.webrtc_aggressiveness as 0 | 1 | 2 | 3,
      startMs: endpointing.start_ms,
      silenceDurationMs: endpointing.silence_duration_ms,
      prefixPaddingMs: endpointing.prefix_padding_ms,
      minUtteranceMs: endpointing.min_utterance_ms,
      maxUtteranceMs: endpointing.max_utterance_ms,
    });
    this.#frame = new Int16Array((sampleRate * FRAME_MS) / 1000);
  }

  /** Feeds caller audio; calls `onEvent` for each endpointing event, in order. */
  push(chunk: Buffer, onEvent: (ev: EndpointEvent) => void): void {
    if (chunk.length % 2 !== 0) this.oddChunks++;
    const pcm = pcm16leToPcm(chunk);
    let off = 0;
    while (off < pcm.length) {
      const n = Math.min(this.#frame.length - this.#fill, pcm.length - off);
      this.#frame.set(pcm.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === this.#frame.length) {
        this.#fill = 0;
        const ev = this.#endpointer.push(this.#frame);
        if (ev !== null) onEvent(ev);
      }
    }
  }
}

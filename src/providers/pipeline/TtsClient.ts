import type OpenAI from 'openai';
import { APIConnectionTimeoutError, APIUserAbortError } from 'openai';
import type { PipelineConfig } from '../../config/schema.js';
import { createStageClient } from './stageClient.js';
import { StreamDeadline } from './StreamDeadline.js';

/**
 * Text-to-speech stage: `POST /audio/speech` with `response_format: pcm` (raw 24 kHz 16-bit LE mono, no header),
 * the body read as a stream so the first audio goes out while the server is still synthesising. HTTP chunks
 * can have odd sizes; {@link Pcm16Aligner} keeps the odd byte for the next chunk so samples are never split.
 */

/** Keeps PCM16 chunk boundaries on whole samples. Pure. */
export class Pcm16Aligner {
  #carry: number | null = null;

  /** Returns the even-length part (a view when possible); an odd last byte waits for the next chunk. */
  push(chunk: Uint8Array): Buffer {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#carry !== null && buf.length > 0) {
      const joined = Buffer.allocUnsafe(buf.length + 1);
      joined[0] = this.#carry;
      buf.copy(joined, 1);
      buf = joined;
      this.#carry = null;
    }
    if (buf.length % 2 === 1) {
      this.#carry = buf[buf.length - 1]!;
      buf = buf.subarray(0, buf.length - 1);
    }
    return buf;
  }

  /** True when a byte is still waiting (at the end of a body: a truncated sample, dropped). */
  get pending(): boolean {
    return this.#carry !== null;
  }
}

export class TtsClient {
  readonly #client: OpenAI;
  readonly #cfg: PipelineConfig['tts'];
  /** Bodies that ended on half a sample (counted, the byte dropped). */
  oddEndings = 0;

  constructor(cfg: PipelineConfig['tts'], fetchImpl?: typeof fetch) {
    this.#cfg = cfg;
    this.#client = createStageClient(cfg, fetchImpl);
  }

  /** Streams the speech of `text` as even-sized pcm chunks. Rejects with SDK errors or a timeout. */
  async *synthesize(text: string, opts: { voice?: string | undefined; signal?: AbortSignal | undefined } = {}): AsyncGenerator<Buffer> {
    const res = await this.#client.audio.speech.create(
      {
        model: this.#cfg.model,
        voice: opts.voice ?? this.#cfg.voice,
        input: text,
        response_format: 'pcm',
        speed: this.#cfg.speed,
        ...(this.#cfg.instructions !== undefined ? { instructions: this.#cfg.instructions } : {}),
      },
      opts.signal !== undefined ? { signal: opts.signal } : undefined,
    );
    const body = res.body;
    if (body === null) return;
    const deadline = new StreamDeadline(this.#cfg.timeout_ms, opts.signal);
    const reader = body.getReader();
    const onAbort = (): void => void reader.cancel().catch(() => undefined);
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    const aligner = new Pcm16Aligner();
    let finished = false;
    try {
      deadline.touch();
      for (;;) {
        const { done, value } = await reader.read();
        if (deadline.timedOut) throw new APIConnectionTimeoutError({ message: 'tts: audio stream stalled' });
        if (opts.signal?.aborted) throw new APIUserAbortError();
        if (done) break;
        deadline.touch();
        const out = aligner.push(value);
        if (out.length > 0) yield out;
      }
      finished = true;
      if (aligner.pending) this.oddEndings++;
    } catch (err) {
      if (deadline.timedOut) throw new APIConnectionTimeoutError({ message: 'tts: audio stream stalled' });
      throw err;
    } finally {
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
}

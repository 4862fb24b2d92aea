import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { PipelineConfig } from '../../config/schema.js';
import { createStageClient } from './stageClient.js';
import { encodeWav } from '../../media/wav.js';

/**
 * Speech-to-text stage: one utterance → one `POST /audio/transcriptions` (multipart, 16-bit PCM mono WAV, the
 * format every OpenAI-compatible server accepts without ffmpeg). `response_format: json` is the only one all
 * models support (gpt-4o-*-transcribe accept nothing else).
 */
export class SttClient {
  readonly #client: OpenAI;
  readonly #cfg: PipelineConfig['stt'];

  constructor(cfg: PipelineConfig['stt'], fetchImpl?: typeof fetch) {
    this.#cfg = cfg;
    this.#client = createStageClient(cfg, fetchImpl);
  }

  /** Transcribes 16-bit PCM at `sampleRate`; resolves to the (trimmed) text. Rejects with SDK errors. */
  async transcribe(pcm: Int16Array, sampleRate: number, signal?: AbortSignal): Promise<string> {
    const file = await toFile(encodeWav(pcm, sampleRate), 'utterance.wav', { type: 'audio/wav' });
    const res = await this.#client.audio.transcriptions.create(
      {
        file,
        model: this.#cfg.model,
        response_format: 'json',
        ...(this.#cfg.language !== undefined ? { language: this.#cfg.language } : {}),
        ...(this.#cfg.prompt !== undefined ? { prompt: this.#cfg.prompt } : {}),
      },
      signal !== undefined ? { signal } : undefined,
    );
    return (res.text ?? '').trim();
  }
}

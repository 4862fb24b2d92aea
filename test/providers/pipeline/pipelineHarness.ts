import { pino } from 'pino';
import { z } from 'zod';
import { pipelineSchema, profileSchema, vadSchema } from '../../../src/config/schema.js';
import { pcmToPcm16le } from '../../../src/media/l16.js';
import { PipelineProvider } from '../../../src/providers/pipeline/PipelineProvider.js';
import type { ProviderEvents } from '../../../src/providers/VoiceProvider.js';
import type { ToolDefinition } from '../../../src/tools/ToolDefinition.js';
import type { FakeOpenAIRest } from '../../fakes/FakeOpenAIRest.js';
import { concat, mix, silence, voice, whiteNoise } from '../../vad/signals.js';

/** Test plumbing for PipelineProvider against the REST fake: build, feed caller speech, record every event. */

export const SAMPLE_RATE = 8000;
export const KEY = 'sk-test-pipeline';
export const logger = pino({ level: 'silent' });

export const lookupOrder: ToolDefinition = {
  name: 'lookup_order',
  description: 'Look up an order',
  parameters: z.object({ order_id: z.string() }),
  timeoutMs: 1000,
  execute: async () => ({ ok: true, status: 'shipped' }),
};

export type Recorded = { [K in keyof ProviderEvents]: { type: K; at: number; args: ProviderEvents[K][0] } }[keyof ProviderEvents];

export interface Harness {
  provider: PipelineProvider;
  events: Recorded[];
  of<K extends keyof ProviderEvents>(type: K): Array<ProviderEvents[K][0]>;
  /** Resolves with the n-th (1-based) event of `type` matching `pred`. */
  next<K extends keyof ProviderEvents>(type: K, pred?: (a: ProviderEvents[K][0]) => boolean, n?: number): Promise<ProviderEvents[K][0]>;
}

export function makeProvider(fake: FakeOpenAIRest, overrides: { max_retries?: number; api_key?: string; llmKey?: string } = {}): Harness {
  const common = { base_url: fake.baseUrl, api_key: overrides.api_key ?? KEY, max_retries: overrides.max_retries ?? 0, timeout_ms: 5_000 };
  const config = pipelineSchema.parse({
    stt: common,
    llm: { ...common, ...(overrides.llmKey !== undefined ? { api_key: overrides.llmKey } : {}) },
    tts: common,
  });
  const provider = new PipelineProvider({
    key: 'local_pipeline',
    config,
    profile: profileSchema.parse({ wire_codec: 'ulaw', provider_encoding: 'pcm16', provider_rate: SAMPLE_RATE }),
    vad: vadSchema.parse({}),
    logger,
  });
  const events: Recorded[] = [];
  const waiters: Array<() => void> = [];
  const types: Array<keyof ProviderEvents> = ['audio', 'responseDone', 'speechStarted', 'speechStopped', 'transcript', 'toolCall', 'latency', 'error', 'closed'];
  for (const type of types) {
    provider.on(type, (...args: unknown[]) => {
      events.push({ type, at: Date.now(), args: args[0] } as Recorded);
      for (const w of [...waiters]) w();
    });
  }
  const of = <K extends keyof ProviderEvents>(type: K): Array<ProviderEvents[K][0]> =>
    events.filter((e) => e.type === type).map((e) => e.args as ProviderEvents[K][0]);
  const next = <K extends keyof ProviderEvents>(type: K, pred: (a: ProviderEvents[K][0]) => boolean = () => true, n = 1): Promise<ProviderEvents[K][0]> =>
    new Promise((resolve) => {
      const check = (): boolean => {
        const hit = of(type).filter(pred)[n - 1];
        if (hit === undefined) return false;
        resolve(hit);
        return true;
      };
      if (check()) return;
      const w = (): void => {
        if (check()) waiters.splice(waiters.indexOf(w), 1);
      };
      waiters.push(w);
    });
  return { provider, events, of, next };
}

let noiseSeed = 1;

/**
 * Caller audio: 400 ms of quiet line, `speechMs` of voiced syllables, then 1 s of quiet line (ends the turn), all
 * over faint line noise (-65 dBFS, as a real line has; lets the VAD's noise floor settle between utterances).
 */
export function callerUtterance(speechMs = 1200): Int16Array {
  const speech = concat(silence(SAMPLE_RATE, 400), voice(SAMPLE_RATE, speechMs, -20), silence(SAMPLE_RATE, 1000));
  return mix(speech, whiteNoise(SAMPLE_RATE, 1400 + speechMs, -65, noiseSeed++));
}

/** Feeds pcm to the provider in 20 ms chunks of pcm16 LE, as the media engine does. */
export function feed(provider: PipelineProvider, pcm: Int16Array): void {
  const n = (SAMPLE_RATE * 20) / 1000;
  for (let off = 0; off + n <= pcm.length; off += n) provider.sendAudio(pcmToPcm16le(pcm.subarray(off, off + n)));
}

export function audioOf(h: Harness, responseId?: string): Buffer {
  return Buffer.concat(h.of('audio').filter((a) => responseId === undefined || a.responseId === responseId).map((a) => a.audio));
}

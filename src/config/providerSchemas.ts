import { z } from 'zod';

/**
 * The provider sections of the configuration: `providers.<key>` (OpenAI Realtime, echo) and `pipelines.<key>`
 * (hybrid STT → LLM → TTS). Part of the one schema in schema.ts, kept apart because they are the largest sections.
 */

const turnDetectionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('server_vad'),
      threshold: z.number().min(0).max(1).default(0.5),
      prefix_padding_ms: z.number().int().min(0).default(300),
      silence_duration_ms: z.number().int().min(0).default(500),
      create_response: z.boolean().default(true),
      interrupt_response: z.boolean().default(true),
      idle_timeout_ms: z.number().int().positive().nullable().default(null),
    })
    .strict(),
  z
    .object({
      type: z.literal('semantic_vad'),
      eagerness: z.enum(['low', 'medium', 'high', 'auto']).default('auto'),
      create_response: z.boolean().default(true),
      interrupt_response: z.boolean().default(true),
    })
    .strict(),
]);

export const openaiRealtimeSchema = z
  .object({
    type: z.literal('openai_realtime').default('openai_realtime'),
    enabled: z.boolean().default(true),
    api_key: z.string().default(''),
    /** wss base; tests and proxies override it. Azure: https://<res>.openai.azure.com/openai (see `azure`). */
    base_url: z.string().default('wss://api.openai.com/v1'),
    api_version: z.enum(['ga', 'beta']).default('ga'),
    /** Azure OpenAI: `api-key` header and the deployment as model. */
    azure: z.object({ deployment: z.string().min(1) }).strict().optional(),
    model: z.string().default('gpt-realtime'),
    voice: z.string().default('marin'),
    speed: z.number().min(0.25).max(1.5).default(1),
    turn_detection: turnDetectionSchema.default({
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 500,
      create_response: true,
      interrupt_response: true,
      idle_timeout_ms: null,
    }),
    transcription: z
      .object({ model: z.string().default('gpt-4o-mini-transcribe'), language: z.string().optional(), prompt: z.string().optional() })
      .strict()
      .nullable()
      .default({ model: 'gpt-4o-mini-transcribe' }),
    noise_reduction: z.enum(['near_field', 'far_field']).nullable().default('near_field'),
    max_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).default('inf'),
    /** How long a reconnect may take before the failure policy runs (dead air bound). */
    reconnect_timeout_ms: z.number().int().positive().default(2_500),
    /** Start a new session this long before `expires_at` (sessions last 60 min). */
    session_renew_before_ms: z.number().int().positive().default(120_000),
  })
  .strict();

export const echoSchema = z
  .object({
    type: z.literal('echo').default('echo'),
    enabled: z.boolean().default(true),
    /** Delay before the caller's own audio comes back: long enough to hear it as an echo, short enough to test quickly. */
    delay_ms: z.number().int().min(0).max(10_000).default(500),
    /** How often audio levels are logged, both ways. */
    level_log_interval_ms: z.number().int().positive().default(1_000),
  })
  .strict();

export const providerSchema = z.discriminatedUnion('type', [openaiRealtimeSchema, echoSchema]);

const stageCommon = {
  base_url: z.string().url().default('https://api.openai.com/v1'),
  api_key: z.string().default(''),
  timeout_ms: z.number().int().positive().default(15_000),
  /** Retries on 408/409/429/5xx (honouring retry-after); never on insufficient_quota. */
  max_retries: z.number().int().min(0).max(5).default(2),
};

export const pipelineSchema = z
  .object({
    enabled: z.boolean().default(true),
    stt: z
      .object({ ...stageCommon, model: z.string().default('whisper-1'), language: z.string().optional(), prompt: z.string().optional() })
      .strict()
      .prefault({}),
    llm: z
      .object({
        ...stageCommon,
        model: z.string().default('gpt-4o-mini'),
        temperature: z.number().min(0).max(2).optional(),
        max_tokens: z.number().int().positive().default(400),
        /** History budget (characters of past turns kept, oldest dropped first; the system prompt is always kept). */
        history_max_chars: z.number().int().positive().default(12_000),
      })
      .strict()
      .prefault({}),
    tts: z
      .object({
        ...stageCommon,
        model: z.string().default('gpt-4o-mini-tts'),
        voice: z.string().default('alloy'),
        speed: z.number().min(0.25).max(4).default(1),
        /** `pcm` = raw 24 kHz 16-bit LE; the only format we stream. */
        response_format: z.literal('pcm').default('pcm'),
        sample_rate: z.number().int().default(24_000),
        instructions: z.string().optional(),
      })
      .strict()
      .prefault({}),
    endpointing: z
      .object({
        /** Speech needed before an utterance starts (ignores clicks). */
        start_ms: z.number().int().min(20).default(200),
        /** Silence that ends the caller's turn: how long the agent waits before answering. */
        silence_duration_ms: z.number().int().min(100).default(700),
        /** Audio kept from before speech start so first syllables are not cut. */
        prefix_padding_ms: z.number().int().min(0).default(300),
        /** Shorter utterances are clicks/coughs, not sent to STT (Whisper hallucinates on them). */
        min_utterance_ms: z.number().int().min(0).default(400),
        max_utterance_ms: z.number().int().positive().default(30_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();


export type ProviderConfig = z.infer<typeof providerSchema>;
export type OpenAIRealtimeConfig = z.infer<typeof openaiRealtimeSchema>;
export type EchoConfig = z.infer<typeof echoSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;

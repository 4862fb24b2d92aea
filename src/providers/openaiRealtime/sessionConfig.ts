import type { OpenAIRealtimeConfig } from '../../config/schema.js';
import type { RealtimeToolSchema } from '../../tools/toolSchemas.js';
import type { RealtimeAudioSpec } from './realtimeAudioSpec.js';

/**
 * Pure builders of the `session` object of `session.update`, GA and beta shapes (PROTOCOL §2.1). The GA server
 * rejects the whole update on any beta key (`unknown_parameter`), so the two shapes never mix.
 */
export interface SessionInputs {
  config: Pick<OpenAIRealtimeConfig, 'voice' | 'speed' | 'turn_detection' | 'transcription' | 'noise_reduction' | 'max_output_tokens'>;
  audio: RealtimeAudioSpec;
  instructions: string;
  tools: RealtimeToolSchema[];
  /** Per-call voice (context override); falls back to config.voice. */
  voice?: string | undefined;
}

type TurnDetection = OpenAIRealtimeConfig['turn_detection'];

function gaTurnDetection(td: TurnDetection): Record<string, unknown> {
  if (td.type === 'semantic_vad') {
    return { type: 'semantic_vad', eagerness: td.eagerness, create_response: td.create_response, interrupt_response: td.interrupt_response };
  }
  return {
    type: 'server_vad',
    threshold: td.threshold,
    prefix_padding_ms: td.prefix_padding_ms,
    silence_duration_ms: td.silence_duration_ms,
    create_response: td.create_response,
    interrupt_response: td.interrupt_response,
    idle_timeout_ms: td.idle_timeout_ms,
  };
}

function transcription(cfg: SessionInputs['config']['transcription']): Record<string, unknown> | null {
  if (!cfg) return null;
  const out: Record<string, unknown> = { model: cfg.model };
  if (cfg.language !== undefined) out.language = cfg.language;
  if (cfg.prompt !== undefined) out.prompt = cfg.prompt;
  return out;
}

/** GA `session` (session.type "realtime" is required on every update). */
export function buildGaSession(inputs: SessionInputs): Record<string, unknown> {
  const { config, audio } = inputs;
  return {
    type: 'realtime',
    output_modalities: ['audio'],
    instructions: inputs.instructions,
    audio: {
      input: {
        format: audio.ga,
        noise_reduction: config.noise_reduction ? { type: config.noise_reduction } : null,
        transcription: transcription(config.transcription),
        turn_detection: gaTurnDetection(config.turn_detection),
      },
      output: { format: audio.ga, voice: inputs.voice ?? config.voice, speed: config.speed },
    },
    tools: inputs.tools,
    tool_choice: 'auto',
    max_output_tokens: config.max_output_tokens,
  };
}

/** Beta `session` (flat keys). Only for older Azure deployments and compatible servers. */
export function buildBetaSession(inputs: SessionInputs): Record<string, unknown> {
  const { config, audio } = inputs;
  const td = config.turn_detection;
  const turnDetection = gaTurnDetection(td);
  // Beta-era servers predate idle_timeout_ms; sending null there is at best noise.
  if (turnDetection.idle_timeout_ms === null) delete turnDetection.idle_timeout_ms;
  return {
    modalities: ['audio', 'text'],
    instructions: inputs.instructions,
    voice: inputs.voice ?? config.voice,
    speed: config.speed,
    input_audio_format: audio.beta,
    output_audio_format: audio.beta,
    input_audio_transcription: transcription(config.transcription),
    input_audio_noise_reduction: config.noise_reduction ? { type: config.noise_reduction } : null,
    turn_detection: turnDetection,
    tools: inputs.tools,
    tool_choice: 'auto',
    max_response_output_tokens: config.max_output_tokens,
  };
}

export function buildSessionUpdate(apiVersion: 'ga' | 'beta', inputs: SessionInputs): { type: 'session.update'; session: Record<string, unknown> } {
  return { type: 'session.update', session: apiVersion === 'ga' ? buildGaSession(inputs) : buildBetaSession(inputs) };
}

import { bytesPerMs, formatFromBeta, formatFromGa, type FakeAudioFormat } from './fakeAudio.js';

/**
 * Strict checks of `session.update` the way the GA server answers them (PROTOCOL §2.1, §10): `session.type` is
 * required, any key the GA shape does not have is `unknown_parameter` (the whole update is rejected).
 */
export interface ApiErrorBody {
  type: 'invalid_request_error';
  code: string;
  message: string;
  param: string | null;
}

type Json = Record<string, unknown>;

/** Allowed keys per path; `null` marks a leaf whose value is not walked. */
const GA_KEYS: Record<string, string[]> = {
  session: ['type', 'model', 'output_modalities', 'instructions', 'audio', 'tools', 'tool_choice', 'max_output_tokens', 'truncation', 'tracing', 'prompt', 'include'],
  'session.audio': ['input', 'output'],
  'session.audio.input': ['format', 'noise_reduction', 'transcription', 'turn_detection'],
  'session.audio.output': ['format', 'voice', 'speed'],
  'session.audio.input.format': ['type', 'rate'],
  'session.audio.output.format': ['type', 'rate'],
  'session.audio.input.noise_reduction': ['type'],
  'session.audio.input.transcription': ['model', 'language', 'prompt'],
};
const TURN_KEYS: Record<string, string[]> = {
  server_vad: ['type', 'threshold', 'prefix_padding_ms', 'silence_duration_ms', 'create_response', 'interrupt_response', 'idle_timeout_ms'],
  semantic_vad: ['type', 'eagerness', 'create_response', 'interrupt_response'],
};
const TOOL_KEYS = ['type', 'name', 'description', 'parameters'];
const BETA_KEYS = [
  'modalities', 'instructions', 'voice', 'speed', 'input_audio_format', 'output_audio_format', 'input_audio_transcription',
  'input_audio_noise_reduction', 'turn_detection', 'tools', 'tool_choice', 'temperature', 'max_response_output_tokens', 'model',
];
const FORMATS = ['audio/pcm', 'audio/pcmu', 'audio/pcma'];
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

const unknown = (param: string): ApiErrorBody => ({ type: 'invalid_request_error', code: 'unknown_parameter', message: `Unknown parameter: '${param}'.`, param });
const invalid = (param: string, value: unknown, supported: string): ApiErrorBody => ({
  type: 'invalid_request_error',
  code: 'invalid_value',
  message: `Invalid value: '${String(value)}'. Supported values are: ${supported}.`,
  param,
});

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkKeys(obj: Json, path: string, allowed: string[]): ApiErrorBody | undefined {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) return unknown(`${path}.${key}`);
  return undefined;
}

export function validateGaSession(session: unknown): ApiErrorBody | undefined {
  if (!isObj(session)) return { type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'session'.", param: 'session' };
  const walk = (obj: Json, path: string): ApiErrorBody | undefined => {
    const allowed = GA_KEYS[path];
    if (!allowed) return undefined;
    const bad = checkKeys(obj, path, allowed);
    if (bad) return bad;
    for (const [key, value] of Object.entries(obj)) {
      if (isObj(value)) {
        const err = walk(value, `${path}.${key}`);
        if (err) return err;
      }
    }
    return undefined;
  };
  const err = walk(session, 'session');
  if (err) return err;
  if (session.type === undefined) return { type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'session.type'.", param: 'session.type' };
  if (session.type !== 'realtime') return invalid('session.type', session.type, "'realtime', 'transcription'");
  const audio = isObj(session.audio) ? session.audio : {};
  for (const dir of ['input', 'output'] as const) {
    const fmt = isObj(audio[dir]) ? (audio[dir] as Json).format : undefined;
    if (fmt === undefined) continue;
    if (!isObj(fmt) || !FORMATS.includes(String(fmt.type))) return invalid(`session.audio.${dir}.format.type`, isObj(fmt) ? fmt.type : fmt, FORMATS.join(', '));
    if (fmt.type === 'audio/pcm' && fmt.rate !== undefined && fmt.rate !== 24000) return invalid(`session.audio.${dir}.format.rate`, fmt.rate, '24000');
  }
  const input = isObj(audio.input) ? audio.input : {};
  const td = input.turn_detection;
  if (td !== undefined && td !== null) {
    if (!isObj(td) || !TURN_KEYS[String(td.type)]) return invalid('session.audio.input.turn_detection.type', isObj(td) ? td.type : td, "'server_vad', 'semantic_vad'");
    const bad = checkKeys(td, 'session.audio.input.turn_detection', TURN_KEYS[String(td.type)]!);
    if (bad) return bad;
  }
  const voice = isObj(audio.output) ? audio.output.voice : undefined;
  if (typeof voice === 'string' && !VOICES.includes(voice)) return invalid('session.audio.output.voice', voice, VOICES.join(', '));
  const modalities = session.output_modalities;
  if (modalities !== undefined && (!Array.isArray(modalities) || modalities.length !== 1 || !['audio', 'text'].includes(String(modalities[0])))) {
    return invalid('session.output_modalities', JSON.stringify(modalities), "['audio'], ['text']");
  }
  if (session.tools !== undefined) {
    if (!Array.isArray(session.tools)) return invalid('session.tools', session.tools, 'an array');
    for (const [i, tool] of session.tools.entries()) {
      if (!isObj(tool)) return invalid(`session.tools[${i}]`, tool, 'an object');
      const bad = checkKeys(tool, `session.tools[${i}]`, TOOL_KEYS);
      if (bad) return bad;
      if (tool.type !== 'function' || typeof tool.name !== 'string') return invalid(`session.tools[${i}].type`, tool.type, "'function'");
    }
  }
  return undefined;
}

export function validateBetaSession(session: unknown): ApiErrorBody | undefined {
  if (!isObj(session)) return { type: 'invalid_request_error', code: 'missing_required_parameter', message: "Missing required parameter: 'session'.", param: 'session' };
  return checkKeys(session, 'session', BETA_KEYS);
}

/** Deep merge of an update into the effective session: objects merge, everything else (arrays, null) replaces. */
export function mergeSession(base: Json, update: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(update)) {
    out[key] = isObj(value) && isObj(base[key]) ? mergeSession(base[key] as Json, value) : value;
  }
  return out;
}

export function defaultGaSession(id: string, model: string, expiresAtS: number): Json {
  return {
    type: 'realtime', object: 'realtime.session', id, model, output_modalities: ['audio'], instructions: 'Your knowledge cutoff is 2023-10.',
    tools: [], tool_choice: 'auto', max_output_tokens: 'inf', tracing: null, truncation: 'auto', prompt: null, expires_at: expiresAtS,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 }, transcription: null, noise_reduction: null,
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, idle_timeout_ms: null, create_response: true, interrupt_response: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1.0 },
    },
    include: null,
  };
}

export function defaultBetaSession(id: string, model: string, expiresAtS: number): Json {
  return {
    id, object: 'realtime.session', model, expires_at: expiresAtS, modalities: ['audio', 'text'], instructions: '', voice: 'alloy',
    turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, create_response: true, interrupt_response: true },
    input_audio_format: 'pcm16', output_audio_format: 'pcm16', input_audio_transcription: null, tool_choice: 'auto', temperature: 0.8,
    max_response_output_tokens: 'inf', tools: [],
  };
}

export interface TurnDetectionView {
  type: 'server_vad' | 'semantic_vad';
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
}

/** What the fake's behaviour depends on, from either shape. */
export interface SessionView {
  inputFormat: FakeAudioFormat;
  outputFormat: FakeAudioFormat;
  inputBytesPerMs: number;
  turnDetection: TurnDetectionView | null;
  transcription: boolean;
  textOnly: boolean;
}

export function viewSession(session: Json, mode: 'ga' | 'beta'): SessionView {
  let td: unknown;
  let inputFormat: FakeAudioFormat;
  let outputFormat: FakeAudioFormat;
  let transcription: boolean;
  let textOnly: boolean;
  if (mode === 'ga') {
    const audio = (session.audio ?? {}) as Json;
    const input = (audio.input ?? {}) as Json;
    const output = (audio.output ?? {}) as Json;
    inputFormat = formatFromGa(input.format as Json);
    outputFormat = formatFromGa(output.format as Json);
    td = input.turn_detection;
    transcription = isObj(input.transcription);
    textOnly = Array.isArray(session.output_modalities) && session.output_modalities[0] === 'text';
  } else {
    inputFormat = formatFromBeta(session.input_audio_format);
    outputFormat = formatFromBeta(session.output_audio_format);
    td = session.turn_detection;
    transcription = isObj(session.input_audio_transcription);
    textOnly = Array.isArray(session.modalities) && !session.modalities.includes('audio');
  }
  const t = isObj(td) ? td : undefined;
  return {
    inputFormat,
    outputFormat,
    inputBytesPerMs: bytesPerMs(inputFormat),
    turnDetection: t
      ? {
          type: t.type === 'semantic_vad' ? 'semantic_vad' : 'server_vad',
          threshold: typeof t.threshold === 'number' ? t.threshold : 0.5,
          prefixPaddingMs: typeof t.prefix_padding_ms === 'number' ? t.prefix_padding_ms : 300,
          silenceDurationMs: typeof t.silence_duration_ms === 'number' ? t.silence_duration_ms : t.type === 'semantic_vad' ? 500 : 200,
          createResponse: t.create_response !== false,
          interruptResponse: t.interrupt_response !== false,
        }
      : null,
    transcription,
    textOnly,
  };
}

import { describe, expect, it } from 'vitest';
import { openaiRealtimeSchema } from '../../../src/config/schema.js';
import { buildSessionUpdate } from '../../../src/providers/openaiRealtime/sessionConfig.js';
import { connectionTarget } from '../../../src/providers/openaiRealtime/connectionTarget.js';
import { realtimeAudioSpec } from '../../../src/providers/openaiRealtime/realtimeAudioSpec.js';
import { seedItems, verbatimResponse } from '../../../src/providers/openaiRealtime/clientEvents.js';
import type { RealtimeToolSchema } from '../../../src/tools/toolSchemas.js';

/** PROTOCOL.md §2.1, "GA session.update for telephony, using μ-law end to end" (event_id left out). */
const GA_EXAMPLE =
  '{"type":"session.update","session":{"type":"realtime","output_modalities":["audio"],' +
  '"instructions":"You are a phone agent. Be brief.",' +
  '"audio":{"input":{"format":{"type":"audio/pcmu"},"noise_reduction":{"type":"near_field"},' +
  '"transcription":{"model":"gpt-4o-mini-transcribe","language":"en"},' +
  '"turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":500,"create_response":true,"interrupt_response":true,"idle_timeout_ms":null}},' +
  '"output":{"format":{"type":"audio/pcmu"},"voice":"marin","speed":1.0}},' +
  '"tools":[{"type":"function","name":"lookup_order","description":"Look up an order by number","parameters":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}}],' +
  '"tool_choice":"auto","max_output_tokens":"inf"}}';

const tool: RealtimeToolSchema = {
  type: 'function',
  name: 'lookup_order',
  description: 'Look up an order by number',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
};

const ulaw = realtimeAudioSpec({ provider_encoding: 'pcmu', provider_rate: 8000 });

describe('session.update', () => {
  it('GA session for μ-law telephony matches the protocol example byte for byte', () => {
    const config = openaiRealtimeSchema.parse({ transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' } });
    const update = buildSessionUpdate('ga', { config, audio: ulaw, instructions: 'You are a phone agent. Be brief.', tools: [tool] });
    // JSON has no 1.0: the example's "speed":1.0 serialises as 1.
    expect(JSON.stringify(update)).toBe(GA_EXAMPLE.replace('"speed":1.0', '"speed":1'));
  });

  it('GA session carries no beta key anywhere', () => {
    const config = openaiRealtimeSchema.parse({});
    const { session } = buildSessionUpdate('ga', { config, audio: ulaw, instructions: 'x', tools: [] });
    const keys: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      for (const [k, child] of Object.entries(v)) {
        keys.push(`${path}.${k}`);
        walk(child, `${path}.${k}`);
      }
    };
    walk(session, 'session');
    const beta = ['modalities', 'voice', 'input_audio_format', 'output_audio_format', 'input_audio_transcription', 'input_audio_noise_reduction', 'turn_detection', 'temperature', 'max_response_output_tokens'];
    expect(keys.filter((k) => beta.includes(k.replace(/^session\./, '')))).toEqual([]);
    expect(keys).toContain('session.audio.input.turn_detection');
  });

  it('GA pcm16 profile uses audio/pcm at 24000 both ways and semantic_vad keeps only its own keys', () => {
    const config = openaiRealtimeSchema.parse({ turn_detection: { type: 'semantic_vad', eagerness: 'low' }, transcription: null, noise_reduction: null, voice: 'cedar' });
    const pcm = realtimeAudioSpec({ provider_encoding: 'pcm16', provider_rate: 24000 });
    const { session } = buildSessionUpdate('ga', { config, audio: pcm, instructions: '', tools: [], voice: 'marin' });
    expect(session.audio).toEqual({
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        noise_reduction: null,
        transcription: null,
        turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: true, interrupt_response: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
    });
  });

  it('beta shape is flat with g711 names, behind api_version beta', () => {
    const config = openaiRealtimeSchema.parse({ api_version: 'beta', voice: 'alloy', transcription: { model: 'whisper-1' } });
    const update = buildSessionUpdate('beta', { config, audio: ulaw, instructions: 'Be brief.', tools: [tool] });
    expect(update).toEqual({
      type: 'session.update',
      session: {
        modalities: ['audio', 'text'],
        instructions: 'Be brief.',
        voice: 'alloy',
        speed: 1,
        input_audio_format: 'g711_ulaw',
        output_audio_format: 'g711_ulaw',
        input_audio_transcription: { model: 'whisper-1' },
        input_audio_noise_reduction: { type: 'near_field' },
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true },
        tools: [tool],
        tool_choice: 'auto',
        max_response_output_tokens: 'inf',
      },
    });
  });
});

describe('audio formats', () => {
  it('G.711 profiles pass through at 8 bytes per ms; A-law maps to audio/pcma', () => {
    expect(ulaw).toMatchObject({ ga: { type: 'audio/pcmu' }, beta: 'g711_ulaw', bytesPerMs: 8, format: { encoding: 'pcmu', sampleRate: 8000 } });
    expect(realtimeAudioSpec({ provider_encoding: 'pcma', provider_rate: 8000 })).toMatchObject({ ga: { type: 'audio/pcma' }, beta: 'g711_alaw' });
  });

  it('rejects pcm16 at any rate but 24000 with a clear message', () => {
    expect(() => realtimeAudioSpec({ provider_encoding: 'pcm16', provider_rate: 16000 })).toThrow(/only supported at 24000 Hz/);
    expect(() => realtimeAudioSpec({ provider_encoding: 'pcmu', provider_rate: 24000 })).toThrow(/8000 Hz/);
  });
});

describe('connection target', () => {
  it('GA: Bearer auth and no OpenAI-Beta header', () => {
    const t = connectionTarget({ base_url: 'wss://api.openai.com/v1', model: 'gpt-realtime', api_version: 'ga' }, 'sk-x');
    expect(t.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(t.headers).toEqual({ Authorization: 'Bearer sk-x' });
  });

  it('beta adds OpenAI-Beta: realtime=v1', () => {
    const t = connectionTarget({ base_url: 'wss://api.openai.com/v1/', model: 'gpt-4o-realtime-preview', api_version: 'beta' }, 'sk-x');
    expect(t.headers).toEqual({ Authorization: 'Bearer sk-x', 'OpenAI-Beta': 'realtime=v1' });
  });

  it('Azure GA: api-key header, /openai/v1/realtime with the deployment as model', () => {
    const t = connectionTarget({ base_url: 'https://res.openai.azure.com/openai', model: 'ignored', api_version: 'ga', azure: { deployment: 'rt-prod' } }, 'az-key');
    expect(t.url).toBe('wss://res.openai.azure.com/openai/v1/realtime?model=rt-prod');
    expect(t.headers).toEqual({ 'api-key': 'az-key' });
  });

  it('Azure preview (beta): api-version and deployment query', () => {
    const t = connectionTarget({ base_url: 'https://res.openai.azure.com/openai', model: 'x', api_version: 'beta', azure: { deployment: 'rt' } }, 'k');
    expect(t.url).toBe('wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt');
  });
});

describe('client events', () => {
  it('verbatim greeting stays in the conversation, cannot call tools and is tagged', () => {
    expect(verbatimResponse('ga', 'Hello, ACME.', 'greeting', 'greeting_1')).toEqual({
      type: 'response.create',
      response: {
        conversation: 'auto',
        output_modalities: ['audio'],
        instructions: 'Say exactly this, word for word, then stop: «Hello, ACME.»',
        tool_choice: 'none',
        metadata: { agent_purpose: 'greeting', agent_ref: 'greeting_1' },
      },
    });
  });

  it('seed items: user input_text, assistant output_text (GA) or text (beta), oldest dropped beyond the budget', () => {
    const transcript = [
      { role: 'assistant' as const, text: 'Hello, ACME.', atMs: 1 },
      { role: 'user' as const, text: 'Where is my order?', atMs: 2 },
      { role: 'assistant' as const, text: '', atMs: 3 },
    ];
    expect(seedItems('ga', transcript, 1000).map((e) => e.item)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, ACME.' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Where is my order?' }] },
    ]);
    expect(seedItems('beta', transcript, 1000)[0]!.item).toMatchObject({ content: [{ type: 'text' }] });
    expect(seedItems('ga', transcript, 20)).toHaveLength(1);
  });
});

import type { ProfileConfig } from '../../config/schema.js';
import type { AudioFormat } from '../VoiceProvider.js';

/** GA `audio.input/output.format` objects (PROTOCOL §2.1, §5). */
export type GaAudioFormat = { type: 'audio/pcmu' } | { type: 'audio/pcma' } | { type: 'audio/pcm'; rate: 24000 };
/** Beta `input_audio_format` / `output_audio_format` names. */
export type BetaAudioFormat = 'g711_ulaw' | 'g711_alaw' | 'pcm16';

export interface RealtimeAudioSpec {
  /** Same format both ways: the Realtime API sets input and output separately, we never need them to differ. */
  format: AudioFormat;
  ga: GaAudioFormat;
  beta: BetaAudioFormat;
  /** Bytes per ms of audio: 8 for G.711 at 8 kHz, 48 for pcm16 at 24 kHz. */
  bytesPerMs: number;
}

/**
 * Maps a media profile to the Realtime audio format. μ-law/A-law pass straight through (160 B per 20 ms);
 * pcm16 must be 24 kHz, the only PCM rate the Realtime API accepts. Throws on anything else so a bad profile
 * fails at start-up, not mid-call.
 */
export function realtimeAudioSpec(profile: Pick<ProfileConfig, 'provider_encoding' | 'provider_rate'>): RealtimeAudioSpec {
  const { provider_encoding: encoding, provider_rate: sampleRate } = profile;
  if (encoding === 'pcm16') {
    if (sampleRate !== 24_000) {
      throw new Error(`openai_realtime: pcm16 is only supported at 24000 Hz (profile asks for ${sampleRate} Hz); use provider_rate: 24000 or a pcmu/pcma profile`);
    }
    return { format: { encoding, sampleRate }, ga: { type: 'audio/pcm', rate: 24_000 }, beta: 'pcm16', bytesPerMs: 48 };
  }
  if (sampleRate !== 8_000) {
    throw new Error(`openai_realtime: ${encoding} is G.711 at 8000 Hz (profile asks for ${sampleRate} Hz)`);
  }
  return encoding === 'pcmu'
    ? { format: { encoding, sampleRate }, ga: { type: 'audio/pcmu' }, beta: 'g711_ulaw', bytesPerMs: 8 }
    : { format: { encoding, sampleRate }, ga: { type: 'audio/pcma' }, beta: 'g711_alaw', bytesPerMs: 8 };
}

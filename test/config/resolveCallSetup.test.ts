import { describe, expect, it } from 'vitest';
import { CallSetupError, resolveCallSetup } from '../../src/config/resolveCallSetup.js';
import { configSchema, DEFAULT_PROFILES } from '../../src/config/schema.js';

const config = configSchema.parse({
  default_context: 'default',
  default_provider: 'openai_realtime',
  providers: {
    openai_realtime: { api_key: 'sk-x', voice: 'marin' },
    echo: {},
    off: { type: 'echo', enabled: false },
  },
  pipelines: { hybrid: {} },
  profiles: { ...DEFAULT_PROFILES },
  contexts: {
    default: {},
    sales: { provider: 'hybrid', profile: 'telephony_alaw', voice: 'nova' },
    calm: { voice: 'cedar', provider_overrides: { turn_detection: { type: 'semantic_vad', eagerness: 'low' } } },
  },
});

describe('resolveCallSetup', () => {
  it('uses the defaults when the dialplan sets nothing', () => {
    const setup = resolveCallSetup(config);
    expect(setup).toMatchObject({ contextName: 'default', providerKey: 'openai_realtime', providerKind: 'realtime', profileName: 'telephony_ulaw', warnings: [] });
    expect(setup.profile).toEqual(DEFAULT_PROFILES.telephony_ulaw);
  });

  it("takes the context's provider and profile, and its voice into the pipeline's TTS", () => {
    const setup = resolveCallSetup(config, { context: 'sales' });
    expect(setup).toMatchObject({ providerKind: 'pipeline', providerKey: 'hybrid', profileName: 'telephony_alaw' });
    expect(setup.providerKind === 'pipeline' && setup.providerConfig.tts.voice).toBe('nova');
  });

  it('lets AI_PROVIDER and AI_AUDIO_PROFILE override the context', () => {
    const setup = resolveCallSetup(config, { context: 'sales', provider: 'echo', profile: 'openai_pcm24k' });
    expect(setup).toMatchObject({ providerKind: 'echo', providerKey: 'echo', profileName: 'openai_pcm24k', warnings: [] });
  });

  it('applies voice and provider_overrides to a realtime provider without changing the config', () => {
    const setup = resolveCallSetup(config, { context: 'calm' });
    expect(setup.providerKind).toBe('realtime');
    if (setup.providerKind !== 'realtime') return;
    expect(setup.providerConfig.voice).toBe('cedar');
    expect(setup.providerConfig.turn_detection).toEqual({ type: 'semantic_vad', eagerness: 'low', create_response: true, interrupt_response: true });
    expect(config.providers.openai_realtime?.type === 'openai_realtime' && config.providers.openai_realtime.voice).toBe('marin');
  });

  it('falls back with a warning instead of failing a live call on unknown or disabled names', () => {
    const setup = resolveCallSetup(config, { context: 'nope', provider: 'off', profile: 'huh' });
    expect(setup).toMatchObject({ contextName: 'default', providerKey: 'openai_realtime', profileName: 'telephony_ulaw' });
    expect(setup.warnings).toEqual([
      "context 'nope' is not defined; using default_context 'default'",
      "provider 'off' is not defined or disabled; using 'openai_realtime'",
      "profile 'huh' is not defined; using 'telephony_ulaw'",
    ]);
  });

  it('treats empty dialplan variables as unset', () => {
    expect(resolveCallSetup(config, { context: '', provider: '', profile: '' }).warnings).toEqual([]);
  });

  it('finds built-in profiles even in a config that did not go through loadConfig', () => {
    const bare = configSchema.parse({ default_provider: 'echo', providers: { echo: {} }, contexts: { default: {} } });
    expect(resolveCallSetup(bare).profileName).toBe('telephony_ulaw');
  });

  it('throws CallSetupError when even the defaults do not resolve', () => {
    const broken = configSchema.parse({ contexts: { default: {} } });
    expect(() => resolveCallSetup(broken)).toThrow(CallSetupError);
  });
});

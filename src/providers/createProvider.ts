import type { Logger } from 'pino';
import type { AppConfig, ProfileConfig } from '../config/schema.js';
import { EchoProvider } from './echo/EchoProvider.js';
import { OpenAIRealtimeProvider } from './openaiRealtime/OpenAIRealtimeProvider.js';
import { PipelineProvider } from './pipeline/PipelineProvider.js';
import type { VoiceProvider } from './VoiceProvider.js';

/**
 * Build the provider a call uses. `providerKey` names either `providers.<key>` or `pipelines.<key>` (what the
 * dialplan's AI_PROVIDER says). `overrides` are the context's provider_overrides, merged over the provider config.
 */
export function createProvider(opts: {
  config: AppConfig;
  providerKey: string;
  profile: ProfileConfig;
  overrides?: Record<string, unknown> | undefined;
  logger: Logger;
}): VoiceProvider {
  const { config, providerKey, profile, logger } = opts;
  const provider = config.providers[providerKey];
  if (provider) {
    const merged = opts.overrides ? { ...provider, ...opts.overrides, type: provider.type } : provider;
    if (merged.type === 'echo') return new EchoProvider(providerKey, merged as typeof provider & { type: 'echo' }, profile);
    return new OpenAIRealtimeProvider({
      key: providerKey,
      config: merged as typeof provider & { type: 'openai_realtime' },
      profile,
      logger,
    });
  }
  const pipeline = config.pipelines[providerKey];
  if (pipeline) return new PipelineProvider({ key: providerKey, config: pipeline, profile, vad: config.vad, logger });
  throw new Error(`unknown provider "${providerKey}": not under providers: or pipelines:`);
}

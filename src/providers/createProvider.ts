import type { Logger } from 'pino';
import type { ProfileConfig, VadConfig } from '../config/schema.js';
import type { ResolvedProvider } from '../config/resolveCallSetup.js';
import { EchoProvider } from './echo/EchoProvider.js';
import { OpenAIRealtimeProvider } from './openaiRealtime/OpenAIRealtimeProvider.js';
import { PipelineProvider } from './pipeline/PipelineProvider.js';
import type { VoiceProvider } from './VoiceProvider.js';

/**
 * Build the provider a call uses, from the call set-up: `providerConfig` already has the context's
 * provider_overrides and voice applied and validated (resolveCallSetup), so this only picks the class.
 */
export function createProvider(opts: { setup: ResolvedProvider; profile: ProfileConfig; vad: VadConfig; logger: Logger }): VoiceProvider {
  const { setup, profile, logger } = opts;
  switch (setup.providerKind) {
    case 'echo':
      return new EchoProvider(setup.providerKey, setup.providerConfig, profile);
    case 'realtime':
      return new OpenAIRealtimeProvider({ key: setup.providerKey, config: setup.providerConfig, profile, logger });
    case 'pipeline':
      return new PipelineProvider({ key: setup.providerKey, config: setup.providerConfig, profile, vad: opts.vad, logger });
  }
}

import { deepMerge } from './deepMerge.js';
import {
  DEFAULT_PROFILES,
  pipelineSchema,
  providerSchema,
  type AppConfig,
  type ContextConfig,
  type EchoConfig,
  type OpenAIRealtimeConfig,
  type PipelineConfig,
  type ProfileConfig,
} from './schema.js';

export type ProviderKind = 'realtime' | 'echo' | 'pipeline';

export type ResolvedProvider =
  | { providerKey: string; providerKind: 'realtime'; providerConfig: OpenAIRealtimeConfig }
  | { providerKey: string; providerKind: 'echo'; providerConfig: EchoConfig }
  | { providerKey: string; providerKind: 'pipeline'; providerConfig: PipelineConfig };

export type CallSetup = ResolvedProvider & {
  contextName: string;
  context: ContextConfig;
  profileName: string;
  profile: ProfileConfig;
  /** What was asked for but could not be honoured (the call goes on with the fallback); log them. */
  warnings: string[];
};

export interface CallSetupRequest {
  /** AI_CONTEXT (or the outbound request's context). */
  context?: string | undefined;
  /** AI_PROVIDER: a provider key or a pipeline key. */
  provider?: string | undefined;
  /** AI_PROFILE. */
  profile?: string | undefined;
}

export class CallSetupError extends Error {
  readonly code = 'CALL_SETUP_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CallSetupError';
  }
}

function providerByKey(config: AppConfig, key: string, overrides: Record<string, unknown> | undefined, voice: string | undefined): ResolvedProvider | undefined {
  const provider = config.providers[key];
  if (provider?.enabled) {
    let merged: unknown = provider;
    if (overrides) merged = deepMerge(merged, overrides);
    if (voice !== undefined && provider.type === 'openai_realtime') merged = deepMerge(merged, { voice });
    const parsed = providerSchema.safeParse(merged);
    const value = parsed.success ? parsed.data : provider;
    return value.type === 'openai_realtime'
      ? { providerKey: key, providerKind: 'realtime', providerConfig: value }
      : { providerKey: key, providerKind: 'echo', providerConfig: value };
  }
  const pipeline = config.pipelines[key];
  if (pipeline?.enabled) {
    let merged: unknown = pipeline;
    if (overrides) merged = deepMerge(merged, overrides);
    if (voice !== undefined) merged = deepMerge(merged, { tts: { voice } });
    const parsed = pipelineSchema.safeParse(merged);
    return { providerKey: key, providerKind: 'pipeline', providerConfig: parsed.success ? parsed.data : pipeline };
  }
  return undefined;
}

/**
 * Decide what a call runs with: the context (AI_CONTEXT, else default_context), the provider (AI_PROVIDER, else the
 * context's, else default_provider), the profile (AI_PROFILE, else the context's, else default_profile). A live call
 * never fails on a wrong dialplan variable: an unknown or disabled name falls back to the default with a warning.
 * The context's `voice` and `provider_overrides` are applied to the provider config (ignored if they do not fit it).
 * Throws `CallSetupError` only when even the defaults do not resolve (a config that did not go through loadConfig).
 */
export function resolveCallSetup(config: AppConfig, request: CallSetupRequest = {}): CallSetup {
  const warnings: string[] = [];

  let contextName = request.context || config.default_context;
  if (!config.contexts[contextName]) {
    warnings.push(`context '${contextName}' is not defined; using default_context '${config.default_context}'`);
    contextName = config.default_context;
  }
  const context = config.contexts[contextName];
  if (!context) throw new CallSetupError(`default_context '${config.default_context}' is not defined`);

  const fallbackProvider = context.provider ?? config.default_provider;
  let provider: ResolvedProvider | undefined;
  if (request.provider) {
    provider = providerByKey(config, request.provider, context.provider_overrides, context.voice);
    if (!provider) warnings.push(`provider '${request.provider}' is not defined or disabled; using '${fallbackProvider}'`);
  }
  provider ??= providerByKey(config, fallbackProvider, context.provider_overrides, context.voice);
  if (!provider) throw new CallSetupError(`provider '${fallbackProvider}' is not defined or disabled`);

  const profiles: Record<string, ProfileConfig> = { ...DEFAULT_PROFILES, ...config.profiles };
  const fallbackProfile = context.profile ?? config.default_profile;
  let profileName = request.profile || fallbackProfile;
  if (!profiles[profileName]) {
    warnings.push(`profile '${profileName}' is not defined; using '${fallbackProfile}'`);
    profileName = fallbackProfile;
  }
  const profile = profiles[profileName];
  if (!profile) throw new CallSetupError(`profile '${profileName}' is not defined`);

  return { ...provider, contextName, context, profileName, profile, warnings };
}

import { deepMerge } from './deepMerge.js';
import { didYouMean } from './didYouMean.js';
import { pipelineSchema, providerSchema, type AppConfig, type ProfileConfig } from './schema.js';
import type { ConfigPath } from './schemaWalk.js';
import { TOOL_NAMES, canonicalToolName } from './toolNames.js';
import { zodProblems, type PathProblem } from './zodProblems.js';

export interface SemanticResult {
  errors: PathProblem[];
  warnings: PathProblem[];
}

function missing(kind: string, name: string, known: string[], where: string): { message: string; hint: string } {
  const suggestion = didYouMean(name, known);
  return {
    message: `${kind} '${name}' is not defined`,
    hint: suggestion ? `did you mean '${suggestion}'?` : known.length > 0 ? `known: ${known.join(', ')}; define more under ${where}` : `define it under ${where}`,
  };
}

/**
 * Cross-references the schema cannot express: names that must exist, combinations that cannot work. Runs on a
 * config zod accepted; built-in profiles are expected to be merged into `profiles` already.
 */
export function checkSemantics(config: AppConfig): SemanticResult {
  const errors: PathProblem[] = [];
  const warnings: PathProblem[] = [];
  const err = (path: ConfigPath, message: string, hint?: string): void => void errors.push({ path, message, hint });
  const warn = (path: ConfigPath, message: string, hint?: string): void => void warnings.push({ path, message, hint });

  const contextNames = Object.keys(config.contexts);
  const providerNames = [...Object.keys(config.providers), ...Object.keys(config.pipelines)];
  const profileNames = Object.keys(config.profiles);

  for (const key of Object.keys(config.pipelines)) {
    if (key in config.providers) err(['pipelines', key], `'${key}' is both a provider and a pipeline`, 'AI_PROVIDER names one or the other: rename one of them');
  }

  const isEnabled = (key: string): boolean => (config.providers[key] ?? config.pipelines[key])?.enabled ?? false;
  const checkProvider = (path: ConfigPath, key: string): void => {
    if (!providerNames.includes(key)) {
      const m = missing('provider', key, providerNames, 'providers: or pipelines:');
      err(path, m.message, m.hint);
    } else if (!isEnabled(key)) err(path, `provider '${key}' is disabled (enabled: false)`, `set enabled: true on it or choose another provider`);
  };
  const checkProfile = (path: ConfigPath, name: string): void => {
    if (!profileNames.includes(name)) {
      const m = missing('profile', name, profileNames, 'profiles:');
      err(path, m.message, m.hint);
    }
  };

  if (!contextNames.includes(config.default_context)) {
    const m = missing('context', config.default_context, contextNames, 'contexts: or contexts/<name>.yaml');
    err(['default_context'], m.message, m.hint);
  }
  checkProvider(['default_provider'], config.default_provider);
  checkProfile(['default_profile'], config.default_profile);

  for (const [name, profile] of Object.entries(config.profiles)) {
    if (profile.provider_encoding !== 'pcm16' && profile.provider_rate !== 8000) {
      err(['profiles', name, 'provider_rate'], `${profile.provider_encoding} is always 8000 Hz, got ${profile.provider_rate}`, 'set provider_rate: 8000 or provider_encoding: pcm16');
    }
  }

  const checkPair = (path: ConfigPath, providerKey: string, profileName: string): void => {
    const provider = config.providers[providerKey];
    const profile: ProfileConfig | undefined = config.profiles[profileName];
    if (provider?.type === 'openai_realtime' && profile?.provider_encoding === 'pcm16' && profile.provider_rate !== 24000) {
      err(path, `profile '${profileName}' gives OpenAI Realtime pcm16 at ${profile.provider_rate} Hz; it only takes 24000 Hz`, 'use a profile with provider_rate: 24000 or pcmu/pcma');
    }
  };
  checkPair(['default_profile'], config.default_provider, config.default_profile);

  for (const [name, context] of Object.entries(config.contexts)) {
    const base: ConfigPath = ['contexts', name];
    if (context.provider !== undefined) checkProvider([...base, 'provider'], context.provider);
    if (context.profile !== undefined) checkProfile([...base, 'profile'], context.profile);
    checkPair(base, context.provider ?? config.default_provider, context.profile ?? config.default_profile);
    context.tools.forEach((tool, index) => {
      const canonical = canonicalToolName(tool);
      if (!canonical) {
        const suggestion = didYouMean(tool, TOOL_NAMES);
        err([...base, 'tools', index], `unknown tool '${tool}'`, suggestion ? `did you mean '${suggestion}'?` : `known tools: ${TOOL_NAMES.join(', ')}`);
      } else if (!config.tools[canonical].enabled) {
        warn([...base, 'tools', index], `tool '${tool}' is disabled under tools.${canonical}.enabled, so this context will not offer it`);
      } else if (canonical === 'transfer' && Object.keys(config.tools.transfer.destinations).length === 0) {
        warn([...base, 'tools', index], `tool 'transfer' has no destinations`, 'add some under tools.transfer.destinations');
      }
    });
    if (context.provider_overrides) {
      const key = context.provider ?? config.default_provider;
      const providerBase = config.providers[key] ?? config.pipelines[key];
      if (providerBase) {
        const schema = key in config.providers ? providerSchema : pipelineSchema;
        const merged = deepMerge(providerBase, context.provider_overrides);
        const parsed = schema.safeParse(merged);
        if (!parsed.success) {
          for (const p of zodProblems(parsed.error, schema, merged)) err([...base, 'provider_overrides', ...p.path], p.message, p.hint);
        }
      }
    }
  }

  // A key-less request to OpenAI fails on every call: refuse to start instead (self-hosted URLs may need no key).
  const needsKey = (url: string): boolean => /(^|\.|\/\/)(api\.openai\.com|openai\.azure\.com)/.test(url);
  const usedProviders = new Set([config.default_provider, ...Object.values(config.contexts).flatMap((c) => (c.provider ? [c.provider] : []))]);
  for (const key of usedProviders) {
    const realtime = config.providers[key];
    if (realtime?.type === 'openai_realtime' && realtime.enabled && realtime.api_key === '' && needsKey(realtime.base_url)) {
      err(['providers', key, 'api_key'], 'is empty but OpenAI needs an API key', 'api_key: ${OPENAI_API_KEY} with OPENAI_API_KEY in .env');
    }
    const pipeline = config.pipelines[key];
    if (pipeline?.enabled) {
      for (const stage of ['stt', 'llm', 'tts'] as const) {
        if (pipeline[stage].api_key === '' && needsKey(pipeline[stage].base_url)) {
          err(['pipelines', key, stage, 'api_key'], `is empty but ${pipeline[stage].base_url} needs an API key`, 'api_key: ${OPENAI_API_KEY} with OPENAI_API_KEY in .env');
        }
      }
    }
  }
  if (config.email.enabled && config.email.summary.enabled && config.email.summary.api_key === '' && needsKey(config.email.summary.base_url)) {
    err(['email', 'summary', 'api_key'], `is empty but ${config.email.summary.base_url} needs an API key`, 'set it, or email.summary.enabled: false to send transcripts without a summary');
  }

  const failure = config.on_provider_failure;
  if (failure.action === 'transfer') {
    const destinations = Object.keys(config.tools.transfer.destinations);
    if (failure.destination === undefined) err(['on_provider_failure', 'destination'], 'action: transfer needs a destination', `name one of tools.transfer.destinations (${destinations.join(', ') || 'none defined'})`);
    else if (!destinations.includes(failure.destination)) {
      const m = missing('transfer destination', failure.destination, destinations, 'tools.transfer.destinations');
      err(['on_provider_failure', 'destination'], m.message, m.hint);
    }
  }
  if (failure.action === 'voicemail' && config.tools.leave_voicemail.mailbox === '') {
    err(['on_provider_failure', 'action'], 'action: voicemail needs tools.leave_voicemail.mailbox', 'set the mailbox (e.g. 100) or use action: hangup');
  }

  if (/\/ari\/?$/.test(config.asterisk.ari_url)) {
    warn(['asterisk', 'ari_url'], `ari_url ends in /ari but the agent adds /ari itself`, `use ${config.asterisk.ari_url.replace(/\/ari\/?$/, '')}`);
  }
  if (['0.0.0.0', '::', ''].includes(config.external_media.advertise_host)) {
    err(['external_media', 'advertise_host'], `Asterisk cannot send RTP to '${config.external_media.advertise_host}'`, 'set the address of this machine as Asterisk sees it (127.0.0.1 when on the same host)');
  }
  const [rtpFirst, rtpLast] = config.external_media.port_range.split('-').map(Number) as [number, number];
  if (config.http.enabled && config.http.port >= rtpFirst && config.http.port <= rtpLast) {
    err(['http', 'port'], `http.port ${config.http.port} is inside external_media.port_range ${config.external_media.port_range}`, 'move one of them');
  }
  if (config.email.enabled && config.email.recipients.length === 0 && !Object.values(config.contexts).some((c) => (c.email?.recipients?.length ?? 0) > 0)) {
    warn(['email', 'recipients'], 'email is enabled but no recipients are set anywhere', 'set email.recipients or contexts.<name>.email.recipients');
  }
  return { errors, warnings };
}

import { maskValue } from '../../config/maskSecrets.js';
import type { DoctorCheck, DoctorResult } from './DoctorCheck.js';

/** An API key for every enabled provider/pipeline stage; missing ones matter most where the config uses them. */
export const providerKeyChecks: DoctorCheck = async ({ config }) => {
  const results: DoctorResult[] = [];
  const used = new Set([config.default_provider, ...Object.values(config.contexts).flatMap((c) => (c.provider ? [c.provider] : []))]);
  const check = (where: string, key: string, apiKey: string, baseUrl: string): void => {
    const openai = /api\.openai\.com|openai\.azure\.com/.test(baseUrl);
    if (apiKey !== '') {
      const looksWrong = /api\.openai\.com/.test(baseUrl) && !apiKey.startsWith('sk-');
      results.push(
        looksWrong
          ? { status: 'warn', title: `${where}: API key ${maskValue(apiKey)} does not look like an OpenAI key (sk-…)`, fix: 'check OPENAI_API_KEY in .env' }
          : { status: 'ok', title: `${where}: API key present (${maskValue(apiKey)})` },
      );
    } else if (!openai) {
      results.push({ status: 'info', title: `${where}: no API key (self-hosted ${baseUrl})` });
    } else {
      results.push({
        status: used.has(key) ? 'fail' : 'warn',
        title: `${where}: no API key${used.has(key) ? '' : ` (only calls with AI_PROVIDER=${key} would fail)`}`,
        fix: 'set OPENAI_API_KEY in .env and api_key: ${OPENAI_API_KEY}',
      });
    }
  };
  for (const [key, provider] of Object.entries(config.providers)) {
    if (provider.type !== 'openai_realtime' || !provider.enabled) continue;
    check(`providers.${key}`, key, provider.api_key, provider.base_url);
  }
  for (const [key, pipeline] of Object.entries(config.pipelines)) {
    if (!pipeline.enabled) continue;
    for (const stage of ['stt', 'llm', 'tts'] as const) check(`pipelines.${key}.${stage}`, key, pipeline[stage].api_key, pipeline[stage].base_url);
  }
  if (results.length === 0) results.push({ status: 'info', title: 'no OpenAI provider enabled: no API key needed' });
  return results;
};

import type { OpenAIRealtimeConfig } from '../../config/schema.js';

/** Where and how to open the Realtime WebSocket (PROTOCOL §1). Pure; the key never leaves this object. */
export interface ConnectionTarget {
  url: string;
  headers: Record<string, string>;
  /** For logs: the URL without secrets (there are none in it, but keep the habit explicit). */
  describe: string;
}

/** Azure preview API version used when `api_version: beta` targets an Azure resource. */
const AZURE_PREVIEW_API_VERSION = '2025-04-01-preview';

function toWsScheme(base: string): string {
  return base.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`).replace(/\/+$/, '');
}

/**
 * OpenAI: `${base_url}/realtime?model=…` with `Authorization: Bearer`; beta adds `OpenAI-Beta: realtime=v1`.
 * Azure GA: `<base>/v1/realtime?model=<deployment>` with `api-key`; Azure preview (beta):
 * `<base>/realtime?api-version=…&deployment=<deployment>`.
 */
export function connectionTarget(config: Pick<OpenAIRealtimeConfig, 'base_url' | 'model' | 'api_version' | 'azure'>, apiKey: string): ConnectionTarget {
  const base = toWsScheme(config.base_url);
  if (config.azure) {
    const deployment = encodeURIComponent(config.azure.deployment);
    const url =
      config.api_version === 'beta'
        ? `${base.replace(/\/v1$/, '')}/realtime?api-version=${AZURE_PREVIEW_API_VERSION}&deployment=${deployment}`
        : `${/\/v1$/.test(base) ? base : `${base}/v1`}/realtime?model=${deployment}`;
    return { url, headers: { 'api-key': apiKey }, describe: url };
  }
  const url = `${base}/realtime?model=${encodeURIComponent(config.model)}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}` };
  if (config.api_version === 'beta') headers['OpenAI-Beta'] = 'realtime=v1';
  return { url, headers, describe: url };
}

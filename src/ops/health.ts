import { readFileSync } from 'node:fs';
import type { AriState } from '../ari/AriConnection.js';
import type { AppConfig } from '../config/schema.js';
import type { RecentErrorSummary } from './RecentErrors.js';

/**
 * What `/ready` and `/health` answer, computed from plain facts. Pure, so the rules are tested without a server.
 * Never includes a secret: a provider's key is reported as present or absent, nothing more.
 */
export interface ReadinessFacts {
  ariState: AriState;
  configLoaded: boolean;
  draining: boolean;
}

export type Readiness = { ready: true } | { ready: false; reason: string };

export function readiness(f: ReadinessFacts): Readiness {
  if (!f.configLoaded) return { ready: false, reason: 'configuration not loaded' };
  if (f.draining) return { ready: false, reason: 'draining: shutting down, not taking new calls' };
  if (f.ariState !== 'connected') return { ready: false, reason: `ARI ${f.ariState}: events socket not open or app not registered` };
  return { ready: true };
}

export interface ProviderHealth {
  kind: 'realtime' | 'echo' | 'pipeline';
  enabled: boolean;
  /** Whether the credentials it needs are configured (echo needs none). */
  key_present: boolean;
  recent_errors: number;
  last_error_code?: string;
}

/** Configured providers and pipelines, with whether their keys are present and their recent error counts. */
export function providerHealth(config: AppConfig, recent: Record<string, RecentErrorSummary>): Record<string, ProviderHealth> {
  const out: Record<string, ProviderHealth> = {};
  const errors = (key: string): Pick<ProviderHealth, 'recent_errors' | 'last_error_code'> => {
    const r = recent[key];
    return r ? { recent_errors: r.count, last_error_code: r.lastCode } : { recent_errors: 0 };
  };
  for (const [key, p] of Object.entries(config.providers)) {
    out[key] =
      p.type === 'echo'
        ? { kind: 'echo', enabled: p.enabled, key_present: true, ...errors(key) }
        : { kind: 'realtime', enabled: p.enabled, key_present: p.api_key !== '', ...errors(key) };
  }
  for (const [key, p] of Object.entries(config.pipelines)) {
    const keyPresent = p.stt.api_key !== '' && p.llm.api_key !== '' && p.tts.api_key !== '';
    out[key] = { kind: 'pipeline', enabled: p.enabled, key_present: keyPresent, ...errors(key) };
  }
  return out;
}

export interface HealthFacts extends ReadinessFacts {
  config: AppConfig;
  activeCalls: number;
  recentErrors: Record<string, RecentErrorSummary>;
  version: string;
  startedAtMs: number;
  nowMs: number;
  ariReconnects: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  ready: boolean;
  reason?: string;
  version: string;
  uptime_s: number;
  ari: { state: AriState; app: string; reconnects: number };
  active_calls: number;
  draining: boolean;
  default_provider: string;
  providers: Record<string, ProviderHealth>;
}

export function healthReport(f: HealthFacts): HealthReport {
  const r = readiness(f);
  const providers = providerHealth(f.config, f.recentErrors);
  const def = providers[f.config.default_provider];
  const degraded = !r.ready || (def !== undefined && (!def.enabled || !def.key_present || def.recent_errors > 0));
  return {
    status: degraded ? 'degraded' : 'ok',
    ready: r.ready,
    ...(r.ready ? {} : { reason: r.reason }),
    version: f.version,
    uptime_s: Math.round((f.nowMs - f.startedAtMs) / 1000),
    ari: { state: f.ariState, app: f.config.asterisk.app_name, reconnects: f.ariReconnects },
    active_calls: f.activeCalls,
    draining: f.draining,
    default_provider: f.config.default_provider,
    providers,
  };
}

let cachedVersion: string | undefined;

/** Our version from package.json (two folders up from both src/ops and dist/src/ops… or dist/ops). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'asterisk-ai-voice-agent' && typeof pkg.version === 'string') {
        cachedVersion = pkg.version;
        return cachedVersion;
      }
    } catch {
      /* try the next location */
    }
  }
  cachedVersion = 'unknown';
  return cachedVersion;
}

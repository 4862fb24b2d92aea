import type { Logger } from 'pino';
import { ConfigError, type ConfigProblem } from '../config/ConfigError.js';
import { loadConfig, type LoadedConfig } from '../config/loadConfig.js';
import type { AppConfig } from '../config/schema.js';

/**
 * SIGHUP and `POST /reload`: load the configuration again from the same place and apply it to new calls. Calls in
 * progress keep the config object they started with. An invalid file changes nothing: every problem is returned
 * (and logged) and the old configuration stays in force.
 */
export interface ReloadTarget {
  config(): AppConfig;
  applyConfig(next: AppConfig): void;
}

/** Sections read once at start-up (sockets, ports, the ARI connection): a change there needs a restart. */
export const RESTART_SECTIONS = ['asterisk', 'external_media', 'http', 'logging'] as const;

export function sectionsNeedingRestart(before: AppConfig, after: AppConfig): string[] {
  return RESTART_SECTIONS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

export interface ReloadDeps {
  agent: ReloadTarget;
  /** The loader, as at start-up (same path). Default: loadConfig({ configPath }). */
  load?: () => Promise<LoadedConfig>;
  configPath?: string | undefined;
  logger: Logger;
  onResult?: (ok: boolean) => void;
}

export type ReloadResult =
  | { ok: true; files: string[]; warnings: ConfigProblem[]; restartNeededFor: string[] }
  | { ok: false; problems: ConfigProblem[] };

export async function reloadConfig(deps: ReloadDeps): Promise<ReloadResult> {
  const load = deps.load ?? (() => loadConfig({ configPath: deps.configPath }));
  let loaded: LoadedConfig;
  try {
    loaded = await load();
  } catch (err) {
    const problems: ConfigProblem[] =
      err instanceof ConfigError ? [...err.problems] : [{ file: deps.configPath ?? '', path: '', message: err instanceof Error ? err.message : String(err) }];
    deps.logger.error({ problems }, 'configuration reload refused; the previous configuration stays in force');
    deps.onResult?.(false);
    return { ok: false, problems };
  }
  const restartNeededFor = sectionsNeedingRestart(deps.agent.config(), loaded.config);
  deps.agent.applyConfig(loaded.config);
  for (const w of loaded.warnings) deps.logger.warn({ warning: w }, 'configuration warning');
  if (restartNeededFor.length > 0) deps.logger.warn({ sections: restartNeededFor }, 'changed sections take effect only after a restart');
  deps.logger.info({ files: loaded.files }, 'configuration reloaded; new calls use it, calls in progress keep theirs');
  deps.onResult?.(true);
  return { ok: true, files: loaded.files, warnings: loaded.warnings, restartNeededFor };
}

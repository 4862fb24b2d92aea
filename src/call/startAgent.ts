import type { Logger } from 'pino';
import type { AppConfig } from '../config/schema.js';

/** Running agent: ARI controller, health listener, email spool. Filled in by the call path. */
export interface RunningAgent {
  stop(reason: string): Promise<void>;
}

export async function startAgent(opts: { config: AppConfig; logger: Logger; configPath?: string }): Promise<RunningAgent> {
  opts.logger.error('the call path is not wired yet');
  throw new Error('not implemented yet');
}

import { ConfigError, formatProblem } from '../config/ConfigError.js';
import { loadConfig, type LoadedConfig } from '../config/loadConfig.js';
import { stringOption, type CliContext } from './CliCommand.js';

/** Load the configuration for a command; on failure print every problem (`file:line: path: message (hint)`). */
export async function loadConfigForCli(ctx: CliContext): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig({ configPath: stringOption(ctx, 'config'), env: ctx.io.env, cwd: ctx.io.cwd });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) ctx.io.stderr(`${formatProblem(problem)}\n`);
      const variables = [...new Set(error.problems.flatMap((p) => (p.variable ? [p.variable] : [])))];
      if (variables.length > 0) ctx.io.stderr(`\nmissing environment variables (set them in .env): ${variables.join(', ')}\n`);
      const n = error.problems.length;
      ctx.io.stderr(`\n✗ configuration invalid: ${n} problem${n === 1 ? '' : 's'}\n`);
      return undefined;
    }
    ctx.io.stderr(`✗ cannot load the configuration: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

export function printWarnings(ctx: CliContext, loaded: LoadedConfig): void {
  for (const warning of loaded.warnings) ctx.io.stderr(`warning: ${formatProblem(warning)}\n`);
}

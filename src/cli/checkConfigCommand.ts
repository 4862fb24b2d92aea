import path from 'node:path';
import { stringify } from 'yaml';
import { maskSecrets } from '../config/maskSecrets.js';
import { configOption, type CliCommand } from './CliCommand.js';
import { loadConfigForCli, printWarnings } from './loadConfigForCli.js';

export const checkConfigCommand: CliCommand = {
  name: 'check-config',
  summary: 'validate the configuration and print it resolved, secrets masked',
  usage: 'ai-agent check-config [--config FILE]',
  description:
    'Loads .env, the main file, its .local.yaml override and contexts/*.yaml, expands ${VAR}s and validates\n' +
    'everything. Prints the resolved configuration (defaults filled in, secrets masked) and exits 0, or lists\n' +
    'every problem as "file:line: key.path: message (hint)" and exits 1.',
  options: { ...configOption },
  async run(ctx) {
    const loaded = await loadConfigForCli(ctx);
    if (!loaded) return 1;
    printWarnings(ctx, loaded);
    const rel = (f: string): string => path.relative(ctx.io.cwd, f) || f;
    ctx.io.stdout(`# Resolved configuration (secrets masked)\n`);
    ctx.io.stdout(`# files: ${loaded.files.map(rel).join(', ')}\n`);
    if (loaded.envFiles.length > 0) ctx.io.stdout(`# env files: ${loaded.envFiles.map(rel).join(', ')}\n`);
    ctx.io.stdout(stringify(maskSecrets(loaded.config), { lineWidth: 0 }));
    ctx.io.stderr(`✓ configuration valid (${Object.keys(loaded.config.contexts).length} contexts)\n`);
    return 0;
  },
};

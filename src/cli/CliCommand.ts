/**
 * A CLI command. Adding one = a file exporting a `CliCommand` + one line in `commands.ts`. Options are parsed by
 * node:util `parseArgs` (strict), `--help` is handled for every command from `usage`, `description` and `options`.
 * No CLI framework: four commands with a handful of flags do not need one, and parseArgs ships with Node.
 */
export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help for string options: `--config FILE`. */
  valueName?: string;
  multiple?: boolean;
  description: string;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  io: CliIo;
}

export interface CliCommand {
  name: string;
  /** One line, shown in `ai-agent --help`. */
  summary: string;
  /** `ai-agent check-config [--config FILE]` */
  usage: string;
  /** Paragraphs shown in `ai-agent <name> --help`. */
  description?: string;
  options: Record<string, CliOption>;
  allowPositionals?: boolean;
  /** Resolves with the process exit code. */
  run(ctx: CliContext): Promise<number>;
}

/** The `--config FILE` option most commands share. */
export const configOption: Record<string, CliOption> = {
  config: {
    type: 'string',
    short: 'c',
    valueName: 'FILE',
    description: 'main configuration file (default: $AI_AGENT_CONFIG, else config/ai-agent.yaml)',
  },
};

/** String value of an option (undefined when absent). */
export function stringOption(ctx: CliContext, name: string): string | undefined {
  const value = ctx.values[name];
  return typeof value === 'string' ? value : undefined;
}

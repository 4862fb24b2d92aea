import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from './CliCommand.js';

const HELP_OPTION = { help: { type: 'boolean' as const, short: 'h', description: 'show this help' } };

export function mainHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4) + 2;
  return [
    'ai-agent: AI voice agent for Asterisk (ARI + ExternalMedia RTP)',
    '',
    'Usage: ai-agent <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}show help for a command (ai-agent help <command>)`,
    '',
    "Run 'ai-agent <command> --help' for its options.",
    'Environment: AI_AGENT_CONFIG=FILE selects the configuration file (default config/ai-agent.yaml).',
    '',
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  const options = { ...command.options, ...HELP_OPTION };
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${'short' in option && option.short ? `-${option.short}, ` : '    '}--${name}${'valueName' in option && option.valueName ? ` ${option.valueName}` : ''}`;
    return [flag, option.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary.charAt(0).toUpperCase() + command.summary.slice(1) + '.',
    ...(command.description ? ['', command.description] : []),
    '',
    'Options:',
    ...rows.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`),
    '',
  ].join('\n');
}

/** Parse `argv` (without node and script), run the command, resolve with the exit code (2 = usage error). */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(mainHelp(commands));
    return first === undefined ? 2 : 0;
  }
  if (first === 'help') {
    const target = commands.find((c) => c.name === rest[0]);
    io.stdout(target ? commandHelp(target) : mainHelp(commands));
    return target || rest[0] === undefined ? 0 : 2;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr(`ai-agent: unknown command '${first}'\n\n${mainHelp(commands)}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...command.options, ...HELP_OPTION }).map(([name, o]) => [
        name,
        { type: o.type, ...('short' in o && o.short ? { short: o.short } : {}), ...('multiple' in o && o.multiple ? { multiple: true } : {}) },
      ]),
    );
    parsed = parseArgs({ args: [...rest], options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    io.stderr(`ai-agent ${command.name}: ${error instanceof Error ? error.message : String(error)}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout(commandHelp(command));
    return 0;
  }
  return command.run({ values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals, io });
}

import { callCommand } from './callCommand.js';
import { callsCommand } from './callsCommand.js';
import { checkConfigCommand } from './checkConfigCommand.js';
import type { CliCommand } from './CliCommand.js';
import { doctorCommand } from './doctorCommand.js';
import { simulateCommand } from './simulateCommand.js';
import { startCommand } from './startCommand.js';

/** Every `ai-agent` command, in help order. To add one: write `src/cli/<name>Command.ts`, add it here. */
export const commands: readonly CliCommand[] = [startCommand, checkConfigCommand, doctorCommand, callCommand, callsCommand, simulateCommand];

#!/usr/bin/env node
import { commands } from './cli/commands.js';
import { runCli } from './cli/runCli.js';

const io = {
  stdout: (text: string): void => void process.stdout.write(text),
  stderr: (text: string): void => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

runCli(process.argv.slice(2), io, commands).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ai-agent: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/runCli.js';
import { makeProject } from '../config/projectFixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'src', 'cli.ts');
// tsx's `import` entry (what `node --import tsx` loads), found from the repo so the child can run in a temp dir.
const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
const tsx = pathToFileURL(path.join(path.dirname(tsxPackage), (createRequire(import.meta.url)(tsxPackage) as { exports: Record<string, string> }).exports['.']!)).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ai-agent <args>` as a real child process (the shebang entry point run through tsx), in `cwd`. */
function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsx, cli, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const OPENAI_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz9876';
const GOOD = `
asterisk:
  password: \${ARI_PASSWORD}
providers:
  openai_realtime:
    api_key: \${OPENAI_API_KEY}
contexts:
  default: {}
`;
const BAD = `
asterisk:
  ari_ur: http://pbx:8088
  password: \${ARI_PASSWORD}
default_context: nope
contexts:
  default: { tools: [transfer, make_coffee] }
`;

let valid: Run;
let invalid: Run;
let help: Run;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const good = await makeProject({ 'config/ai-agent.yaml': GOOD, '.env': 'ARI_PASSWORD=ari-from-dotenv-123\n' });
  const bad = await makeProject({ 'config/ai-agent.yaml': BAD });
  cleanups.push(good.cleanup, bad.cleanup);
  // Child processes are slow to start on a busy 2-core machine: run them side by side.
  [valid, invalid, help] = await Promise.all([
    run(['check-config', '--config', 'config/ai-agent.yaml'], good.dir, { OPENAI_API_KEY: OPENAI_KEY }),
    run(['check-config'], bad.dir),
    run(['--help'], bad.dir),
  ]);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('ai-agent check-config (child process)', () => {
  it('exits 0 and prints the resolved configuration with secrets masked', () => {
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('api_key: sk-…9876');
    expect(valid.stdout).toContain('password: "***"');
    expect(valid.stdout).not.toContain(OPENAI_KEY);
    expect(valid.stdout).not.toContain('ari-from-dotenv-123');
    expect(valid.stdout).toContain('app_name: asterisk-ai-voice-agent');
    expect(valid.stderr).toContain('✓ configuration valid');
  });

  it('exits 1 and lists every problem as file:line: path: message (hint)', () => {
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    const lines = invalid.stderr.split('\n');
    expect(lines).toContain("config/ai-agent.yaml:3: asterisk.ari_ur: unknown key 'ari_ur' (did you mean 'ari_url'?)");
    expect(invalid.stderr).toMatch(/config\/ai-agent\.yaml:4: asterisk\.password: \$\{ARI_PASSWORD\} is not set \(set ARI_PASSWORD/);
    expect(invalid.stderr).toContain('missing environment variables (set them in .env): ARI_PASSWORD');
    expect(invalid.stderr).toContain('✗ configuration invalid: 2 problems');
  });

  it('prints the command list for ai-agent --help', () => {
    expect(help.code).toBe(0);
    for (const command of ['start', 'check-config', 'doctor']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

describe('ai-agent CLI (in process)', () => {
  async function capture(args: string[]): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: repo }, commands);
    return { code, stdout, stderr };
  }

  it('has --help on every command, listing its options', async () => {
    for (const command of commands) {
      const result = await capture([command.name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: ${command.usage}`);
      for (const option of Object.keys(command.options)) expect(result.stdout).toContain(`--${option}`);
      expect(result.stdout).toContain('--help');
      expect((await capture(['help', command.name])).stdout).toBe(result.stdout);
    }
  });

  it('rejects unknown commands and options with exit 2', async () => {
    expect(await capture(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    expect(await capture(['check-config', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
    expect((await capture([])).code).toBe(2);
  });

  it('start refuses to run with an invalid configuration (exit 1, problems listed)', async () => {
    const project = await makeProject({ 'config/ai-agent.yaml': BAD });
    cleanups.push(project.cleanup);
    let stderr = '';
    const code = await runCli(['start'], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: {}, cwd: project.dir }, commands);
    expect(code).toBe(1);
    expect(stderr).toContain("did you mean 'ari_url'?");
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/runCli.js';
import { merge, startOpsHarness, TEST_TOKEN, type OpsHarness } from './opsHarness.js';

function io(cwd: string): { stdout: string[]; stderr: string[]; io: Parameters<typeof runCli>[1] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t), env: {}, cwd } };
}

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('ai-agent call', () => {
  let h: OpsHarness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** The CLI reads the same config as the agent, but with the port the agent actually listens on. */
  async function cliConfig(harness: OpsHarness, http: Record<string, unknown>): Promise<string> {
    dir = await mkdtemp(path.join(tmpdir(), 'ai-agent-cli-'));
    const file = path.join(dir, 'ai-agent.yaml');
    await writeFile(file, JSON.stringify(merge(harness.raw, { http })));
    return file;
  }

  it('asks the running agent to place the call, then waits for and prints the result', async () => {
    h = await startOpsHarness();
    h.sim.setEndpointBehavior('PJSIP/1001', { answerAfterMs: 50 });
    const config = await cliConfig(h, { port: h.agent.ops.http!.port });
    const out = io(dir!);
    const code = await runCli(['call', 'PJSIP/1001', '--context', 'sales', '--var', 'customer=Bob', '--var', 'ORDER=42', '--wait', '--config', config], out.io, commands);
    expect(out.stderr.join('')).toBe('');
    expect(code).toBe(0);
    const text = out.stdout.join('');
    expect(text).toMatch(/✓ calling PJSIP\/1001 with context 'sales': aiav-out-/);
    expect(text).toContain('✓ answered');
    const id = /aiav-out-[\w-]+/.exec(text)![0];
    expect(h.agent.controller.sessions.get(id)?.deps.extraVars).toEqual({ customer: 'Bob', ORDER: '42', AI_CONTEXT: 'sales' });
  });

  it('reports busy with a non-zero exit code', async () => {
    h = await startOpsHarness();
    h.sim.setEndpointBehavior('PJSIP/2002', { busyAfterMs: 50 });
    const config = await cliConfig(h, { port: h.agent.ops.http!.port });
    const out = io(dir!);
    expect(await runCli(['call', 'PJSIP/2002', '--context', 'default', '--wait', '--config', config], out.io, commands)).toBe(1);
    expect(out.stdout.join('')).toContain('✗ busy (cause 17)');
  });

  it('prints the agent\'s refusal (unknown context, wrong token)', async () => {
    h = await startOpsHarness();
    const port = h.agent.ops.http!.port;
    let out = io(tmpdir());
    expect(await runCli(['call', 'PJSIP/1001', '--context', 'nosuch', '--config', await cliConfig(h, { port })], out.io, commands)).toBe(1);
    expect(out.stderr.join('')).toMatch(/refused the call \(400 unknown_context\).*'nosuch'/);
    await rm(dir!, { recursive: true, force: true });
    out = io(tmpdir());
    expect(await runCli(['call', 'PJSIP/1001', '--context', 'default', '--config', await cliConfig(h, { port, api_token: `${TEST_TOKEN}-old` })], out.io, commands)).toBe(1);
    expect(out.stderr.join('')).toContain('401 unauthorized');
  });

  it('says plainly when the agent is not running', async () => {
    h = await startOpsHarness();
    const port = await freePort();
    const out = io(tmpdir());
    expect(await runCli(['call', 'PJSIP/1001', '--context', 'default', '--config', await cliConfig(h, { port })], out.io, commands)).toBe(1);
    expect(out.stderr.join('')).toContain(`the agent is not running: nothing listens on http://127.0.0.1:${port}`);
  });

  it('checks its own arguments before contacting anyone', async () => {
    const out = io(tmpdir());
    expect(await runCli(['call', 'PJSIP/1001'], out.io, commands)).toBe(2);
    expect(await runCli(['call', 'PJSIP/1001', '--context', 'x', '--var', 'novalue'], out.io, commands)).toBe(2);
    expect(out.stderr.join('')).toContain("--var expects NAME=VALUE, got 'novalue'");
  });
});

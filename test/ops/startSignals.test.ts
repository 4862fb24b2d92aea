import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSimulator } from '../sim/AriSimulator.js';
import { merge, rawConfig, TEST_TOKEN } from './opsHarness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The real `ai-agent start` in a child process: signals go to it, never to the test runner. */
describe('ai-agent start and signals', () => {
  let sim: AriSimulator | undefined;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    sim = child = dir = undefined;
  });

  it('reloads on SIGHUP, drains on SIGTERM with a call in progress and exits 0', async () => {
    sim = await AriSimulator.start({ username: 'asterisk', password: 'secret' });
    const port = await freePort();
    dir = await mkdtemp(path.join(tmpdir(), 'ai-agent-start-'));
    const configPath = path.join(dir, 'ai-agent.yaml');
    const raw = rawConfig(sim, { http: { port }, shutdown: { drain_timeout_s: 1 }, logging: { level: 'info', pretty: false } });
    await writeFile(configPath, JSON.stringify(raw));
    child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'start', '--config', configPath], {
      // From the project folder, where `--import tsx` resolves.
      cwd: root,
      env: { ...process.env, AI_AGENT_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = exitOf(child);
    const base = `http://127.0.0.1:${port}`;
    const readyStatus = (): Promise<number> => fetch(`${base}/ready`).then((r) => r.status, () => 0);
    await sim.waitFor(() => log.includes('"msg":"reconciled with Asterisk"') || log.includes('HTTP listener up'), 15_000, 'agent up');
    await sim.waitForApp(undefined, 15_000);
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = await readyStatus();
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    // The connect-time reconciliation ends callers it does not know: place calls only once Asterisk has told it
    // which channels the app holds (the list is answered, so a later caller cannot be in it).
    await sim.waitFor(() => sim!.requests.some((r) => r.method === 'GET' && r.path === `/applications/${sim!.app}`), 5_000, 'reconcile');

    // SIGHUP: a new context appears for new calls.
    await writeFile(configPath, JSON.stringify(merge(raw, { contexts: { support: { greeting: 'Support', prompt: 'Help.' } } })));
    child.kill('SIGHUP');
    await sim.waitFor(() => log.includes('configuration reloaded'), 10_000, 'reload logged');

    const call = sim.placeCall({ variables: { AI_CONTEXT: 'support' } });
    await sim.waitFor(() => sim!.channels.get(call.id)?.state === 'Up', 10_000, 'call answered');

    child.kill('SIGTERM');
    // Draining: readiness turns 503 while the call goes on until the 1 s drain timeout.
    let drainingSeen = false;
    for (let i = 0; i < 20 && !drainingSeen; i++) {
      drainingSeen = (await readyStatus()) === 503;
      if (!drainingSeen) await new Promise((r) => setTimeout(r, 25));
    }
    expect(drainingSeen).toBe(true);
    expect(await exited).toBe(0);
    expect(call.hungUp).toBe(true);
    expect(log).toContain('drain timeout reached');
    expect(log).not.toContain(TEST_TOKEN);
  });
});

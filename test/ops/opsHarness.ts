import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../src/call/startAgent.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { AriSimulator } from '../sim/AriSimulator.js';

/**
 * A whole agent with its operations side (HTTP listener on port 0) against the ARI simulator, over real sockets.
 * The configuration is written to a temporary YAML file and loaded by the real loader, so reload re-reads it.
 */
export const TEST_TOKEN = 'test-token-0123456789';

export interface OpsHarness {
  sim: AriSimulator;
  agent: RunningAgent;
  /** `http://127.0.0.1:<port>` of the ops listener. */
  url: string;
  configPath: string;
  /** The raw object written to the config file (edit and `writeConfig` to test reload). */
  raw: Record<string, unknown>;
  writeConfig(text: string): Promise<void>;
  fetchJson(p: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** RTP ranges below Linux's ephemeral ports (32768+), where the tests' "free port" for HTTP comes from. */
let portBase = 20_000 + Math.floor(Math.random() * 120) * 100;

export function rawConfig(sim: AriSimulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const ports = `${portBase}-${portBase + 99}`;
  portBase += 100;
  if (portBase > 32_000) portBase = 20_000;
  return merge(
    {
      asterisk: { ari_url: sim.url, username: 'asterisk', password: 'secret', reconnect_initial_ms: 50, reconnect_max_ms: 200 },
      external_media: { rtp_host: '127.0.0.1', advertise_host: '127.0.0.1', port_range: ports },
      default_context: 'default',
      default_provider: 'echo',
      providers: { echo: { delay_ms: 100 } },
      contexts: {
        default: { greeting: 'Hello {caller_name}', prompt: 'Be brief.' },
        sales: { greeting: 'Hi, this is sales calling for {customer}', prompt: 'Sell politely.' },
      },
      http: { enabled: true, host: '127.0.0.1', port: 0, api_token: TEST_TOKEN },
      email: { enabled: false },
      call_records: { enabled: false },
      logging: { level: 'silent' },
      shutdown: { drain_timeout_s: 1 },
    },
    overrides,
  );
}

export async function startOpsHarness(opts: { overrides?: Record<string, unknown>; sim?: AriSimulator } = {}): Promise<OpsHarness> {
  const sim = opts.sim ?? (await AriSimulator.start({ username: 'asterisk', password: 'secret' }));
  const dir = await mkdtemp(path.join(tmpdir(), 'ai-agent-ops-'));
  const configPath = path.join(dir, 'ai-agent.yaml');
  const raw = rawConfig(sim, opts.overrides);
  // JSON is YAML: the loader reads it as any config file.
  await writeFile(configPath, JSON.stringify(raw, null, 2));
  const loaded = await loadConfig({ configPath, env: {}, cwd: dir });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const agent = await startAgent({ config: loaded.config, logger, configPath });
  await agent.ari.waitConnected(5_000);
  await sim.waitForApp();
  await settleReconcile(sim);
  const http = agent.ops.http;
  if (!http) throw new Error('ops listener not started');
  const url = http.url;
  return {
    sim,
    agent,
    url,
    configPath,
    raw,
    writeConfig: (text) => writeFile(configPath, text),
    async fetchJson(p, init = {}) {
      const { token = TEST_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      if (rest.body !== undefined) headers.set('content-type', 'application/json');
      const res = await fetch(url + p, { ...rest, headers });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON (/metrics) */
      }
      return { status: res.status, body };
    },
    async close() {
      await agent.stop('test');
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The reconciliation that runs at connect ends callers in the app that have no session (left from a crash); a
 * caller placed while it runs would be one. Once Asterisk has answered its list of the app's channels, a new
 * caller cannot be in that list.
 */
export async function settleReconcile(sim: AriSimulator): Promise<void> {
  await sim.waitFor(() => sim.requests.some((r) => r.method === 'GET' && r.path === `/applications/${sim.app}`), 5_000, 'first reconcile');
}

export function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? merge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

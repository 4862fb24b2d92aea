import pino from 'pino';
import { configSchema, type AppConfig } from '../../src/config/schema.js';
import { startAgent, type RunningAgent } from '../../src/call/startAgent.js';
import type { CallObserver } from '../../src/call/CallObserver.js';
import { AriSimulator } from '../../src/sim/AriSimulator.js';

/**
 * A whole agent against the ARI simulator, over real sockets. Config is the real schema with test overrides;
 * nothing of ours is mocked.
 */
export interface Harness {
  sim: AriSimulator;
  agent: RunningAgent;
  config: AppConfig;
  close(): Promise<void>;
}

let portBase = 20_000 + Math.floor(Math.random() * 200) * 100;

export function testConfig(sim: AriSimulator, overrides: Record<string, unknown> = {}): AppConfig {
  const ports = `${portBase}-${portBase + 99}`;
  portBase += 100;
  if (portBase > 40_000) portBase = 20_000;
  const base = {
    asterisk: { ari_url: sim.url, username: 'asterisk', password: 'secret', reconnect_initial_ms: 50, reconnect_max_ms: 200 },
    external_media: { rtp_host: '127.0.0.1', advertise_host: '127.0.0.1', port_range: ports },
    default_context: 'default',
    default_provider: 'echo',
    providers: { echo: { delay_ms: 100 } },
    contexts: { default: { greeting: 'Hello {caller_name}', prompt: 'Be brief.' } },
    http: { enabled: false },
    email: { enabled: false },
    call_records: { enabled: false },
    logging: { level: 'silent' },
  };
  return configSchema.parse(deepMerge(base, overrides));
}

export async function startHarness(opts: {
  overrides?: Record<string, unknown>;
  observers?: Partial<CallObserver>[];
  sim?: AriSimulator;
} = {}): Promise<Harness> {
  const sim = opts.sim ?? (await AriSimulator.start({ username: 'asterisk', password: 'secret' }));
  const config = testConfig(sim, opts.overrides);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const agent = await startAgent({ config, logger, ...(opts.observers ? { observers: opts.observers } : {}) });
  await agent.ari.waitConnected(5_000);
  await sim.waitForApp();
  return {
    sim,
    agent,
    config,
    async close() {
      await agent.stop('test');
      await sim.close();
    },
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** A 20 ms-framed tone burst pattern (on/off) at 8 kHz: easy to correlate after a round trip. */
export function toneBursts(opts: { sampleRate: number; bursts: number; onMs: number; offMs: number; freqHz: number; amplitude?: number }): Int16Array {
  const { sampleRate, bursts, onMs, offMs, freqHz } = opts;
  const amp = opts.amplitude ?? 12_000;
  const per = Math.round(((onMs + offMs) * sampleRate) / 1000);
  const on = Math.round((onMs * sampleRate) / 1000);
  const out = new Int16Array(per * bursts);
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < on; i++) out[b * per + i] = Math.round(amp * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
  }
  return out;
}

/** Energy envelope per 20 ms block (for comparing what was sent with what came back). */
export function envelope(pcm: Int16Array, sampleRate: number): number[] {
  const n = Math.round(sampleRate / 50);
  const env: number[] = [];
  for (let i = 0; i + n <= pcm.length; i += n) {
    let s = 0;
    for (let j = i; j < i + n; j++) s += Math.abs(pcm[j] as number);
    env.push(s / n);
  }
  return env;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/runCli.js';
import { decodeWav, encodeWav } from '../../src/media/wav.js';
import { FakeRealtimeServer } from '../fakes/FakeRealtimeServer.js';
import { speechLike } from '../call/speechLike.js';

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aiav-sim-'));
  writeFileSync(join(dir, 'ai-agent.yaml'), yaml);
  return dir;
}

async function simulate(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['simulate', '--config', join(dir, 'ai-agent.yaml'), ...args],
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: dir },
    commands,
  );
  return { code, stdout, stderr };
}

/** 16 kHz caller WAV: 300 ms silence, 1 s of speech, 1.2 s silence (a question and a pause). */
function callerWav(dir: string): string {
  const rate = 16_000;
  const speech = speechLike({ sampleRate: rate, durationMs: 1_000, amplitude: 24_000 });
  const pcm = new Int16Array(Math.round(rate * 2.5));
  pcm.set(speech, Math.round(rate * 0.3));
  const file = join(dir, 'caller.wav');
  writeFileSync(file, encodeWav(pcm, rate));
  return file;
}

/** A config with its own small RTP port range (test files run in parallel). */
function config(extra: string): string {
  const start = 31_000 + Math.floor(Math.random() * 400) * 20;
  return `
asterisk: { password: x }
external_media: { port_range: "${start}-${start + 19}" }
http: { enabled: false }
call_records: { enabled: false }
default_context: demo
${extra}
`;
}

describe('ai-agent simulate', () => {
  let dir: string | undefined;
  let rt: FakeRealtimeServer | undefined;
  afterEach(async () => {
    await rt?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = rt = undefined;
  });

  it('with the echo provider: the caller WAV comes back in the agent WAV (no PBX, no network)', async () => {
    dir = project(config(`default_provider: echo
providers: { echo: { delay_ms: 200 } }
contexts: { demo: { greeting: "", prompt: "x" } }
`));
    const input = callerWav(dir);
    const r = await simulate(dir, ['--context', 'demo', '--input', input, '--output', join(dir, 'agent.wav'), '--idle-ms', '600']);
    expect(r.stderr).not.toContain('✗');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('context demo, provider echo');
    const agent = decodeWav(readFileSync(join(dir, 'agent.wav')));
    expect(agent.sampleRate).toBe(8000);
    // The second of speech is in there, 200 ms late.
    let loudMs = 0;
    for (let i = 0; i + 160 <= agent.pcm.length; i += 160) {
      let peak = 0;
      for (let j = i; j < i + 160; j++) peak = Math.max(peak, Math.abs(agent.pcm[j]!));
      if (peak > 4_000) loudMs += 20;
    }
    expect(loudMs).toBeGreaterThan(800);
    expect(loudMs).toBeLessThan(1_200);
  }, 30_000);

  it('against a Realtime server: prints the transcript and reports the transfer a tool would make', async () => {
    rt = await FakeRealtimeServer.start({ apiKey: 'sk-test' });
    rt.userSays('I need to talk to sales.');
    rt.script((ctx) =>
      ctx.verbatim !== undefined
        ? { text: ctx.verbatim, audioMs: 300 }
        : { text: 'Putting you through to sales.', audioMs: 400, functionCalls: [{ name: 'transfer', arguments: { destination: 'sales' } }] },
    );
    dir = project(config(`default_provider: openai_realtime
providers: { openai_realtime: { api_key: sk-test, base_url: "${rt.url}" } }
contexts: { demo: { greeting: "Hello, Acme here.", prompt: "x", tools: [transfer] } }
tools: { transfer: { destinations: { sales: { type: extension, target: "6000", description: Sales } } } }
`));
    const input = callerWav(dir);
    const r = await simulate(dir, ['--context', 'demo', '--input', input, '--output', join(dir, 'agent.wav')]);
    expect(r.stderr).not.toContain('✗');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agent\s+Hello, Acme here\./);
    expect(r.stdout).toMatch(/caller\s+I need to talk to sales\./);
    expect(r.stdout).toContain('transfer {"destination":"sales"} → ok');
    expect(r.stdout).toContain('send the caller to 6000@from-internal');
    expect(r.stdout).toContain('outcome transferred');
    const agent = decodeWav(readFileSync(join(dir, 'agent.wav')));
    expect(agent.durationMs).toBeGreaterThanOrEqual(650);
  }, 30_000);

  it('says what is wrong with a bad input file', async () => {
    dir = project(config('contexts: { demo: {} }\ndefault_provider: echo'));
    writeFileSync(join(dir, 'bad.wav'), 'not audio');
    const r = await simulate(dir, ['--context', 'demo', '--input', join(dir, 'bad.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a WAV file');
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeWav, encodeWav } from '../media/wav.js';
import { simulateCall, type SimulationReport } from '../sim/simulateCall.js';
import { createLogger } from '../util/logger.js';
import { configOption, stringOption, type CliCommand, type CliContext } from './CliCommand.js';
import { loadConfigForCli, printWarnings } from './loadConfigForCli.js';

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'run one call without a PBX: caller audio from a WAV, agent audio to a WAV, transcript printed',
  usage: 'ai-agent simulate --context NAME --input caller.wav [--output agent.wav] [--provider KEY] [--fast] [--config FILE]',
  description:
    'Runs the unchanged agent (call session, media engine, VAD gate, provider, tools) against a built-in Asterisk\n' +
    'emulator on 127.0.0.1: the caller audio is streamed from the WAV as RTP in real time (--fast: as fast as the\n' +
    'provider allows; server-side VAD may then merge turns), the agent audio is written to --output (8 kHz, what a\n' +
    'phone hears). Prints the transcript, tool calls, barge-ins, what the PBX was asked to do ("send the caller to\n' +
    '6000@from-internal") and the latency of each turn. Uses the real providers of your configuration: with\n' +
    'openai_realtime or a pipeline this calls OpenAI (or your compatible servers) and costs what a call costs;\n' +
    '--provider echo needs nothing. The caller hangs up when the WAV has ended and the agent has been quiet for\n' +
    '--idle-ms (default 2000).',
  options: {
    ...configOption,
    context: { type: 'string', valueName: 'NAME', description: 'context to run (as AI_CONTEXT in the dialplan)' },
    provider: { type: 'string', valueName: 'KEY', description: 'provider or pipeline key (as AI_PROVIDER); default: the context\'s' },
    profile: { type: 'string', valueName: 'NAME', description: 'audio profile (as AI_AUDIO_PROFILE)' },
    input: { type: 'string', short: 'i', valueName: 'FILE', description: 'caller audio: 16-bit PCM WAV, any rate, mono or stereo' },
    output: { type: 'string', short: 'o', valueName: 'FILE', description: 'write the agent audio here (8 kHz mono WAV)' },
    fast: { type: 'boolean', description: 'stream the caller audio faster than real time' },
    'caller-number': { type: 'string', valueName: 'NUMBER', description: 'caller number for templates (default 5550100)' },
    'caller-name': { type: 'string', valueName: 'NAME', description: 'caller name for templates' },
    var: { type: 'string', multiple: true, valueName: 'K=V', description: 'template variable, repeatable' },
    'idle-ms': { type: 'string', valueName: 'MS', description: 'hang up after the agent is quiet this long (default 2000)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    verbose: { type: 'boolean', short: 'v', description: 'show the agent log (info level) on stderr' },
  },
  async run(ctx) {
    const context = stringOption(ctx, 'context');
    const input = stringOption(ctx, 'input');
    if (!context || !input) {
      ctx.io.stderr(`usage: ${simulateCommand.usage}\n`);
      return 2;
    }
    const vars = parseVars(ctx);
    if (vars === undefined) return 2;
    const idleText = stringOption(ctx, 'idle-ms');
    const idleMs = idleText === undefined ? 2_000 : Number(idleText);
    if (!Number.isFinite(idleMs) || idleMs < 100) {
      ctx.io.stderr('ai-agent simulate: --idle-ms must be a number ≥ 100\n');
      return 2;
    }
    let wav;
    try {
      wav = decodeWav(await readFile(path.resolve(ctx.io.cwd, input)));
    } catch (err) {
      ctx.io.stderr(`✗ cannot read ${input}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const loaded = await loadConfigForCli(ctx);
    if (!loaded) return 1;
    printWarnings(ctx, loaded);
    const config = loaded.config;
    if (!config.contexts[context]) {
      ctx.io.stderr(`✗ unknown context "${context}" (known: ${Object.keys(config.contexts).join(', ')})\n`);
      return 1;
    }
    const logger = createLogger(
      { ...config.logging, level: ctx.values.verbose === true ? 'info' : 'warn' },
      { destination: { write: (line: string) => ctx.io.stderr(line) }, secrets: loaded.secrets },
    );
    let report: SimulationReport;
    try {
      report = await simulateCall({
        config,
        logger,
        context,
        provider: stringOption(ctx, 'provider'),
        profile: stringOption(ctx, 'profile'),
        input: wav.pcm,
        sampleRate: wav.sampleRate,
        fast: ctx.values.fast === true,
        callerNumber: stringOption(ctx, 'caller-number') ?? '5550100',
        callerName: stringOption(ctx, 'caller-name') ?? 'Simulated Caller',
        variables: vars,
        idleHangupMs: idleMs,
      });
    } catch (err) {
      ctx.io.stderr(`✗ simulation failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const output = stringOption(ctx, 'output');
    if (output) await writeFile(path.resolve(ctx.io.cwd, output), encodeWav(report.agentAudio, 8000));
    if (ctx.values.json === true) {
      const { agentAudio, ...rest } = report;
      ctx.io.stdout(`${JSON.stringify({ ...rest, agentAudioMs: Math.round(agentAudio.length / 8) }, null, 2)}\n`);
    } else {
      ctx.io.stdout(formatReport(report, output));
    }
    return report.errors.length > 0 && report.outcome === 'failed' ? 1 : 0;
  },
};

function parseVars(ctx: CliContext): Record<string, string> | undefined {
  const raw = ctx.values.var;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      ctx.io.stderr(`ai-agent simulate: --var takes K=V (got "${item}")\n`);
      return undefined;
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(5)}s`;

export function formatReport(r: SimulationReport, output: string | undefined): string {
  const lines: string[] = [];
  lines.push(`call ${r.callId}: context ${r.contextName}, provider ${r.providerKey}`);
  lines.push(`outcome ${r.outcome} (${r.endReason || 'ended'}), ${(r.durationMs / 1000).toFixed(1)} s, agent audio ${(r.agentAudio.length / 8000).toFixed(1)} s${output ? ` → ${output}` : ''}`);
  lines.push('', 'transcript:');
  if (r.transcript.length === 0) lines.push('  (none: the provider produced no transcript)');
  for (const t of r.transcript) lines.push(`  ${sec(t.offsetMs)}  ${t.role === 'user' ? 'caller' : 'agent '}  ${t.text}${t.truncated ? '  [cut by barge-in]' : ''}`);
  if (r.toolCalls.length > 0) {
    lines.push('', 'tool calls:');
    for (const c of r.toolCalls) lines.push(`  ${c.name} ${JSON.stringify(c.args)} → ${c.ok ? 'ok' : 'refused'} ${JSON.stringify(c.result)}`);
  }
  if (r.pbxActions.length > 0) {
    lines.push('', 'what the PBX was asked to do:');
    for (const a of r.pbxActions) lines.push(`  ${sec(a.atMs)}  ${a.what}`);
  }
  if (r.bargeIns.length > 0) {
    lines.push('', 'barge-ins:');
    for (const b of r.bargeIns) lines.push(`  ${sec(b.offsetMs)}  heard ${b.played.map((p) => `${p.playedMs} ms of ${p.itemId}`).join(', ') || 'nothing queued'}`);
  }
  if (r.latency.length > 0) {
    lines.push('', 'latency per turn (ms after the caller stopped speaking):');
    for (const l of r.latency) {
      const from = l.speechEndAt;
      const rel = (t: number | undefined): string => (from === undefined || t === undefined ? '   -' : String(t - from).padStart(5));
      lines.push(`  turn ${l.turn}: transcript ${rel(l.transcriptAt)}  first token ${rel(l.firstTokenAt)}  first sentence ${rel(l.firstSentenceAt)}  first audio ${rel(l.firstAudioAt)}`);
    }
  }
  if (r.errors.length > 0) lines.push('', `errors: ${r.errors.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

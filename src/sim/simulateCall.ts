import type { Logger } from 'pino';
import type { CallObserver, TransferInfo } from '../call/CallObserver.js';
import type { CallSession } from '../call/CallSession.js';
import { startAgent } from '../call/startAgent.js';
import type { AppConfig } from '../config/schema.js';
import { resampleOffline } from '../media/resampleOffline.js';
import { mergeTranscriptEntry } from '../providers/mergeTranscriptEntry.js';
import type { PlayedItem, TranscriptEntry, TurnLatency } from '../providers/VoiceProvider.js';
import type { ToolCallRecord } from '../tools/ToolRegistry.js';
import { AriSimulator } from './AriSimulator.js';

/**
 * One call without a PBX: the unchanged agent (call session, media engine, VAD gate, provider, tools) runs against
 * the local Asterisk emulator over loopback sockets. The caller's audio is streamed from PCM as RTP (in real time,
 * or as fast as the emulator allows with `fast`); what the agent says comes back as RTP and is returned as PCM.
 * What tools would do to a real PBX (continue, originate) is read back from the emulator and reported.
 */
export interface SimulationOptions {
  config: AppConfig;
  logger: Logger;
  context: string;
  provider?: string | undefined;
  profile?: string | undefined;
  /** Caller audio, mono 16-bit at `sampleRate`. */
  input: Int16Array;
  sampleRate: number;
  fast?: boolean;
  callerNumber?: string;
  callerName?: string;
  /** Template variables, as an outbound call would pass them. */
  variables?: Record<string, string>;
  /** After the input ends: how long the agent may stay silent before the caller hangs up. */
  idleHangupMs?: number;
  /** Hard bound on the whole call after the input ends. */
  maxTailMs?: number;
}

export interface PbxAction {
  atMs: number;
  what: string;
}

export interface SimulationReport {
  callId: string;
  contextName: string;
  providerKey: string;
  outcome: string;
  endReason: string;
  durationMs: number;
  /** What the agent said, 8 kHz mono (the phone line). */
  agentAudio: Int16Array;
  transcript: (TranscriptEntry & { offsetMs: number })[];
  toolCalls: ToolCallRecord[];
  bargeIns: { offsetMs: number; played: PlayedItem[] }[];
  latency: TurnLatency[];
  transfers: TransferInfo[];
  pbxActions: PbxAction[];
  errors: string[];
}

/** Emulator credentials: local only, generated per run. */
const SIM_USER = 'simulate';

export async function simulateCall(opts: SimulationOptions): Promise<SimulationReport> {
  const password = Math.random().toString(36).slice(2);
  const startedAt = Date.now();
  const sim = await AriSimulator.start({ username: SIM_USER, password, app: opts.config.asterisk.app_name });
  const config: AppConfig = {
    ...opts.config,
    asterisk: { ...opts.config.asterisk, ari_url: sim.url, username: SIM_USER, password },
    external_media: { ...opts.config.external_media, rtp_host: '127.0.0.1', advertise_host: '127.0.0.1' },
    http: { ...opts.config.http, enabled: false },
  };
  const report: Omit<SimulationReport, 'agentAudio' | 'durationMs' | 'pbxActions'> = {
    callId: '',
    contextName: opts.context,
    providerKey: opts.provider ?? '',
    outcome: 'abandoned',
    endReason: '',
    transcript: [],
    toolCalls: [],
    bargeIns: [],
    latency: [],
    transfers: [],
    errors: [],
  };
  let ended: (() => void) | undefined;
  const endedPromise = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const collector: Partial<CallObserver> = {
    onStart: (s: CallSession) => {
      report.callId = s.callId;
      report.contextName = s.contextName;
      report.providerKey = s.providerKey;
    },
    onTranscript: (_s, t) => mergeTranscriptEntry(report.transcript, { ...t, offsetMs: Math.max(0, t.atMs - startedAt) }),
    onToolCall: (_s, r) => report.toolCalls.push(r),
    onBargeIn: (_s, played) => report.bargeIns.push({ offsetMs: Date.now() - startedAt, played }),
    onLatency: (_s, l) => report.latency.push(l),
    onTransfer: (_s, t) => report.transfers.push(t),
    onError: (_s, code) => report.errors.push(code),
    onEnd: (s) => {
      report.outcome = s.outcome;
      report.endReason = s.endReason;
      ended?.();
    },
  };

  const agent = await startAgent({ config, logger: opts.logger, observers: [collector] });
  try {
    await agent.ari.waitConnected(10_000);
    await sim.waitForApp(config.asterisk.app_name, 10_000);
    const variables: Record<string, string> = { AI_CONTEXT: opts.context, ...(opts.variables ?? {}) };
    if (opts.provider) variables.AI_PROVIDER = opts.provider;
    if (opts.profile) variables.AI_AUDIO_PROFILE = opts.profile;
    const call = sim.placeCall({
      callerNumber: opts.callerNumber ?? '5550100',
      callerName: opts.callerName ?? 'Simulated Caller',
      variables,
    });
    await sim.waitFor(() => call.answered || call.hungUp || call.continuedTo != null, 15_000, 'the agent to answer');

    const pcm8k = resampleOffline(opts.input, opts.sampleRate, 8000);
    const playing = call.playAudio(pcm8k, 8000, { realtime: opts.fast !== true });
    await Promise.race([playing, endedPromise]);

    // The caller listens until the agent has been quiet for a while (or the call ended: transfer, hangup). Quiet
    // means nothing audible: a provider may keep sending silence (the echo returns the line's silence).
    const idleMs = opts.idleHangupMs ?? 2_000;
    const deadline = Date.now() + (opts.maxTailMs ?? 30_000);
    let checked = 0;
    let lastAudible = Date.now();
    while (!call.hungUp && call.continuedTo == null && Date.now() < deadline) {
      const rx = call.received;
      for (; checked < rx.length; checked++) if (isAudible(rx[checked]!.pcm8k)) lastAudible = Date.now();
      if (Date.now() - lastAudible >= idleMs) break;
      await Promise.race([new Promise((r) => setTimeout(r, 50)), endedPromise]);
    }
    if (!call.hungUp && call.continuedTo == null) call.hangup();
    await Promise.race([endedPromise, new Promise((r) => setTimeout(r, 5_000))]);

    const pbxActions = describePbxActions(sim, call.id);
    return { ...report, durationMs: Date.now() - startedAt, agentAudio: call.receivedPcm(), pbxActions };
  } finally {
    await agent.stop('simulation done');
    await sim.close();
  }
}

/** Peak above about −36 dBFS: speech, not line silence or comfort noise. */
const AUDIBLE_PEAK = 500;

function isAudible(pcm: Int16Array): boolean {
  for (let i = 0; i < pcm.length; i++) if (Math.abs(pcm[i]!) > AUDIBLE_PEAK) return true;
  return false;
}

/** What the agent asked of the PBX, in words an admin reads ("continue → 6000@from-internal"). */
function describePbxActions(sim: AriSimulator, callerId: string): PbxAction[] {
  const out: PbxAction[] = [];
  for (const r of sim.requests) {
    const atMs = r.atMs; // ms since the emulator started, which is when the simulation started
    const q = r.query as Record<string, string | undefined>;
    if (r.method === 'POST' && r.path === `/channels/${callerId}/continue`) {
      out.push({ atMs, what: `send the caller to ${q.extension ?? '?'}@${q.context ?? '?'} (priority ${q.priority ?? '1'})` });
    } else if (r.method === 'POST' && r.path === '/channels' && q.endpoint) {
      out.push({ atMs, what: `ring ${q.endpoint} for a bridged transfer (the emulator answers)` });
    } else if (r.method === 'POST' && r.path === `/channels/${callerId}/moh`) {
      out.push({ atMs, what: 'play hold music to the caller' });
    } else if (r.method === 'POST' && r.path === `/channels/${callerId}/play`) {
      out.push({ atMs, what: `play ${q.media ?? 'a sound'} to the caller` });
    } else if (r.method === 'DELETE' && r.path === `/channels/${callerId}`) {
      out.push({ atMs, what: 'hang up the caller' });
    }
  }
  return out;
}

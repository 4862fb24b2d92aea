import type { PlayoutStart } from '../call/CallMedia.js';
import type { CallObserver, TransferInfo } from '../call/CallObserver.js';
import type { CallSession } from '../call/CallSession.js';
import { canonicalToolName } from '../config/toolNames.js';
import type { RtpSessionStats } from '../media/RtpSession.js';
import type { TurnLatency } from '../providers/VoiceProvider.js';
import type { ToolCallRecord } from '../tools/ToolRegistry.js';
import { CounterDeltas } from './CounterDeltas.js';
import { safeLabel, type LatencyStage, type Metrics } from './Metrics.js';
import { RecentErrors } from './RecentErrors.js';

/**
 * Feeds the metrics from what sessions report. Reads only public session fields. Live sessions are sampled before
 * every scrape and once more at their end, so RTP and gate counters move during a call and lose nothing after it.
 */
export interface MetricsObserverOptions {
  now?: () => number;
}

interface LiveCounters {
  packetsIn: number;
  packetsOut: number;
  malformed: number;
  foreign: number;
  badPayloadType: number;
  duplicate: number;
  late: number;
  lost: number;
  underruns: number;
  gateOpenings: number;
}

/** Latency stages from one turn's timestamps; a stage is left out when either end is missing. */
export function latencyStages(l: TurnLatency): Array<{ stage: LatencyStage; ms: number }> {
  const out: Array<{ stage: LatencyStage; ms: number }> = [];
  const add = (stage: LatencyStage, from: number | undefined, to: number | undefined): void => {
    if (from !== undefined && to !== undefined && to >= from) out.push({ stage, ms: to - from });
  };
  add('speech_end_to_first_audio', l.speechEndAt, l.firstAudioAt);
  add('speech_end_to_transcript', l.speechEndAt, l.transcriptAt);
  add('transcript_to_first_token', l.transcriptAt, l.firstTokenAt);
  add('first_sentence_to_first_audio', l.firstSentenceAt, l.firstAudioAt);
  return out;
}

export class MetricsObserver implements CallObserver {
  readonly recentErrors = new RecentErrors();
  readonly #live = new Set<CallSession>();
  readonly #started = new WeakSet<CallSession>();
  readonly #deltas = new CounterDeltas<CallSession>();
  readonly #now: () => number;

  constructor(
    readonly metrics: Metrics,
    opts: MetricsObserverOptions = {},
  ) {
    this.#now = opts.now ?? Date.now;
    metrics.beforeScrape(() => {
      for (const s of this.#live) this.#sample(s);
      metrics.activeCalls.set(this.#live.size);
    });
  }

  get liveCalls(): number {
    return this.#live.size;
  }

  onStart(s: CallSession): void {
    this.#countStart(s);
    this.#live.add(s);
    this.metrics.activeCalls.set(this.#live.size);
  }

  onAnswer(): void {}

  onTranscript(): void {}

  onToolCall(_s: CallSession, r: ToolCallRecord): void {
    // The model may invent tool names: only the ones we define become label values.
    this.metrics.toolCalls.inc({ tool: canonicalToolName(r.name) ?? 'unknown', result: r.ok ? 'ok' : 'error' });
  }

  onBargeIn(s: CallSession): void {
    this.metrics.bargeIns.inc({ provider: providerLabel(s) });
  }

  onLatency(s: CallSession, l: TurnLatency): void {
    const provider = providerLabel(s);
    for (const { stage, ms } of latencyStages(l)) this.metrics.turnLatency.observe({ stage, provider }, ms / 1000);
  }

  onPlayoutStart(_s: CallSession, p: PlayoutStart): void {
    this.metrics.playoutStart.observe(p.delayMs / 1000);
  }

  onTransfer(_s: CallSession, t: TransferInfo): void {
    this.metrics.transfers.inc({ mode: t.mode });
  }

  onError(s: CallSession, code: string): void {
    const provider = providerLabel(s);
    const c = safeLabel(code);
    this.metrics.providerErrors.inc({ provider, code: c });
    this.recentErrors.add(provider, c, this.#now());
  }

  onEnd(s: CallSession): void {
    // A caller who hung up during set-up ends without onStart: still a call that started.
    this.#countStart(s);
    this.#sample(s);
    this.#deltas.forget(s);
    this.#live.delete(s);
    this.metrics.activeCalls.set(this.#live.size);
    this.metrics.callsEnded.inc({ outcome: s.outcome });
    this.metrics.callDuration.observe({ outcome: s.outcome }, Math.max(0, this.#now() - s.startedAt.getTime()) / 1000);
  }

  #countStart(s: CallSession): void {
    if (this.#started.has(s)) return;
    this.#started.add(s);
    this.metrics.callsStarted.inc();
  }

  #sample(s: CallSession): void {
    const rtp = s.rtpStats();
    const underruns = rtp?.underruns ?? 0;
    const current: LiveCounters = {
      packetsIn: rtp?.packetsIn ?? 0,
      packetsOut: rtp?.packetsOut ?? 0,
      malformed: rtp?.malformed ?? 0,
      foreign: rtp?.foreign ?? 0,
      badPayloadType: rtp?.badPayloadType ?? 0,
      duplicate: rtp?.duplicate ?? 0,
      late: rtp?.late ?? 0,
      lost: rtp?.lost ?? 0,
      underruns,
      gateOpenings: s.media?.gate.openings ?? 0,
    };
    const d = this.#deltas.sample(s, { ...current }) as Partial<LiveCounters>;
    const m = this.metrics;
    incBy(m.rtpPacketsIn, d.packetsIn);
    incBy(m.rtpPacketsOut, d.packetsOut);
    incBy(m.rtpPacketsLate, d.late);
    incBy(m.rtpPacketsLost, d.lost);
    incBy(m.pacerUnderruns, d.underruns);
    incBy(m.vadGateOpenings, d.gateOpenings);
    if (d.malformed) m.rtpPacketsDropped.inc({ reason: 'malformed' }, d.malformed);
    if (d.foreign) m.rtpPacketsDropped.inc({ reason: 'foreign' }, d.foreign);
    if (d.badPayloadType) m.rtpPacketsDropped.inc({ reason: 'bad_payload_type' }, d.badPayloadType);
    if (d.duplicate) m.rtpPacketsDropped.inc({ reason: 'duplicate' }, d.duplicate);
  }
}

function incBy(c: { inc(n: number): void }, n: number | undefined): void {
  if (n) c.inc(n);
}

function providerLabel(s: CallSession): string {
  return safeLabel(s.providerKey, 'none');
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The agent's Prometheus metrics, in a registry of its own (never prom-client's global one), so several agents can
 * live in one process (tests) without clashing. Labels are low-cardinality only: outcome, provider key, error code,
 * tool name, result, status. Never a caller number, a call id or a free-form string.
 *
 * Counters fed from live objects (RTP sessions, VAD gates) are sampled right before each scrape through
 * `beforeScrape` hooks, so `/metrics` shows a call's packets while it is still going on.
 */
export const METRIC_PREFIX = 'ai_agent_';

export type EmailStatus = 'sent' | 'failed' | 'spooled';
export type OutboundResultLabel = 'answered' | 'busy' | 'no_answer' | 'failed' | 'machine' | 'unknown';

/** Turn latency stages derived from a TurnLatency (see MetricsObserver). */
export type LatencyStage = 'speech_end_to_first_audio' | 'speech_end_to_transcript' | 'transcript_to_first_token' | 'first_sentence_to_first_audio';

/** RTP drop reasons we count (each a field of RtpSessionStats). */
export type RtpDropReason = 'malformed' | 'foreign' | 'bad_payload_type' | 'duplicate';

/** Call lengths: from a 5 s wrong number to an hour-long support call. */
const CALL_DURATION_BUCKETS_S = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Turn latencies: 300–800 ms feels natural on the phone; beyond 2 s callers start talking again. */
const LATENCY_BUCKETS_S = [0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8];
/** Playout start: ~1 ms when the media path is healthy; tens of ms means a starved media thread (or queued audio). */
const PLAYOUT_START_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const LABEL_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A label value from something we did not choose (an error code from a provider): bounded or 'other'. */
export function safeLabel(value: string | undefined, fallback = 'other'): string {
  return value !== undefined && LABEL_RE.test(value) ? value : fallback;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag); off in tests that only look at ours. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #hooks: Array<() => void | Promise<void>> = [];

  readonly callsStarted: Counter;
  readonly callsEnded: Counter<'outcome'>;
  readonly callsRejectedDraining: Counter;
  readonly activeCalls: Gauge;
  readonly callDuration: Histogram<'outcome'>;
  readonly turnLatency: Histogram<'stage' | 'provider'>;
  readonly playoutStart: Histogram;
  readonly bargeIns: Counter<'provider'>;
  readonly vadGateOpenings: Counter;
  readonly rtpPacketsIn: Counter;
  readonly rtpPacketsOut: Counter;
  readonly rtpPacketsDropped: Counter<'reason'>;
  readonly rtpPacketsLate: Counter;
  readonly rtpPacketsLost: Counter;
  readonly pacerUnderruns: Counter;
  readonly providerErrors: Counter<'provider' | 'code'>;
  readonly toolCalls: Counter<'tool' | 'result'>;
  readonly transfers: Counter<'mode'>;
  readonly emails: Counter<'status'>;
  readonly outboundCalls: Counter<'result'>;
  readonly ariConnected: Gauge;
  readonly configReloads: Counter<'result'>;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
      new Counter<L>({ name: p + name, help, labelNames, registers });
    this.callsStarted = counter('calls_started_total', 'Calls that reached the agent and started a session');
    this.callsEnded = counter('calls_ended_total', 'Calls ended, by outcome', ['outcome']);
    this.callsRejectedDraining = counter('calls_rejected_draining_total', 'New calls sent back to the dialplan while draining');
    this.activeCalls = new Gauge({ name: `${p}active_calls`, help: 'Calls in progress', registers });
    this.callDuration = new Histogram<'outcome'>({
      name: `${p}call_duration_seconds`,
      help: 'Call duration from StasisStart to teardown',
      labelNames: ['outcome'],
      buckets: CALL_DURATION_BUCKETS_S,
      registers,
    });
    this.turnLatency = new Histogram<'stage' | 'provider'>({
      name: `${p}turn_latency_seconds`,
      help: 'Per-turn latency by stage (speech_end_to_first_audio is what the caller feels)',
      labelNames: ['stage', 'provider'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.playoutStart = new Histogram({
      name: `${p}playout_start_delay_seconds`,
      help: 'Agent audio item: its first audio received from the provider → its first RTP packet sent (includes waiting behind audio already playing)',
      buckets: PLAYOUT_START_BUCKETS_S,
      registers,
    });
    this.bargeIns = counter('barge_ins_total', 'Caller interruptions of agent speech', ['provider']);
    this.vadGateOpenings = counter('vad_gate_openings_total', 'Times the local VAD gate let caller audio through');
    this.rtpPacketsIn = counter('rtp_packets_in_total', 'RTP packets received from Asterisk');
    this.rtpPacketsOut = counter('rtp_packets_out_total', 'RTP packets sent to Asterisk');
    this.rtpPacketsDropped = counter('rtp_packets_dropped_total', 'RTP packets dropped, by reason', ['reason']);
    this.rtpPacketsLate = counter('rtp_packets_late_total', 'RTP packets that arrived after their play-out slot');
    this.rtpPacketsLost = counter('rtp_packets_lost_total', 'RTP packets never received (sequence gaps)');
    this.pacerUnderruns = counter('pacer_underruns_total', 'Agent audio ran dry in the middle of an item');
    this.providerErrors = counter('provider_errors_total', 'Provider errors, by provider key and code', ['provider', 'code']);
    this.toolCalls = counter('tool_calls_total', 'Tool calls, by tool and result', ['tool', 'result']);
    this.transfers = counter('transfers_total', 'Transfers attempted, by mode', ['mode']);
    this.emails = counter('emails_total', 'Call summary emails, by status', ['status']);
    this.outboundCalls = counter('outbound_calls_total', 'Outbound calls placed, by result', ['result']);
    this.ariConnected = new Gauge({ name: `${p}ari_connected`, help: '1 when the ARI event stream is up and the app registered', registers });
    this.configReloads = counter('config_reloads_total', 'Configuration reloads, by result', ['result']);
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  /**
   * Run `hook` right before each scrape (sample live counters into the metrics above). `first`: before the hooks
   * already registered (bringing the sources up to date before they are sampled).
   */
  beforeScrape(hook: () => void | Promise<void>, opts: { first?: boolean } = {}): void {
    if (opts.first) this.#hooks.unshift(hook);
    else this.#hooks.push(hook);
  }

  /** Prometheus text exposition. */
  async render(): Promise<string> {
    await this.#runHooks();
    return this.registry.metrics();
  }

  async #runHooks(): Promise<void> {
    for (const hook of this.#hooks) {
      try {
        await hook();
      } catch {
        // A sampling bug must not take /metrics down; the metric simply stays where it was.
      }
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** For the email module: one call summary sent, failed or put in the spool for retry. */
  recordEmail(status: EmailStatus): void {
    this.emails.inc({ status });
  }

  recordOutbound(result: OutboundResultLabel): void {
    this.outboundCalls.inc({ result });
  }

  /** One value of a metric (tests and /health): the sum over label sets matching `labels`; histograms: their count. */
  async valueOf(name: string, labels: Record<string, string> = {}): Promise<number> {
    await this.#runHooks();
    const metric = this.registry.getSingleMetric(name.startsWith(METRIC_PREFIX) ? name : METRIC_PREFIX + name);
    if (!metric) return 0;
    const data = await metric.get();
    let sum = 0;
    for (const v of data.values) {
      // Histograms: count observations (the _count series), not buckets or sums.
      const series = (v as { metricName?: string }).metricName;
      if (series !== undefined && !series.endsWith('_count')) continue;
      const lv = v.labels as Record<string, string | number | undefined>;
      if (Object.entries(labels).every(([k, want]) => String(lv[k]) === want)) sum += v.value;
    }
    return sum;
  }
}

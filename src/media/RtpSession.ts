/**
 * The thin I/O shell of one call's media: one UDP socket both receives Asterisk's RTP and sends ours (Asterisk's
 * strict RTP only accepts packets from the address it sends to).
 *
 * Inbound: source filter (RTP injection) → parse → payload-type check → reorder → exact 20 ms wire frames
 * (`frame` events). Asterisk sends nothing while the caller is silent, so after `gapFill.afterMs` without a packet
 * synthetic silence frames are emitted on a 20 ms deadline clock until real packets resume.
 * Outbound: `pacer` (20 ms deadlines) → RTP with our own SSRC/sequence/timestamp → the remote from setRemote().
 */
import { randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import { monoMs } from '../util/monoMs.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import { Pacer, TIMER_EARLY_TOLERANCE_MS, systemClock, type PacerClock, type PacerSendInfo } from './Pacer.js';
import { FrameChunker } from './FrameChunker.js';
import { emptyJitterCounts, recordJitter } from './JitterHistogram.js';
import { ReorderBuffer } from './ReorderBuffer.js';
import { buildRtp, parseRtp, type RtpPacket } from './rtpPacket.js';
import { WIRE_CODECS, outboundPayloadType, type OutboundWireCodec, type WireCodec } from './wireCodec.js';

const FRAME_MS = 20;
/**
 * 60 ms = 3 missed frames. Asterisk's two-party bridge forwards the caller's packets with their own jitter
 * (observed p95 ≈ 22 ms), so one or two late packets are normal; three in a row means the caller went silent.
 * Short enough that the provider's VAD never sees a hole longer than a syllable gap.
 */
export const DEFAULT_GAP_FILL_AFTER_MS = 60;
/** One outbound packet in this many is sent with a callback that sees whether it failed (once a second). */
const SEND_CHECK_EVERY = 50;
/** After an event-loop stall, emit at most this many back-filled silence frames at once, then resync. */
const MAX_SYNTHETIC_BURST = 10;

export interface RtpSessionOptions {
  socket: dgram.Socket;
  inboundCodec: WireCodec;
  outboundCodec: OutboundWireCodec;
  /** Hosts allowed to send us RTP besides the remote given to setRemote (e.g. Asterisk's other interfaces). */
  allowedHosts: string[];
  /** Fill caller silence with synthetic frames; false disables. Default { afterMs: 60 }. */
  gapFill?: { afterMs: number } | false;
  /** Inbound reorder depth in packets (default 3). */
  reorderDepth?: number;
  logger?: MediaLog;
  clock?: PacerClock;
  /** Playout started / stopped (see PacerOptions.onPlaying). */
  onPlaying?: (playing: boolean) => void;
}

/** The part of a pino logger the media code uses (so the media worker can forward lines to the main thread). */
export interface MediaLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RtpFrameInfo {
  /** True for silence we generated because Asterisk sent nothing. */
  synthetic: boolean;
}

export type RtpSessionEvents = {
  /** Exactly one 20 ms frame in the inbound wire codec. A view: do not mutate or keep beyond the call. */
  frame: [frame: Buffer, info: RtpFrameInfo];
  /** The first packet of an agent audio item went out; `sentAt` on the monotonic clock (monoMs), after the send. */
  itemStart: [itemId: string, sentAt: number];
};

export interface RtpSessionStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  malformed: number;
  foreign: number;
  badPayloadType: number;
  late: number;
  lost: number;
  duplicate: number;
  syntheticFrames: number;
  underruns: number;
  /** Times the pacer was so late it reset its clock instead of bursting. */
  resyncs: number;
  framesIn: number;
  ssrcChanges: number;
  /** Failed sends seen: one send a second is checked, and every send from a failure until one succeeds again. */
  sendErrors: number;
  /** Frames the pacer produced before setRemote (not sent). */
  notSent: number;
  /** Send-side interval deviation from 20 ms within talkspurts, counts per JITTER_BOUNDS_MS bucket. */
  sendJitter: number[];
}

function normalizeHost(h: string): string {
  return h.startsWith('::ffff:') ? h.slice(7) : h;
}

export class RtpSession extends TypedEmitter<RtpSessionEvents> {
  readonly pacer: Pacer;
  readonly inboundCodec: WireCodec;
  readonly outboundCodec: OutboundWireCodec;

  readonly #socket: dgram.Socket;
  readonly #clock: PacerClock;
  readonly #log: MediaLog | undefined;
  readonly #allowed: Set<string>;
  readonly #inPayloadType: number;
  readonly #inBytesPerSample: number;
  readonly #inChunker: FrameChunker;
  readonly #inSilence: Buffer;
  readonly #reorder: ReorderBuffer;
  readonly #gapAfterMs: number | undefined;
  readonly #counters = {
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    malformed: 0,
    foreign: 0,
    badPayloadType: 0,
    syntheticFrames: 0,
    framesIn: 0,
    sendErrors: 0,
    notSent: 0,
  };

  #remote: { host: string; port: number } | undefined;
  #closed = false;
  /** RTP timestamp the next inbound packet has when it continues the previous one. */
  #expectedTs: number | undefined;
  #lastInboundAt: number | undefined;
  #seenPacket = false;
  #watchdog: unknown = undefined;
  #synthTimer: unknown = undefined;
  #synthNext = 0;

  // outbound RTP state
  readonly #outPayloadType: number;
  readonly #outSamplesPerFrame: number;
  readonly #outSampleRate: number;
  readonly #ssrc = randomInt(0, 2 ** 32);
  #seq = randomInt(0, 2 ** 16);
  #ts = randomInt(0, 2 ** 32);
  #tsFraction = 0;
  readonly #sendJitter = emptyJitterCounts();
  #lastSentAt: number | undefined;

  /** Sends since the last one that was checked (the first send is checked). */
  #unchecked = SEND_CHECK_EVERY - 1;
  /** The last checked send failed: check every send until one succeeds. */
  #failing = false;
  readonly #afterSend = (err: Error | null): void => {
    this.#failing = err !== null;
    if (err) this.#sendFailed(err);
  };
  readonly #onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => this.#receive(msg, rinfo);
  /** Socket errors (ICMP unreachable and the like) are counted with send errors; they never crash the call. */
  readonly #onError = (err: Error) => this.#sendFailed(err);

  constructor(options: RtpSessionOptions) {
    super();
    const inInfo = WIRE_CODECS[options.inboundCodec];
    const outInfo = WIRE_CODECS[options.outboundCodec];
    if (inInfo === undefined) throw new RangeError(`unknown inbound codec ${String(options.inboundCodec)}`);
    if (outInfo === undefined || outInfo.sampleRate !== 8000) throw new RangeError(`outbound codec must be ulaw, alaw or slin (got ${String(options.outboundCodec)})`);
    this.inboundCodec = options.inboundCodec;
    this.outboundCodec = options.outboundCodec;
    this.#socket = options.socket;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
    this.#allowed = new Set(options.allowedHosts.map(normalizeHost));
    this.#inPayloadType = inInfo.inboundPayloadType;
    this.#inBytesPerSample = inInfo.sampleFormat === 'l16be' ? 2 : 1;
    this.#inChunker = new FrameChunker(inInfo.bytesPer20ms);
    this.#inSilence = Buffer.alloc(inInfo.bytesPer20ms, inInfo.silenceByte);
    this.#reorder = new ReorderBuffer({ depth: options.reorderDepth });
    const gap = options.gapFill ?? { afterMs: DEFAULT_GAP_FILL_AFTER_MS };
    if (gap !== false && !(gap.afterMs >= FRAME_MS)) throw new RangeError(`gapFill.afterMs must be ≥ ${FRAME_MS} (got ${gap.afterMs})`);
    this.#gapAfterMs = gap === false ? undefined : gap.afterMs;

    this.#outPayloadType = outboundPayloadType(options.outboundCodec);
    this.#outSampleRate = outInfo.sampleRate;
    this.#outSamplesPerFrame = (outInfo.sampleRate * FRAME_MS) / 1000;
    this.pacer = new Pacer({
      frameBytes: outInfo.bytesPer20ms,
      frameMs: FRAME_MS,
      silenceByte: outInfo.silenceByte,
      clock: this.#clock,
      send: (frame, info) => this.#sendFrame(frame, info),
      ...(options.onPlaying ? { onPlaying: options.onPlaying } : {}),
    });

    this.#socket.on('message', this.#onMessage);
    this.#socket.on('error', this.#onError);
  }

  /** Where Asterisk receives our RTP (UNICASTRTP_LOCAL_ADDRESS/PORT). Also allows that host as a source. */
  setRemote(host: string, port: number): void {
    if (this.#closed) return;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad remote RTP port ${port}`);
    const h = normalizeHost(host);
    this.#remote = { host: h, port };
    this.#allowed.add(h);
    if (this.#lastInboundAt === undefined) {
      // The inbound stream clock starts now: a caller silent from the first moment still yields a stream.
      this.#lastInboundAt = this.#clock.now();
      this.#armWatchdog();
    }
  }

  get remote(): { host: string; port: number } | undefined {
    return this.#remote;
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): RtpSessionStats {
    const r = this.#reorder.stats;
    return {
      ...this.#counters,
      late: r.late,
      lost: r.lost,
      duplicate: r.duplicate,
      ssrcChanges: r.ssrcChanges,
      underruns: this.pacer.stats.underruns,
      resyncs: this.pacer.stats.resyncs,
      sendJitter: [...this.#sendJitter],
    };
  }

  /** Stop timers, close the socket, drop listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pacer.stop();
    this.#stopWatchdog();
    this.#stopSynthetic();
    this.#socket.off('message', this.#onMessage);
    this.#socket.off('error', this.#onError);
    try {
      this.#socket.close();
    } catch {
      // already closed (e.g. by the port allocator)
    }
    this.removeAllListeners();
  }

  // ---- inbound ----

  #receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    this.#clock.poll?.();
    const c = this.#counters;
    c.packetsIn++;
    c.bytesIn += msg.length;
    const host = normalizeHost(rinfo.address);
    if (!this.#allowed.has(host)) {
      if (c.foreign++ === 0) this.#log?.warn({ source: `${host}:${rinfo.port}` }, 'rtp from unexpected host dropped');
      return;
    }
    const parsed = parseRtp(msg);
    if (!parsed.ok) {
      if (c.malformed++ === 0) this.#log?.debug({ reason: parsed.reason, bytes: msg.length }, 'malformed rtp dropped');
      return;
    }
    const p = parsed.packet;
    if (p.payloadType !== this.#inPayloadType) {
      if (c.badPayloadType++ === 0) this.#log?.debug({ payloadType: p.payloadType, expected: this.#inPayloadType }, 'unexpected rtp payload type dropped');
      return;
    }
    if (!this.#seenPacket) {
      this.#seenPacket = true;
      this.#log?.debug({ source: `${host}:${rinfo.port}`, ssrc: p.ssrc }, 'first rtp packet');
    }
    this.#lastInboundAt = this.#clock.now();
    this.#stopSynthetic();
    const ssrcChanges = this.#reorder.stats.ssrcChanges;
    const ready = this.#reorder.push(p);
    if (this.#reorder.stats.ssrcChanges !== ssrcChanges) this.#log?.info({ ssrc: p.ssrc }, 'inbound rtp ssrc changed');
    for (const r of ready) {
      this.#deliver(r);
      if (this.#closed) return;
    }
    this.#armWatchdog();
  }

  #deliver(p: RtpPacket): void {
    // A timestamp jump means the previous packet ended a sound (e.g. the short last packet of a file): pad it out
    // rather than glue the next sound onto it.
    if (this.#inChunker.bytesQueued > 0 && this.#expectedTs !== undefined && p.timestamp !== this.#expectedTs) this.#padRemainder();
    this.#expectedTs = (p.timestamp + Math.floor(p.payload.length / this.#inBytesPerSample)) >>> 0;
    this.#inChunker.push(p.payload);
    for (let f = this.#inChunker.shift(); f !== undefined; f = this.#inChunker.shift()) {
      this.#counters.framesIn++;
      this.emit('frame', f, { synthetic: false });
      if (this.#closed) return;
    }
  }

  #padRemainder(): void {
    const f = this.#inChunker.drain(this.#inSilence[0]);
    if (f === undefined) return;
    this.#counters.framesIn++;
    this.emit('frame', f, { synthetic: false });
  }

  /** Fires afterMs after the last packet: a packet only moves #lastInboundAt (no timer per packet); the timer re-arms. */
  #armWatchdog(): void {
    if (this.#watchdog !== undefined) return;
    this.#watchdog = this.#clock.setTimer(this.#onWatchdog, this.#quietIn());
  }

  /** Ms until the inbound side has been quiet for the gap-fill delay (also flushes held packets when gap fill is off). */
  #quietIn(): number {
    const after = this.#gapAfterMs ?? DEFAULT_GAP_FILL_AFTER_MS;
    return this.#lastInboundAt === undefined ? after : this.#lastInboundAt + after - this.#clock.now();
  }

  readonly #onWatchdog = (): void => {
    this.#watchdog = undefined;
    if (this.#closed) return;
    const left = this.#quietIn();
    if (left > TIMER_EARLY_TOLERANCE_MS) this.#watchdog = this.#clock.setTimer(this.#onWatchdog, left);
    else this.#onQuiet();
  };

  #stopWatchdog(): void {
    if (this.#watchdog !== undefined) this.#clock.clearTimer(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** No packet for afterMs: release what the reorder buffer holds, pad the remainder, then fill with silence. */
  #onQuiet(): void {
    for (const p of this.#reorder.flush()) {
      this.#deliver(p);
      if (this.#closed) return;
    }
    this.#padRemainder();
    if (this.#closed || this.#gapAfterMs === undefined) return;
    // Back-fill from the frame after the last real one, so the stream the provider sees keeps real time.
    this.#synthNext = (this.#lastInboundAt ?? this.#clock.now()) + FRAME_MS;
    this.#syntheticTick();
  }

  readonly #onSynthTimer = (): void => this.#syntheticTick();

  #syntheticTick(): void {
    this.#synthTimer = undefined;
    if (this.#closed) return;
    const now = this.#clock.now();
    if (now - this.#synthNext >= MAX_SYNTHETIC_BURST * FRAME_MS) this.#synthNext = now - (MAX_SYNTHETIC_BURST - 1) * FRAME_MS;
    while (this.#synthNext <= now + TIMER_EARLY_TOLERANCE_MS) {
      this.#counters.syntheticFrames++;
      this.emit('frame', this.#inSilence, { synthetic: true });
      if (this.#closed || this.#synthTimer !== undefined) return;
      this.#synthNext += FRAME_MS;
    }
    this.#synthTimer = this.#clock.setTimer(this.#onSynthTimer, Math.max(0, this.#synthNext - now));
  }

  #stopSynthetic(): void {
    if (this.#synthTimer !== undefined) this.#clock.clearTimer(this.#synthTimer);
    this.#synthTimer = undefined;
  }

  // ---- outbound ----

  #sendFrame(frame: Buffer, info: PacerSendInfo): void {
    const remote = this.#remote;
    if (remote === undefined || this.#closed) {
      this.#counters.notSent++;
      return;
    }
    if (info.idleMs > 0) {
      // Advance the timestamp by the real time the stream was idle, so Asterisk's jitter buffer sees real time.
      const exact = (info.idleMs * this.#outSampleRate) / 1000 + this.#tsFraction;
      const whole = Math.floor(exact);
      this.#tsFraction = exact - whole;
      this.#ts = (this.#ts + whole) >>> 0;
    }
    const pkt = buildRtp({ payloadType: this.#outPayloadType, sequenceNumber: this.#seq, timestamp: this.#ts, ssrc: this.#ssrc, marker: info.marker }, frame);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#ts = (this.#ts + this.#outSamplesPerFrame) >>> 0;
    this.#counters.packetsOut++;
    this.#counters.bytesOut += pkt.length;
    const now = this.#clock.now();
    if (!info.marker && this.#lastSentAt !== undefined) recordJitter(this.#sendJitter, Math.abs(now - this.#lastSentAt - FRAME_MS));
    this.#lastSentAt = now;
    try {
      // Node reports a failed send only to a callback, and a callback costs a deferred call per packet: a quarter of
      // the media thread's garbage at 300 calls. So one send a second carries it, and every send while they fail.
      if (this.#failing || ++this.#unchecked >= SEND_CHECK_EVERY) {
        this.#unchecked = 0;
        this.#socket.send(pkt, remote.port, remote.host, this.#afterSend);
      } else {
        this.#socket.send(pkt, remote.port, remote.host);
      }
    } catch (err) {
      this.#sendFailed(err as Error); // socket closed under us
    }
    if (info.itemStart !== undefined) this.emit('itemStart', info.itemStart, monoMs());
  }

  #sendFailed(err: Error): void {
    if (this.#counters.sendErrors++ === 0) this.#log?.warn({ err: err.message }, 'rtp send failed');
  }
}

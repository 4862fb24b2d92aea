/**
 * The simulated Asterisk end of one ExternalMedia (UnicastRTP) channel: a real UDP socket on 127.0.0.1.
 * Sends caller audio to `external_host` the way Asterisk 22 does (12-byte header, one SSRC, random initial seq,
 * timestamps starting at one frame, marker never set, PT per format, L16 big-endian), and receives what the app
 * sends with Asterisk's rules: only static 8 kHz payload types are accepted (dynamic ones are silently dropped),
 * and strict RTP drops the first 4 packets from any source other than `external_host` while it "learns".
 */
import dgram from 'node:dgram';
import { ipLiteralLookup } from '../media/ipLiteralLookup.js';
import { buildRtpPacket, decodeInboundPayload, encodePayload, FORMAT_INFO, parseRtpPacket, samplesPerFrame } from './rtpCodec.js';
import type { MediaFormat } from './rtpCodec.js';

/** Strict RTP (Asterisk's default) needs this many packets from a new source before accepting it. */
const STRICT_RTP_LEARNING_PACKETS = 4;

export interface ReceivedRtp {
  atMs: number;
  from: string;
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker: boolean;
  payloadBytes: number;
  /** Decoded to 8 kHz, the rate Asterisk reads these payload types at. */
  pcm8k: Int16Array;
}

export type DropReason = 'dynamic-pt' | 'unsupported-pt' | 'strict-rtp-learning' | 'not-rtp';

export interface DroppedRtp {
  atMs: number;
  from: string;
  pt: number | null;
  reason: DropReason;
}

export interface SentRtp {
  atMs: number;
  seq: number;
  ts: number;
  payloadBytes: number;
}

export class RtpPeer {
  readonly received: ReceivedRtp[] = [];
  readonly dropped: DroppedRtp[] = [];
  readonly sent: SentRtp[] = [];
  readonly ssrc = (Math.random() * 0x1_0000_0000) >>> 0;
  private seq = Math.floor(Math.random() * 0x10000);
  private ts = 0;
  private readonly learning = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    readonly format: MediaFormat,
    readonly remoteHost: string,
    readonly remotePort: number,
    private readonly startedAt: number,
  ) {
    socket.on('message', (msg, rinfo) => this.onMessage(msg, `${rinfo.address}:${rinfo.port}`));
    socket.on('error', () => {
      /* a send to a closed app port is not our failure: Asterisk keeps sending regardless */
    });
  }

  static async open(externalHost: string, format: MediaFormat): Promise<RtpPeer> {
    const idx = externalHost.lastIndexOf(':');
    const host = externalHost.slice(0, idx);
    const port = Number(externalHost.slice(idx + 1));
    const socket = dgram.createSocket({ type: 'udp4', lookup: ipLiteralLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpPeer(socket, socket.address().port, format, host === 'localhost' ? '127.0.0.1' : host, port, Date.now());
  }

  get sampleRate(): number {
    return FORMAT_INFO[this.format].sampleRate;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get droppedDynamic(): number {
    return this.dropped.filter((d) => d.reason === 'dynamic-pt').length;
  }

  /** Send one 20 ms frame of PCM already at this format's rate. */
  sendFrame(pcm: Int16Array): void {
    if (this.closed) return;
    const payload = encodePayload(pcm, this.format);
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + pcm.length) >>> 0;
    const packet = buildRtpPacket({ pt: FORMAT_INFO[this.format].pt, seq: this.seq, ts: this.ts, ssrc: this.ssrc, payload });
    this.sent.push({ atMs: Date.now() - this.startedAt, seq: this.seq, ts: this.ts, payloadBytes: payload.length });
    this.socket.send(packet, this.remotePort, this.remoteHost);
  }

  sendSilence(): void {
    this.sendFrame(new Int16Array(samplesPerFrame(this.sampleRate)));
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.socket.close();
  }

  private onMessage(msg: Buffer, from: string): void {
    const atMs = Date.now() - this.startedAt;
    const pkt = parseRtpPacket(msg);
    if (!pkt) {
      this.dropped.push({ atMs, from, pt: null, reason: 'not-rtp' });
      return;
    }
    if (from !== `${this.remoteHost}:${this.remotePort}`) {
      const seen = (this.learning.get(from) ?? 0) + 1;
      this.learning.set(from, seen);
      if (seen <= STRICT_RTP_LEARNING_PACKETS) {
        this.dropped.push({ atMs, from, pt: pkt.pt, reason: 'strict-rtp-learning' });
        return;
      }
    }
    const pcm8k = decodeInboundPayload(pkt.pt, pkt.payload);
    if (!pcm8k) {
      this.dropped.push({ atMs, from, pt: pkt.pt, reason: pkt.pt >= 96 ? 'dynamic-pt' : 'unsupported-pt' });
      return;
    }
    this.received.push({ atMs, from, pt: pkt.pt, seq: pkt.seq, ts: pkt.ts, ssrc: pkt.ssrc, marker: pkt.marker, payloadBytes: pkt.payload.length, pcm8k });
    for (const fn of this.listeners) fn();
  }
}

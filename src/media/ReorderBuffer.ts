/**
 * Inbound RTP reorder buffer: releases packets in sequence order, holding at most `depth` packets while a gap waits
 * to be filled. 16-bit wrap aware. Late packets (behind the play-out point) and duplicates are dropped and counted;
 * a gap is counted as lost when the buffer has to move past it. An SSRC change or a sequence jump too large to be
 * reordering (RFC 3550 A.1: MAX_DROPOUT/MAX_MISORDER) releases what is held and restarts on the new stream.
 */
import { seqDelta, type RtpPacket } from './rtpPacket.js';

/** RFC 3550 appendix A.1 limits: further back is a restarted sender, not a late packet. */
const MAX_MISORDER = 100;
/** RFC 3550 appendix A.1: a forward jump this large is a new sequence, not 3000 lost packets. */
const MAX_DROPOUT = 3000;
/** How many recently released sequence numbers are remembered to tell duplicates from late packets. */
const RECENT = 64;

export interface ReorderStats {
  released: number;
  late: number;
  duplicate: number;
  lost: number;
  /** Sequence restarts (large jump) and SSRC changes. */
  resets: number;
  ssrcChanges: number;
}

export interface ReorderBufferOptions {
  /** Packets held while waiting for a missing one (each is 20 ms of added delay only when a gap exists). */
  depth?: number;
}

/** Default depth: 3 packets = 60 ms at most of extra delay, and only while a gap is pending. */
export const DEFAULT_REORDER_DEPTH = 3;

export class ReorderBuffer {
  readonly depth: number;
  readonly stats: ReorderStats = { released: 0, late: 0, duplicate: 0, lost: 0, resets: 0, ssrcChanges: 0 };

  #ssrc: number | undefined;
  /** Sequence number of the next packet to release; undefined before the first packet. */
  #next: number | undefined;
  /** Held packets, sorted by distance from #next (all ahead of it). */
  #pending: RtpPacket[] = [];
  #recent = new Int32Array(RECENT).fill(-1);
  #recentPos = 0;

  constructor(options: ReorderBufferOptions = {}) {
    const depth = options.depth ?? DEFAULT_REORDER_DEPTH;
    if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`depth must be a non-negative integer (got ${depth})`);
    this.depth = depth;
  }

  get held(): number {
    return this.#pending.length;
  }

  /** Accept one packet; returns the packets now releasable, in order (possibly none). */
  push(p: RtpPacket): RtpPacket[] {
    const out: RtpPacket[] = [];
    if (this.#ssrc !== undefined && p.ssrc !== this.#ssrc) {
      this.stats.ssrcChanges++;
      this.#restart(out);
    }
    this.#ssrc = p.ssrc;
    if (this.#next === undefined) this.#next = p.sequenceNumber;

    const d = seqDelta(this.#next, p.sequenceNumber);
    if (d < -MAX_MISORDER || d > MAX_DROPOUT) {
      this.#restart(out);
      this.#ssrc = p.ssrc;
      this.#next = p.sequenceNumber;
      return this.#accept(p, 0, out);
    }
    if (d < 0) {
      if (this.#wasReleased(p.sequenceNumber)) this.stats.duplicate++;
      else this.stats.late++;
      return out;
    }
    return this.#accept(p, d, out);
  }

  /** Release everything held, in order, moving past gaps (counted as lost). */
  flush(): RtpPacket[] {
    const out: RtpPacket[] = [];
    while (this.#pending.length > 0) this.#skipGap(out);
    return out;
  }

  /** Forget the stream entirely (held packets dropped). */
  reset(): void {
    this.#pending = [];
    this.#next = undefined;
    this.#ssrc = undefined;
    this.#recent.fill(-1);
  }

  #accept(p: RtpPacket, d: number, out: RtpPacket[]): RtpPacket[] {
    if (d === 0) {
      this.#release(p, out);
      this.#releaseRun(out);
    } else {
      const pending = this.#pending;
      const next = this.#next!;
      let i = 0;
      while (i < pending.length && seqDelta(next, pending[i]!.sequenceNumber) < d) i++;
      if (i < pending.length && pending[i]!.sequenceNumber === p.sequenceNumber) {
        this.stats.duplicate++;
        return out;
      }
      pending.splice(i, 0, p);
    }
    while (this.#pending.length > this.depth) this.#skipGap(out);
    return out;
  }

  /** Move the play-out point to the first held packet, counting the gap as lost, and release the run. */
  #skipGap(out: RtpPacket[]): void {
    const first = this.#pending[0]!;
    this.stats.lost += seqDelta(this.#next!, first.sequenceNumber);
    this.#next = first.sequenceNumber;
    this.#releaseRun(out);
  }

  #releaseRun(out: RtpPacket[]): void {
    while (this.#pending.length > 0 && this.#pending[0]!.sequenceNumber === this.#next) this.#release(this.#pending.shift()!, out);
  }

  #release(p: RtpPacket, out: RtpPacket[]): void {
    out.push(p);
    this.stats.released++;
    this.#recent[this.#recentPos] = p.sequenceNumber;
    this.#recentPos = (this.#recentPos + 1) % RECENT;
    this.#next = (p.sequenceNumber + 1) & 0xffff;
  }

  #wasReleased(seq: number): boolean {
    return this.#recent.includes(seq);
  }

  /** New stream: hand out what is held (in order, no loss counted across streams), then forget the old one. */
  #restart(out: RtpPacket[]): void {
    this.stats.resets++;
    for (const p of this.#pending) {
      out.push(p);
      this.stats.released++;
    }
    this.#pending = [];
    this.#next = undefined;
    this.#recent.fill(-1);
  }
}

/**
 * RFC 3550 RTP packet parse/build. Pure and synchronous: no sockets, no clocks.
 * `parseRtp` never throws: malformed input becomes a typed drop reason the caller counts.
 */

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: number[];
  /** Subarray view of the datagram: after CSRC list and header extension, padding removed. */
  payload: Buffer;
}

export type RtpDropReason = 'too_short' | 'bad_version' | 'bad_padding' | 'bad_extension' | 'bad_csrc';

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: RtpDropReason };

export interface RtpHeaderFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

export const RTP_HEADER_BYTES = 12;

const NO_CSRC: number[] = [];

export function parseRtp(buf: Buffer): RtpParseResult {
  const len = buf.length;
  if (len < RTP_HEADER_BYTES) return { ok: false, reason: 'too_short' };
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return { ok: false, reason: 'bad_version' };
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;

  let offset = RTP_HEADER_BYTES;
  if (offset + csrcCount * 4 > len) return { ok: false, reason: 'bad_csrc' };
  let csrc = NO_CSRC;
  if (csrcCount > 0) {
    csrc = new Array<number>(csrcCount);
    for (let i = 0; i < csrcCount; i++) csrc[i] = buf.readUInt32BE(offset + i * 4);
    offset += csrcCount * 4;
  }

  if (hasExtension) {
    // 16-bit profile id, 16-bit length in 32-bit words (not counting this 4-byte preamble).
    if (offset + 4 > len) return { ok: false, reason: 'bad_extension' };
    const words = buf.readUInt16BE(offset + 2);
    offset += 4 + words * 4;
    if (offset > len) return { ok: false, reason: 'bad_extension' };
  }

  let end = len;
  if (hasPadding) {
    // The last octet counts the padding octets, itself included; zero is invalid (RFC 3550 §5.1).
    const pad = buf[len - 1]!;
    if (pad === 0 || offset + pad > len) return { ok: false, reason: 'bad_padding' };
    end = len - pad;
  }

  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequenceNumber: buf.readUInt16BE(2),
      timestamp: buf.readUInt32BE(4),
      ssrc: buf.readUInt32BE(8),
      csrc: csrc === NO_CSRC ? [] : csrc,
      payload: buf.subarray(offset, end),
    },
  };
}

/**
 * Build a 12-byte-header RTP packet (V=2, no padding/extension/CSRC) followed by `payload`.
 * Sequence numbers and timestamps wrap (masked to 16/32 bits). When `out` is large enough it is written in place
 * and a view of exactly the packet length is returned; otherwise a new buffer is allocated.
 */
export function buildRtp(h: RtpHeaderFields, payload: Buffer, out?: Buffer): Buffer {
  const total = RTP_HEADER_BYTES + payload.length;
  const pkt = out !== undefined && out.length >= total ? out.subarray(0, total) : Buffer.allocUnsafe(total);
  pkt[0] = 0x80;
  pkt[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  pkt.writeUInt16BE(h.sequenceNumber & 0xffff, 2);
  pkt.writeUInt32BE(h.timestamp >>> 0, 4);
  pkt.writeUInt32BE(h.ssrc >>> 0, 8);
  payload.copy(pkt, RTP_HEADER_BYTES);
  return pkt;
}

/** Signed distance b - a between two 16-bit sequence numbers, in [-32768, 32767]. */
export function seqDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

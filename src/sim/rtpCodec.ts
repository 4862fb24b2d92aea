/**
 * Pure RTP and G.711/L16 helpers for the ARI simulator: header build/parse, μ-law/A-law, big-endian L16, and a
 * linear resampler. No I/O. Everything here mirrors what Asterisk 22 puts on (and accepts from) the wire for an
 * ExternalMedia channel.
 */

export type MediaFormat = 'ulaw' | 'alaw' | 'slin' | 'slin16' | 'slin24';

export interface FormatInfo {
  /** Payload type Asterisk sends for this format (dynamic ones as observed on 22.10.1). */
  pt: number;
  sampleRate: number;
  bytesPerSample: 1 | 2;
}

export const FORMAT_INFO: Record<MediaFormat, FormatInfo> = {
  ulaw: { pt: 0, sampleRate: 8000, bytesPerSample: 1 },
  alaw: { pt: 8, sampleRate: 8000, bytesPerSample: 1 },
  slin: { pt: 10, sampleRate: 8000, bytesPerSample: 2 },
  slin16: { pt: 118, sampleRate: 16000, bytesPerSample: 2 },
  slin24: { pt: 123, sampleRate: 24000, bytesPerSample: 2 },
};

export function isMediaFormat(s: string): s is MediaFormat {
  return Object.hasOwn(FORMAT_INFO, s);
}

/** 20 ms: Asterisk's default ptime for every format it sends over UnicastRTP. */
export const FRAME_MS = 20;

export function samplesPerFrame(sampleRate: number): number {
  return (sampleRate * FRAME_MS) / 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// G.711

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return sign ? -magnitude : magnitude;
}

/** A-law segment end points for the 13-bit magnitude (ITU-T G.711). */
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

export function linearToAlaw(sample: number): number {
  let v = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  let seg = 0;
  while (seg < 8 && v > (ALAW_SEG_END[seg] ?? 0)) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f);
  return aval ^ mask;
}

export function alawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if (magnitude > 32767) magnitude = 32767;
  return sign ? magnitude : -magnitude;
}

// ---------------------------------------------------------------------------------------------------------------
// Payload encode/decode

/** Encode PCM (already at the format's rate) into the wire payload. L16 is big-endian (network order). */
export function encodePayload(pcm: Int16Array, format: MediaFormat): Buffer {
  const info = FORMAT_INFO[format];
  const out = Buffer.allocUnsafe(pcm.length * info.bytesPerSample);
  if (format === 'ulaw') for (let i = 0; i < pcm.length; i++) out[i] = linearToUlaw(pcm[i] ?? 0);
  else if (format === 'alaw') for (let i = 0; i < pcm.length; i++) out[i] = linearToAlaw(pcm[i] ?? 0);
  else for (let i = 0; i < pcm.length; i++) out.writeInt16BE(pcm[i] ?? 0, i * 2);
  return out;
}

/** Payload types Asterisk accepts from the app whatever the ExternalMedia format (it transcodes): 8 kHz only. */
export const ACCEPTED_INBOUND_PTS: ReadonlySet<number> = new Set([0, 8, 10, 11]);

/** Decode an accepted inbound payload to 8 kHz PCM. Null for a payload type Asterisk would not accept. */
export function decodeInboundPayload(pt: number, payload: Uint8Array): Int16Array | null {
  if (pt === 0 || pt === 8) {
    const out = new Int16Array(payload.length);
    const dec = pt === 0 ? ulawToLinear : alawToLinear;
    for (let i = 0; i < payload.length; i++) out[i] = dec(payload[i] ?? 0);
    return out;
  }
  if (pt === 10 || pt === 11) {
    const n = payload.length >> 1;
    const out = new Int16Array(n);
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, false);
    return out;
  }
  return null;
}

/** Linear-interpolation resampler: good enough for test tones and correlation, not for listening. */
export function resampleLinear(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return pcm;
  const outLen = Math.round((pcm.length * toRate) / fromRate);
  const out = new Int16Array(outLen);
  const ratio = fromRate / toRate;
  for (let i = 0; i < outLen; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = pcm[i0] ?? pcm[pcm.length - 1] ?? 0;
    const b = pcm[i0 + 1] ?? a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// RTP header

export interface RtpPacket {
  version: number;
  marker: boolean;
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  payload: Buffer;
}

/** 12-byte header, no CSRC, no extension, no padding: exactly what Asterisk sends. */
export function buildRtpPacket(p: { marker?: boolean; pt: number; seq: number; ts: number; ssrc: number; payload: Uint8Array }): Buffer {
  const buf = Buffer.allocUnsafe(12 + p.payload.length);
  buf[0] = 0x80;
  buf[1] = ((p.marker ? 1 : 0) << 7) | (p.pt & 0x7f);
  buf.writeUInt16BE(p.seq & 0xffff, 2);
  buf.writeUInt32BE(p.ts >>> 0, 4);
  buf.writeUInt32BE(p.ssrc >>> 0, 8);
  buf.set(p.payload, 12);
  return buf;
}

/** Parse any RFC 3550 packet (CSRCs, extension and padding honoured). Null when it is not RTP v2. */
export function parseRtpPacket(buf: Buffer): RtpPacket | null {
  if (buf.length < 12) return null;
  const b0 = buf[0] ?? 0;
  const version = b0 >> 6;
  if (version !== 2) return null;
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (extension) {
    if (buf.length < offset + 4) return null;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (padding) end -= buf[buf.length - 1] ?? 0;
  if (offset > end) return null;
  const b1 = buf[1] ?? 0;
  return {
    version,
    marker: (b1 & 0x80) !== 0,
    pt: b1 & 0x7f,
    seq: buf.readUInt16BE(2),
    ts: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

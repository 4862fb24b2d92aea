import { outBytes, outPcm } from './outputBuffer.js';
/**
 * Table-driven ITU-T G.711 μ-law and A-law (the classic Sun reference algorithm, tables built once at load).
 * Tables are immutable after construction; no per-call state.
 */

const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
/** Indexed by the 16-bit two's-complement sample (pcm & 0xffff). */
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);

function ulawDecodeOne(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function alawDecodeOne(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(v: number, ends: number[]): number {
  for (let i = 0; i < ends.length; i++) if (v <= ends[i]!) return i;
  return ends.length;
}

function ulawEncodeOne(pcm: number): number {
  let v = pcm >> 2; // 14-bit magnitude domain
  let mask: number;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (v > 8159) v = 8159; // clip
  v += 0x21; // bias
  const seg = segment(v, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

function alawEncodeOne(pcm: number): number {
  let v = pcm >> 3; // 13-bit domain
  let mask: number;
  if (v >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  const seg = segment(v, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return aval ^ mask;
}

for (let i = 0; i < 256; i++) {
  ULAW_DECODE[i] = ulawDecodeOne(i);
  ALAW_DECODE[i] = alawDecodeOne(i);
}
for (let i = 0; i < 65536; i++) {
  const pcm = i >= 0x8000 ? i - 0x10000 : i;
  ULAW_ENCODE[i] = ulawEncodeOne(pcm);
  ALAW_ENCODE[i] = alawEncodeOne(pcm);
}

/** The silence code of each law (what a quiet line carries). */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;


/** μ-law bytes → 16-bit PCM. `dst` (if given) must hold src.length samples; a view of exactly that length is returned. */
export function ulawToPcm(src: Uint8Array, dst?: Int16Array): Int16Array {
  const n = src.length;
  const out = outPcm(n, dst);
  for (let i = 0; i < n; i++) out[i] = ULAW_DECODE[src[i]!]!;
  return out;
}

export function alawToPcm(src: Uint8Array, dst?: Int16Array): Int16Array {
  const n = src.length;
  const out = outPcm(n, dst);
  for (let i = 0; i < n; i++) out[i] = ALAW_DECODE[src[i]!]!;
  return out;
}

/** 16-bit PCM → μ-law bytes. */
export function pcmToUlaw(src: Int16Array, dst?: Buffer): Buffer {
  const n = src.length;
  const out = outBytes(n, dst);
  for (let i = 0; i < n; i++) out[i] = ULAW_ENCODE[src[i]! & 0xffff]!;
  return out;
}

export function pcmToAlaw(src: Int16Array, dst?: Buffer): Buffer {
  const n = src.length;
  const out = outBytes(n, dst);
  for (let i = 0; i < n; i++) out[i] = ALAW_ENCODE[src[i]! & 0xffff]!;
  return out;
}

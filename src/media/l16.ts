import { outBytes, outPcm } from './outputBuffer.js';
/**
 * Linear 16-bit PCM byte order conversions. Wire L16 (RTP, RFC 3551) is big-endian; the OpenAI side is
 * little-endian. Byte-wise loops: safe for Buffer views at odd byteOffsets (no Int16Array over the input bytes).
 * An odd trailing byte is ignored (callers that stream carry it themselves).
 */


/** Big-endian L16 bytes → samples. */
export function l16beToPcm(buf: Uint8Array, dst?: Int16Array): Int16Array {
  const n = buf.length >> 1;
  const out = outPcm(n, dst);
  for (let i = 0, j = 0; i < n; i++, j += 2) out[i] = (buf[j]! << 8) | buf[j + 1]!; // Int16Array store wraps to signed
  return out;
}

/** Samples → big-endian L16 bytes. */
export function pcmToL16be(pcm: Int16Array, dst?: Buffer): Buffer {
  const n = pcm.length;
  const out = outBytes(n * 2, dst);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const s = pcm[i]!;
    out[j] = (s >> 8) & 0xff;
    out[j + 1] = s & 0xff;
  }
  return out;
}

/** Little-endian PCM16 bytes → samples. */
export function pcm16leToPcm(buf: Uint8Array, dst?: Int16Array): Int16Array {
  const n = buf.length >> 1;
  const out = outPcm(n, dst);
  for (let i = 0, j = 0; i < n; i++, j += 2) out[i] = buf[j]! | (buf[j + 1]! << 8);
  return out;
}

/** Samples → little-endian PCM16 bytes. */
export function pcmToPcm16le(pcm: Int16Array, dst?: Buffer): Buffer {
  const n = pcm.length;
  const out = outBytes(n * 2, dst);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const s = pcm[i]!;
    out[j] = s & 0xff;
    out[j + 1] = (s >> 8) & 0xff;
  }
  return out;
}

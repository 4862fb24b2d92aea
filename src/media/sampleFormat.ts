import { alawToPcm, pcmToAlaw, pcmToUlaw, ulawToPcm } from './g711.js';
import { l16beToPcm, pcm16leToPcm, pcmToL16be, pcmToPcm16le } from './l16.js';

/**
 * How samples are laid out in bytes, whatever the sample rate: G.711 (one byte) or 16-bit linear in either byte
 * order (wire L16 is big-endian, the OpenAI side little-endian). One switch for every converter and gate.
 */
export type SampleFormat = 'ulaw' | 'alaw' | 'l16be' | 'l16le';

export function bytesPerSample(f: SampleFormat): 1 | 2 {
  return f === 'ulaw' || f === 'alaw' ? 1 : 2;
}

/** Bytes → 16-bit PCM (into `dst` when given: a view of exactly the decoded length is returned). */
export function decodeSamples(f: SampleFormat, src: Uint8Array, dst?: Int16Array): Int16Array {
  switch (f) {
    case 'ulaw':
      return ulawToPcm(src, dst);
    case 'alaw':
      return alawToPcm(src, dst);
    case 'l16be':
      return l16beToPcm(src, dst);
    case 'l16le':
      return pcm16leToPcm(src, dst);
  }
}

/** 16-bit PCM → bytes. */
export function encodeSamples(f: SampleFormat, pcm: Int16Array, dst?: Buffer): Buffer {
  switch (f) {
    case 'ulaw':
      return pcmToUlaw(pcm, dst);
    case 'alaw':
      return pcmToAlaw(pcm, dst);
    case 'l16be':
      return pcmToL16be(pcm, dst);
    case 'l16le':
      return pcmToPcm16le(pcm, dst);
  }
}

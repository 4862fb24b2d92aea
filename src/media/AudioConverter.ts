/**
 * Per call, per direction converter between a wire codec (what Asterisk carries) and a provider format.
 * Same format on both sides (μ-law wire ↔ pcmu 8 kHz, A-law ↔ pcma) is a passthrough returning the input as is.
 * Otherwise: decode → resample (own Resampler, own filter state) → encode, with work buffers reused per instance;
 * the only per-call allocation is the output buffer. 16-bit inputs split mid-sample carry the odd byte over.
 */
import type { AudioFormat } from '../providers/VoiceProvider.js';
import { Resampler } from './Resampler.js';
import { bytesPerSample, decodeSamples, encodeSamples, type SampleFormat } from './sampleFormat.js';
import { WIRE_CODECS, type WireCodec } from './wireCodec.js';

/** Provider-side audio format; pcm16 is little-endian. Same shape as the providers' `AudioFormat`. */
export type ProviderFormat = AudioFormat;

export type AudioSide = { kind: 'wire'; codec: WireCodec } | { kind: 'provider'; format: ProviderFormat };

interface Resolved {
  sampleFormat: SampleFormat;
  sampleRate: number;
}

function resolve(side: AudioSide): Resolved {
  if (side.kind === 'wire') {
    const info = WIRE_CODECS[side.codec];
    if (info === undefined) throw new RangeError(`unknown wire codec ${String(side.codec)}`);
    return { sampleFormat: info.sampleFormat, sampleRate: info.sampleRate };
  }
  const { encoding, sampleRate } = side.format;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`bad provider sampleRate ${sampleRate}`);
  switch (encoding) {
    case 'pcmu':
    case 'pcma':
      if (sampleRate !== 8000) throw new RangeError(`${encoding} is 8000 Hz only (got ${sampleRate})`);
      return { sampleFormat: encoding === 'pcmu' ? 'ulaw' : 'alaw', sampleRate };
    case 'pcm16':
      return { sampleFormat: 'l16le', sampleRate };
    default:
      throw new RangeError(`unknown provider encoding ${String(encoding)}`);
  }
}


export class AudioConverter {
  readonly passthrough: boolean;
  readonly inSampleRate: number;
  readonly outSampleRate: number;

  readonly #from: SampleFormat;
  readonly #to: SampleFormat;
  readonly #resampler: Resampler | undefined;
  #decoded = new Int16Array(0);
  #resampled = new Int16Array(0);
  /** Odd trailing byte of a 16-bit input, waiting for its partner. */
  #carry = -1;
  #carryBuf = Buffer.alloc(0);

  constructor(from: AudioSide, to: AudioSide) {
    const a = resolve(from);
    const b = resolve(to);
    this.#from = a.sampleFormat;
    this.#to = b.sampleFormat;
    this.inSampleRate = a.sampleRate;
    this.outSampleRate = b.sampleRate;
    this.passthrough = a.sampleFormat === b.sampleFormat && a.sampleRate === b.sampleRate;
    this.#resampler = a.sampleRate === b.sampleRate ? undefined : new Resampler(a.sampleRate, b.sampleRate);
  }

  /** Convert one chunk (any size). Passthrough returns `buf` itself. */
  convert(buf: Buffer): Buffer {
    if (this.passthrough) return buf;
    const pcm = this.#decode(buf);
    let samples = pcm;
    if (this.#resampler !== undefined) {
      const need = this.#resampler.outputLengthFor(pcm.length);
      if (this.#resampled.length < need) this.#resampled = new Int16Array(Math.max(need, 960));
      const n = this.#resampler.processInto(pcm, this.#resampled);
      samples = this.#resampled.subarray(0, n);
    }
    return this.#encode(samples);
  }

  /** Forget stream state (resampler history, carried byte), e.g. after a barge-in flush. */
  reset(): void {
    this.#resampler?.reset();
    this.#carry = -1;
  }

  #decode(buf: Buffer): Int16Array {
    let src: Uint8Array = buf;
    if (bytesPerSample(this.#from) === 2) {
      if (this.#carry >= 0 && buf.length > 0) {
        // Rare path: a chunk split mid-sample. One small copy to realign.
        if (this.#carryBuf.length < buf.length + 1) this.#carryBuf = Buffer.allocUnsafe(buf.length + 1);
        this.#carryBuf[0] = this.#carry;
        buf.copy(this.#carryBuf, 1);
        src = this.#carryBuf.subarray(0, buf.length + 1);
        this.#carry = -1;
      }
      if (src.length & 1) this.#carry = src[src.length - 1]!;
    }
    const n = bytesPerSample(this.#from) === 2 ? src.length >> 1 : src.length;
    if (this.#decoded.length < n) this.#decoded = new Int16Array(Math.max(n, 480));
    return decodeSamples(this.#from, src, this.#decoded.subarray(0, n));
  }

  #encode(pcm: Int16Array): Buffer {
    return encodeSamples(this.#to, pcm);
  }
}

import { Resampler } from './Resampler.js';

/** Zero crossings of the sinc on each side: 16 gives a ~60 dB stopband with the Blackman window, plenty for a file. */
const HALF_WIDTH_ZEROS = 16;

/**
 * Resample a whole recording (the simulator's caller WAV) at any ratio. Rates the streaming polyphase `Resampler`
 * handles (8/16/24/32/48 kHz families) go through it; awkward ratios such as 44.1 or 22.05 kHz → 8 kHz, whose
 * polyphase filter would need tens of thousands of taps, use a direct windowed-sinc interpolation instead. Not for
 * the call path: it costs `outLength × 2·16·ratio` multiply-adds, which is fine once per file.
 */
export function resampleOffline(pcm: Int16Array, inRate: number, outRate: number): Int16Array {
  if (inRate === outRate) return pcm;
  try {
    return new Resampler(inRate, outRate).process(pcm);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
  }
  const ratio = outRate / inRate;
  // Low-pass at the lower Nyquist (a little below, for the transition band).
  const cutoff = 0.95 * Math.min(1, ratio); // relative to the input Nyquist
  const halfWidth = Math.ceil(HALF_WIDTH_ZEROS / cutoff); // in input samples
  const outLength = Math.floor((pcm.length * outRate) / inRate);
  const out = new Int16Array(outLength);
  for (let o = 0; o < outLength; o++) {
    const center = o / ratio; // position in input samples
    const first = Math.max(0, Math.ceil(center - halfWidth));
    const last = Math.min(pcm.length - 1, Math.floor(center + halfWidth));
    let acc = 0;
    let norm = 0;
    for (let i = first; i <= last; i++) {
      const x = i - center;
      const arg = Math.PI * cutoff * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / halfWidth);
      const k = sinc * w;
      acc += k * (pcm[i] as number);
      norm += k;
    }
    const v = norm === 0 ? 0 : acc / norm;
    out[o] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

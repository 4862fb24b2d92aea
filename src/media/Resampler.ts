/**
 * Stateful rational-ratio resampler (L/M) for 16-bit mono PCM: polyphase FIR, Kaiser-windowed sinc.
 *
 * One instance per call per direction: the filter history of a stream lives in the instance, so feeding 20 ms
 * chunks gives bit-identical output to feeding one block. Coefficient tables are per instance too (a few KB).
 *
 * Design: transition band from 85 % to 100 % of the lower Nyquist frequency (3.4–4 kHz for an 8 kHz side, the
 * telephone passband is kept flat), 80 dB Kaiser stopband, so images and aliases are far below the 60 dB target.
 */

const PASSBAND_FRACTION = 0.85;
const STOPBAND_ATTENUATION_DB = 80;
const MAX_TOTAL_TAPS = 8192;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Group delay of the filter, in output samples (may be fractional). */
  readonly delaySamples: number;

  readonly #up: number; // L
  readonly #down: number; // M
  readonly #tapsPerPhase: number; // K
  /** Phase-major coefficients: phase p uses #coeffs[p*K .. p*K+K-1], already scaled by L. */
  readonly #coeffs: Float64Array;
  /** Input history + current block, as float. The first K-1 entries are the tail of the previous block. */
  #work: Float32Array;
  /** Position of the next output sample on the upsampled grid, relative to the current block's first sample × L. */
  #t = 0;

  constructor(inRate: number, outRate: number) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
      throw new RangeError(`sample rates must be positive integers (got ${inRate} → ${outRate})`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    const L = outRate / g;
    const M = inRate / g;
    this.#up = L;
    this.#down = M;

    if (L === 1 && M === 1) {
      this.#tapsPerPhase = 1;
      this.#coeffs = Float64Array.of(1);
      this.delaySamples = 0;
      this.#work = new Float32Array(0);
      return;
    }

    const protoRate = inRate * L;
    const nyquistLow = Math.min(inRate, outRate) / 2;
    const passHz = nyquistLow * PASSBAND_FRACTION;
    const transitionHz = nyquistLow - passHz;
    const cutoffHz = (passHz + nyquistLow) / 2;
    const deltaOmega = (2 * Math.PI * transitionHz) / protoRate;
    const A = STOPBAND_ATTENUATION_DB;
    const beta = A > 50 ? 0.1102 * (A - 8.7) : A >= 21 ? 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21) : 0;
    let n = Math.ceil((A - 7.95) / (2.285 * deltaOmega)) + 1;
    const K = Math.ceil(n / L);
    n = K * L; // pad to a whole number of taps per phase (the extra taps are zero-weighted by the window edge)
    if (n > MAX_TOTAL_TAPS) throw new RangeError(`resampling ${inRate} → ${outRate} needs ${n} taps (max ${MAX_TOTAL_TAPS})`);

    const proto = new Float64Array(n);
    const fc = cutoffHz / protoRate; // normalised cutoff (cycles/sample)
    const mid = (n - 1) / 2;
    const i0b = besselI0(beta);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = i - mid;
      const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
      const r = (2 * i) / (n - 1) - 1;
      const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
      proto[i] = sinc * w;
      sum += proto[i]!;
    }
    // Unity DC gain at the output: each polyphase branch sums to 1 when scaled by L/sum.
    const scale = L / sum;
    this.#tapsPerPhase = K;
    this.#coeffs = new Float64Array(L * K);
    for (let p = 0; p < L; p++) {
      for (let j = 0; j < K; j++) this.#coeffs[p * K + j] = proto[p + j * L]! * scale;
    }
    this.delaySamples = mid / M;
    this.#work = new Float32Array(K - 1 + 960);
  }

  /** Upper bound of output samples `process` produces for `inputLength` input samples. */
  maxOutputFor(inputLength: number): number {
    return Math.ceil(((inputLength + 1) * this.#up) / this.#down) + 1;
  }

  /** Resample a block; returns a new array. */
  process(input: Int16Array): Int16Array {
    const out = new Int16Array(this.outputLengthFor(input.length));
    this.processInto(input, out);
    return out;
  }

  /** Exact number of output samples the next `process` call produces for `inputLength` input samples. */
  outputLengthFor(inputLength: number): number {
    if (this.#up === 1 && this.#down === 1) return inputLength;
    const limit = inputLength * this.#up;
    return this.#t < limit ? Math.ceil((limit - this.#t) / this.#down) : 0;
  }

  /**
   * Resample into `out` (at least `maxOutputFor(input.length)` long); returns the number of samples written.
   * Allocation-free once the internal work buffer has grown to the largest block seen.
   */
  processInto(input: Int16Array, out: Int16Array): number {
    const L = this.#up;
    const M = this.#down;
    if (L === 1 && M === 1) {
      out.set(input);
      return input.length;
    }
    const K = this.#tapsPerPhase;
    const hist = K - 1;
    const len = input.length;
    if (this.#work.length < hist + len) {
      const bigger = new Float32Array(hist + len);
      bigger.set(this.#work.subarray(0, hist));
      this.#work = bigger;
    }
    const work = this.#work;
    for (let i = 0; i < len; i++) work[hist + i] = input[i]!;

    const coeffs = this.#coeffs;
    const limit = len * L;
    let t = this.#t;
    let written = 0;
    while (t < limit) {
      const base = Math.floor(t / L); // newest input sample index used (relative to block)
      const phase = t - base * L;
      const c0 = phase * K;
      // x[base - j] lives at work[hist + base - j]
      let idx = hist + base;
      let acc = 0;
      for (let j = 0; j < K; j++, idx--) acc += coeffs[c0 + j]! * work[idx]!;
      const s = Math.round(acc);
      out[written++] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      t += M;
    }
    this.#t = t - limit;
    // Keep the last K-1 input samples as history for the next block.
    if (hist > 0) work.copyWithin(0, len, len + hist);
    return written;
  }

  /** Forget the stream (history zeroed, phase at 0): the next block is treated as the start of a new stream. */
  reset(): void {
    this.#work.fill(0);
    this.#t = 0;
  }
}

/**
 * Two cheap band-pass filters over a continuous PCM stream: 300–1000 Hz (first formant, where voiced speech
 * carries most of its energy) and 1000–3400 Hz (second formant up to the telephone band edge). Everything
 * outside them — 50/60 Hz hum, rumble, hiss above the telephone band — is left out of the voice-band level.
 *
 * Each band is one RBJ biquad (constant 0 dB peak gain) behind a shared first-order 300 Hz high-pass that
 * steepens the low skirt (a lone biquad lets 50 Hz hum through at only -16 dB). About 25 flops per sample in
 * all: a 20 ms frame at 16 kHz costs roughly a microsecond. Filter state carries across frames, so feed one analyzer per call and
 * direction, in order (a shared analyzer would bleed one call's state into another).
 */

interface Biquad {
  b0: number;
  b2: number; // b1 is 0 for this band-pass form
  a1: number;
  a2: number;
  z1: number;
  z2: number;
}

/** RBJ cookbook band-pass (constant 0 dB peak gain) between loHz and hiHz at the geometric centre. */
function bandPass(sampleRate: number, loHz: number, hiHz: number): Biquad {
  const nyquistGuard = sampleRate * 0.45; // keep the upper edge under Nyquist at 8 kHz (3.4 kHz < 3.6 kHz)
  const hi = Math.min(hiHz, nyquistGuard);
  const f0 = Math.sqrt(loHz * hi);
  const q = f0 / (hi - loHz);
  const w0 = (2 * Math.PI * f0) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b2: -alpha / a0, a1: (-2 * Math.cos(w0)) / a0, a2: (1 - alpha) / a0, z1: 0, z2: 0 };
}

export class VoiceBandAnalyzer {
  /** Mean-square power of the last frame, full band (squared sample units). */
  totalPower = 0;
  /** Mean-square power of the last frame in 300–1000 Hz. */
  lowPower = 0;
  /** Mean-square power of the last frame in 1000–3400 Hz. */
  midPower = 0;

  readonly #low: Biquad;
  readonly #mid: Biquad;
  /** First-order high-pass coefficient and memory (previous input, previous output). */
  readonly #hpA: number;
  #hpX = 0;
  #hpY = 0;

  constructor(sampleRate: number) {
    this.#low = bandPass(sampleRate, 300, 1000);
    this.#mid = bandPass(sampleRate, 1000, 3400);
    const rc = 1 / (2 * Math.PI * 300);
    this.#hpA = rc / (rc + 1 / sampleRate);
  }

  /** Runs both filters over the frame and updates the three powers. Empty frames leave them at 0. */
  analyze(frame: Int16Array): void {
    const n = frame.length;
    const lo = this.#low;
    const mi = this.#mid;
    // Transposed direct form II with locals: V8 keeps them in registers.
    let lz1 = lo.z1, lz2 = lo.z2, mz1 = mi.z1, mz2 = mi.z2;
    const lb0 = lo.b0, lb2 = lo.b2, la1 = lo.a1, la2 = lo.a2;
    const mb0 = mi.b0, mb2 = mi.b2, ma1 = mi.a1, ma2 = mi.a2;
    const hpA = this.#hpA;
    let hpX = this.#hpX, hpY = this.#hpY;
    let eTot = 0, eLow = 0, eMid = 0;
    for (let i = 0; i < n; i++) {
      const s = frame[i]!;
      eTot += s * s;
      const x = hpA * (hpY + s - hpX);
      hpX = s;
      hpY = x;
      const yl = lb0 * x + lz1;
      lz1 = -la1 * yl + lz2;
      lz2 = lb2 * x - la2 * yl;
      eLow += yl * yl;
      const ym = mb0 * x + mz1;
      mz1 = -ma1 * ym + mz2;
      mz2 = mb2 * x - ma2 * ym;
      eMid += ym * ym;
    }
    this.#hpX = hpX;
    this.#hpY = Math.abs(hpY) < 1e-9 ? 0 : hpY;
    // Flush denormals so a long run of digital silence never slows the loop down.
    lo.z1 = Math.abs(lz1) < 1e-9 ? 0 : lz1;
    lo.z2 = Math.abs(lz2) < 1e-9 ? 0 : lz2;
    mi.z1 = Math.abs(mz1) < 1e-9 ? 0 : mz1;
    mi.z2 = Math.abs(mz2) < 1e-9 ? 0 : mz2;
    const inv = n > 0 ? 1 / n : 0;
    this.totalPower = eTot * inv;
    this.lowPower = eLow * inv;
    this.midPower = eMid * inv;
  }

  /** Clears the filter memory (e.g. after a stream discontinuity). */
  reset(): void {
    this.#low.z1 = this.#low.z2 = this.#mid.z1 = this.#mid.z2 = 0;
    this.#hpX = this.#hpY = 0;
    this.totalPower = this.lowPower = this.midPower = 0;
  }
}

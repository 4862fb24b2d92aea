/**
 * Pure per-frame features of 16-bit PCM (any sample rate). No state, no allocation.
 *
 * Level convention: dBFS relative to a full-scale square wave (RMS 32768 = 0 dBFS), so a full-scale sine
 * reads -3.01 dBFS. Silence is clamped to {@link SILENCE_DBFS} instead of -Infinity so levels stay finite
 * numbers that can be averaged, logged and compared.
 */

/** Level reported for an all-zero (or empty) frame: below anything a 16-bit converter can produce (-96 dB). */
export const SILENCE_DBFS = -100;

const FULL_SCALE_SQUARED = 32768 * 32768;

/** Mean of the squared samples (power); 0 for an empty frame. */
export function meanSquare(frame: Int16Array): number {
  const n = frame.length;
  if (n === 0) return 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const s = frame[i]!;
    acc += s * s;
  }
  return acc / n;
}

/** Converts a mean-square power (in squared sample units) to dBFS, clamped at {@link SILENCE_DBFS}. */
export function powerToDbfs(power: number): number {
  if (!(power > 0)) return SILENCE_DBFS;
  const db = 10 * Math.log10(power / FULL_SCALE_SQUARED);
  return db < SILENCE_DBFS ? SILENCE_DBFS : db;
}

/** RMS level of the frame in dBFS (full-scale square = 0 dBFS), clamped at {@link SILENCE_DBFS}. */
export function rmsDbfs(frame: Int16Array): number {
  return powerToDbfs(meanSquare(frame));
}

/** Peak absolute sample in dBFS, clamped at {@link SILENCE_DBFS}. */
export function peakDbfs(frame: Int16Array): number {
  let peak = 0;
  for (let i = 0; i < frame.length; i++) {
    const s = frame[i]!;
    const a = s < 0 ? -s : s;
    if (a > peak) peak = a;
  }
  return peak === 0 ? SILENCE_DBFS : Math.max(SILENCE_DBFS, 20 * Math.log10(peak / 32768));
}

/**
 * Fraction (0..1) of adjacent sample pairs whose sign differs; zero counts as positive. White noise is ~0.5,
 * voiced speech well below 0.2 at 8 kHz, a 50 Hz hum ~0.
 */
export function zeroCrossingRate(frame: Int16Array): number {
  const n = frame.length;
  if (n < 2) return 0;
  let crossings = 0;
  let prevNeg = frame[0]! < 0;
  for (let i = 1; i < n; i++) {
    const neg = frame[i]! < 0;
    if (neg !== prevNeg) crossings++;
    prevNeg = neg;
  }
  return crossings / (n - 1);
}

/**
 * True when every sample is within ±1 LSB: the media engine's gap filler (Asterisk sends no RTP in silence),
 * μ-law 0xFF/0x7F (both decode to 0) and resampler rounding of those. Such frames carry no noise information.
 */
export function isDigitalSilence(frame: Int16Array): boolean {
  for (let i = 0; i < frame.length; i++) {
    const s = frame[i]!;
    if (s > 1 || s < -1) return false;
  }
  return true;
}

/** Duration of a frame in ms at the given sample rate. */
export function frameDurationMs(frame: Int16Array, sampleRate: number): number {
  return (frame.length * 1000) / sampleRate;
}

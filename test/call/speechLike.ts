/**
 * Deterministic speech-like test signal: a harmonic series on a slowly gliding fundamental, shaped by three
 * formants and a syllable envelope. Local VAD treats it as speech (a pure tone is not speech-like enough).
 */
export function speechLike(opts: { sampleRate: number; durationMs: number; f0?: number; amplitude?: number; seed?: number }): Int16Array {
  const { sampleRate, durationMs } = opts;
  const f0 = opts.f0 ?? 140;
  const amp = opts.amplitude ?? 9_000;
  const n = Math.round((durationMs * sampleRate) / 1000);
  const out = new Int16Array(n);
  const formants = [700, 1200, 2600];
  const nyquist = Math.min(3_400, sampleRate / 2 - 200);
  const harmonics: { k: number; gain: number }[] = [];
  for (let k = 1; k * f0 < nyquist; k++) {
    const f = k * f0;
    const gain = formants.reduce((g, fm) => g + 1 / (1 + ((f - fm) / 150) ** 2), 0.05);
    harmonics.push({ k, gain });
  }
  const norm = harmonics.reduce((s, h) => s + h.gain, 0);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const glide = f0 * (1 + 0.08 * Math.sin(2 * Math.PI * 1.3 * t));
    phase += (2 * Math.PI * glide) / sampleRate;
    // ~4 syllables per second, never fully silent inside the utterance.
    const env = 0.35 + 0.65 * Math.abs(Math.sin(Math.PI * 4 * t));
    let s = 0;
    for (const h of harmonics) s += h.gain * Math.sin(h.k * phase);
    out[i] = Math.round((amp * env * s) / norm);
  }
  return out;
}

/** Utterances separated by digital silence (nothing is sent for silence by Asterisk's two-party bridge). */
export function utterances(opts: { sampleRate: number; count: number; speechMs: number; pauseMs: number }): Int16Array {
  const speech = speechLike({ sampleRate: opts.sampleRate, durationMs: opts.speechMs });
  const pause = Math.round((opts.pauseMs * opts.sampleRate) / 1000);
  const out = new Int16Array((speech.length + pause) * opts.count);
  for (let i = 0; i < opts.count; i++) out.set(speech, i * (speech.length + pause));
  return out;
}

/**
 * Deterministic synthetic signals for the VAD tests: seeded noise, tones, a vowel-like harmonic mix with a
 * syllable envelope, line hum, and a G.711 μ-law round trip. Everything is generated, nothing is read from disk.
 */

/** mulberry32: tiny seeded PRNG so every run produces the same noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Float samples → Int16 with clipping. */
export function toInt16(x: Float64Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i]!);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Scales a float signal so its RMS (over the whole buffer) is `dbfs` (full-scale square = 0 dBFS). */
export function scaleToDbfs(x: Float64Array, dbfs: number): Float64Array {
  let acc = 0;
  for (const v of x) acc += v * v;
  const rms = Math.sqrt(acc / Math.max(1, x.length));
  const target = 32768 * 10 ** (dbfs / 20);
  const k = rms > 0 ? target / rms : 0;
  return x.map((v) => v * k);
}

export const samples = (sampleRate: number, ms: number): number => Math.round((sampleRate * ms) / 1000);

export function silence(sampleRate: number, ms: number): Int16Array {
  return new Int16Array(samples(sampleRate, ms));
}

export function sine(sampleRate: number, ms: number, hz: number, dbfs: number): Int16Array {
  const n = samples(sampleRate, ms);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return toInt16(scaleToDbfs(x, dbfs));
}

/** 50 or 60 Hz mains hum with a little 3rd harmonic, as picked up by an analogue line. */
export function hum(sampleRate: number, ms: number, hz: 50 | 60, dbfs: number): Int16Array {
  const n = samples(sampleRate, ms);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    x[i] = Math.sin(2 * Math.PI * hz * t) + 0.3 * Math.sin(2 * Math.PI * 3 * hz * t);
  }
  return toInt16(scaleToDbfs(x, dbfs));
}

export function whiteNoise(sampleRate: number, ms: number, dbfs: number, seed = 1): Int16Array {
  const r = rng(seed);
  const n = samples(sampleRate, ms);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = r() * 2 - 1;
  return toInt16(scaleToDbfs(x, dbfs));
}

/** Pink (1/f) noise via Paul Kellet's economy filter. */
export function pinkNoise(sampleRate: number, ms: number, dbfs: number, seed = 2): Int16Array {
  const r = rng(seed);
  const n = samples(sampleRate, ms);
  const x = new Float64Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = r() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = b0 + b1 + b2 + w * 0.1848;
  }
  return toInt16(scaleToDbfs(x, dbfs));
}

/**
 * Vowel-like voice: harmonics of f0 (with a slow vibrato) shaped by two formant resonances, under a syllable
 * envelope (raised-cosine bumps of `syllableMs` separated by `gapMs` dips to zero). `dbfs` is the level of
 * the loudest syllable's steady part.
 */
export function voice(
  sampleRate: number,
  ms: number,
  dbfs: number,
  opts: { f0?: number; f1?: number; f2?: number; syllableMs?: number; gapMs?: number } = {},
): Int16Array {
  const f0 = opts.f0 ?? 140;
  const f1 = opts.f1 ?? 650;
  const f2 = opts.f2 ?? 1700;
  const syl = opts.syllableMs ?? 220;
  const gap = opts.gapMs ?? 60;
  const n = samples(sampleRate, ms);
  const x = new Float64Array(n);
  const maxH = Math.floor(Math.min(3400, sampleRate / 2 - 100) / f0);
  const amps: number[] = [];
  for (let h = 1; h <= maxH; h++) {
    const f = h * f0;
    const res = (fc: number, bw: number): number => 1 / Math.sqrt(1 + ((f - fc) / bw) ** 2);
    amps.push((1 / h) * (0.3 + res(f1, 120) + 0.6 * res(f2, 180)));
  }
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    phase += (2 * Math.PI * f0 * (1 + 0.02 * Math.sin(2 * Math.PI * 5 * t))) / sampleRate;
    let v = 0;
    for (let h = 0; h < amps.length; h++) v += amps[h]! * Math.sin((h + 1) * phase);
    x[i] = v;
  }
  // Level from the steady part, then the envelope.
  let scaled = scaleToDbfs(x, dbfs);
  const period = syl + gap;
  scaled = scaled.map((v, i) => {
    const tMs = (i * 1000) / sampleRate;
    const p = tMs % period;
    if (p >= syl) return 0;
    const ramp = Math.min(1, p / 40, (syl - p) / 40); // 40 ms attack/decay
    return v * (0.5 - 0.5 * Math.cos(Math.PI * ramp));
  });
  return toInt16(scaled);
}

/** Sample-wise sum with clipping. */
export function mix(...parts: Int16Array[]): Int16Array {
  const n = Math.max(...parts.map((p) => p.length));
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const p of parts) v += p[i] ?? 0;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits a signal into consecutive frames (views, last partial frame dropped). */
export function frames(signal: Int16Array, sampleRate: number, frameMs: number): Int16Array[] {
  const len = samples(sampleRate, frameMs);
  const out: Int16Array[] = [];
  for (let o = 0; o + len <= signal.length; o += len) out.push(signal.subarray(o, o + len));
  return out;
}

// G.711 μ-law (ITU-T reference algorithm), for "as heard through the phone line" fixtures.
const BIAS = 0x84;
export function muLawEncode(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > 32635) s = 32635;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mant) & 0xff;
}
export function muLawDecode(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? BIAS - t : t - BIAS;
}
/** PCM → μ-law bytes → PCM: the quantisation a caller's audio goes through on a G.711 trunk. */
export function muLawRoundTrip(pcm: Int16Array): Int16Array {
  return pcm.map((s) => muLawDecode(muLawEncode(s)));
}

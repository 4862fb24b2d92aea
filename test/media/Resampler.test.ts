import { describe, expect, it } from 'vitest';
import { Resampler } from '../../src/media/Resampler.js';

function tone(freqHz: number, sampleRate: number, n: number, amplitude = 10000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
  return out;
}

/** Amplitude of the component at freqHz, Blackman-Harris windowed (sidelobes < -92 dB). */
function level(x: Int16Array, freqHz: number, sampleRate: number): number {
  const n = x.length;
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const r = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(r) + 0.14128 * Math.cos(2 * r) - 0.01168 * Math.cos(3 * r);
    const ph = (2 * Math.PI * freqHz * i) / sampleRate;
    re += w * x[i]! * Math.cos(ph);
    im -= w * x[i]! * Math.sin(ph);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

/** Resample a long tone in 20 ms chunks, return the steady-state part (filter warm-up skipped). */
function run(inRate: number, outRate: number, input: Int16Array): Int16Array {
  const r = new Resampler(inRate, outRate);
  const parts: Int16Array[] = [];
  const chunk = inRate / 50;
  for (let i = 0; i < input.length; i += chunk) parts.push(r.process(input.subarray(i, i + chunk)));
  const all = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const skip = Math.ceil(r.delaySamples) * 2 + 64;
  return all.subarray(skip);
}

describe('Resampler quality', () => {
  it.each([
    [8000, 24000],
    [24000, 8000],
    [8000, 16000],
    [16000, 8000],
    [16000, 24000],
    [24000, 16000],
    [8000, 48000],
    [48000, 8000],
  ])('keeps the telephone passband flat within ±0.5 dB (%i → %i Hz)', (inRate, outRate) => {
    for (const f of [100, 300, 1000, 2000, 3000, 3400]) {
      const out = run(inRate, outRate, tone(f, inRate, inRate / 2));
      const gain = dB(level(out, f, outRate) / 10000);
      expect(Math.abs(gain), `${f} Hz: ${gain.toFixed(3)} dB`).toBeLessThan(0.5);
    }
  });

  it('rejects a 10 kHz tone by ≥ 60 dB when downsampling 24 kHz → 8 kHz (no alias at 2 kHz)', () => {
    const ref = level(run(24000, 8000, tone(1000, 24000, 12000)), 1000, 8000);
    const out = run(24000, 8000, tone(10000, 24000, 12000));
    expect(dB(level(out, 2000, 8000) / ref)).toBeLessThan(-60);
    for (const f of [4500, 5000, 6000, 7000, 11000]) {
      const o = run(24000, 8000, tone(f, 24000, 12000));
      const alias = Math.abs(8000 * Math.round(f / 8000) - f);
      expect(dB(level(o, alias, 8000) / ref), `${f} Hz`).toBeLessThan(-60);
    }
  });

  it('keeps images of a 1 kHz tone ≥ 60 dB down when upsampling 8 kHz → 24 kHz (7 and 9 kHz)', () => {
    const out = run(8000, 24000, tone(1000, 8000, 4000));
    const ref = level(out, 1000, 24000);
    expect(dB(ref / 10000)).toBeGreaterThan(-0.5);
    for (const f of [7000, 9000, 15000, 17000]) expect(dB(level(out, f, 24000) / ref), `${f} Hz`).toBeLessThan(-60);
  });

  it('keeps images of a 3 kHz tone ≥ 60 dB down when upsampling 16 kHz → 24 kHz', () => {
    const out = run(16000, 24000, tone(3000, 16000, 8000));
    const ref = level(out, 3000, 24000);
    for (const f of [13000, 11000]) expect(dB(level(out, f, 24000) / ref), `${f} Hz`).toBeLessThan(-60);
  });
});

describe('Resampler streaming', () => {
  function noise(n: number): Int16Array {
    let seed = 42;
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      out[i] = (seed >> 16) - 32768;
    }
    return out;
  }

  it.each([
    [8000, 24000],
    [24000, 8000],
    [16000, 24000],
    [24000, 16000],
    [48000, 8000],
  ])('gives bit-identical output for chunked and one-shot input (%i → %i)', (inRate, outRate) => {
    const input = noise(inRate / 5);
    const oneShot = new Resampler(inRate, outRate).process(input);
    const r = new Resampler(inRate, outRate);
    const sizes = [1, 7, 160, 3, 480, 13, 2, 959];
    const parts: number[] = [];
    let i = 0;
    let k = 0;
    while (i < input.length) {
      const n = sizes[k++ % sizes.length]!;
      parts.push(...r.process(input.subarray(i, i + n)));
      i += n;
    }
    expect(parts.length).toBe(oneShot.length);
    expect(Int16Array.from(parts)).toEqual(oneShot);
  });

  it('turns each 20 ms frame into exactly one 20 ms frame at the other rate', () => {
    const up = new Resampler(8000, 24000);
    const down = new Resampler(24000, 8000);
    const mid = new Resampler(16000, 24000);
    for (let i = 0; i < 5; i++) {
      expect(up.process(new Int16Array(160)).length).toBe(480);
      expect(down.process(new Int16Array(480)).length).toBe(160);
      expect(mid.process(new Int16Array(320)).length).toBe(480);
    }
  });

  it('predicts its output length exactly', () => {
    const r = new Resampler(24000, 16000);
    for (const n of [1, 2, 3, 5, 100, 481]) {
      const expected = r.outputLengthFor(n);
      expect(r.process(new Int16Array(n)).length).toBe(expected);
    }
  });

  it('forgets history on reset (same output as a fresh instance)', () => {
    const input = noise(800);
    const r = new Resampler(8000, 24000);
    r.process(noise(333));
    r.reset();
    expect(r.process(input)).toEqual(new Resampler(8000, 24000).process(input));
  });

  it('keeps separate instances independent', () => {
    const a = new Resampler(8000, 24000);
    const b = new Resampler(8000, 24000);
    a.process(noise(1000));
    const x = noise(160);
    expect(b.process(x)).toEqual(new Resampler(8000, 24000).process(x));
  });

  it('copies samples when rates are equal', () => {
    const x = Int16Array.of(1, -2, 3);
    const r = new Resampler(8000, 8000);
    expect(r.delaySamples).toBe(0);
    expect([...r.process(x)]).toEqual([1, -2, 3]);
  });

  it('reports a positive delay and rejects invalid rates', () => {
    expect(new Resampler(8000, 24000).delaySamples).toBeGreaterThan(0);
    expect(() => new Resampler(0, 8000)).toThrow(RangeError);
    expect(() => new Resampler(8000, 7999.5)).toThrow(RangeError);
  });

  it('clips instead of wrapping on full-scale square waves', () => {
    const sq = new Int16Array(1600);
    for (let i = 0; i < sq.length; i++) sq[i] = (i >> 4) & 1 ? 32767 : -32768;
    const out = new Resampler(8000, 24000).process(sq);
    // overshoot (Gibbs) must saturate, never wrap to the opposite sign next to a plateau
    for (let i = 1; i < out.length; i++) expect(Math.abs(out[i]! - out[i - 1]!)).toBeLessThan(40000);
  });
});

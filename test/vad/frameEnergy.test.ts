import { describe, expect, it } from 'vitest';
import {
  SILENCE_DBFS,
  frameDurationMs,
  isDigitalSilence,
  meanSquare,
  peakDbfs,
  rmsDbfs,
  zeroCrossingRate,
} from '../../src/vad/frameEnergy.js';
import { hum, muLawRoundTrip, sine, whiteNoise, voice } from './signals.js';

describe('frameEnergy', () => {
  it('reads a full-scale square wave as 0 dBFS and a full-scale sine as -3 dBFS', () => {
    const square = Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 32767 : -32768));
    expect(rmsDbfs(square)).toBeCloseTo(0, 2);
    expect(rmsDbfs(sine(8000, 20, 1000, -3.0103))).toBeCloseTo(-3.01, 1);
  });

  it('computes the RMS of a byte fixture exactly', () => {
    // RMS of [1000, -1000, 1000, -1000] is 1000 → 20·log10(1000/32768) = -30.31 dBFS
    const f = new Int16Array([1000, -1000, 1000, -1000]);
    expect(meanSquare(f)).toBe(1_000_000);
    expect(rmsDbfs(f)).toBeCloseTo(-30.309, 3);
    expect(peakDbfs(f)).toBeCloseTo(-30.309, 3);
  });

  it('clamps silence and empty frames to the silence level instead of -Infinity', () => {
    expect(rmsDbfs(new Int16Array(160))).toBe(SILENCE_DBFS);
    expect(rmsDbfs(new Int16Array(0))).toBe(SILENCE_DBFS);
    expect(peakDbfs(new Int16Array(4))).toBe(SILENCE_DBFS);
  });

  it('tracks the level of generated signals within a fraction of a dB', () => {
    expect(rmsDbfs(whiteNoise(16000, 1000, -40))).toBeCloseTo(-40, 0);
    expect(rmsDbfs(muLawRoundTrip(sine(8000, 100, 440, -20)))).toBeCloseTo(-20, 0);
  });

  it('counts zero crossings: alternating samples 1, noise about 0.5, hum nearly 0', () => {
    expect(zeroCrossingRate(new Int16Array([5, -5, 5, -5, 5]))).toBe(1);
    expect(zeroCrossingRate(new Int16Array([5, 6, -1, -2, 3]))).toBe(0.5);
    expect(zeroCrossingRate(new Int16Array([7]))).toBe(0);
    expect(zeroCrossingRate(whiteNoise(8000, 200, -30))).toBeGreaterThan(0.4);
    expect(zeroCrossingRate(hum(8000, 200, 50, -30))).toBeLessThan(0.05);
    expect(zeroCrossingRate(voice(8000, 200, -26, { syllableMs: 200, gapMs: 0 }))).toBeLessThan(0.15);
  });

  it('recognises digital silence (±1 LSB) and nothing louder', () => {
    expect(isDigitalSilence(new Int16Array([0, 1, -1, 0]))).toBe(true);
    expect(isDigitalSilence(new Int16Array([0, 2, 0]))).toBe(false);
    expect(isDigitalSilence(muLawRoundTrip(new Int16Array(160)))).toBe(true);
  });

  it('converts frame length to ms at each sample rate', () => {
    expect(frameDurationMs(new Int16Array(160), 8000)).toBe(20);
    expect(frameDurationMs(new Int16Array(160), 16000)).toBe(10);
    expect(frameDurationMs(new Int16Array(720), 24000)).toBe(30);
  });
});

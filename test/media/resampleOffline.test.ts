import { describe, expect, it } from 'vitest';
import { resampleOffline } from '../../src/media/resampleOffline.js';

function tone(rate: number, hz: number, seconds: number, amp = 10_000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

/** Amplitude of `hz` in `pcm` (single-bin DFT over the middle, away from the edges). */
function amplitudeAt(pcm: Int16Array, rate: number, hz: number): number {
  const from = Math.floor(pcm.length / 4);
  const to = Math.floor((pcm.length * 3) / 4);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += (pcm[i] as number) * Math.cos((2 * Math.PI * hz * i) / rate);
    im += (pcm[i] as number) * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

describe('resampleOffline (simulator input files at any rate)', () => {
  for (const rate of [44_100, 22_050, 11_025]) {
    it(`${rate} Hz → 8 kHz keeps a 1 kHz tone and removes what 8 kHz cannot carry`, () => {
      const out = resampleOffline(tone(rate, 1_000, 0.5), rate, 8_000);
      expect(out.length).toBe(4_000);
      expect(amplitudeAt(out, 8_000, 1_000)).toBeGreaterThan(9_500);
      if (rate > 16_000) {
        // 5 kHz is above the 4 kHz Nyquist of the phone line: it must not fold back to 3 kHz.
        const aliased = resampleOffline(tone(rate, 5_000, 0.5), rate, 8_000);
        expect(amplitudeAt(aliased, 8_000, 3_000)).toBeLessThan(100); // ≥ 40 dB down
      }
    });
  }

  it('uses the streaming resampler for the rates it handles, and is a no-op at the same rate', () => {
    const pcm = tone(48_000, 1_000, 0.1);
    expect(resampleOffline(pcm, 8_000, 8_000)).toBe(pcm);
    expect(resampleOffline(pcm, 48_000, 8_000).length).toBe(800);
  });
});

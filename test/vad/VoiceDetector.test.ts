import { describe, expect, it } from 'vitest';
import { VoiceDetector, type Aggressiveness } from '../../src/vad/VoiceDetector.js';
import { concat, frames, hum, mix, muLawRoundTrip, pinkNoise, sine, voice, whiteNoise } from './signals.js';

type Rate = 8000 | 16000 | 24000;
const RATES: Rate[] = [8000, 16000, 24000];
const MODES: Aggressiveness[] = [0, 1, 2, 3];

/** Runs a detector over a signal; returns per-frame decisions. */
function classify(signal: Int16Array, sampleRate: Rate, aggressiveness: Aggressiveness, frameMs = 20): boolean[] {
  const d = new VoiceDetector({ sampleRate, aggressiveness });
  return frames(signal, sampleRate, frameMs).map((f) => d.isSpeech(f));
}
const count = (xs: boolean[]): number => xs.filter(Boolean).length;

/** 1 s of quiet line noise (-70 dBFS) then `body`: the detector learns the background first. */
const afterQuiet = (sr: Rate, body: Int16Array): Int16Array => concat(whiteNoise(sr, 1000, -70, 9), body);
const noisyVoice = (sr: Rate, dbfs: number, ms = 2000): Int16Array =>
  mix(voice(sr, ms, dbfs), whiteNoise(sr, ms, -70, 3));

describe('VoiceDetector', () => {
  for (const sr of RATES) {
    for (const frameMs of [10, 20, 30]) {
      it(`detects vowel-like speech at ${sr} Hz in ${frameMs} ms frames, in every mode`, () => {
        for (const a of MODES) {
          const res = classify(afterQuiet(sr, noisyVoice(sr, -26)), sr, a, frameMs);
          const lead = Math.round(1000 / frameMs);
          expect(count(res.slice(0, lead))).toBe(0); // background alone is not speech
          // Syllables are 220 of every 280 ms: most speech frames must be found.
          expect(count(res.slice(lead)) / (res.length - lead)).toBeGreaterThan(0.65);
        }
      });
    }
  }

  it('detects μ-law-quantised speech as well as the linear original', () => {
    const sig = afterQuiet(8000, noisyVoice(8000, -26));
    for (const a of MODES) {
      const lin = count(classify(sig, 8000, a));
      const mu = count(classify(muLawRoundTrip(sig), 8000, a));
      expect(Math.abs(lin - mu)).toBeLessThanOrEqual(3);
      expect(mu).toBeGreaterThan(60);
    }
  });

  it('rejects noise below the absolute minimum even right after digital silence', () => {
    for (const sr of RATES) {
      for (const a of MODES) {
        const sig = concat(new Int16Array(sr), whiteNoise(sr, 2000, -64), pinkNoise(sr, 2000, -64));
        expect(count(classify(sig, sr, a))).toBe(0);
      }
    }
  });

  it('rejects 50 and 60 Hz line hum in every mode once the floor has seen it, and in modes 1–3 at once', () => {
    for (const sr of RATES) {
      for (const hz of [50, 60] as const) {
        for (const a of MODES) expect(count(classify(hum(sr, 3000, hz, -30), sr, a))).toBe(0);
        for (const a of [1, 2, 3] as const) expect(count(classify(afterQuiet(sr, hum(sr, 3000, hz, -30)), sr, a))).toBe(0);
      }
    }
  });

  it('still hears speech over loud line hum', () => {
    const sr = 8000;
    const sig = concat(hum(sr, 1000, 50, -30), mix(voice(sr, 2000, -26), hum(sr, 2000, 50, -30)));
    for (const a of MODES) expect(count(classify(sig, sr, a).slice(50))).toBeGreaterThan(55);
  });

  it('adapts its floor to steady noise: a noise step stops counting as speech within a few seconds', () => {
    for (const sr of RATES) {
      for (const a of MODES) {
        const res = classify(afterQuiet(sr, pinkNoise(sr, 6000, -40)), sr, a);
        expect(count(res.slice(-100))).toBe(0); // the last 2 s
      }
    }
  });

  it('rejects more noise the higher the aggressiveness (white, pink, tone onsets)', () => {
    for (const sr of RATES) {
      const noises = [whiteNoise(sr, 3000, -40), pinkNoise(sr, 3000, -40), sine(sr, 3000, 1000, -35)];
      for (const n of noises) {
        const counts = MODES.map((a) => count(classify(afterQuiet(sr, n), sr, a)));
        for (let a = 1; a < 4; a++) expect(counts[a]).toBeLessThanOrEqual(counts[a - 1]!);
        expect(counts[3]).toBeLessThan(counts[0]!); // strictly better at the extremes
      }
      // White noise: every mode but 0 looks at the spectrum and rejects it outright.
      expect(count(classify(afterQuiet(sr, whiteNoise(sr, 3000, -40)), sr, 2))).toBe(0);
    }
  });

  it('requires more level the higher the aggressiveness (quiet talker)', () => {
    const sig = afterQuiet(16000, noisyVoice(16000, -45));
    const counts = MODES.map((a) => count(classify(sig, 16000, a)));
    expect(counts[0]).toBeGreaterThan(50);
    for (let a = 1; a < 4; a++) expect(counts[a]).toBeLessThanOrEqual(counts[a - 1]!);
    expect(counts[3]).toBe(0);
  });

  it('keeps its noise floor through synthetic-silence gaps', () => {
    const sr = 8000;
    const d = new VoiceDetector({ sampleRate: sr, aggressiveness: 2 });
    for (const f of frames(pinkNoise(sr, 3000, -55), sr, 20)) d.isSpeech(f);
    const floor = d.noiseFloorDb;
    for (const f of frames(new Int16Array(sr * 2), sr, 20)) expect(d.isSpeech(f)).toBe(false);
    // At most settles on the background under the noise's mean; it never drifts away during the gap.
    expect(d.noiseFloorDb).toBeLessThanOrEqual(floor);
    expect(d.noiseFloorDb).toBeGreaterThan(floor - 1.5);
    // Back to the same background after the gap: still not speech.
    expect(frames(pinkNoise(sr, 1000, -55, 7), sr, 20).some((f) => d.isSpeech(f))).toBe(false);
  });

  it('lets the floor fall back to the pre-speech background during digital silence after speech (bug: stuck floor)', () => {
    // Regression: the floor rises while speech plays (that is how it learns noise steps); digital silence used to
    // freeze it there, so after a speech burst and a gap-filled pause the next utterance sat under the margin.
    const sr = 8000;
    const d = new VoiceDetector({ sampleRate: sr, aggressiveness: 2 });
    const vowel = voice(sr, 1200, -20, { syllableMs: 1200, gapMs: 0 }); // one held vowel: no zero dips inside
    for (const f of frames(concat(new Int16Array(sr / 2), vowel), sr, 20)) d.isSpeech(f);
    expect(d.noiseFloorDb).toBeGreaterThan(-45); // it did rise during the burst
    for (const f of frames(new Int16Array(sr), sr, 20)) expect(d.isSpeech(f)).toBe(false);
    expect(d.noiseFloorDb).toBeLessThanOrEqual(-49);
    // The same talker again is speech at once (past the syllable's 40 ms attack).
    const again = frames(voice(sr, 1200, -20), sr, 20).map((f) => d.isSpeech(f));
    expect(count(again) / again.length).toBeGreaterThan(0.6);
  });

  it('keeps a loud steady background as the reference across a digital-silence gap (no false speech after DTX)', () => {
    // A phone with silence suppression stops sending in its own "silence", which may be loud room noise.
    for (const a of MODES) {
      const sr = 8000;
      const d = new VoiceDetector({ sampleRate: sr, aggressiveness: a });
      for (const f of frames(pinkNoise(sr, 6000, -38), sr, 20)) d.isSpeech(f);
      for (const f of frames(new Int16Array(sr * 2), sr, 20)) d.isSpeech(f);
      expect(frames(pinkNoise(sr, 2000, -38, 11), sr, 20).filter((f) => d.isSpeech(f))).toHaveLength(0);
    }
  });

  it('exposes levels: voice-band level, full-band level and a floor below the speech level', () => {
    const sr = 16000;
    const d = new VoiceDetector({ sampleRate: sr, aggressiveness: 1 });
    for (const f of frames(whiteNoise(sr, 1000, -60), sr, 20)) d.isSpeech(f);
    expect(d.noiseFloorDb).toBeGreaterThan(-70);
    expect(d.noiseFloorDb).toBeLessThan(-58);
    const v = frames(voice(sr, 200, -20, { syllableMs: 1000, gapMs: 0 }), sr, 20);
    expect(d.isSpeech(v[5]!)).toBe(true); // 100–120 ms: past the 40 ms attack
    expect(Math.abs(d.lastTotalDb - -20)).toBeLessThan(1.5);
    expect(d.lastLevelDb).toBeLessThan(d.lastTotalDb); // the fundamental lies below the voice band
    expect(d.lastLevelDb).toBeGreaterThan(-30);
    expect(d.lastTiltDb).toBeGreaterThan(2);
  });

  it('counts empty frames as bad and non-speech', () => {
    const d = new VoiceDetector({ sampleRate: 8000, aggressiveness: 0 });
    expect(d.isSpeech(new Int16Array(0))).toBe(false);
    expect(d.badFrames).toBe(1);
  });

  it('refuses unsupported sample rates and modes at construction', () => {
    expect(() => new VoiceDetector({ sampleRate: 44100 as 8000, aggressiveness: 1 })).toThrow();
    expect(() => new VoiceDetector({ sampleRate: 8000, aggressiveness: 4 as 3 })).toThrow();
  });
});

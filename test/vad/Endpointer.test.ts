import { describe, expect, it } from 'vitest';
import { Endpointer, type EndpointEvent } from '../../src/vad/Endpointer.js';
import { concat, frames, mix, muLawRoundTrip, samples, silence, voice, whiteNoise } from './signals.js';

const SR = 16000;
/** Background line noise, so padding is recognisable audio rather than zeros. */
const bg = (ms: number, seed: number): Int16Array => whiteNoise(SR, ms, -66, seed);
const talk = (ms: number, seed: number): Int16Array => mix(voice(SR, ms, -24), bg(ms, seed));

function feed(ep: Endpointer, signal: Int16Array, frameMs = 20): EndpointEvent[] {
  const out: EndpointEvent[] = [];
  for (const f of frames(signal, SR, frameMs)) {
    const ev = ep.push(f);
    if (ev) out.push(ev);
  }
  return out;
}
const utterances = (evs: EndpointEvent[]) =>
  evs.filter((e): e is Extract<EndpointEvent, { type: 'utterance' }> => e.type === 'utterance');

/** Sample offset of `needle` inside `hay` (exact match), -1 if absent. */
function offsetIn(hay: Int16Array, needle: Int16Array): number {
  outer: for (let o = 0; o + needle.length <= hay.length; o++) {
    for (let i = 0; i < needle.length; i++) if (hay[o + i] !== needle[i]) continue outer;
    return o;
  }
  return -1;
}

describe('Endpointer', () => {
  it('splits "speech – 700 ms silence – speech" into two utterances at silenceDurationMs 500, each with prefix padding', () => {
    const ep = new Endpointer({ sampleRate: SR, aggressiveness: 2, silenceDurationMs: 500, prefixPaddingMs: 300 });
    const signal = concat(bg(1000, 1), talk(1400, 2), bg(700, 3), talk(1400, 4), bg(1000, 5));
    const evs = feed(ep, signal);
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'utterance', 'speech_start', 'utterance']);
    const [u1, u2] = utterances(evs);
    // Each utterance is an exact, contiguous slice of the input that starts ≥ 250 ms before the voice onset.
    const o1 = offsetIn(signal, u1!.pcm);
    const o2 = offsetIn(signal, u2!.pcm);
    expect(o1).toBeGreaterThanOrEqual(0);
    expect(o1).toBeLessThanOrEqual(samples(SR, 1000 - 250));
    expect(o1).toBeGreaterThanOrEqual(samples(SR, 1000 - 340));
    expect(o2).toBeLessThanOrEqual(samples(SR, 3100 - 250));
    expect(o2).toBeGreaterThan(o1 + u1!.pcm.length - 1); // no overlap
    // And covers the whole spoken part plus a short tail, not the 500 ms of closing silence.
    expect(o1 + u1!.pcm.length).toBeGreaterThanOrEqual(samples(SR, 2400 - 60));
    expect(o1 + u1!.pcm.length).toBeLessThanOrEqual(samples(SR, 2400 + 300));
    expect(u1!.durationMs).toBeCloseTo((u1!.pcm.length * 1000) / SR, 6);
    expect(u1!.speechMs).toBeGreaterThan(1200);
    expect(u1!.forced).toBe(false);
  });

  it('keeps "speech – 300 ms pause – speech" as one utterance', () => {
    const ep = new Endpointer({ sampleRate: SR, aggressiveness: 2, silenceDurationMs: 500 });
    const evs = feed(ep, concat(bg(1000, 1), talk(1000, 2), bg(300, 3), talk(1000, 4), bg(1000, 5)));
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'utterance']);
    expect(utterances(evs)[0]!.speechMs).toBeGreaterThan(2000);
  });

  it('treats synthetic-silence gaps (all-zero frames from the media engine) as silence', () => {
    const ep = new Endpointer({ sampleRate: SR, aggressiveness: 2, silenceDurationMs: 500 });
    const zeros = (ms: number) => new Int16Array(samples(SR, ms));
    const evs = feed(ep, concat(zeros(2000), bg(500, 1), talk(1000, 2), zeros(700), talk(1000, 3), zeros(300), talk(600, 4), zeros(2000)));
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'utterance', 'speech_start', 'utterance']);
    expect(utterances(evs)[1]!.speechMs).toBeGreaterThan(1800); // the 300 ms gap did not split the second one
  });

  it('detects every utterance when the pauses between them are digital silence (bug: floor stuck high after the first)', () => {
    // Regression: Asterisk sends no RTP while the caller is silent, so the pauses reach us as gap-filled zeros. The
    // noise floor rose during the first utterance and digital silence froze it there: only one utterance was found.
    const sr = 8000;
    const one = concat(silence(sr, 400), voice(sr, 1200, -20), silence(sr, 1000));
    const ep = new Endpointer({ sampleRate: sr });
    const evs: EndpointEvent[] = [];
    for (const f of frames(concat(one, one, one), sr, 20)) {
      const e = ep.push(f);
      if (e) evs.push(e);
    }
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'utterance', 'speech_start', 'utterance', 'speech_start', 'utterance']);
    for (const u of utterances(evs)) expect(u.speechMs).toBeGreaterThan(900);
    // And it does not ratchet: the soft edges of words must not lift the reference turn after turn.
    let more = 0;
    for (let turn = 0; turn < 20; turn++) {
      for (const f of frames(one, sr, 20)) if (ep.push(f)?.type === 'utterance') more++;
    }
    expect(more).toBe(20);
  });

  it('works on μ-law-quantised 8 kHz audio in 20 ms frames', () => {
    const sr = 8000;
    const ep = new Endpointer({ sampleRate: sr, silenceDurationMs: 600 });
    const sig = muLawRoundTrip(concat(whiteNoise(sr, 800, -66, 1), mix(voice(sr, 1200, -24), whiteNoise(sr, 1200, -66, 2)), whiteNoise(sr, 1000, -66, 3)));
    const evs: EndpointEvent[] = [];
    for (const f of frames(sig, sr, 20)) {
      const e = ep.push(f);
      if (e) evs.push(e);
    }
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'utterance']);
  });

  it('discards a voiced burst shorter than minUtteranceMs', () => {
    const ep = new Endpointer({ sampleRate: SR, minUtteranceMs: 400, silenceDurationMs: 500 });
    const burst = mix(voice(SR, 300, -24, { syllableMs: 300, gapMs: 0 }), bg(300, 2));
    const evs = feed(ep, concat(bg(1000, 1), burst, bg(1000, 3)));
    expect(evs.map((e) => e.type)).toEqual(['speech_start', 'discarded']);
    const d = evs[1] as Extract<EndpointEvent, { type: 'discarded' }>;
    expect(d.reason).toBe('too_short');
    expect(d.speechMs).toBeLessThan(400);
    expect(ep.discarded).toBe(1);
    expect(ep.utterances).toBe(0);
  });

  it('never starts on blips shorter than startMs', () => {
    const ep = new Endpointer({ sampleRate: SR, startMs: 200 });
    const blip = mix(voice(SR, 120, -20, { syllableMs: 120, gapMs: 0 }), bg(120, 2));
    const evs = feed(ep, concat(bg(500, 1), blip, bg(500, 3), blip, bg(1000, 4)));
    expect(evs).toEqual([]);
  });

  it('forces an utterance at maxUtteranceMs and keeps going with the rest of a long monologue', () => {
    const ep = new Endpointer({ sampleRate: SR, maxUtteranceMs: 2000, silenceDurationMs: 500 });
    const evs = feed(ep, concat(bg(1000, 1), talk(5000, 2), bg(1000, 3)));
    const us = utterances(evs);
    expect(us.length).toBeGreaterThanOrEqual(3);
    expect(us[0]!.forced).toBe(true);
    expect(us[0]!.durationMs).toBe(2000);
    expect(us[1]!.forced).toBe(true);
    expect(us.at(-1)!.forced).toBe(false);
    expect(ep.forcedCuts).toBe(us.length - 1);
    for (const u of us) expect(u.durationMs).toBeLessThanOrEqual(2000);
    // Together they cover nearly all of the 5 s of speech.
    expect(us.reduce((a, u) => a + u.speechMs, 0)).toBeGreaterThan(4000);
  });

  it('copies frames on entry, so a reused receive buffer does not corrupt the utterance', () => {
    const ep = new Endpointer({ sampleRate: SR, silenceDurationMs: 400 });
    const signal = concat(bg(600, 1), talk(800, 2), bg(800, 3));
    const rx = new Int16Array(samples(SR, 20));
    let utter: Int16Array | null = null;
    for (const f of frames(signal, SR, 20)) {
      rx.set(f);
      const ev = ep.push(rx);
      if (ev?.type === 'utterance') utter = ev.pcm;
    }
    expect(utter).not.toBeNull();
    expect(offsetIn(signal, utter!)).toBeGreaterThan(0);
  });

  it('flush() emits the open utterance; reset() drops it; empty frames are counted', () => {
    const ep = new Endpointer({ sampleRate: SR, silenceDurationMs: 800 });
    expect(feed(ep, concat(bg(500, 1), talk(800, 2))).map((e) => e.type)).toEqual(['speech_start']);
    expect(ep.inUtterance).toBe(true);
    expect(ep.flush()?.type).toBe('utterance');
    expect(ep.flush()).toBeNull();
    feed(ep, talk(600, 3));
    ep.reset();
    expect(ep.inUtterance).toBe(false);
    expect(ep.state).toBe('quiet');
    expect(ep.push(new Int16Array(0))).toBeNull();
    expect(ep.badFrames).toBe(1);
  });

  it('rejects inconsistent limits at construction', () => {
    expect(() => new Endpointer({ sampleRate: SR, maxUtteranceMs: 400, prefixPaddingMs: 300, startMs: 200 })).toThrow();
    expect(() => new Endpointer({ sampleRate: SR, minUtteranceMs: 5000, maxUtteranceMs: 4000 })).toThrow();
  });
});

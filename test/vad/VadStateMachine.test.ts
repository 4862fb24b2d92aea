import { describe, expect, it } from 'vitest';
import { PrefixBuffer } from '../../src/vad/PrefixBuffer.js';
import { VadStateMachine, type VadEvent } from '../../src/vad/VadStateMachine.js';

/** Feeds a pattern like "SSSS..SS" (S = speech, . = silence) of `frameMs` frames; returns events by frame index. */
function run(sm: VadStateMachine, pattern: string, frameMs = 20): Array<[number, VadEvent]> {
  const out: Array<[number, VadEvent]> = [];
  [...pattern].forEach((c, i) => {
    const ev = sm.push(c === 'S', frameMs);
    if (ev) out.push([i, ev]);
  });
  return out;
}

describe('VadStateMachine', () => {
  it('declares speech_start after startMs of consecutive speech and speech_end after stopMs of silence', () => {
    const sm = new VadStateMachine({ startMs: 200, stopMs: 600 });
    // 10 speech frames = 200 ms → start on frame 9; 30 silent frames = 600 ms → end on frame 9+20+30.
    const events = run(sm, 'S'.repeat(30) + '.'.repeat(30));
    expect(events).toEqual([
      [9, 'speech_start'],
      [59, 'speech_end'],
    ]);
    expect(sm.state).toBe('quiet');
  });

  it('walks quiet → starting → speaking → stopping → quiet', () => {
    const sm = new VadStateMachine({ startMs: 60, stopMs: 60 });
    const seen: string[] = [sm.state];
    for (const c of 'SSS..S...') {
      sm.push(c === 'S', 20);
      seen.push(sm.state);
    }
    expect(seen).toEqual(['quiet', 'starting', 'starting', 'speaking', 'stopping', 'stopping', 'speaking', 'stopping', 'stopping', 'quiet']);
  });

  it('forgets a start run broken by silence (a click or cough shorter than startMs)', () => {
    const sm = new VadStateMachine({ startMs: 200 });
    expect(run(sm, 'SSSSSSSSS.SSSSSSSSS.')).toEqual([]);
    expect(sm.state).toBe('quiet');
    expect(sm.speechMs).toBe(0);
  });

  it('keeps speaking through pauses shorter than stopMs', () => {
    const sm = new VadStateMachine({ startMs: 100, stopMs: 300 });
    const events = run(sm, 'SSSSS' + '.'.repeat(14) + 'SSS' + '.'.repeat(15));
    expect(events).toEqual([
      [4, 'speech_start'],
      [36, 'speech_end'],
    ]);
  });

  it('counts speech ms in the segment and the trailing silence', () => {
    const sm = new VadStateMachine({ startMs: 40, stopMs: 1000 });
    run(sm, 'SSSS..S..', 10);
    expect(sm.state).toBe('stopping');
    expect(sm.speechMs).toBe(50);
    expect(sm.silenceMs).toBe(20);
    expect(sm.inSpeech).toBe(true);
  });

  it('works with mixed frame sizes (10/20/30 ms)', () => {
    const sm = new VadStateMachine({ startMs: 200, stopMs: 600 });
    const got: Array<VadEvent | null> = [];
    for (const ms of [30, 30, 30, 30, 30, 30]) got.push(sm.push(true, ms)); // 180
    got.push(sm.push(true, 20)); // 200
    expect(got.indexOf('speech_start')).toBe(6);
    for (let i = 0; i < 59; i++) expect(sm.push(false, 10)).toBeNull();
    expect(sm.push(false, 10)).toBe('speech_end');
  });

  it('uses 200 ms / 600 ms by default and counts bad durations without changing state', () => {
    const sm = new VadStateMachine();
    expect([sm.startMs, sm.stopMs]).toEqual([200, 600]);
    expect(sm.push(true, Number.NaN)).toBeNull();
    expect(sm.push(true, -5)).toBeNull();
    expect(sm.badFrames).toBe(2);
    expect(sm.state).toBe('quiet');
  });

  it('resets to quiet without an event', () => {
    const sm = new VadStateMachine({ startMs: 20 });
    expect(sm.push(true, 20)).toBe('speech_start');
    sm.reset();
    expect(sm.state).toBe('quiet');
    expect(sm.push(true, 20)).toBe('speech_start');
  });
});

describe('PrefixBuffer', () => {
  const frame = (v: number): Int16Array => new Int16Array([v]);

  it('keeps only the last prefixPaddingMs of frames, oldest first', () => {
    const pb = new PrefixBuffer({ prefixPaddingMs: 60 });
    for (let i = 1; i <= 10; i++) pb.push(frame(i), 20);
    expect(pb.durationMs).toBe(60);
    expect(pb.drain().map((f) => f[0])).toEqual([8, 9, 10]);
    expect(pb.size).toBe(0);
    expect(pb.drain()).toEqual([]);
  });

  it('stores references without copying and survives many wrap-arounds', () => {
    const pb = new PrefixBuffer({ prefixPaddingMs: 300 });
    const frames = Array.from({ length: 1000 }, (_, i) => frame(i));
    for (const f of frames) pb.push(f, 20);
    const out = pb.drain();
    expect(out).toHaveLength(15);
    expect(out[14]).toBe(frames[999]);
    expect(out.map((f) => f[0])).toEqual(Array.from({ length: 15 }, (_, i) => 985 + i));
  });

  it('holds mixed frame sizes up to the padding and empties on a frame longer than it', () => {
    const pb = new PrefixBuffer({ prefixPaddingMs: 50 });
    pb.push(frame(1), 30);
    pb.push(frame(2), 10);
    pb.push(frame(3), 10);
    expect(pb.durationMs).toBe(50);
    pb.push(frame(4), 20);
    expect(pb.drain().map((f) => f[0])).toEqual([2, 3, 4]);
    pb.push(frame(5), 20);
    pb.push(frame(6), 80);
    expect(pb.size).toBe(0);
  });

  it('with zero padding keeps nothing', () => {
    const pb = new PrefixBuffer({ prefixPaddingMs: 0 });
    pb.push(frame(1), 20);
    expect(pb.drain()).toEqual([]);
  });
});

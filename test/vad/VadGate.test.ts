import { describe, expect, it } from 'vitest';
import { VadGate, type GateClock, type GateTransition, type VadGateOptions } from '../../src/vad/VadGate.js';
import { concat, frames, mix, rng, samples, voice, whiteNoise, pinkNoise } from './signals.js';

const SR = 8000;

/** Deterministic clock: timers fire only when the test advances time. */
class FakeClock implements GateClock {
  t = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  now(): number {
    return this.t;
  }
  get pending(): number {
    return this.#timers.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

function setup(opts: Partial<VadGateOptions> = {}) {
  const clock = new FakeClock();
  const transitions: GateTransition[] = [];
  const gate = new VadGate({ sampleRate: SR, aggressiveness: 2, clock, onTransition: (t) => transitions.push(t), ...opts });
  return { gate, clock, transitions };
}

const line = (ms: number, seed: number) => whiteNoise(SR, ms, -66, seed);
/** The caller, at nominal level. */
const caller = (ms: number, seed: number) => mix(voice(SR, ms, -22, { f0: 180, f1: 700, f2: 1900 }), line(ms, seed));
/** Residual echo of the agent's voice on the line: speech-like but ~25 dB down. */
const echo = (ms: number, seed: number) => mix(voice(SR, ms, -48, { f0: 120 }), line(ms, seed));

/** Runs frames through the gate (advancing the clock 20 ms per frame); returns per-frame results. */
function pump(gate: VadGate, clock: FakeClock, signal: Int16Array) {
  return frames(signal, SR, 20).map((f) => {
    clock.advance(20);
    const r = gate.process(f);
    return { ...r, frame: f };
  });
}

describe('VadGate', () => {
  it('passes everything when the agent is silent (forwarding the very frame, no copy)', () => {
    const { gate, clock } = setup();
    const res = pump(gate, clock, concat(line(500, 1), caller(500, 2), pinkNoise(SR, 500, -30)));
    expect(res.every((r) => r.forward === r.frame)).toBe(true);
    expect(res.some((r) => r.bargeInCandidate)).toBe(false);
    expect(gate.canBargeIn()).toBe(true);
  });

  it('drops caller noise and "hello?" during the greeting and forbids barge-in', () => {
    const { gate, clock } = setup();
    gate.beginGreeting();
    expect(gate.state).toBe('greeting');
    expect(gate.canBargeIn()).toBe(false);
    const res = pump(gate, clock, concat(pinkNoise(SR, 800, -35), caller(1000, 2), line(500, 3)));
    expect(res.every((r) => r.forward === null && !r.bargeInCandidate)).toBe(true);
    expect(gate.takeGreetingSpeech()).toEqual([]); // nothing kept unless asked
  });

  it('re-opens on the fallback timer when "played out" never comes', () => {
    const { gate, clock, transitions } = setup({ greetingFallbackMs: 5000 });
    gate.beginGreeting();
    clock.advance(4999);
    expect(gate.state).toBe('greeting');
    clock.advance(1);
    expect(gate.state).toBe('open');
    expect(gate.greetingEndReason).toBe('fallback_timer');
    expect(transitions.map((t) => [t.from, t.to, t.reason])).toEqual([
      ['open', 'greeting', 'greeting_start'],
      ['greeting', 'open', 'fallback_timer'],
    ]);
    expect(transitions[1]!.atMs).toBe(5000);
    expect(gate.canBargeIn()).toBe(true);
  });

  it('re-opens into the echo guard if the fallback fires while the agent is still speaking', () => {
    const { gate, clock } = setup();
    gate.beginGreeting();
    gate.setAgentSpeaking(true);
    clock.advance(5000);
    expect(gate.state).toBe('echo_guard');
    expect(gate.canBargeIn()).toBe(true);
  });

  it('re-opens when played out, cancelling the fallback timer', () => {
    const { gate, clock, transitions } = setup();
    gate.beginGreeting();
    gate.setAgentSpeaking(true);
    clock.advance(3000);
    gate.greetingPlayedOut();
    expect(gate.state).toBe('open');
    expect(gate.agentSpeaking).toBe(false);
    expect(gate.greetingEndReason).toBe('played_out');
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(transitions.map((t) => t.reason)).toEqual(['greeting_start', 'played_out']);
    gate.greetingPlayedOut(); // late duplicate: ignored
    expect(transitions).toHaveLength(2);
  });

  it('with keepGreetingSpeech, hands the caller\'s greeting-time speech (with its onset) to the first turn', () => {
    const { gate, clock } = setup({ keepGreetingSpeech: true });
    gate.beginGreeting();
    const fed = concat(line(1000, 1), caller(600, 2), line(800, 3));
    pump(gate, clock, fed);
    expect(gate.takeGreetingSpeech()).toEqual([]); // not before the gate opens
    gate.greetingPlayedOut();
    const kept = gate.takeGreetingSpeech();
    const keptMs = (kept.reduce((a, f) => a + f.length, 0) * 1000) / SR;
    expect(keptMs).toBeGreaterThanOrEqual(600);
    expect(keptMs).toBeLessThan(600 + 300 + 300 + 60); // speech + padding + hangover
    // Contiguous audio that starts before the onset of "hello" (at 1000 ms), so its first syllable is whole.
    const all = concat(...kept);
    let at = -1;
    for (let o = 0; o + all.length <= fed.length && at < 0; o += 160) {
      if (fed.subarray(o, o + all.length).every((v, i) => v === all[i])) at = o;
    }
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(samples(SR, 1000));
    expect(gate.takeGreetingSpeech()).toEqual([]); // handed out once
  });

  it('without keepGreetingSpeech, greeting-time speech is dropped for good', () => {
    const { gate, clock } = setup({ keepGreetingSpeech: false });
    gate.beginGreeting();
    pump(gate, clock, concat(line(500, 1), caller(800, 2), line(500, 3)));
    gate.greetingPlayedOut();
    expect(gate.takeGreetingSpeech()).toEqual([]);
  });

  it('bounds greeting-time speech to maxGreetingSpeechMs, keeping the latest', () => {
    const { gate, clock } = setup({ keepGreetingSpeech: true, greetingFallbackMs: 20_000, maxGreetingSpeechMs: 2000 });
    gate.beginGreeting();
    const talk = caller(8000, 2);
    pump(gate, clock, concat(line(500, 1), talk));
    gate.greetingPlayedOut();
    const kept = concat(...gate.takeGreetingSpeech());
    expect((kept.length * 1000) / SR).toBeLessThanOrEqual(2000);
    expect((kept.length * 1000) / SR).toBeGreaterThan(1900);
    // The most recent audio: the tail of what the caller said.
    expect(kept.subarray(-160)).toEqual(talk.subarray(-160));
  });

  it('while the agent speaks, replaces its echo with silence and lets the caller through after startMs, with a hangover', () => {
    const { gate, clock } = setup();
    gate.setAgentSpeaking(true);
    expect(gate.state).toBe('echo_guard');
    const echoRes = pump(gate, clock, concat(line(300, 1), echo(2000, 2)));
    expect(echoRes.every((r) => r.forward === null && !r.bargeInCandidate)).toBe(true);

    const talk = pump(gate, clock, caller(1400, 3)); // caller talks over the agent
    const firstPass = talk.findIndex((r) => r.forward !== null);
    expect(firstPass).toBeGreaterThanOrEqual(9); // ≥ 200 ms of confirmed speech first (onset ramp included)
    expect(firstPass).toBeLessThanOrEqual(14);
    expect(talk[firstPass]!.bargeInCandidate).toBe(true);
    // From then on, syllable dips are bridged: every frame passes.
    expect(talk.slice(firstPass).every((r) => r.forward === r.frame && r.bargeInCandidate)).toBe(true);

    const after = pump(gate, clock, echo(1000, 4));
    const passed = after.filter((r) => r.forward !== null).length;
    expect(passed).toBeGreaterThanOrEqual(10); // ~300 ms hangover (plus the voice's decay)
    expect(passed).toBeLessThanOrEqual(20);
    expect(after.slice(passed).every((r) => r.forward === null)).toBe(true);
    expect(gate.state).toBe('echo_guard');

    gate.setAgentSpeaking(false);
    expect(pump(gate, clock, echo(200, 5)).every((r) => r.forward !== null)).toBe(true);
  });

  it('lets the caller barge in after earlier turns whose pauses were digital silence (bug: floor stuck high)', () => {
    // Regression: with no RTP in the caller's pauses (gap-filled zeros), the floor learnt from the caller's first
    // turn never came back down, so later barge-ins at the same level never qualified as speech.
    const { gate, clock } = setup();
    const zeros = (ms: number) => new Int16Array(samples(SR, ms));
    const talker = (ms: number) => voice(SR, ms, -22, { f0: 180, f1: 700, f2: 1900, syllableMs: 400 });
    for (let turn = 0; turn < 3; turn++) {
      pump(gate, clock, concat(zeros(400), talker(1200), zeros(1000))); // the caller's turn, agent silent
      gate.setAgentSpeaking(true);
      const res = pump(gate, clock, concat(zeros(400), talker(1200)));
      expect(res.some((r) => r.bargeInCandidate), `turn ${turn + 1}`).toBe(true);
      gate.setAgentSpeaking(false);
    }
  });

  it('goes straight to barge_in when the agent starts talking over a caller who is already speaking', () => {
    const { gate, clock } = setup();
    pump(gate, clock, concat(line(300, 1), caller(500, 2)));
    const before = gate.openings + gate.closings;
    gate.setAgentSpeaking(true);
    expect(gate.state).toBe('barge_in');
    expect(gate.openings + gate.closings).toBe(before);
  });

  it('has hysteresis: 10 s of flapping noise while the agent speaks does not flap the gate', () => {
    const { gate, clock } = setup({ aggressiveness: 1 });
    pump(gate, clock, line(1000, 1));
    gate.setAgentSpeaking(true);
    const closingsAtStart = gate.closings;
    // Loud voice-like bursts of 20–160 ms separated by 20–120 ms: the detector flickers all along.
    const r = rng(42);
    const parts: Int16Array[] = [];
    let ms = 0;
    let seed = 100;
    while (ms < 10_000) {
      const on = 20 * (1 + Math.floor(r() * 8));
      const off = 20 * (1 + Math.floor(r() * 6));
      parts.push(mix(voice(SR, on, -22, { syllableMs: on, gapMs: 0 }), pinkNoise(SR, on, -35, seed++)), line(off, seed++));
      ms += on + off;
    }
    let speechFrames = 0;
    const res = frames(concat(...parts), SR, 20).map((f) => {
      clock.advance(20);
      const out = gate.process(f);
      if (gate.detector.lastLevelDb > -40 && gate.detector.noiseFloorDb < -50) speechFrames++;
      return out;
    });
    expect(speechFrames).toBeGreaterThan(100); // it really does flicker between loud and quiet
    expect(res.filter((x) => x.forward !== null).length).toBeLessThan(25);
    expect(gate.openings).toBeLessThanOrEqual(2);
    expect(gate.closings - closingsAtStart).toBeLessThanOrEqual(2);
  });

  it('counts a handful of transitions over a whole normal call', () => {
    const { gate, clock, transitions } = setup({ keepGreetingSpeech: true });
    gate.beginGreeting(); // 1 closing
    gate.setAgentSpeaking(true);
    pump(gate, clock, concat(line(2000, 1), echo(1500, 2)));
    gate.greetingPlayedOut(); // 1 opening
    pump(gate, clock, concat(caller(2000, 3), line(800, 4))); // caller turn: agent silent
    gate.setAgentSpeaking(true); // 1 closing
    pump(gate, clock, concat(echo(1500, 5), caller(1500, 6))); // barge-in: 1 opening
    gate.setAgentSpeaking(false); // stays passing
    pump(gate, clock, line(1000, 7));
    gate.setAgentSpeaking(true); // 1 closing
    pump(gate, clock, echo(3000, 8));
    gate.setAgentSpeaking(false); // 1 opening
    expect(gate.openings).toBe(3);
    expect(gate.closings).toBe(3);
    expect(transitions.map((t) => t.reason)).toEqual([
      'greeting_start',
      'played_out',
      'agent_speaking',
      'caller_speech',
      'agent_silent',
      'agent_speaking',
      'agent_silent',
    ]);
  });

  it('survives a throwing listener and empty frames; dispose() clears the fallback timer', () => {
    const clock = new FakeClock();
    const gate = new VadGate({
      sampleRate: SR,
      aggressiveness: 2,
      clock,
      onTransition: () => {
        throw new Error('listener bug');
      },
    });
    gate.beginGreeting();
    expect(gate.listenerErrors).toBe(1);
    expect(gate.process(new Int16Array(0))).toEqual({ forward: null, bargeInCandidate: false });
    expect(gate.badFrames).toBe(1);
    expect(clock.pending).toBe(1);
    gate.dispose();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(gate.state).toBe('greeting');
  });

  it('uses real timers by default (unref\'d) and clears them on dispose', () => {
    const gate = new VadGate({ sampleRate: 16000, aggressiveness: 0, greetingFallbackMs: 60_000 });
    gate.beginGreeting();
    const r = gate.process(new Int16Array(samples(16000, 20)));
    expect(r.forward).toBeNull();
    gate.dispose();
  });
});

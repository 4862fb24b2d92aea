import { z } from 'zod';
import { PrefixBuffer, DEFAULT_PREFIX_PADDING_MS } from './PrefixBuffer.js';
import { DEFAULT_START_MS } from './VadStateMachine.js';
import { VoiceDetector } from './VoiceDetector.js';

/**
 * Decides, frame by frame, which caller audio reaches the speech-to-speech provider.
 *
 * States (caller audio passes in `open` and `barge_in`; elsewhere the session sends silence instead):
 * - `greeting`   the agent's greeting is playing: nothing passes and provider speech-starts must not
 *                interrupt ({@link canBargeIn} is false). Left by {@link greetingPlayedOut} or the fallback timer.
 * - `open`       the agent is silent: everything passes.
 * - `echo_guard` the agent is speaking: only confirmed caller speech passes, so the echo of the agent or
 *                background noise cannot trip the provider's own VAD into interrupting the agent.
 * - `barge_in`   the agent is speaking and the caller talks over it: frames pass, `bargeInCandidate` is true.
 *
 * "Confirmed caller speech" has hysteresis: `startMs` of consecutive speech frames to confirm, `hangoverMs` of
 * consecutive non-speech to drop it. While the agent is speaking (greeting included) a speech frame must
 * also be at least `bargeInMinDb` loud, because the agent's own echo is speech too, only quieter. Flickering
 * noise therefore cannot flap the gate: a normal call sees a handful of transitions, not dozens.
 *
 * Timers: only the greeting fallback, through an injectable clock. Everything else is synchronous.
 */

export type GateState = 'greeting' | 'open' | 'echo_guard' | 'barge_in';
export type GateTransitionReason =
  | 'greeting_start'
  | 'played_out'
  | 'fallback_timer'
  | 'agent_speaking'
  | 'agent_silent'
  | 'caller_speech'
  | 'caller_silence';
export interface GateTransition {
  from: GateState;
  to: GateState;
  reason: GateTransitionReason;
  /** `clock.now()` at the transition. */
  atMs: number;
}
export interface GateClock {
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  now(): number;
}
export interface GateResult {
  /** The frame to send, or null: send silence of the same duration instead. */
  forward: Int16Array | null;
  /** True while confirmed caller speech overlaps the agent (outside the greeting). */
  bargeInCandidate: boolean;
}

/** Why 5 s: longer than a typical greeting; if "played out" never arrives the caller must not stay deaf. */
const DEFAULT_GREETING_FALLBACK_MS = 5000;
/** Why 300 ms: bridges the dips between syllables so a phrase passes whole; the guard is back soon after. */
const DEFAULT_HANGOVER_MS = 300;
/** Why 5 s: enough for "hello? … hello?" during a greeting, bounded memory if the caller talks throughout. */
const DEFAULT_MAX_GREETING_SPEECH_MS = 5000;
/**
 * Why -40 dBFS (voice band): line echo of agent audio played near -20 dBFS comes back 20+ dB down, while a
 * caller talking over the agent is near nominal level (about -30 in-band). Quieter callers cannot barge in.
 */
const DEFAULT_BARGE_IN_MIN_DB = -40;

export const vadGateOptionsSchema = z.object({
  sampleRate: z.union([z.literal(8000), z.literal(16000), z.literal(24000)]),
  aggressiveness: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(2),
  greetingFallbackMs: z.number().positive().max(120_000).default(DEFAULT_GREETING_FALLBACK_MS),
  keepGreetingSpeech: z.boolean().default(false),
  maxGreetingSpeechMs: z.number().positive().max(60_000).default(DEFAULT_MAX_GREETING_SPEECH_MS),
  startMs: z.number().min(0).max(5000).default(DEFAULT_START_MS),
  hangoverMs: z.number().min(0).max(5000).default(DEFAULT_HANGOVER_MS),
  bargeInMinDb: z.number().min(-100).max(0).default(DEFAULT_BARGE_IN_MIN_DB),
});
export type VadGateOptions = z.input<typeof vadGateOptionsSchema> & {
  clock?: GateClock;
  onTransition?: (t: GateTransition) => void;
};

const PASSES: Record<GateState, boolean> = { greeting: false, open: true, echo_guard: false, barge_in: true };

const systemClock: GateClock = {
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref(); // the call keeps the process alive, not this timer
    return t;
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

export class VadGate {
  readonly detector: VoiceDetector;
  state: GateState = 'open';
  agentSpeaking = false;
  /** Closed → passing transitions this call. */
  openings = 0;
  /** Passing → closed transitions this call. */
  closings = 0;
  /** Why the last greeting ended, null before the first one ends. */
  greetingEndReason: 'played_out' | 'fallback_timer' | null = null;
  /** Confirmed caller speech (after `startMs`, until `hangoverMs` of non-speech). */
  callerTalking = false;
  /** Empty frames (counted, sent as silence) and onTransition listeners that threw. */
  badFrames = 0;
  listenerErrors = 0;

  readonly #o: z.output<typeof vadGateOptionsSchema>;
  readonly #clock: GateClock;
  readonly #onTransition: ((t: GateTransition) => void) | undefined;
  #timer: unknown = null;
  #disposed = false;
  #speechRunMs = 0;
  #silenceRunMs = 0;
  /** Greeting-time audio before a confirmed start (so the first syllables are kept) and confirmed speech. */
  #greetingPrefix: PrefixBuffer;
  #greetingSpeech: PrefixBuffer;

  constructor(options: VadGateOptions) {
    const o = vadGateOptionsSchema.parse(options);
    this.#o = o;
    this.#clock = options.clock ?? systemClock;
    this.#onTransition = options.onTransition;
    this.detector = new VoiceDetector({ sampleRate: o.sampleRate, aggressiveness: o.aggressiveness });
    this.#greetingPrefix = new PrefixBuffer({ prefixPaddingMs: o.startMs + DEFAULT_PREFIX_PADDING_MS });
    this.#greetingSpeech = new PrefixBuffer({ prefixPaddingMs: o.maxGreetingSpeechMs });
  }

  /** The greeting starts playing: close the gate and arm the fallback timer (re-armed if already closed). */
  beginGreeting(): void {
    if (this.#disposed) return;
    this.#clearTimer();
    this.#greetingPrefix.clear();
    this.#greetingSpeech.clear();
    this.greetingEndReason = null;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      this.#endGreeting('fallback_timer');
    }, this.#o.greetingFallbackMs);
    this.#go('greeting', 'greeting_start');
  }

  /**
   * The provider finished the greeting AND local playout drained: re-open. Implies the agent is silent.
   * Ignored outside the greeting.
   */
  greetingPlayedOut(): void {
    if (this.state !== 'greeting') return;
    this.agentSpeaking = false;
    this.#endGreeting('played_out');
  }

  setAgentSpeaking(speaking: boolean): void {
    this.agentSpeaking = speaking;
    if (this.state === 'greeting') return;
    this.#go(this.#agentState(), speaking ? 'agent_speaking' : 'agent_silent');
  }

  /** False while greeting protection is on: provider speech-start events must not interrupt the agent. */
  canBargeIn(): boolean {
    return this.state !== 'greeting';
  }

  /** Classifies one caller frame and says what to send. The frame is forwarded as is (no copy). */
  process(frame: Int16Array): GateResult {
    if (frame.length === 0) {
      this.badFrames++;
      return { forward: null, bargeInCandidate: false };
    }
    const frameMs = (frame.length * 1000) / this.#o.sampleRate;
    const speech = this.detector.isSpeech(frame);
    const echoPossible = this.state === 'greeting' || this.agentSpeaking;
    const qualifies = speech && (!echoPossible || this.detector.lastLevelDb >= this.#o.bargeInMinDb);
    const wasTalking = this.callerTalking;
    this.#track(qualifies, frameMs);

    if (this.state === 'greeting') {
      if (this.#o.keepGreetingSpeech) this.#keepGreetingFrame(frame, frameMs, wasTalking);
      return { forward: null, bargeInCandidate: false };
    }
    if (this.agentSpeaking) {
      const next = this.#agentState();
      if (next !== this.state) this.#go(next, next === 'barge_in' ? 'caller_speech' : 'caller_silence');
    }
    return { forward: PASSES[this.state] ? frame : null, bargeInCandidate: this.state === 'barge_in' };
  }

  /**
   * Caller speech heard during the greeting (only with `keepGreetingSpeech`), oldest first, at most
   * `maxGreetingSpeechMs`; handed out once, after the gate has opened. Empty while the greeting is on.
   */
  takeGreetingSpeech(): Int16Array[] {
    if (this.state === 'greeting') return [];
    return this.#greetingSpeech.drain();
  }

  dispose(): void {
    this.#disposed = true;
    this.#clearTimer();
    this.#greetingPrefix.clear();
    this.#greetingSpeech.clear();
  }

  /** Hysteresis on the caller's speech: startMs of consecutive speech on, hangoverMs of non-speech off. */
  #track(qualifies: boolean, frameMs: number): void {
    if (qualifies) {
      this.#speechRunMs += frameMs;
      this.#silenceRunMs = 0;
      if (!this.callerTalking && this.#speechRunMs >= this.#o.startMs) this.callerTalking = true;
    } else {
      this.#speechRunMs = 0;
      this.#silenceRunMs += frameMs;
      if (this.callerTalking && this.#silenceRunMs >= this.#o.hangoverMs) this.callerTalking = false;
    }
  }

  #keepGreetingFrame(frame: Int16Array, frameMs: number, wasTalking: boolean): void {
    const copy = frame.slice(); // the session may reuse its receive buffer; greeting frames are few
    if (this.callerTalking) {
      if (!wasTalking) for (const f of this.#greetingPrefix.drain()) this.#pushGreetingSpeech(f);
      this.#pushGreetingSpeech(copy);
    } else {
      this.#greetingPrefix.push(copy, frameMs);
    }
  }

  #pushGreetingSpeech(f: Int16Array): void {
    this.#greetingSpeech.push(f, (f.length * 1000) / this.#o.sampleRate);
  }

  #agentState(): GateState {
    if (!this.agentSpeaking) return 'open';
    return this.callerTalking ? 'barge_in' : 'echo_guard';
  }

  #endGreeting(reason: 'played_out' | 'fallback_timer'): void {
    if (this.state !== 'greeting') return;
    this.#clearTimer();
    this.greetingEndReason = reason;
    this.#greetingPrefix.clear();
    if (!this.#o.keepGreetingSpeech) this.#greetingSpeech.clear();
    this.#go(this.#agentState(), reason);
  }

  #go(to: GateState, reason: GateTransitionReason): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    if (PASSES[to] && !PASSES[from]) this.openings++;
    else if (!PASSES[to] && PASSES[from]) this.closings++;
    if (this.#onTransition) {
      try {
        this.#onTransition({ from, to, reason, atMs: this.#clock.now() });
      } catch {
        this.listenerErrors++;
      }
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = null;
    }
  }
}

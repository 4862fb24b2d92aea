import { z } from 'zod';
import { isDigitalSilence, powerToDbfs } from './frameEnergy.js';
import { VoiceBandAnalyzer } from './VoiceBandAnalyzer.js';

/**
 * WebRTC-style frame classifier in plain TypeScript (no native module): is this 10/20/30 ms frame speech?
 *
 * Features, per frame, from a {@link VoiceBandAnalyzer}:
 * - voice-band level (300–3400 Hz, dBFS): hum, rumble and hiss above the telephone band do not count;
 * - voice-band share (voice-band level minus full-band level, dB): speech keeps most of its energy in the band
 *   (-3..-8 dB with the fundamental outside it), mains hum and rumble almost none (-25 dB);
 * - spectral tilt (300–1000 Hz band minus 1–3.4 kHz band, dB): voiced speech is strongly low-heavy
 *   (+3..+8 dB), white noise is high-heavy (-3..-5 dB), pink noise and steady tones sit near 0.
 *
 * A frame is speech when its voice-band level is above an absolute minimum, above the adaptive noise floor by
 * a margin, and its band share and tilt are above their minimums. All three thresholds grow with `aggressiveness` (0 = most
 * permissive, 3 = most strict, as in webrtcvad), so a higher mode never accepts a frame a lower one rejects.
 *
 * The noise floor follows the voice-band level: down quickly (a dip between syllables reveals the background),
 * up slowly (steady noise stops counting as speech within a couple of seconds, while one syllable barely moves
 * it). Rising on speech frames is how a noise step is learnt, but it also means a talk spurt lifts the floor.
 * So a second estimate, the background, learns only from frames at or under the floor (dips, steady noise,
 * never speech nor the soft edges of words). Digital-silence frames (the media engine's gap filler: Asterisk
 * sends nothing while the caller is silent) are never speech and carry no level, so they let the floor fall
 * back to that background and no further: whatever rise the speech caused is forgotten, while a steady
 * background measured before a gap is still the reference after it.
 * (Freezing the floor instead left it stuck near the last utterance's level, and every later utterance at the
 * same level fell under the margin.)
 *
 * State: the band filters, the floor and the background. One detector per call and direction, fed in order.
 */

export const VAD_SAMPLE_RATES = [8000, 16000, 24000] as const;
export type VadSampleRate = (typeof VAD_SAMPLE_RATES)[number];
export type Aggressiveness = 0 | 1 | 2 | 3;

export const voiceDetectorOptionsSchema = z.object({
  sampleRate: z.union([z.literal(8000), z.literal(16000), z.literal(24000)]),
  aggressiveness: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(2),
});
export type VoiceDetectorOptions = z.input<typeof voiceDetectorOptionsSchema>;

/** Per-aggressiveness thresholds (index = aggressiveness). */
export const VOICE_DETECTOR_THRESHOLDS = {
  /** Voice-band level below which nothing is speech, dBFS; nominal telephone speech is around -30 in-band. */
  absoluteMinDb: [-58, -54, -50, -46],
  /** Required height above the noise floor, dB. */
  marginDb: [6, 8, 10, 12],
  /** Minimum voice-band minus full-band level, dB; mode 0 does not look at the spectrum at all. */
  minBandShareDb: [Number.NEGATIVE_INFINITY, -15, -12, -10],
  /** Minimum low-band minus mid-band level, dB. */
  minTiltDb: [Number.NEGATIVE_INFINITY, -3, -1, 1],
} as const;

/** Time constant of the floor's fall: one 20–40 ms dip between syllables is enough to find the background. */
const FLOOR_FALL_TAU_MS = 40;
/** Time constant of the floor's rise: a noise step of 30 dB stops counting as speech within ~2–3 s. */
const FLOOR_RISE_TAU_MS = 1500;
/** Floor starts at the first frame's level but no higher: a call that opens on speech must not take it as noise. */
const INITIAL_FLOOR_CAP_DB = -50;
/** Lowest floor: under μ-law idle-channel noise; a lower reference would only make every click look loud. */
const FLOOR_MIN_DB = -80;

export class VoiceDetector {
  readonly sampleRate: VadSampleRate;
  readonly aggressiveness: Aggressiveness;
  /** Voice-band (300–3400 Hz) level of the last frame, dBFS. Comparable with {@link noiseFloorDb}. */
  lastLevelDb: number;
  /** Full-band RMS level of the last frame, dBFS (what a level meter shows). */
  lastTotalDb: number;
  /** Low-band minus mid-band level of the last frame, dB. */
  lastTiltDb = 0;
  /** Adaptive estimate of the background's voice-band level, dBFS: the reference of the speech margin. */
  noiseFloorDb: number;
  /**
   * The floor as learnt only from frames at or under it, dBFS; never above {@link noiseFloorDb}. Digital
   * silence brings the floor back down to it.
   */
  backgroundDb: number;
  /** Frames classified so far (including bad ones). */
  frames = 0;
  /** Empty frames: counted, classified as non-speech, otherwise ignored. */
  badFrames = 0;

  readonly #bands: VoiceBandAnalyzer;
  readonly #absMinDb: number;
  readonly #marginDb: number;
  readonly #minTiltDb: number;
  readonly #minBandShareDb: number;
  #floorInitialised = false;

  constructor(options: VoiceDetectorOptions) {
    const o = voiceDetectorOptionsSchema.parse(options);
    this.sampleRate = o.sampleRate;
    this.aggressiveness = o.aggressiveness;
    this.#bands = new VoiceBandAnalyzer(o.sampleRate);
    this.#absMinDb = VOICE_DETECTOR_THRESHOLDS.absoluteMinDb[o.aggressiveness];
    this.#marginDb = VOICE_DETECTOR_THRESHOLDS.marginDb[o.aggressiveness];
    this.#minTiltDb = VOICE_DETECTOR_THRESHOLDS.minTiltDb[o.aggressiveness];
    this.#minBandShareDb = VOICE_DETECTOR_THRESHOLDS.minBandShareDb[o.aggressiveness];
    this.noiseFloorDb = INITIAL_FLOOR_CAP_DB;
    this.backgroundDb = INITIAL_FLOOR_CAP_DB;
    this.lastLevelDb = FLOOR_MIN_DB;
    this.lastTotalDb = FLOOR_MIN_DB;
  }

  /** Classifies one frame (any length; 10/20/30 ms intended) and updates the noise floor. */
  isSpeech(frame: Int16Array): boolean {
    this.frames++;
    if (frame.length === 0) {
      this.badFrames++;
      return false;
    }
    const bands = this.#bands;
    bands.analyze(frame);
    const level = powerToDbfs(bands.lowPower + bands.midPower);
    this.lastLevelDb = level;
    this.lastTotalDb = powerToDbfs(bands.totalPower);
    this.lastTiltDb = powerToDbfs(bands.lowPower) - powerToDbfs(bands.midPower);

    const frameMs = (frame.length * 1000) / this.sampleRate;
    if (isDigitalSilence(frame)) {
      this.noiseFloorDb = track(this.noiseFloorDb, this.backgroundDb, frameMs);
      return false;
    }

    if (!this.#floorInitialised) {
      this.noiseFloorDb = Math.max(FLOOR_MIN_DB, Math.min(level, INITIAL_FLOOR_CAP_DB));
      this.backgroundDb = this.noiseFloorDb;
      this.#floorInitialised = true;
    }
    const speech =
      level >= this.#absMinDb &&
      level - this.noiseFloorDb >= this.#marginDb &&
      level - this.lastTotalDb >= this.#minBandShareDb &&
      this.lastTiltDb >= this.#minTiltDb;
    // Only frames at or under the floor are evidence of the background: the soft onsets and tails of words sit
    // between the floor and the margin, and learning from them would ratchet the background up turn after turn.
    const background = level <= this.noiseFloorDb;
    this.noiseFloorDb = track(this.noiseFloorDb, level, frameMs);
    if (background) this.backgroundDb = Math.min(this.noiseFloorDb, track(this.backgroundDb, level, frameMs));
    return speech;
  }

  /** Forgets the background and the filter memory (new stream). */
  reset(): void {
    this.#bands.reset();
    this.#floorInitialised = false;
    this.noiseFloorDb = INITIAL_FLOOR_CAP_DB;
    this.backgroundDb = INITIAL_FLOOR_CAP_DB;
  }
}

/** One step of the floor law: toward `level`, fast when falling, slow when rising, never under the minimum. */
function track(floorDb: number, level: number, frameMs: number): number {
  const tau = level < floorDb ? FLOOR_FALL_TAU_MS : FLOOR_RISE_TAU_MS;
  const next = floorDb + (level - floorDb) * (1 - Math.exp(-frameMs / tau));
  return next < FLOOR_MIN_DB ? FLOOR_MIN_DB : next;
}

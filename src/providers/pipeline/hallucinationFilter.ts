/**
 * Whisper-family models "hear" words in near-silence and noise: what they produce then comes from their training
 * data (subtitle credits, YouTube sign-offs, "Thank you.", a lone "you", one token repeated). This pure check
 * decides whether a transcript is such filler and should be dropped instead of answered.
 *
 * Rules (first match wins; the reason is a stable code for logs and counters):
 * - `empty`: nothing but whitespace or punctuation;
 * - `credits`: subtitle/caption credits and video sign-offs, always (no caller says them on a phone call);
 * - `repetition`: the whole text is one word repeated ≥ 5 times, or one phrase of 2–4 words repeated ≥ 3 times;
 * - `filler`: a known filler phrase ("Thank you.", "you", "Bye.", "Thanks.", "Okay.", "Hmm." …) when the audio was
 *   short (< `shortMs`) or quiet (< `quietDbfs`). A lone "you" is always filler. A caller who really says a
 *   short "Thank you." loudly is kept.
 */

const CREDITS = [
  /\b(subtitles?|subtitled|captions?|captioned|transcript(ion)?s?)\s+(by|provided|created|made)\b/i,
  /\bamara\.org\b/i,
  /\bthanks?\s+(you\s+)?for\s+watching\b/i,
  /\b(please\s+)?(like\s+and\s+)?subscribe\b/i,
  /\bsee you in the next video\b/i,
  /©|\bcopyright\b/i,
];

const FILLERS = new Set([
  'thank you', 'thank you very much', 'thank you so much', 'thanks', 'thank you bye', 'you', 'bye', 'bye bye',
  'goodbye', 'okay', 'ok', 'so', 'uh', 'um', 'hmm', 'mm', 'oh', 'the end', 'i', 'yeah', 'well',
]);

/** Shorter than this, a filler transcript is more likely a model artefact than a caller (prefix padding included). */
export const FILLER_SHORT_MS = 700;
/** Telephone speech sits around -20…-35 dBFS; below this the "speech" was line noise or breathing. */
export const FILLER_QUIET_DBFS = -45;

export type HallucinationReason = 'empty' | 'credits' | 'repetition' | 'filler';

export interface UtteranceStats {
  durationMs: number;
  /** RMS level of the utterance; omit when unknown. */
  rmsDbfs?: number;
}

export interface FilterOptions {
  shortMs?: number;
  quietDbfs?: number;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

function isRepetition(tokens: string[]): boolean {
  for (let n = 1; n <= 4; n++) {
    const minRepeats = n === 1 ? 5 : 3;
    if (tokens.length < n * minRepeats || tokens.length % n !== 0) continue;
    if (tokens.every((t, i) => t === tokens[i % n])) return true;
  }
  return false;
}

/** Returns why `text` looks like a hallucination, or null when it should be answered. */
export function hallucinationReason(text: string, stats: UtteranceStats, opts: FilterOptions = {}): HallucinationReason | null {
  const tokens = words(text);
  if (tokens.length === 0) return 'empty';
  if (CREDITS.some((re) => re.test(text))) return 'credits';
  if (isRepetition(tokens)) return 'repetition';
  const phrase = tokens.join(' ');
  if (phrase === 'you') return 'filler';
  if (FILLERS.has(phrase)) {
    const short = stats.durationMs < (opts.shortMs ?? FILLER_SHORT_MS);
    const quiet = stats.rmsDbfs !== undefined && stats.rmsDbfs < (opts.quietDbfs ?? FILLER_QUIET_DBFS);
    if (short || quiet) return 'filler';
  }
  return null;
}

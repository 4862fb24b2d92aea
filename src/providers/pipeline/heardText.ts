/**
 * What the caller heard of a spoken reply, given how many ms of its audio were played before a barge-in.
 * Pure. The rule (the one place that decides what an interruption keeps):
 *
 * 1. Sentences are played in order; each one's audio length is known from the pcm we emitted for it.
 * 2. A sentence whose audio ended at or before `playedMs` is kept whole.
 * 3. The sentence playing at the cut is kept up to the character position proportional to how far into its audio
 *    the cut fell, backed off to the last whole word, plus "…". If that leaves no whole word, it is dropped.
 *    When its synthesis was still streaming, its length is estimated as max(audio so far, chars × msPerChar).
 * 4. Everything after (sentences without audio, text not yet synthesised) is dropped.
 *
 * The model must never believe it said what was never played; keeping a partial sentence with "…" tells it
 * where it was cut off.
 */

export interface SpokenSentence {
  text: string;
  /** Audio emitted for this sentence so far, ms. */
  audioMs: number;
  /** True when all of the sentence's audio has been emitted. */
  complete: boolean;
}

export interface HeardText {
  text: string;
  /** True when anything of the full text was left out. */
  truncated: boolean;
}

/** Typical TTS pace at speed 1.0 (~14 characters per second); only used for a sentence still being synthesised. */
export const DEFAULT_MS_PER_CHAR = 70;

export const CUT_MARK = '…';

export function heardText(sentences: readonly SpokenSentence[], playedMs: number, msPerChar = DEFAULT_MS_PER_CHAR): HeardText {
  const kept: string[] = [];
  let startMs = 0;
  let truncated = false;
  for (const s of sentences) {
    const durationMs = s.complete ? s.audioMs : Math.max(s.audioMs, s.text.length * msPerChar);
    if (s.audioMs > 0 && s.complete && playedMs >= startMs + durationMs) {
      kept.push(s.text);
      startMs += durationMs;
      continue;
    }
    truncated = true;
    if (s.audioMs > 0 && playedMs > startMs && durationMs > 0) {
      const pos = Math.floor(((playedMs - startMs) / durationMs) * s.text.length);
      const partial = wholeWordsBefore(s.text, pos);
      if (partial !== '') kept.push(partial + CUT_MARK);
    }
    break;
  }
  return { text: kept.join(' '), truncated };
}

/** The text before `pos`, cut back to the last word that ends before it; '' when no word is complete. */
function wholeWordsBefore(text: string, pos: number): string {
  if (pos >= text.length) return text.replace(/[\s.!?…]+$/, '');
  // A word is complete at pos when pos lands on whitespace; otherwise back off to the previous space.
  const cut = /\s/.test(text[pos] ?? '') ? pos : text.lastIndexOf(' ', pos);
  if (cut <= 0) return '';
  return text.slice(0, cut).replace(/[\s,;:.!?…]+$/, '');
}

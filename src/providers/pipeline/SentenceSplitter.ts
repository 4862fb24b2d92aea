/**
 * Splits streamed LLM text into sentences for TTS, as early as it safely can.
 *
 * A sentence ends at a run of terminators (`.`, `!`, `?`, `…`, `...`), optionally followed by closing quotes or
 * brackets, then whitespace, then the next non-space character. That look-ahead character is needed to decide, so
 * a sentence is released when the first character of the next one arrives (one token later) or on `flush()`.
 * A newline always ends a sentence (lists, paragraphs).
 *
 * A `.` (or an ellipsis) is NOT a boundary when:
 * - no whitespace follows it ("3.5", "e.g.x", "gmail.com");
 * - the next word starts in lower case ("e.g. apples", "3 p.m. today", "Wait... let me check");
 * - the word before it is a title ("Dr.", "Mr.", "Mrs.", "Prof.", "St." …);
 * - the word before it is dotted initials ("U.S.", "e.g.", "i.e.", "a.m.") or a single capital ("John F. Kennedy");
 * - the sentence so far is just a number (a numbered list item "1. First").
 * `!` and `?` always end a sentence. When in doubt we do not split: a merged sentence only delays speech a little,
 * a wrong split puts an odd pause into it.
 *
 * Run-on text longer than `maxChars` is split at the last clause mark (", ", "; ", ": "), else at the last space,
 * so one endless sentence does not hold back speech.
 */

const TERMINATORS = new Set(['.', '!', '?', '…']);
const CLOSERS = new Set(['"', "'", ')', ']', '”', '’', '»']);
const TITLES = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'rev', 'hon', 'sr', 'jr', 'st', 'mt', 'ft', 'gen', 'col', 'capt', 'lt',
  'sgt', 'vs', 'approx', 'fig', 'dept', 'ave', 'blvd',
]);
const DOTTED_INITIALS = /^(?:[A-Za-z]\.)+[A-Za-z]$/;
const SINGLE_CAPITAL = /^[A-Z]$/;
const NUMBER = /^\d+$/;

/** Default run-on limit: ~20 s of speech is far more than a phone reply sentence should hold back. */
export const DEFAULT_MAX_SENTENCE_CHARS = 300;

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0';
const isLower = (c: string): boolean => c !== c.toUpperCase() && c === c.toLowerCase();

export class SentenceSplitter {
  readonly #maxChars: number;
  #buf = '';
  /** Where scanning resumes (everything before it has been classified). */
  #scan = 0;

  constructor(opts: { maxChars?: number } = {}) {
    this.#maxChars = opts.maxChars ?? DEFAULT_MAX_SENTENCE_CHARS;
  }

  /** Adds streamed text; returns the sentences that are now complete (trimmed, non-empty). */
  push(text: string): string[] {
    this.#buf += text;
    const out: string[] = [];
    let start = 0;
    let i = this.#scan;
    const buf = this.#buf;
    const n = buf.length;
    scan: while (i < n) {
      const c = buf[i]!;
      if (c === '\n') {
        this.#emit(out, buf.slice(start, i));
        start = i + 1;
        i++;
        continue;
      }
      if (!TERMINATORS.has(c)) {
        i++;
        continue;
      }
      let j = i;
      while (j < n && TERMINATORS.has(buf[j]!)) j++;
      while (j < n && CLOSERS.has(buf[j]!)) j++;
      if (j === n) break scan; // need to see what follows
      if (!isSpace(buf[j]!)) {
        i = j;
        continue;
      }
      let k = j;
      while (k < n && isSpace(buf[k]!)) k++;
      if (k === n) break scan; // need the next word
      if (this.#isBoundary(buf, start, i, j, buf[k]!)) {
        this.#emit(out, buf.slice(start, j));
        start = k;
        i = k;
      } else {
        i = k;
      }
    }
    this.#buf = buf.slice(start);
    this.#scan = Math.max(0, i - start);
    if (this.#buf.length > this.#maxChars) this.#splitRunOn(out);
    return out;
  }

  /** End of the stream: whatever is left is the last sentence. */
  flush(): string[] {
    const out: string[] = [];
    this.#emit(out, this.#buf);
    this.#buf = '';
    this.#scan = 0;
    return out;
  }

  /** Drops buffered text (interrupted reply). */
  reset(): void {
    this.#buf = '';
    this.#scan = 0;
  }

  #emit(out: string[], s: string): void {
    const t = s.trim();
    if (t.length > 0) out.push(t);
  }

  /** `termAt` = first terminator, `afterTerms` = index after terminators and closers, `next` = next word's first char. */
  #isBoundary(buf: string, start: number, termAt: number, afterTerms: number, next: string): boolean {
    const run = buf.slice(termAt, afterTerms);
    if (run.includes('!') || run.includes('?')) return true;
    if (isLower(next)) return false;
    const isSingleDot = run.replace(/[^.…]/g, '') === '.';
    if (!isSingleDot) return true; // ellipsis before a capital: a real pause
    let w = termAt;
    while (w > start && !isSpace(buf[w - 1]!)) w--;
    const word = buf.slice(w, termAt).replace(/^[("'“‘[]+/, '');
    if (TITLES.has(word.toLowerCase())) return false;
    if (DOTTED_INITIALS.test(word) || SINGLE_CAPITAL.test(word)) return false;
    if (NUMBER.test(word) && buf.slice(start, termAt).trim() === word) return false;
    return true;
  }

  #splitRunOn(out: string[]): void {
    const head = this.#buf.slice(0, this.#maxChars);
    let cut = Math.max(head.lastIndexOf(', '), head.lastIndexOf('; '), head.lastIndexOf(': '));
    if (cut > 0) cut += 1;
    else cut = head.lastIndexOf(' ');
    if (cut <= 0) cut = this.#maxChars;
    this.#emit(out, this.#buf.slice(0, cut));
    this.#buf = this.#buf.slice(cut).replace(/^\s+/, '');
    this.#scan = 0;
  }
}

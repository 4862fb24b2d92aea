import type { TransferDestination } from '../../config/schema.js';

/**
 * Map what the model asked for onto ONE configured destination, or refuse. Pure and synchronous.
 *
 * Safety property (toll fraud): the result is always a key of `destinations` or an error; nothing the caller says
 * can produce a dial string. On top of that, anything that does not look like a plain name of a destination
 * (numbers, dial strings, dialplan triples, URIs, extra instructions) is refused rather than "fuzzily" matched,
 * so a talked-into model gets an error instead of a transfer it did not mean.
 */
export type DestinationMatch =
  | { ok: true; key: string; destination: TransferDestination; matchedBy: 'key' | 'name' | 'description' | 'words' }
  | { ok: false; reason: 'invalid' | 'not_found' | 'ambiguous' | 'none_configured'; error: string; choices: string[] };

/** Longer than any sensible destination name; long inputs are instructions, not names. */
export const MAX_DESTINATION_CHARS = 80;
const MAX_WORDS = 6;
/** Letters (any script), digits, spaces and a little punctuation names use. No , ; / @ : + ( ) < > | " \ or controls. */
const NAME_CHARS = /^[\p{L}\p{M}\p{N} _'&.-]+$/u;
/** Filler the model adds around a name ("the sales team please"); dropped before word matching. */
const FILLER = new Set(['the', 'a', 'an', 'to', 'please', 'department', 'dept', 'team', 'desk', 'office', 'line', 'someone', 'in', 'from', 'of', 'for', 'my', 'me', 'our', 'your']);

export function describeDestinations(destinations: Record<string, TransferDestination>): string[] {
  return Object.entries(destinations).map(([key, d]) => `${key} (${d.description})`);
}

export function resolveDestination(input: string, destinations: Record<string, TransferDestination>): DestinationMatch {
  const entries = Object.entries(destinations);
  const choices = describeDestinations(destinations);
  const refuse = (reason: 'invalid' | 'not_found' | 'ambiguous', error: string): DestinationMatch => ({
    ok: false,
    reason,
    error: `${error}. Only these destinations exist: ${choices.join('; ')}. Choose one of their keys; never a number or anything else.`,
    choices: entries.map(([key]) => key),
  });

  if (entries.length === 0) {
    return { ok: false, reason: 'none_configured', error: 'no transfer destinations are configured; offer to take a message instead', choices: [] };
  }
  // Exact key first: keys are the operator's own names, whatever characters they use.
  const exact = destinations[input];
  if (exact && Object.hasOwn(destinations, input)) return { ok: true, key: input, destination: exact, matchedBy: 'key' };

  const text = input.trim();
  if (text.length === 0) return refuse('invalid', 'no destination given');
  if (text.length > MAX_DESTINATION_CHARS) return refuse('invalid', 'destination is too long to be a destination name');
  // Tested on the raw input: a trailing newline or tab is an injection attempt, not whitespace to trim.
  if (!NAME_CHARS.test(input)) return refuse('invalid', 'destination contains characters no destination name has');
  const folded = fold(text);

  const byName = entries.filter(([key, d]) => fold(key) === folded || fold(d.description) === folded);
  if (byName.length === 1) {
    const [key, d] = byName[0] as [string, TransferDestination];
    return { ok: true, key, destination: d, matchedBy: fold(key) === folded ? 'name' : 'description' };
  }
  if (byName.length > 1) return refuse('ambiguous', `"${text}" matches more than one destination`);

  const words = wordsOf(folded).filter((w) => !FILLER.has(w));
  if (words.length === 0) return refuse('not_found', `"${text}" is not a destination`);
  if (words.length > MAX_WORDS) return refuse('invalid', 'destination must be a short name, not a sentence');
  // Numbers are never matched loosely: a digit string is only ever a destination when it is exactly a key.
  if (words.some((w) => /\p{N}/u.test(w))) return refuse('invalid', 'numbers cannot be dialled; only configured destinations');

  const hits = entries.filter(([key, d]) => {
    const vocabulary = new Set([...wordsOf(fold(key)), ...wordsOf(fold(d.description))]);
    return words.every((w) => [...vocabulary].some((v) => sameWord(w, v)));
  });
  if (hits.length === 1) {
    const [key, d] = hits[0] as [string, TransferDestination];
    return { ok: true, key, destination: d, matchedBy: 'words' };
  }
  if (hits.length > 1) return refuse('ambiguous', `"${text}" matches more than one destination: ${hits.map(([k]) => k).join(', ')}`);
  return refuse('not_found', `"${text}" is not a configured destination`);
}

/** Case- and width-insensitive; NFKC folds full-width letters but not other scripts' lookalikes (those stay unmatched). */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function wordsOf(s: string): string[] {
  return s.split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w.length > 0);
}

/** Equal, or equal up to a plural "s" ("sale" / "sales"). */
function sameWord(a: string, b: string): boolean {
  return a === b || a + 's' === b || a === b + 's' || a + 'es' === b || a === b + 'es';
}

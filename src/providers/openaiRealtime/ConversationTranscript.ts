import type { TranscriptEntry } from '../VoiceProvider.js';

/**
 * The conversation as text, in spoken order: the call record's transcript and the material for re-seeding a
 * new session. User transcripts arrive asynchronously (sometimes after the reply), so entries are kept sorted
 * by `atMs`. One entry per item; a barge-in replaces an assistant entry with its heard part.
 */
export class ConversationTranscript {
  readonly #entries: TranscriptEntry[] = [];

  entries(): readonly TranscriptEntry[] {
    return this.#entries;
  }

  /** Adds or replaces (same itemId) an entry; returns the stored entry. */
  put(entry: TranscriptEntry): TranscriptEntry {
    const existing = entry.itemId ? this.#entries.findIndex((e) => e.itemId === entry.itemId) : -1;
    if (existing >= 0) this.#entries.splice(existing, 1);
    let at = this.#entries.length;
    while (at > 0 && this.#entries[at - 1]!.atMs > entry.atMs) at--;
    this.#entries.splice(at, 0, entry);
    return entry;
  }

  find(itemId: string): TranscriptEntry | undefined {
    return this.#entries.find((e) => e.itemId === itemId);
  }
}

/**
 * What the caller heard of `text` when `heardMs` of `totalMs` played: the same share of characters, cut back to
 * a word boundary. The server cuts its own copy on truncate but never tells us the words, so this estimate is
 * what the call record and the re-seed use.
 */
export function heardText(text: string, heardMs: number, totalMs: number): string {
  if (totalMs <= 0 || heardMs <= 0) return '';
  if (heardMs >= totalMs) return text;
  const cut = Math.floor(text.length * (heardMs / totalMs));
  const head = text.slice(0, cut);
  const boundary = /\s\S*$/.exec(head);
  const out = boundary && text[cut] !== undefined && /\S/.test(text[cut]!) ? head.slice(0, boundary.index) : head;
  return out.trimEnd();
}

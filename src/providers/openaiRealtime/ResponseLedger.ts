import type { ResponseDoneInfo } from '../VoiceProvider.js';
import type { ResponsePurpose } from './clientEvents.js';

/**
 * Per-response and per-item bookkeeping: what was received (ms per item, for truncate clamping), which
 * responses were discarded by a barge-in (their late deltas are dropped), which response is active.
 * Pure and synchronous; the provider feeds it server events.
 */
export type ResponseKind = ResponsePurpose | 'turn';

export interface ResponseRecord {
  id: string;
  kind: ResponseKind;
  ref: string | undefined;
  /** Session generation (bumped on every reconnect/renewal): items of older sessions no longer exist server-side. */
  generation: number;
  createdAtMs: number;
  done: boolean;
  status: ResponseDoneInfo['status'] | undefined;
  hadAudio: boolean;
  text: string | undefined;
  firstAudioAtMs: number | undefined;
  turn: number | undefined;
  /** The provider's speech_started count when this response was created (did the server hear speech since?). */
  speechSeqAtCreate: number;
}

export interface ItemRecord {
  itemId: string;
  responseId: string;
  generation: number;
  receivedBytes: number;
  /** Audio of the item that arrived after a barge-in and was dropped (still part of the generated text). */
  discardedBytes: number;
  /** Set by interrupt(): what the caller heard (integer ms), so a later transcript is cut to it. */
  heardMs: number | undefined;
}

/** Bound on remembered responses/items: a 60-minute call has a few hundred; memory stays flat beyond that. */
const MAX_REMEMBERED = 512;

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_REMEMBERED) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}

export class ResponseLedger {
  readonly #responses = new Map<string, ResponseRecord>();
  readonly #items = new Map<string, ItemRecord>();
  readonly #discarded = new Set<string>();
  readonly #bytesPerMs: number;

  constructor(bytesPerMs: number) {
    this.#bytesPerMs = bytesPerMs;
  }

  created(id: string, kind: ResponseKind, ref: string | undefined, generation: number, nowMs: number): ResponseRecord {
    const existing = this.#responses.get(id);
    if (existing) return existing;
    const rec: ResponseRecord = {
      id,
      kind,
      ref,
      generation,
      createdAtMs: nowMs,
      done: false,
      status: undefined,
      hadAudio: false,
      text: undefined,
      firstAudioAtMs: undefined,
      turn: undefined,
      speechSeqAtCreate: 0,
    };
    this.#responses.set(id, rec);
    trim(this.#responses);
    return rec;
  }

  get(id: string): ResponseRecord | undefined {
    return this.#responses.get(id);
  }

  item(itemId: string): ItemRecord | undefined {
    return this.#items.get(itemId);
  }

  /** Records `bytes` of audio for the item; false when the response was discarded (drop the delta). */
  audio(responseId: string, itemId: string, bytes: number, generation: number, nowMs: number): boolean {
    if (this.#discarded.has(responseId)) return false;
    const rec = this.#responses.get(responseId) ?? this.created(responseId, 'turn', undefined, generation, nowMs);
    rec.hadAudio = true;
    rec.firstAudioAtMs ??= nowMs;
    let item = this.#items.get(itemId);
    if (!item) {
      item = { itemId, responseId, generation, receivedBytes: 0, discardedBytes: 0, heardMs: undefined };
      this.#items.set(itemId, item);
      trim(this.#items);
    }
    item.receivedBytes += bytes;
    return true;
  }

  /** Audio received for the item, in ms (fractional; callers floor). 0 for an unknown item. */
  msReceived(itemId: string): number {
    const item = this.#items.get(itemId);
    return item ? item.receivedBytes / this.#bytesPerMs : 0;
  }

  /** A dropped late delta: counts toward what the model generated (the transcript covers it), not toward what was received. */
  discarded(itemId: string, bytes: number): void {
    const item = this.#items.get(itemId);
    if (item) item.discardedBytes += bytes;
  }

  /** Audio the model generated for the item (received + dropped late), in ms. */
  msGenerated(itemId: string): number {
    const item = this.#items.get(itemId);
    return item ? (item.receivedBytes + item.discardedBytes) / this.#bytesPerMs : 0;
  }

  discard(responseId: string): void {
    this.#discarded.add(responseId);
    if (this.#discarded.size > MAX_REMEMBERED) {
      const first = this.#discarded.values().next();
      if (!first.done) this.#discarded.delete(first.value);
    }
  }

  isDiscarded(responseId: string): boolean {
    return this.#discarded.has(responseId);
  }

  finish(id: string, status: ResponseDoneInfo['status'], generation: number, nowMs: number): ResponseRecord {
    const rec = this.#responses.get(id) ?? this.created(id, 'turn', undefined, generation, nowMs);
    rec.done = true;
    rec.status = status;
    return rec;
  }

  /** The response of this session generation that has been created and is not done yet. */
  active(generation: number): ResponseRecord | undefined {
    for (const rec of this.#responses.values()) {
      if (!rec.done && rec.generation === generation) return rec;
    }
    return undefined;
  }

  /** Responses of a generation that will never finish (their socket is gone). */
  unfinished(generation: number): ResponseRecord[] {
    return [...this.#responses.values()].filter((r) => !r.done && r.generation === generation);
  }
}

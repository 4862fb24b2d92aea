/**
 * Outbound playout pacer: one frame every `frameMs` on absolute deadlines (`next += frameMs`, sleep `next - now`),
 * so timer lateness never accumulates into drift. Tracks, per item, exactly how much audio was sent, so a barge-in
 * can tell the provider what the caller heard.
 *
 * Audio of each item is copied into pooled blocks and re-chunked by its own BlockChunker; the last partial frame of an
 * item is padded with silence once the item ends (endOfItem, or when the next item's audio follows it).
 */
import type { PlayedItem } from '../providers/VoiceProvider.js';
import { BlockChunker, BlockPool } from './BlockChunker.js';

export interface PacerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(h: unknown): void;
  /** Run timers already due (a shared clock, called from I/O callbacks so a burst does not hold them back). */
  poll?(): void;
}

export const systemClock: PacerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PacerSendInfo {
  /** First frame of a talkspurt (after idle, clear or start). */
  marker: boolean;
  /** Time the stream carried no frames before this one, beyond the regular frame spacing (0 when continuous). */
  idleMs: number;
  /** Set on the first frame of an item: its itemId (the item's audio starts playing with this frame). */
  itemStart?: string;
}

export interface PacerOptions {
  frameBytes: number;
  frameMs?: number;
  /** Pads an item's last partial frame (0xFF μ-law, 0xD5 A-law, 0x00 L16). */
  silenceByte?: number;
  send: (frame: Buffer, info: PacerSendInfo) => void;
  clock?: PacerClock;
  /** Late by this many frames or more: resync the deadline to now instead of bursting to catch up. */
  maxLateFrames?: number;
  /** Told when playout starts and when it stops (drained, cleared or stopped); for a mirror in another thread. */
  onPlaying?: (playing: boolean) => void;
  /** Where queued audio is copied to (default: this thread's shared pool). */
  blocks?: BlockPool;
}

export interface PacerStats {
  framesSent: number;
  /** Times the queue ran dry mid-item (before its endOfItem). */
  underruns: number;
  /** Times the loop was so late that the deadline clock was reset instead of bursting. */
  resyncs: number;
  /** Bytes dropped by clear(). */
  bytesCleared: number;
}

export interface PlayoutResult {
  interrupted: boolean;
  /** Ms played in the current playout segment (since playout last started from an empty queue). */
  playbackPositionMs: number;
}

interface ItemRecord {
  itemId: string;
  responseId: string;
  playedBytes: number;
}

interface Entry {
  record: ItemRecord;
  chunker: BlockChunker;
  ended: boolean;
}

interface Taken {
  frame: Buffer;
  record: ItemRecord;
  realBytes: number;
}

/** Node timers run on libuv's whole-ms clock and can fire up to 1 ms before a performance.now deadline. */
export const TIMER_EARLY_TOLERANCE_MS = 1;
/** 3 frames (60 ms): a burst that small is absorbed by the far end's jitter buffer; a larger one only adds latency. */
const DEFAULT_MAX_LATE_FRAMES = 3;

export class Pacer {
  readonly frameBytes: number;
  readonly frameMs: number;
  readonly silenceByte: number;
  readonly stats: PacerStats = { framesSent: 0, underruns: 0, resyncs: 0, bytesCleared: 0 };

  readonly #send: (frame: Buffer, info: PacerSendInfo) => void;
  readonly #clock: PacerClock;
  readonly #maxLateMs: number;
  readonly #onPlaying: ((playing: boolean) => void) | undefined;
  #entries: Entry[] = [];
  #records = new Map<string, ItemRecord>();
  #queuedBytes = 0;
  #timer: unknown = undefined;
  #playing = false;
  #stopped = false;
  /** Bumped by clear/stop so a tick interrupted by a re-entrant call stops touching state. */
  #generation = 0;
  /** Deadline of the next frame. */
  #next = 0;
  /** Deadline of the first frame that could not be sent when the stream went idle; undefined before any frame. */
  #idleSince: number | undefined;
  #talkspurtStart = true;
  #segmentPlayedBytes = 0;
  #waiters: Array<(r: PlayoutResult) => void> = [];
  readonly #blocks: BlockPool;

  constructor(options: PacerOptions) {
    const { frameBytes, frameMs = 20 } = options;
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer (got ${frameBytes})`);
    if (!(frameMs > 0)) throw new RangeError(`frameMs must be positive (got ${frameMs})`);
    this.frameBytes = frameBytes;
    this.frameMs = frameMs;
    this.silenceByte = options.silenceByte ?? 0;
    this.#send = options.send;
    this.#clock = options.clock ?? systemClock;
    this.#maxLateMs = (options.maxLateFrames ?? DEFAULT_MAX_LATE_FRAMES) * frameMs;
    this.#onPlaying = options.onPlaying;
    this.#blocks = options.blocks ?? BlockPool.shared;
  }

  get isPlaying(): boolean {
    return this.#playing;
  }

  /** Total audio queued and not yet sent, in ms (partial frames included). */
  get queuedMs(): number {
    return this.#bytesToMs(this.#queuedBytes);
  }

  /** Audio of any size for an item; played in write order. Playout starts at once when idle. */
  write(chunk: Buffer, tag: { responseId: string; itemId: string }): void {
    if (this.#stopped || chunk.length === 0) return;
    if (!this.#playing && this.#queuedBytes === 0) this.#segmentPlayedBytes = 0; // a new playout segment
    let entry: Entry | undefined;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!;
      if (e.record.itemId === tag.itemId && !e.ended) {
        entry = e;
        break;
      }
    }
    if (entry === undefined) {
      let record = this.#records.get(tag.itemId);
      if (record === undefined) {
        record = { itemId: tag.itemId, responseId: tag.responseId, playedBytes: 0 };
        this.#records.set(tag.itemId, record);
      }
      entry = { record, chunker: new BlockChunker(this.frameBytes, this.#blocks), ended: false };
      this.#entries.push(entry);
    }
    entry.chunker.push(chunk);
    this.#queuedBytes += chunk.length;
    if (!this.#playing) this.#kick();
  }

  /** No more audio for this item: its last partial frame is padded with silence and played. */
  endOfItem(itemId: string): void {
    if (this.#stopped) return;
    for (const e of this.#entries) if (e.record.itemId === itemId) e.ended = true;
    if (!this.#playing) this.#kick();
  }

  /**
   * Barge-in: drop everything queued at once (no frame is sent after this returns) and report, for every item
   * still queued or playing (not yet played out in full), exactly how much was sent. Items the caller heard to the
   * end need no truncation and are not reported (a fully played greeting must not be "cut" at its own length).
   */
  clear(): PlayedItem[] {
    if (this.#stopped) return [];
    this.#halt();
    const unfinished = new Set<string>();
    for (const e of this.#entries) {
      unfinished.add(e.record.itemId);
      this.stats.bytesCleared += e.chunker.clear();
    }
    this.#entries = [];
    this.#queuedBytes = 0;
    const played: PlayedItem[] = [];
    for (const r of this.#records.values()) {
      if (unfinished.has(r.itemId)) played.push({ itemId: r.itemId, responseId: r.responseId, playedMs: this.#bytesToMs(r.playedBytes) });
    }
    this.#records.clear();
    this.#resolveWaiters(true);
    this.#segmentPlayedBytes = 0;
    return played;
  }

  /** Ms of this item sent so far (since the last clear). */
  playedMs(itemId: string): number {
    const r = this.#records.get(itemId);
    return r === undefined ? 0 : this.#bytesToMs(r.playedBytes);
  }

  /**
   * Resolves when nothing playable remains (queue drained; a partial frame of an item still open is not playable),
   * or with interrupted=true on clear()/stop(). Resolves at once when not playing.
   */
  waitForPlayout(): Promise<PlayoutResult> {
    if (this.#stopped || !this.#playing) {
      return Promise.resolve({ interrupted: this.#stopped, playbackPositionMs: this.#bytesToMs(this.#segmentPlayedBytes) });
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stop for good: timer gone, queue dropped, waiters released. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#halt();
    this.#stopped = true;
    for (const e of this.#entries) e.chunker.clear();
    this.#entries = [];
    this.#queuedBytes = 0;
    this.#resolveWaiters(true);
  }

  #halt(): void {
    this.#generation++;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.#playing) {
      this.#playing = false;
      this.#idleSince = this.#next;
      this.#talkspurtStart = true;
      this.#onPlaying?.(false);
    }
  }

  /** One function for every tick's timer, not a new closure per frame. */
  readonly #onTimer = (): void => this.#tick();

  #kick(): void {
    if (!this.#canPlay()) return;
    const now = this.#clock.now();
    this.#playing = true;
    this.#onPlaying?.(true);
    // Never earlier than the grid of the previous talkspurt: frames stay ≥ frameMs apart.
    this.#next = this.#idleSince !== undefined && this.#idleSince > now ? this.#idleSince : now;
    if (this.#next > now) this.#timer = this.#clock.setTimer(this.#onTimer, this.#next - now);
    else this.#tick();
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const gen = this.#generation;
    const now = this.#clock.now();
    let skippedMs = 0;
    if (now - this.#next >= this.#maxLateMs) {
      skippedMs = now - this.#next;
      this.#next = now;
      this.stats.resyncs++;
    }
    while (this.#next <= now + TIMER_EARLY_TOLERANCE_MS) {
      const taken = this.#take();
      if (taken === undefined) {
        this.#goIdle();
        return;
      }
      this.#emit(taken, skippedMs);
      skippedMs = 0;
      if (gen !== this.#generation) return; // send() called clear()/stop()
      this.#next += this.frameMs;
    }
    this.#timer = this.#clock.setTimer(this.#onTimer, Math.max(0, this.#next - now));
  }

  #emit(t: Taken, skippedMs: number): void {
    const marker = this.#talkspurtStart;
    let idleMs = skippedMs;
    if (marker && this.#idleSince !== undefined) idleMs = Math.max(0, this.#next - this.#idleSince);
    this.#talkspurtStart = false;
    const itemStart = t.record.playedBytes === 0 ? t.record.itemId : undefined;
    t.record.playedBytes += t.realBytes;
    this.#segmentPlayedBytes += t.realBytes;
    this.#queuedBytes -= t.realBytes;
    this.stats.framesSent++;
    this.#send(t.frame, itemStart === undefined ? { marker, idleMs } : { marker, idleMs, itemStart });
  }

  #goIdle(): void {
    this.#playing = false;
    this.#idleSince = this.#next;
    this.#talkspurtStart = true;
    if (this.#entries.length > 0) this.stats.underruns++; // an item still open ran dry
    this.#onPlaying?.(false);
    this.#resolveWaiters(false);
  }

  /** Whether a frame could be produced now (without consuming anything). */
  #canPlay(): boolean {
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const finished = e.ended || i < entries.length - 1;
      if (e.chunker.bytesQueued >= this.frameBytes) return true;
      if (e.chunker.bytesQueued > 0) return finished;
      if (!finished) return false;
    }
    return false;
  }

  /** Next frame in item order; finished items (ended, or followed by another item) give their padded remainder. */
  #take(): Taken | undefined {
    const entries = this.#entries;
    while (entries.length > 0) {
      const e = entries[0]!;
      const full = e.chunker.shift();
      if (full !== undefined) return { frame: full, record: e.record, realBytes: this.frameBytes };
      if (!e.ended && entries.length === 1) return undefined;
      const last = e.chunker.drain(this.silenceByte); // a copy: the item's blocks can go back to the pool now
      const realBytes = e.chunker.lastRealBytes;
      e.chunker.clear();
      entries.shift();
      if (last !== undefined) return { frame: last, record: e.record, realBytes };
    }
    return undefined;
  }

  #resolveWaiters(interrupted: boolean): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    const result = { interrupted, playbackPositionMs: this.#bytesToMs(this.#segmentPlayedBytes) };
    for (const w of waiters) w(result);
  }

  #bytesToMs(bytes: number): number {
    return (bytes * this.frameMs) / this.frameBytes;
  }
}

/**
 * Messages between the main thread (`WorkerMediaHost`) and the media worker (`MediaWorkerServer`), carried by a
 * ThreadLink (shared rings, no lock shared with the real-time media thread). Each side sends at most one message per
 * event-loop turn, and the audio of that turn travels in ONE byte array that the messages index into: at 300 calls
 * a turn can carry thousands of chunks, and cloning one typed array per chunk cost the media thread milliseconds.
 * Messages are JSON data; byte arrays travel beside them as the link's parts (see linkRecord), never inside.
 */
import type { PlayedItem } from '../providers/VoiceProvider.js';
import type { MediaChannelOptions, MediaProbe } from './MediaChannel.js';
import type { PlayoutResult } from './Pacer.js';
import type { RtpSessionStats } from './RtpSession.js';
import type { PriorityOutcome, PriorityRequest } from './threadPriority.js';

export interface MediaWorkerData {
  /** The two rings of the ThreadLink every message below travels on (MessagePort only introduces the doorbells). */
  link: { toWorker: SharedArrayBuffer; toMain: SharedArrayBuffer };
  host: string;
  minPort: number;
  maxPort: number;
  /** Scheduling to ask for this thread (see threadPriority). */
  priority: PriorityRequest;
}

export type ChannelSpec = Omit<MediaChannelOptions, 'logger'>;

/** Main → worker. Requests carry `req`; the worker answers each with exactly one `reply`. */
export type ToWorker =
  | { t: 'open'; req: number; id: number; spec: ChannelSpec }
  | { t: 'remote'; id: number; host: string; port: number }
  /** Audio: bytes [offset, offset + length) of the carrying batch's `data`. */
  | { t: 'write'; id: number; offset: number; length: number; responseId: string; itemId: string }
  | { t: 'end'; id: number; itemId: string }
  | { t: 'clear'; req: number; id: number; gen: number }
  | { t: 'wait'; req: number; id: number }
  | { t: 'close'; req: number; id: number }
  | { t: 'probe'; req: number }
  | { t: 'stats'; req: number }
  /** Several of the above, in order (one message per main-thread turn); part 0 is the audio their writes index. */
  | { t: 'many'; msgs: ToWorker[] };

export interface ReplyValues {
  open: { port: number };
  clear: PlayedItem[];
  wait: PlayoutResult;
  close: RtpSessionStats;
  probe: MediaProbe;
  stats: Array<{ id: number; stats: RtpSessionStats }>;
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
}

/** Caller frames of one worker turn, in arrival order (a batch's two parts): all bytes in `data`, three Int32 per frame in `index`. */
export interface FrameBatch {
  data: Uint8Array;
  /** Per frame: channel id, byte offset in data, length (negative = synthetic silence). */
  index: Int32Array;
}

export interface LogLine {
  id: number;
  level: 'debug' | 'info' | 'warn';
  obj: object;
  msg: string;
}

/** Over the worker's MessagePort, once each way before anything else: the sender's doorbell port. */
export interface LinkHello {
  t: 'link';
  port: number;
}

/** Worker → main. Everything but replies is batched: at most one `batch` per worker event-loop turn. */
export type FromWorker =
  | { t: 'ready'; priority: PriorityOutcome }
  | { t: 'reply'; req: number; ok: true; value: unknown }
  | { t: 'reply'; req: number; ok: false; error: WireError }
  | {
      t: 'batch';
      /** Whether caller frames came: then part 0 is FrameBatch.data and part 1 its index (Int32 bytes). */
      frames: boolean;
      /** Playout state changes, tagged with the clear generation they follow (older ones are stale). */
      playing: Array<{ id: number; playing: boolean; gen: number }>;
      /** First packets of agent audio items sent this turn (`at`: monoMs after the send). */
      starts: Array<{ id: number; itemId: string; at: number }>;
      logs: LogLine[];
    };

/** A growable byte buffer, reused turn after turn: `take()` hands its content over and starts again. */
export class ByteStage {
  #buf: Uint8Array;
  #used = 0;

  constructor(initialBytes = 4096) {
    this.#buf = new Uint8Array(initialBytes);
  }

  get used(): number {
    return this.#used;
  }

  /** Appends; returns the offset the bytes start at. */
  append(bytes: Uint8Array): number {
    const at = this.#used;
    if (at + bytes.length > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, at + bytes.length));
      bigger.set(this.#buf.subarray(0, at));
      this.#buf = bigger;
    }
    this.#buf.set(bytes, at);
    this.#used += bytes.length;
    return at;
  }

  /**
   * The content, as a view valid until the next append, and starts again. The link serializes (copies) a message
   * inside postMessage, so the view is posted as is: a copy here would be the same bytes copied twice per turn.
   */
  take(): Uint8Array {
    const out = this.#buf.subarray(0, this.#used);
    this.#used = 0;
    return out;
  }
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

export function fromWireError(e: WireError): Error {
  const err = new Error(e.message) as NodeJS.ErrnoException;
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/**
 * Messages between the main thread (`WorkerMediaHost`) and the media worker (`MediaWorkerServer`).
 * Audio crosses as exact-size Uint8Arrays whose buffers are transferred, never as views of a pooled Buffer (a
 * structured clone would copy the whole 8 KB pool).
 */
import type { PlayedItem } from '../providers/VoiceProvider.js';
import type { MediaChannelOptions, MediaProbe } from './MediaChannel.js';
import type { PlayoutResult } from './Pacer.js';
import type { RtpSessionStats } from './RtpSession.js';

export interface MediaWorkerData {
  host: string;
  minPort: number;
  maxPort: number;
  /** Nice value to ask for this thread (0: leave as is). */
  nice: number;
}

/** What became of the requested thread priority. */
export type PriorityOutcome = { applied: true; nice: number } | { applied: false; nice: number; reason: string };

export type ChannelSpec = Omit<MediaChannelOptions, 'logger'>;

/** Main → worker. Requests carry `req`; the worker answers each with exactly one `reply`. */
export type ToWorker =
  | { t: 'open'; req: number; id: number; spec: ChannelSpec }
  | { t: 'remote'; id: number; host: string; port: number }
  | { t: 'write'; id: number; chunk: Uint8Array; responseId: string; itemId: string }
  | { t: 'end'; id: number; itemId: string }
  | { t: 'clear'; req: number; id: number; gen: number }
  | { t: 'wait'; req: number; id: number }
  | { t: 'close'; req: number; id: number }
  | { t: 'probe'; req: number }
  | { t: 'stats'; req: number };

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

export interface FrameRun {
  id: number;
  /** Consecutive 20 ms frames of this channel, concatenated. */
  data: Uint8Array;
  /** One byte per frame: 1 = synthetic silence. */
  synthetic: Uint8Array;
}

export interface LogLine {
  id: number;
  level: 'debug' | 'info' | 'warn';
  obj: object;
  msg: string;
}

/** Worker → main. Everything but replies is batched: at most one `batch` per worker event-loop turn. */
export type FromWorker =
  | { t: 'ready'; priority: PriorityOutcome }
  | { t: 'reply'; req: number; ok: true; value: unknown }
  | { t: 'reply'; req: number; ok: false; error: WireError }
  | {
      t: 'batch';
      frames: FrameRun[];
      /** Playout state changes, tagged with the clear generation they follow (older ones are stale). */
      playing: Array<{ id: number; playing: boolean; gen: number }>;
      logs: LogLine[];
      stats: Array<{ id: number; stats: RtpSessionStats }>;
    };

/** A copy of `buf` in its own exact-size ArrayBuffer, safe to transfer. */
export function ownBytes(buf: Uint8Array): Uint8Array {
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

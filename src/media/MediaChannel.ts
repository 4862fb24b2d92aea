/**
 * What a call sees of its RTP path, wherever the socket and the 20 ms clock live: in this thread
 * (`InlineMediaHost`) or in the media worker thread (`WorkerMediaHost`, the default), where no provider message,
 * ARI event or VAD frame of another call can delay a pacer tick.
 *
 * The contract is the in-thread one, made asynchronous where an answer needs the clock's thread:
 * - `clear()` stops playout at once (no frame is sent after the clock's thread sees it) and resolves with exactly
 *   what the caller heard of each unfinished item;
 * - `waitForPlayout()` is ordered after every earlier `write`/`endOfItem`;
 * - `isPlaying` is a mirror, exact in-thread and at most one event-loop turn behind in the worker; `clear()` sets it
 *   false at once.
 */
import type { PlayedItem } from '../providers/VoiceProvider.js';
import type { TypedEmitter } from '../util/TypedEmitter.js';
import type { PlayoutResult } from './Pacer.js';
import type { MediaLog, RtpFrameInfo, RtpSessionStats } from './RtpSession.js';
import type { OutboundWireCodec, WireCodec } from './wireCodec.js';

export type MediaChannelEvents = {
  /** Exactly one 20 ms frame in the inbound wire codec. A view: do not mutate or keep beyond the call. */
  frame: [frame: Buffer, info: RtpFrameInfo];
  /** The media path is gone under the call (the media worker died); the call must end by policy. */
  failed: [reason: string];
  /**
   * The first RTP packet of an agent audio item was sent. `sentAt`: monotonic ms (monoMs, one clock for every
   * thread and process), taken right after the send in the thread that owns the socket.
   */
  itemStart: [info: { itemId: string; sentAt: number }];
};

export interface MediaChannel extends Pick<TypedEmitter<MediaChannelEvents>, 'on' | 'off' | 'once'> {
  /** Local UDP port Asterisk sends this call's RTP to. */
  readonly port: number;
  /** Where Asterisk receives our RTP (UNICASTRTP_LOCAL_ADDRESS/PORT). */
  setRemote(host: string, port: number): void;
  /** Agent audio in the outbound wire codec, any size; played in write order on the 20 ms clock. */
  write(chunk: Buffer, tag: { responseId: string; itemId: string }): void;
  /** No more audio for this item: its last partial frame is padded and played. */
  endOfItem(itemId: string): void;
  /** Barge-in: drop everything queued at once; resolves with what the caller heard of each unfinished item. */
  clear(): Promise<PlayedItem[]>;
  readonly isPlaying: boolean;
  /** Resolves when nothing playable remains, or interrupted by clear()/close(). */
  waitForPlayout(): Promise<PlayoutResult>;
  /** Counters (in the worker: as of the last MediaHost.refreshStats(), which a metrics scrape runs first; final after close()). */
  stats(): RtpSessionStats;
  /** Stop the clock, close the socket, give the port back. Idempotent; resolves once the final stats are in. */
  close(): Promise<void>;
}

export interface MediaChannelOptions {
  inboundCodec: WireCodec;
  outboundCodec: OutboundWireCodec;
  /** Hosts allowed to send us RTP besides the remote given to setRemote. */
  allowedHosts: string[];
  /** Fill caller silence with synthetic frames after this long without a packet; false disables. */
  gapFill: { afterMs: number } | false;
  logger?: MediaLog;
}

/** What a media host holds right now: for leak checks and /health. */
export interface MediaProbe {
  channels: number;
  ports: number;
  /** Live libuv handles in the thread that owns the sockets and timers (process.getActiveResourcesInfo). */
  resources: Record<string, number>;
  /** That thread's event loop so far (ms idle / active; diff two probes for its utilisation). */
  loop: { idleMs: number; activeMs: number };
}

export interface MediaHost {
  readonly kind: 'worker' | 'inline';
  /** Ready for calls (the worker thread is up): a broken install shows at start-up, not on the first call. */
  start(): Promise<void>;
  /** Bind a port from the range and start a channel on it. Rejects with PortRangeExhaustedError when none is left. */
  open(options: MediaChannelOptions): Promise<MediaChannel>;
  probe(): Promise<MediaProbe>;
  /** Bring every channel's stats() up to date (before a metrics scrape). */
  refreshStats(): Promise<void>;
  /** Close every channel and stop the thread (shutdown). */
  close(): Promise<void>;
}

export function countResources(kinds: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

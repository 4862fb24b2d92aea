/**
 * Media channels in this thread: a PortAllocator socket and an RtpSession per call, timers on this event loop.
 * Used with `external_media.media_thread: false`, and by the media worker itself (which is this, in its own thread).
 */
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { PlayedItem } from '../providers/VoiceProvider.js';
import { countResources, type MediaChannel, type MediaChannelEvents, type MediaChannelOptions, type MediaHost, type MediaProbe } from './MediaChannel.js';
import { MediaClock } from './MediaClock.js';
import type { PlayoutResult } from './Pacer.js';
import { PortAllocator, type PortAllocatorOptions } from './PortAllocator.js';
import { RtpSession, type RtpSessionStats } from './RtpSession.js';

export interface InlineChannelHooks {
  /** Playout started/stopped (the worker forwards this to the main thread's mirror). */
  onPlaying?: (playing: boolean) => void;
}

export class InlineMediaChannel extends TypedEmitter<MediaChannelEvents> implements MediaChannel {
  readonly port: number;
  readonly #rtp: RtpSession;
  readonly #release: () => void;
  #closed = false;

  constructor(rtp: RtpSession, port: number, release: () => void) {
    super();
    this.#rtp = rtp;
    this.port = port;
    this.#release = release;
    rtp.on('frame', (frame, info) => this.emit('frame', frame, info));
    rtp.on('itemStart', (itemId, sentAt) => this.emit('itemStart', { itemId, sentAt }));
  }

  setRemote(host: string, port: number): void {
    this.#rtp.setRemote(host, port);
  }

  write(chunk: Buffer, tag: { responseId: string; itemId: string }): void {
    this.#rtp.pacer.write(chunk, tag);
  }

  endOfItem(itemId: string): void {
    this.#rtp.pacer.endOfItem(itemId);
  }

  /** Synchronous underneath; the first answer is exact. */
  clearNow(): PlayedItem[] {
    return this.#rtp.pacer.clear();
  }

  clear(): Promise<PlayedItem[]> {
    return Promise.resolve(this.clearNow());
  }

  get isPlaying(): boolean {
    return !this.#closed && this.#rtp.pacer.isPlaying;
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.#rtp.pacer.waitForPlayout();
  }

  stats(): RtpSessionStats {
    return this.#rtp.stats();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#rtp.close();
      this.#release();
      this.removeAllListeners();
    }
    return Promise.resolve();
  }
}

function loopTimes(): MediaProbe['loop'] {
  const u = performance.eventLoopUtilization();
  return { idleMs: u.idle, activeMs: u.active };
}

export class InlineMediaHost implements MediaHost {
  readonly kind = 'inline';
  readonly #ports: PortAllocator;
  readonly #channels = new Set<InlineMediaChannel>();
  /** Every channel's timers on one heap and one Node timer (see MediaClock). */
  readonly clock: MediaClock;

  constructor(ports: PortAllocatorOptions, opts: { onTimerError?: (err: unknown) => void } = {}) {
    this.#ports = new PortAllocator(ports);
    this.clock = new MediaClock({ ...(opts.onTimerError ? { onError: opts.onTimerError } : {}) });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  async open(options: MediaChannelOptions, hooks: InlineChannelHooks = {}): Promise<InlineMediaChannel> {
    const { socket, port } = await this.#ports.allocate();
    const rtp = new RtpSession({
      socket,
      inboundCodec: options.inboundCodec,
      outboundCodec: options.outboundCodec,
      allowedHosts: options.allowedHosts,
      gapFill: options.gapFill,
      clock: this.clock,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(hooks.onPlaying ? { onPlaying: hooks.onPlaying } : {}),
    });
    const channel = new InlineMediaChannel(rtp, port, () => {
      this.#ports.release(port);
      this.#channels.delete(channel);
    });
    this.#channels.add(channel);
    return channel;
  }

  /** In-thread stats are always current. */
  refreshStats(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * libuv closes a handle only in the close phase at the end of its loop iteration, and lists it as active until
   * then: a socket closed just before the probe is not a leak. Two check-phase turns put one close phase behind us.
   */
  async probe(): Promise<MediaProbe> {
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    return {
      channels: this.#channels.size,
      ports: this.#ports.inUse,
      resources: countResources(process.getActiveResourcesInfo()),
      loop: loopTimes(),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#channels].map((c) => c.close()));
    this.#ports.releaseAll();
  }
}

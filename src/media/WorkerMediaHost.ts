/**
 * Media channels whose sockets, RTP sessions and 20 ms clocks live in one worker thread (`mediaWorker.ts`), so
 * pacing does not queue behind provider messages, ARI events and VAD on the main event loop. The main thread keeps
 * the gate, the converters and the provider; audio and control cross on a ThreadLink (shared rings, no lock).
 *
 * If the worker dies, every live channel emits `failed` (its call ends by policy) and the next call starts a new
 * worker.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PlayedItem } from '../providers/VoiceProvider.js';
import { TypedEmitter } from '../util/TypedEmitter.js';
import type { MediaChannel, MediaChannelEvents, MediaChannelOptions, MediaHost, MediaProbe } from './MediaChannel.js';
import { emptyJitterCounts } from './JitterHistogram.js';
import type { PlayoutResult } from './Pacer.js';
import { PortRangeExhaustedError, checkPortRange, type PortAllocatorOptions } from './PortAllocator.js';
import type { MediaLog, RtpSessionStats } from './RtpSession.js';
import { SharedRing } from './SharedRing.js';
import { int32Part } from './linkRecord.js';
import { MEDIA_THREAD_LIMITS, serialScavenges } from './mediaThreadHeap.js';
import { ThreadLink } from './ThreadLink.js';
import { ByteStage, type FromWorker, type LinkHello, type MediaWorkerData, type ReplyValues, type ToWorker, fromWireError } from './mediaWorkerProtocol.js';
import type { PriorityOutcome, PriorityRequest } from './threadPriority.js';

const ZERO_STATS: RtpSessionStats = {
  packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, malformed: 0, foreign: 0, badPayloadType: 0, late: 0, lost: 0,
  duplicate: 0, syntheticFrames: 0, underruns: 0, resyncs: 0, framesIn: 0, ssrcChanges: 0, sendErrors: 0, notSent: 0,
  sendJitter: emptyJitterCounts(),
};

/** A metrics scrape waits at most this long for the media thread's counters (it answers in well under 1 ms). */
const STATS_REFRESH_TIMEOUT_MS = 1_000;

/** Ring sizes of the link: main → worker carries provider audio (bursts ahead of real time), the other caller frames. */
const TO_WORKER_RING_BYTES = 8 << 20;
const TO_MAIN_RING_BYTES = 4 << 20;
/** A turn's staged audio is sent once it reaches this, and one write is cut into pieces of at most this. */
const MAX_STAGED_AUDIO = 512 << 10;

/** Compiled: dist/media/mediaWorker.js. From source (tests, bench, tsx): the .ts file through tsx's loader. */
function spawnWorker(data: MediaWorkerData): Worker {
  serialScavenges();
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./mediaWorker.ts', here).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
    return new Worker(boot, { eval: true, workerData: data, resourceLimits: MEDIA_THREAD_LIMITS });
  }
  return new Worker(new URL('./mediaWorker.js', here), { workerData: data, resourceLimits: MEDIA_THREAD_LIMITS });
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

type RequestType = keyof ReplyValues;

class WorkerThread {
  readonly worker: Worker;
  readonly link: ThreadLink;
  readonly ready: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  #outbox: ToWorker[] = [];
  readonly #audio = new ByteStage(16_384);
  #flushScheduled = false;
  #nextReq = 1;
  dead = false;

  constructor(data: Omit<MediaWorkerData, 'link'>, onMessage: (m: FromWorker, parts: Uint8Array[]) => void, onDeath: (why: string) => void, onReady: (p: PriorityOutcome) => void) {
    const rings = { toWorker: SharedRing.allocate(TO_WORKER_RING_BYTES), toMain: SharedRing.allocate(TO_MAIN_RING_BYTES) };
    this.link = new ThreadLink({ send: rings.toWorker, receive: rings.toMain }, { unref: true });
    this.worker = spawnWorker({ ...data, link: rings });
    this.worker.unref(); // the agent's sockets keep the process alive; a leftover worker must not
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => undefined);
    const die = (why: string) => {
      if (this.dead) return;
      this.dead = true;
      const err = new Error(`media worker stopped: ${why}`);
      failReady(err);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.link.close();
      onDeath(why);
    };
    this.link.on('message', (message, parts) => {
      const m = message as FromWorker;
      if (m.t === 'ready') {
        onReady(m.priority);
        markReady();
      }
      else if (m.t === 'reply') this.#settle(m);
      else onMessage(m, parts);
    });
    // The doorbell ports, exchanged once over the MessagePort; everything else goes through the link.
    this.worker.on('message', (m: LinkHello) => {
      if (m.t === 'link') this.link.connect(m.port);
    });
    this.link.bound.then(
      (port) => {
        if (!this.dead) this.worker.postMessage({ t: 'link', port } satisfies LinkHello);
      },
      (err: Error) => {
        die(`no doorbell socket on 127.0.0.1: ${err.message}`);
        void this.worker.terminate();
      },
    );
    this.worker.on('error', (err) => die(err.message));
    this.worker.on('exit', (code) => die(`exit code ${code}`));
  }

  /**
   * Queued and sent as one message per event-loop turn: at 300 calls the provider deltas alone would be thousands of
   * messages a second, each waking the media thread.
   */
  post(m: ToWorker): void {
    if (this.dead) return;
    this.#outbox.push(m);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Requests go out at once, after everything queued before them (a barge-in must not wait a turn). */
  request<K extends RequestType>(m: ToWorker & { t: K; req: number }): Promise<ReplyValues[K]> {
    if (this.dead) return Promise.reject(new Error('media worker stopped'));
    return new Promise((resolve, reject) => {
      this.#pending.set(m.req, { resolve: resolve as (v: unknown) => void, reject });
      this.#outbox.push(m);
      this.#flush();
    });
  }

  /**
   * Audio of a write, staged for this turn's message; the write message carries where it is. `now`: the pacer is
   * idle, so this audio starts playing the moment the media thread reads it: sent at once, not at the end of the turn.
   */
  postWrite(id: number, chunk: Buffer, tag: { responseId: string; itemId: string }, now = false): void {
    if (this.dead) return;
    // Bounded messages: the link carries at most half its ring in one, and a huge one would hold the media thread.
    for (let at = 0; at < chunk.length; at += MAX_STAGED_AUDIO) {
      const piece = chunk.subarray(at, at + MAX_STAGED_AUDIO);
      const offset = this.#audio.append(piece);
      this.post({ t: 'write', id, offset, length: piece.length, responseId: tag.responseId, itemId: tag.itemId });
      if (this.#audio.used >= MAX_STAGED_AUDIO) this.#flush();
    }
    if (now) this.#flush();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#outbox.length === 0 || this.dead) return;
    const msgs = this.#outbox;
    this.#outbox = [];
    const data = this.#audio.take();
    this.link.postMessage({ t: 'many', msgs } satisfies ToWorker, [data]);
  };

  nextReq(): number {
    return this.#nextReq++;
  }

  #settle(m: Extract<FromWorker, { t: 'reply' }>): void {
    const p = this.#pending.get(m.req);
    if (!p) return;
    this.#pending.delete(m.req);
    if (m.ok) p.resolve(m.value);
    else p.reject(fromWireError(m.error));
  }
}

export class WorkerMediaChannel extends TypedEmitter<MediaChannelEvents> implements MediaChannel {
  readonly port: number;
  readonly #id: number;
  readonly #thread: WorkerThread;
  readonly #forget: () => void;
  readonly log: MediaLog | undefined;
  #playing = false;
  /** The worker's pacer had nothing to play when last heard of (and nothing was written since). */
  #idle = true;
  #gen = 0;
  #stats: RtpSessionStats = { ...ZERO_STATS, sendJitter: emptyJitterCounts() };
  #closing: Promise<void> | undefined;
  #failed = false;

  constructor(thread: WorkerThread, id: number, port: number, log: MediaLog | undefined, forget: () => void) {
    super();
    this.#thread = thread;
    this.#id = id;
    this.port = port;
    this.log = log;
    this.#forget = forget;
  }

  get isPlaying(): boolean {
    return this.#playing && this.#closing === undefined;
  }

  setRemote(host: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`bad remote RTP port ${port}`);
    if (this.#closing === undefined) this.#thread.post({ t: 'remote', id: this.#id, host, port });
  }

  write(chunk: Buffer, tag: { responseId: string; itemId: string }): void {
    if (this.#closing !== undefined || chunk.length === 0) return;
    const starts = this.#idle;
    this.#idle = false;
    this.#thread.postWrite(this.#id, chunk, tag, starts);
  }

  endOfItem(itemId: string): void {
    if (this.#closing === undefined) this.#thread.post({ t: 'end', id: this.#id, itemId });
  }

  clear(): Promise<PlayedItem[]> {
    if (this.#closing !== undefined) return Promise.resolve([]);
    this.#playing = false;
    this.#idle = true;
    const gen = ++this.#gen;
    return this.#thread.request({ t: 'clear', req: this.#thread.nextReq(), id: this.#id, gen }).catch(() => []);
  }

  waitForPlayout(): Promise<PlayoutResult> {
    const interrupted: PlayoutResult = { interrupted: true, playbackPositionMs: 0 };
    if (this.#closing !== undefined) return Promise.resolve(interrupted);
    return this.#thread.request({ t: 'wait', req: this.#thread.nextReq(), id: this.#id }).catch(() => interrupted);
  }

  stats(): RtpSessionStats {
    return this.#stats;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#playing = false;
      try {
        const final = await this.#thread.request({ t: 'close', req: this.#thread.nextReq(), id: this.#id });
        if (final) this.#stats = final;
      } catch {
        // the worker is gone, and with it the socket
      }
      this.#forget();
      this.removeAllListeners();
    })();
    return this.#closing;
  }

  /** One caller frame from the worker's batch (a view: listeners copy what they keep). */
  deliver(frame: Buffer, synthetic: boolean): void {
    if (this.#closing === undefined) this.emit('frame', frame, { synthetic });
  }

  playingChanged(playing: boolean, gen: number): void {
    if (gen !== this.#gen) return;
    this.#playing = playing;
    if (!playing) this.#idle = true;
  }

  itemStarted(itemId: string, sentAt: number): void {
    if (this.#closing === undefined) this.emit('itemStart', { itemId, sentAt });
  }

  updateStats(stats: RtpSessionStats): void {
    if (this.#closing === undefined) this.#stats = stats;
  }

  fail(reason: string): void {
    if (this.#failed || this.#closing !== undefined) return;
    this.#failed = true;
    this.#playing = false;
    this.emit('failed', reason);
  }
}

export interface WorkerMediaHostOptions extends PortAllocatorOptions {
  logger: Logger;
  /** Scheduling asked for the media thread (default: leave as is). */
  priority?: PriorityRequest;
}

export class WorkerMediaHost implements MediaHost {
  readonly kind = 'worker';
  readonly #opts: WorkerMediaHostOptions;
  readonly #channels = new Map<number, WorkerMediaChannel>();
  #thread: WorkerThread | undefined;
  /** The media thread's scheduling priority, once it is up. */
  priority: PriorityOutcome | undefined;
  #nextId = 1;
  #closed = false;

  constructor(opts: WorkerMediaHostOptions) {
    checkPortRange(opts.minPort, opts.maxPort); // fail here, not on the first call in the worker
    this.#opts = opts;
  }

  async start(): Promise<void> {
    await this.#live().ready;
  }

  async open(options: MediaChannelOptions): Promise<MediaChannel> {
    if (this.#closed) throw new Error('media host closed');
    const thread = this.#live();
    await thread.ready;
    const id = this.#nextId++;
    const { logger, ...spec } = options;
    let port: number;
    try {
      ({ port } = await thread.request({ t: 'open', req: thread.nextReq(), id, spec }));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'RTP_PORTS_EXHAUSTED') throw new PortRangeExhaustedError(this.#opts.minPort, this.#opts.maxPort);
      throw err;
    }
    const channel = new WorkerMediaChannel(thread, id, port, logger, () => this.#channels.delete(id));
    this.#channels.set(id, channel);
    if (thread.dead) channel.fail('media worker stopped');
    return channel;
  }

  async probe(): Promise<MediaProbe> {
    const thread = this.#thread;
    if (!thread || thread.dead) return { channels: 0, ports: 0, resources: {}, loop: { idleMs: 0, activeMs: 0 } };
    return thread.request({ t: 'probe', req: thread.nextReq() });
  }

  /** Stop the worker at once, as a crash would: its calls end by policy, the next call starts a new one (fault tests). */
  async kill(): Promise<void> {
    await this.#thread?.worker.terminate();
  }

  async refreshStats(): Promise<void> {
    const thread = this.#thread;
    if (!thread || thread.dead) return;
    // Bounded: a scrape must answer even if the media thread is stuck (its stats then stay as last reported).
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<[]>((resolve) => {
      timer = setTimeout(() => resolve([]), STATS_REFRESH_TIMEOUT_MS);
    });
    const all = await Promise.race([thread.request({ t: 'stats', req: thread.nextReq() }).catch(() => []), timeout]);
    clearTimeout(timer);
    for (const s of all) this.#channels.get(s.id)?.updateStats(s.stats);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#channels.values()].map((c) => c.close()));
    this.#closed = true;
    const thread = this.#thread;
    this.#thread = undefined;
    if (thread && !thread.dead) {
      thread.dead = true; // an exit we asked for
      thread.link.close();
      await thread.worker.terminate();
    }
  }

  #live(): WorkerThread {
    if (this.#thread && !this.#thread.dead) return this.#thread;
    const { host, minPort, maxPort, priority = { realtime: 0, nice: 0 } } = this.#opts;
    const thread = new WorkerThread(
      { host, minPort, maxPort, priority },
      (m, parts) => this.#onBatch(m, parts),
      (why) => this.#onDeath(thread, why),
      (p) => this.#onReady(p),
    );
    this.#thread = thread;
    return thread;
  }

  #onReady(p: PriorityOutcome): void {
    this.priority = p;
    const at = { policy: p.policy, realtime_priority: p.realtime, nice: p.nice };
    if (p.reason === undefined) this.#opts.logger.info(at, 'media thread up');
    else this.#opts.logger.warn({ ...at, wanted: this.#opts.priority, reason: p.reason }, 'media thread up below the priority asked for');
  }

  #onBatch(m: FromWorker, parts: Uint8Array[]): void {
    if (m.t !== 'batch') return;
    for (const l of m.logs) {
      const log = this.#channels.get(l.id)?.log ?? this.#opts.logger;
      log[l.level](l.obj, l.msg);
    }
    for (const p of m.playing) this.#channels.get(p.id)?.playingChanged(p.playing, p.gen);
    for (const st of m.starts) this.#channels.get(st.id)?.itemStarted(st.itemId, st.at);
    const [bytes, indexBytes] = parts;
    if (m.frames && bytes && indexBytes) {
      const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const index = int32Part(indexBytes);
      for (let i = 0; i + 2 < index.length; i += 3) {
        const len = index[i + 2]!;
        const off = index[i + 1]!;
        const size = Math.abs(len);
        if (off >= 0 && off + size <= data.length) this.#channels.get(index[i]!)?.deliver(data.subarray(off, off + size), len < 0);
      }
    }
  }

  #onDeath(thread: WorkerThread, why: string): void {
    if (this.#thread === thread) this.#thread = undefined;
    if (this.#closed) return;
    this.#opts.logger.error({ reason: why, calls: this.#channels.size }, 'media worker stopped; its calls end by policy');
    for (const c of this.#channels.values()) c.fail(why);
  }
}

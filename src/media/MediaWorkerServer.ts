/**
 * The media worker's side: an InlineMediaHost (sockets, RTP sessions, pacers, gap-fill timers) on the worker's own
 * event loop, driven by messages from the main thread. Nothing else runs here, so a pacer tick waits only for other
 * calls' RTP work, never for provider JSON, ARI events or VAD.
 *
 * Caller frames, playout changes and log lines go back in one batch per event-loop turn (setImmediate), so the main
 * thread gets one message for many frames. Counters are pulled ('stats', before a metrics scrape; 'close'), never
 * pushed: at 300 calls a push every second built and cloned ~800 kB of counters in the real-time thread, for values
 * nothing read between scrapes. A bad message is answered or ignored, never thrown.
 */
import { InlineMediaHost, type InlineMediaChannel } from './InlineMediaHost.js';
import type { MediaLog, RtpSessionStats } from './RtpSession.js';
import type { PriorityOutcome } from './threadPriority.js';
import { ByteStage, toWireError, type FromWorker, type LogLine, type MediaWorkerData, type ToWorker } from './mediaWorkerProtocol.js';

export interface WorkerEndpoint {
  /** Sends a copy of a JSON message and of the byte arrays beside it (see linkRecord). */
  postMessage(message: unknown, parts?: readonly ArrayBufferView[]): void;
  on(event: 'message', listener: (message: unknown, parts: Uint8Array[]) => void): unknown;
  /** libuv handles the endpoint itself keeps open in this thread: not counted as the channels' in a probe. */
  readonly handles?: Readonly<Record<string, number>>;
}

interface Slot {
  channel: InlineMediaChannel;
  gen: number;
}

export class MediaWorkerServer {
  readonly #port: WorkerEndpoint;
  readonly #host: InlineMediaHost;
  readonly #slots = new Map<number, Slot>();
  #scheduled = false;
  #playing: Array<{ id: number; playing: boolean; gen: number }> = [];
  #starts: Array<{ id: number; itemId: string; at: number }> = [];
  #logs: LogLine[] = [];
  /** Caller frames of this turn, all channels, in arrival order (see FrameBatch). */
  readonly #frameBytes = new ByteStage(16_384);
  #frameIndex: number[] = [];
  /** Audio of the 'many' message being handled (writes index into it). */
  #batchData: Buffer | undefined;

  constructor(port: WorkerEndpoint, data: MediaWorkerData, priority: PriorityOutcome = { policy: 'normal', realtime: 0, nice: 0 }) {
    this.#port = port;
    this.#host = new InlineMediaHost(
      { host: data.host, minPort: data.minPort, maxPort: data.maxPort },
      // A media timer that throws is a bug: say so in the main log (the other calls' timers go on).
      { onTimerError: (err) => this.#queue(() => this.#logs.push({ id: 0, level: 'warn', obj: { err: String(err) }, msg: 'media timer callback threw' })) },
    );
    port.on('message', (m, parts) => this.#onMessage(m as ToWorker, parts));
    this.#post({ t: 'ready', priority });
  }

  #onMessage(m: ToWorker, parts: Uint8Array[] = []): void {
    this.#host.clock.poll();
    try {
      this.#handle(m, parts);
    } catch (err) {
      if ('req' in m) this.#post({ t: 'reply', req: m.req, ok: false, error: toWireError(err) });
    }
  }

  #handle(m: ToWorker, parts: Uint8Array[]): void {
    switch (m.t) {
      case 'many': {
        const data = parts[0] ?? new Uint8Array(0);
        this.#batchData = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        try {
          for (const one of m.msgs) this.#onMessage(one);
        } finally {
          this.#batchData = undefined;
        }
        return;
      }
      case 'open':
        void this.#open(m.req, m.id, m.spec);
        return;
      case 'remote':
        this.#slots.get(m.id)?.channel.setRemote(m.host, m.port);
        return;
      case 'write': {
        const data = this.#batchData;
        if (!data || m.offset < 0 || m.offset + m.length > data.length) return;
        // A view: the batch buffer lives until the last chunk of it has been played.
        this.#slots.get(m.id)?.channel.write(data.subarray(m.offset, m.offset + m.length), { responseId: m.responseId, itemId: m.itemId });
        return;
      }
      case 'end':
        this.#slots.get(m.id)?.channel.endOfItem(m.itemId);
        return;
      case 'clear': {
        const slot = this.#slots.get(m.id);
        if (slot) slot.gen = m.gen;
        this.#reply(m.req, slot ? slot.channel.clearNow() : []);
        return;
      }
      case 'wait': {
        const slot = this.#slots.get(m.id);
        if (!slot) return this.#reply(m.req, { interrupted: true, playbackPositionMs: 0 });
        void slot.channel.waitForPlayout().then((r) => this.#reply(m.req, r));
        return;
      }
      case 'close':
        this.#close(m.req, m.id);
        return;
      case 'stats':
        this.#reply(m.req, this.#allStats());
        return;
      case 'probe':
        void this.#host.probe().then((p) => this.#reply(m.req, { ...p, resources: withoutOwn(p.resources, this.#port.handles) }));
        return;
    }
  }

  async #open(req: number, id: number, spec: Extract<ToWorker, { t: 'open' }>['spec']): Promise<void> {
    try {
      const slot: Partial<Slot> = { gen: 0 };
      const channel = await this.#host.open(
        { ...spec, logger: this.#logFor(id) },
        { onPlaying: (playing) => this.#queue(() => this.#playing.push({ id, playing, gen: slot.gen ?? 0 })) },
      );
      slot.channel = channel;
      this.#slots.set(id, slot as Slot);
      channel.on('frame', (frame, info) => this.#stage(id, frame, info.synthetic));
      channel.on('itemStart', (s) => this.#queue(() => this.#starts.push({ id, itemId: s.itemId, at: s.sentAt })));
      this.#reply(req, { port: channel.port });
    } catch (err) {
      this.#post({ t: 'reply', req, ok: false, error: toWireError(err) });
    }
  }

  #close(req: number, id: number): void {
    const slot = this.#slots.get(id);
    if (!slot) return this.#reply(req, undefined);
    const stats: RtpSessionStats = slot.channel.stats();
    this.#slots.delete(id);
    void slot.channel.close();
    this.#reply(req, stats);
  }

  #stage(id: number, frame: Buffer, synthetic: boolean): void {
    const offset = this.#frameBytes.append(frame);
    this.#frameIndex.push(id, offset, synthetic ? -frame.length : frame.length);
    this.#schedule();
  }

  #logFor(id: number): MediaLog {
    const line = (level: LogLine['level']) => (obj: object, msg: string) => this.#queue(() => this.#logs.push({ id, level, obj, msg }));
    return { debug: line('debug'), info: line('info'), warn: line('warn') };
  }

  #queue(add: () => void): void {
    add();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    let parts: ArrayBufferView[] = [];
    if (this.#frameIndex.length > 0) {
      parts = [this.#frameBytes.take(), Int32Array.from(this.#frameIndex)];
      this.#frameIndex = [];
    }
    const batch: FromWorker = { t: 'batch', frames: parts.length > 0, playing: this.#playing, starts: this.#starts, logs: this.#logs };
    this.#playing = [];
    this.#starts = [];
    this.#logs = [];
    try {
      this.#port.postMessage(batch, parts);
    } catch {
      // A log object JSON cannot carry (a cycle, a BigInt): the audio matters, the line does not.
      this.#port.postMessage({ ...batch, logs: [] }, parts);
    }
  }

  #allStats(): Array<{ id: number; stats: RtpSessionStats }> {
    return [...this.#slots].map(([id, s]) => ({ id, stats: s.channel.stats() }));
  }

  #reply(req: number, value: unknown): void {
    this.#post({ t: 'reply', req, ok: true, value });
  }

  #post(m: FromWorker): void {
    this.#port.postMessage(m);
  }
}

function withoutOwn(resources: Record<string, number>, own: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out = { ...resources };
  for (const [kind, n] of Object.entries(own)) {
    const left = (out[kind] ?? 0) - n;
    if (left > 0) out[kind] = left;
    else delete out[kind];
  }
  return out;
}

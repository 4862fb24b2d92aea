/**
 * The media worker's side: an InlineMediaHost (sockets, RTP sessions, pacers, gap-fill timers) on the worker's own
 * event loop, driven by messages from the main thread. Nothing else runs here, so a pacer tick waits only for other
 * calls' RTP work, never for provider JSON, ARI events or VAD.
 *
 * Caller frames, playout changes, log lines and stats go back in one batch per event-loop turn (setImmediate), so
 * the main thread gets one message for many frames. A bad message is answered or ignored, never thrown.
 */
import { InlineMediaHost, type InlineMediaChannel } from './InlineMediaHost.js';
import type { MediaLog, RtpSessionStats } from './RtpSession.js';
import { toWireError, type FromWorker, type LogLine, type MediaWorkerData, type PriorityOutcome, type ToWorker } from './mediaWorkerProtocol.js';

export interface WorkerEndpoint {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

const STATS_INTERVAL_MS = 1000;

interface Slot {
  channel: InlineMediaChannel;
  gen: number;
  staged: Uint8Array;
  used: number;
  flags: number[];
}

export class MediaWorkerServer {
  readonly #port: WorkerEndpoint;
  readonly #host: InlineMediaHost;
  readonly #slots = new Map<number, Slot>();
  #scheduled = false;
  #playing: Array<{ id: number; playing: boolean; gen: number }> = [];
  #logs: LogLine[] = [];
  #framed = new Set<number>();
  #statsTimer: NodeJS.Timeout | undefined;
  #statsDue = false;

  constructor(port: WorkerEndpoint, data: MediaWorkerData, priority: PriorityOutcome = { applied: true, nice: 0 }) {
    this.#port = port;
    this.#host = new InlineMediaHost(
      { host: data.host, minPort: data.minPort, maxPort: data.maxPort },
      // A media timer that throws is a bug: say so in the main log (the other calls' timers go on).
      { onTimerError: (err) => this.#queue(() => this.#logs.push({ id: 0, level: 'warn', obj: { err: String(err) }, msg: 'media timer callback threw' })) },
    );
    port.on('message', (m) => this.#onMessage(m as ToWorker));
    this.#post({ t: 'ready', priority });
  }

  #onMessage(m: ToWorker): void {
    this.#host.clock.poll();
    try {
      this.#handle(m);
    } catch (err) {
      if ('req' in m) this.#post({ t: 'reply', req: m.req, ok: false, error: toWireError(err) });
    }
  }

  #handle(m: ToWorker): void {
    switch (m.t) {
      case 'open':
        void this.#open(m.req, m.id, m.spec);
        return;
      case 'remote':
        this.#slots.get(m.id)?.channel.setRemote(m.host, m.port);
        return;
      case 'write': {
        const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
        this.#slots.get(m.id)?.channel.write(chunk, { responseId: m.responseId, itemId: m.itemId });
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
        void this.#host.probe().then((p) => this.#reply(m.req, p));
        return;
    }
  }

  async #open(req: number, id: number, spec: Extract<ToWorker, { t: 'open' }>['spec']): Promise<void> {
    try {
      const slot: Partial<Slot> = { gen: 0, used: 0, flags: [], staged: new Uint8Array(1024) };
      const channel = await this.#host.open(
        { ...spec, logger: this.#logFor(id) },
        { onPlaying: (playing) => this.#queue(() => this.#playing.push({ id, playing, gen: slot.gen ?? 0 })) },
      );
      slot.channel = channel;
      this.#slots.set(id, slot as Slot);
      channel.on('frame', (frame, info) => this.#stage(slot as Slot, id, frame, info.synthetic));
      this.#startStats();
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
    this.#framed.delete(id);
    void slot.channel.close();
    if (this.#slots.size === 0) this.#stopStats();
    this.#reply(req, stats);
  }

  #stage(slot: Slot, id: number, frame: Buffer, synthetic: boolean): void {
    if (slot.used + frame.length > slot.staged.length) {
      const bigger = new Uint8Array(Math.max(slot.staged.length * 2, slot.used + frame.length));
      bigger.set(slot.staged.subarray(0, slot.used));
      slot.staged = bigger;
    }
    slot.staged.set(frame, slot.used);
    slot.used += frame.length;
    slot.flags.push(synthetic ? 1 : 0);
    this.#framed.add(id);
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
    const frames = [];
    const transfer: ArrayBuffer[] = [];
    for (const id of this.#framed) {
      const slot = this.#slots.get(id);
      if (!slot || slot.used === 0) continue;
      const data = slot.staged.slice(0, slot.used);
      const synthetic = Uint8Array.from(slot.flags);
      frames.push({ id, data, synthetic });
      transfer.push(data.buffer as ArrayBuffer, synthetic.buffer as ArrayBuffer);
      slot.used = 0;
      slot.flags = [];
    }
    this.#framed.clear();
    const stats = this.#statsDue ? this.#allStats() : [];
    this.#statsDue = false;
    const batch: FromWorker = { t: 'batch', frames, playing: this.#playing, logs: this.#logs, stats };
    this.#playing = [];
    this.#logs = [];
    try {
      this.#port.postMessage(batch, transfer);
    } catch {
      // A log object that cannot be cloned: the audio matters, the line does not.
      this.#port.postMessage({ ...batch, logs: [] }, transfer);
    }
  }

  #allStats(): Array<{ id: number; stats: RtpSessionStats }> {
    return [...this.#slots].map(([id, s]) => ({ id, stats: s.channel.stats() }));
  }

  #startStats(): void {
    if (this.#statsTimer) return;
    this.#statsTimer = setInterval(() => {
      this.#statsDue = true;
      this.#schedule();
    }, STATS_INTERVAL_MS);
  }

  #stopStats(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
  }

  #reply(req: number, value: unknown): void {
    this.#post({ t: 'reply', req, ok: true, value });
  }

  #post(m: FromWorker): void {
    this.#port.postMessage(m);
  }
}


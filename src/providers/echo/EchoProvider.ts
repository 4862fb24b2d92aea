import type { Logger } from 'pino';
import type { EchoConfig, ProfileConfig } from '../../config/schema.js';
import { TypedEmitter } from '../../util/TypedEmitter.js';
import { audioLevelDbfs } from '../../media/audioLevel.js';
import type {
  AudioFormat,
  PlayedItem,
  ProviderEvents,
  ProviderStartOptions,
  ToolCallResult,
  VoiceProvider,
} from '../VoiceProvider.js';

/**
 * Diagnostic provider: plays the caller's own audio back after `delay_ms` and logs audio levels both ways, so an
 * admin can prove the media path (RTP in, codecs, pacing, RTP out) before spending money on a model.
 * Audio that the gate replaced with silence comes back as silence: what you hear is what a model would hear.
 */
interface Delayed {
  dueAt: number;
  chunk: Buffer;
}

/**
 * Playout cushion, in 20 ms frames. The echo releases audio on the caller's own clock (one frame per frame
 * received), which by itself can never build depth in the pacer: every late packet would be a gap heard. So the
 * first release waits until this many frames are due and hands them over together; the pacer then always holds a
 * few frames, enough to ride out packet jitter and the gap filler's 60 ms start (it back-fills in a burst).
 */
const CUSHION_FRAMES = 5;

export class EchoProvider extends TypedEmitter<ProviderEvents> implements VoiceProvider {
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  /** What the admin hears back must be the line as received, not what the gate lets through. */
  readonly rawCallerAudio = true;
  readonly #queue: Delayed[] = [];
  #head = 0;
  #levelTimer: NodeJS.Timeout | undefined;
  #logger: Logger | undefined;
  #closed = false;
  #item = 0;
  #primed = false;
  #lastInAt = 0;
  readonly #levels = { inSum: 0, inFrames: 0, outSum: 0, outFrames: 0 };

  constructor(
    readonly name: string,
    private readonly config: EchoConfig,
    profile: ProfileConfig,
  ) {
    super();
    const format: AudioFormat = { encoding: profile.provider_encoding, sampleRate: profile.provider_encoding === 'pcm16' ? profile.provider_rate : 8000 };
    this.inputFormat = format;
    this.outputFormat = format;
  }

  async start(options: ProviderStartOptions): Promise<void> {
    this.#logger = options.logger;
    this.#levelTimer = setInterval(() => this.#logLevels(), this.config.level_log_interval_ms);
    // No voice to greet with: report an (empty) greeting at once so the greeting gate opens immediately.
    this.emit('responseDone', { responseId: 'echo-greeting', status: 'completed', greeting: true, hadAudio: false });
  }

  sendAudio(chunk: Buffer): void {
    if (this.#closed) return;
    const now = Date.now();
    // A new talk-spurt after a pause gets a new item id, so barge-in accounting stays per utterance.
    if (now - this.#lastInAt > 1_000) this.#item++;
    this.#lastInAt = now;
    // The media engine may reuse its buffer: keep our own copy for the delay line.
    this.#queue.push({ dueAt: now + this.config.delay_ms, chunk: Buffer.from(chunk) });
    this.#levels.inSum += audioLevelDbfs(chunk, this.inputFormat.encoding);
    this.#levels.inFrames++;
    // Released on the caller's own clock (this call), not on a timer of ours that would drift against it.
    this.#drain(now);
  }

  interrupt(_played: PlayedItem[]): void {
    // Echo has nothing to cancel: what was queued locally is what the pacer already flushed.
  }

  sendToolResult(_result: ToolCallResult): void {}

  async say(_text: string): Promise<void> {}

  notify(_text: string): void {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#levelTimer);
    this.#queue.length = 0;
    this.emit('closed', { reason: 'closed' });
  }

  #drain(now: number): void {
    if (!this.#primed) {
      const last = this.#queue[this.#head + CUSHION_FRAMES - 1];
      if (last === undefined || last.dueAt > now) return;
      this.#primed = true;
    }
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head];
      if (next === undefined || next.dueAt > now) break;
      this.#head++;
      this.#levels.outSum += audioLevelDbfs(next.chunk, this.outputFormat.encoding);
      this.#levels.outFrames++;
      this.emit('audio', { audio: next.chunk, responseId: 'echo', itemId: `echo-${this.#item}` });
    }
    // Compact once the consumed prefix is large, instead of shifting per frame.
    if (this.#head > 256) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #logLevels(): void {
    const l = this.#levels;
    if (l.inFrames === 0 && l.outFrames === 0) return;
    this.#logger?.info(
      {
        in_dbfs: l.inFrames ? Math.round(l.inSum / l.inFrames) : null,
        out_dbfs: l.outFrames ? Math.round(l.outSum / l.outFrames) : null,
        in_frames: l.inFrames,
        out_frames: l.outFrames,
      },
      'echo audio levels',
    );
    l.inSum = l.inFrames = l.outSum = l.outFrames = 0;
  }
}

import type { Logger } from 'pino';
import type { VadConfig } from '../config/schema.js';
import { AudioConverter } from '../media/AudioConverter.js';
import type { MediaChannel } from '../media/MediaChannel.js';
import { bytesPerSample, decodeSamples, encodeSamples, type SampleFormat } from '../media/sampleFormat.js';
import { outboundCodecFor, wireCodecInfo, type WireCodec } from '../media/wireCodec.js';
import { VadGate } from '../vad/VadGate.js';
import type { AgentAudio, AudioFormat, PlayedItem } from '../providers/VoiceProvider.js';
import { monoMs } from '../util/monoMs.js';

/** An agent audio item began to play. */
export interface PlayoutStart {
  itemId: string;
  /** When its first RTP packet was sent (monoMs). */
  sentAt: number;
  /**
   * From its first audio arriving from the provider (`AgentAudio.receivedAt`, else handed to CallMedia) to that
   * packet: the delay our code adds, plus the wait behind audio already queued when the item came while the agent
   * was speaking.
   */
  delayMs: number;
}

/** Items handed over and not yet started that are remembered (a cut or muted item never starts). */
const MAX_PENDING_STARTS = 16;

/**
 * The audio plumbing of one call, between the RTP session and the provider:
 *
 *   RTP frame (wire codec, gap-filled) → gate (greeting protection, echo/noise suppression while the agent
 *   speaks) → converter → provider.sendAudio
 *   provider audio → converter → pacer (20 ms deadlines) → RTP
 *
 * The pacer and the socket live behind the MediaChannel (by default in the media worker thread).
 *
 * Converters and the gate are per call and per direction, so no filter state is shared between calls.
 */
export interface CallMediaOptions {
  rtp: MediaChannel;
  wireCodec: WireCodec;
  providerInput: AudioFormat;
  providerOutput: AudioFormat;
  vad: VadConfig;
  logger: Logger;
  /** Bypass the gate entirely (diagnostic providers that must hear the raw line). */
  rawAudio?: boolean;
  /** Where gated caller audio goes (the provider's sendAudio). */
  sink: (chunk: Buffer) => void;
  /** Each agent audio item's first packet (metrics: the playout delay the media path adds). */
  onPlayoutStart?: (p: PlayoutStart) => void;
}

export class CallMedia {
  readonly gate: VadGate;
  readonly #rtp: MediaChannel;
  readonly #samples: SampleFormat;
  /** Decoded caller frame for the gate, reused every frame (the gate copies what it keeps). */
  readonly #pcm: Int16Array;
  readonly #inbound: AudioConverter;
  readonly #outbound: AudioConverter;
  readonly #wireSilence: Buffer;
  readonly #sink: (chunk: Buffer) => void;
  readonly #agentGate: boolean;
  readonly #raw: boolean;
  /** Responses written since the last flush (see flush). */
  #written = new Set<string>();
  /** Responses being cut: their audio is dropped until the flush has answered. */
  readonly #cut = new Set<string>();
  /** monoMs of each item's first audio received from the provider (or handed here), until its first packet is sent. */
  readonly #handedAt = new Map<string, number>();
  #lastItemId: string | undefined;
  #paused = false;
  #muted = false;
  #closed = false;
  /** Counters for the call record and metrics. */
  readonly stats = { framesIn: 0, framesGated: 0, agentChunks: 0 };

  constructor(opts: CallMediaOptions) {
    this.#rtp = opts.rtp;
    this.#samples = wireCodecInfo(opts.wireCodec).sampleFormat;
    this.#sink = opts.sink;
    this.#agentGate = opts.vad.agent_speaking_gate;
    this.#raw = opts.rawAudio === true;
    const info = wireCodecInfo(opts.wireCodec);
    this.#wireSilence = Buffer.alloc(info.bytesPer20ms, info.silenceByte);
    this.#pcm = new Int16Array(info.bytesPer20ms / bytesPerSample(this.#samples));
    this.#inbound = new AudioConverter({ kind: 'wire', codec: opts.wireCodec }, { kind: 'provider', format: opts.providerInput });
    this.#outbound = new AudioConverter(
      { kind: 'provider', format: opts.providerOutput },
      { kind: 'wire', codec: outboundCodecFor(opts.wireCodec) },
    );
    this.gate = new VadGate({
      sampleRate: info.sampleRate as 8000 | 16000 | 24000,
      aggressiveness: opts.vad.webrtc_aggressiveness as 0 | 1 | 2 | 3,
      greetingFallbackMs: opts.vad.greeting_fallback_ms,
      keepGreetingSpeech: opts.vad.keep_greeting_speech,
      onTransition: (t) => opts.logger.debug({ from: t.from, to: t.to, reason: t.reason }, 'vad gate'),
    });
    this.#rtp.on('frame', (frame: Buffer) => this.#onFrame(frame));
    const onStart = opts.onPlayoutStart;
    if (onStart) {
      this.#rtp.on('itemStart', ({ itemId, sentAt }) => {
        const at = this.#handedAt.get(itemId);
        if (at === undefined) return;
        this.#handedAt.delete(itemId);
        onStart({ itemId, sentAt, delayMs: Math.max(0, sentAt - at) });
      });
    }
  }

  /** Paused (the caller is being sent on): the provider hears silence and nothing is played. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  /**
   * Muted (caller on hold while a bridged transfer rings): nothing the agent says is played, but the agent still
   * hears the caller, who can say "never mind" (cancel_transfer).
   */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    if (muted) void this.flush();
  }

  /** Agent audio from the provider, any size; played in order on the 20 ms clock. */
  playAgentAudio(a: AgentAudio): void {
    if (this.#closed || this.#paused || this.#muted || this.#cut.has(a.responseId)) return;
    this.#written.add(a.responseId);
    this.stats.agentChunks++;
    if (a.itemId !== this.#lastItemId) {
      this.#lastItemId = a.itemId;
      if (this.#handedAt.size >= MAX_PENDING_STARTS) this.#handedAt.delete(this.#handedAt.keys().next().value as string);
      this.#handedAt.set(a.itemId, a.receivedAt ?? monoMs());
    }
    this.#rtp.write(this.#outbound.convert(a.audio), { responseId: a.responseId, itemId: a.itemId });
  }

  endOfItem(itemId: string): void {
    if (!this.#closed) this.#rtp.endOfItem(itemId);
  }

  /**
   * Barge-in / transfer: stop playout at once (nothing is played of audio written before this call); resolves with
   * what the caller heard of each unfinished item.
   */
  flush(): Promise<PlayedItem[]> {
    if (this.#closed) return Promise.resolve([]);
    // Audio of a cut response may still arrive while the media clock answers: it must not play. Once it has
    // answered, the caller tells the provider (in the same microtask run), which discards the rest itself.
    const cut = [...this.#written];
    this.#written.clear();
    this.#handedAt.clear(); // what was not started by now never will be
    for (const id of cut) this.#cut.add(id);
    return this.#rtp.clear().then((played) => {
      for (const id of cut) this.#cut.delete(id);
      return played;
    });
  }

  get agentSpeaking(): boolean {
    return !this.#closed && this.#rtp.isPlaying;
  }

  /** Resolves once everything written so far has played (or after timeoutMs). */
  async waitForPlayout(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#rtp.waitForPlayout(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Caller speech kept from the greeting (vad.keep_greeting_speech), sent once the gate opens. */
  replayGreetingSpeech(): void {
    for (const pcm of this.gate.takeGreetingSpeech()) this.#sink(this.#inbound.convert(encodeSamples(this.#samples, pcm)));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.gate.dispose();
  }

  #onFrame(frame: Buffer): void {
    if (this.#closed) return;
    this.stats.framesIn++;
    if (this.#paused) {
      this.#sink(this.#inbound.convert(this.#wireSilence));
      return;
    }
    if (this.#raw) {
      this.#sink(this.#inbound.convert(frame));
      return;
    }
    this.gate.setAgentSpeaking(this.#agentGate && this.#rtp.isPlaying);
    const verdict = this.gate.process(decodeSamples(this.#samples, frame, this.#pcm));
    // The converter always gets a full frame (real or silence) so its resampler state stays continuous.
    if (verdict.forward === null) this.stats.framesGated++;
    this.#sink(this.#inbound.convert(verdict.forward === null ? this.#wireSilence : frame));
  }
}

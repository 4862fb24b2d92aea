/**
 * Test-side handle of one caller channel (`sim.placeCall()`): the caller's voice (`playAudio`), what the caller
 * hears from the app over ExternalMedia RTP (`received`, `receivedPcm`), hanging up, and what the app did to the
 * call (continue target, redirect, music on hold, ringing, playbacks).
 */
import { FRAME_MS } from './rtpCodec.js';
import type { ReceivedRtp, RtpPeer } from './RtpPeer.js';
import type { DialplanTarget, SimChannel } from './simModel.js';
import type { AudioFrame, StasisCore } from './StasisCore.js';

/** Frames per burst when not pacing in real time: keeps the UDP receive buffer of the app from overflowing. */
const BURST_FRAMES = 25;

export interface PlayAudioResult {
  /** Frames that reached at least one ExternalMedia peer. */
  sentFrames: number;
  /** Frames lost because the caller was not bridged with an ExternalMedia channel at that moment. */
  droppedFrames: number;
}

interface QueuedPlay {
  frames: AudioFrame[];
  result: PlayAudioResult;
  resolve: (r: PlayAudioResult) => void;
}

export class SimCall {
  /** '' while in Stasis; 'FAILED' when no app was connected and the call went on in the dialplan. */
  stasisStatus: '' | 'FAILED' | 'SUCCESS' = '';
  continuedTo: DialplanTarget | null = null;
  readonly redirects: { endpoint: string; result: 'refer-sent' | 'ignored' }[] = [];
  readonly playedMedia: string[] = [];
  answered = false;
  private readonly peers = new Set<RtpPeer>();
  private readonly queue: QueuedPlay[] = [];
  private pacer: NodeJS.Timeout | null = null;
  private readonly playbackStops = new Set<() => void>();

  constructor(
    private readonly core: StasisCore,
    readonly channel: SimChannel,
  ) {}

  get id(): string {
    return this.channel.id;
  }

  get inStasis(): boolean {
    return this.channel.inStasis;
  }

  get hungUp(): boolean {
    return this.channel.destroyed;
  }

  get moh(): string | null {
    return this.channel.moh;
  }

  get ringing(): boolean {
    return this.channel.ringing;
  }

  /** The caller hangs up (Local: cause 16; PJSIP: BYE with its QoS varsets). */
  hangup(): void {
    this.core.callerHangup(this.channel);
  }

  /**
   * The caller speaks: `pcm` at `sampleRate` is cut into 20 ms frames, resampled and encoded to each ExternalMedia
   * format. Realtime (default) paces one frame per 20 ms; otherwise frames go out in order as fast as UDP allows.
   * Frames are only heard while the caller shares a bridge with an ExternalMedia channel.
   */
  playAudio(pcm: Int16Array, sampleRate: number, opts: { realtime?: boolean } = {}): Promise<PlayAudioResult> {
    const n = (sampleRate * FRAME_MS) / 1000;
    const frames: AudioFrame[] = [];
    for (let i = 0; i < pcm.length; i += n) {
      const frame = new Int16Array(n);
      frame.set(pcm.subarray(i, Math.min(i + n, pcm.length)));
      frames.push({ pcm: frame, sampleRate });
    }
    const result: PlayAudioResult = { sentFrames: 0, droppedFrames: 0 };
    if (opts.realtime === false) return this.burst(frames, result);
    return new Promise((resolve) => {
      this.queue.push({ frames, result, resolve });
      this.startPacer();
    });
  }

  /** Packets the app sent that Asterisk accepted (static PTs, strict-RTP learned), across this call's peers. */
  get received(): ReceivedRtp[] {
    return [...this.peers].flatMap((p) => p.received).sort((a, b) => a.atMs - b.atMs);
  }

  /** Everything received as one 8 kHz PCM stream, in arrival order. */
  receivedPcm(): Int16Array {
    const parts = this.received.map((r) => r.pcm8k);
    const out = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  get droppedDynamic(): number {
    return [...this.peers].reduce((s, p) => s + p.droppedDynamic, 0);
  }

  get rtpPeers(): readonly RtpPeer[] {
    return [...this.peers];
  }

  /** Resolves once at least `ms` of audio (8 kHz samples / 8) has been received from the app. */
  waitForReceivedMs(ms: number, timeoutMs = 5000): Promise<void> {
    const enough = () => this.received.reduce((s, r) => s + r.pcm8k.length, 0) >= ms * 8;
    return this.core.waitUntil(enough, timeoutMs, `${ms} ms of audio from the app`);
  }

  // ---- used by the simulator ------------------------------------------------------------------------------

  linkPeer(peer: RtpPeer): void {
    this.peers.add(peer);
  }

  /** Next frame for a softmix bridge clock, or null when the caller is silent. */
  takeFrame(): AudioFrame | null {
    const head = this.queue[0];
    if (!head) return null;
    const frame = head.frames.shift() ?? null;
    if (frame) head.result.sentFrames++;
    this.settleHead();
    return frame;
  }

  addPlaybackStop(stop: () => void): () => void {
    this.playbackStops.add(stop);
    return () => this.playbackStops.delete(stop);
  }

  stopPlaybacks(): void {
    for (const stop of [...this.playbackStops]) stop();
    this.playbackStops.clear();
  }

  stopAudio(): void {
    if (this.pacer) clearInterval(this.pacer);
    this.pacer = null;
    for (const q of this.queue.splice(0)) {
      q.result.droppedFrames += q.frames.length;
      q.resolve(q.result);
    }
  }

  private startPacer(): void {
    if (this.pacer) return;
    this.pacer = setInterval(() => {
      if (this.core.isSoftmixed(this.channel)) return; // the bridge clock pulls frames
      const head = this.queue[0];
      const frame = head?.frames.shift();
      if (head && frame) {
        if (this.core.sendFrame(this.channel, frame)) head.result.sentFrames++;
        else head.result.droppedFrames++;
      }
      this.settleHead();
    }, FRAME_MS);
  }

  private settleHead(): void {
    const head = this.queue[0];
    if (head && head.frames.length === 0) {
      this.queue.shift();
      head.resolve(head.result);
    }
    if (this.queue.length === 0 && this.pacer) {
      clearInterval(this.pacer);
      this.pacer = null;
    }
  }

  private async burst(frames: AudioFrame[], result: PlayAudioResult): Promise<PlayAudioResult> {
    for (let i = 0; i < frames.length; i += BURST_FRAMES) {
      for (const frame of frames.slice(i, i + BURST_FRAMES)) {
        if (this.channel.destroyed) result.droppedFrames++;
        else if (this.core.sendFrame(this.channel, frame)) result.sentFrames++;
        else result.droppedFrames++;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    return result;
  }
}

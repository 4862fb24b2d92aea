/**
 * Media cost per 20 ms frame, each direction, through the real per-call objects (RtpSession + CallMedia with its
 * gate and converters) on a manual clock: inbound = datagram handler → parse → reorder → frame → gate → converter →
 * provider sink; outbound = provider chunk → converter → pacer → RTP build → socket.send. Kernel time of the
 * datagrams themselves is not included (it is the same for every design).
 */
import dgram from 'node:dgram';
import pino from 'pino';
import { CallMedia } from '../src/call/CallMedia.js';
import { vadSchema } from '../src/config/schema.js';
import { pcmToUlaw } from '../src/media/g711.js';
import { pcmToPcm16le } from '../src/media/l16.js';
import type { PacerClock } from '../src/media/Pacer.js';
import { Resampler } from '../src/media/Resampler.js';
import { InlineMediaChannel } from '../src/media/InlineMediaHost.js';
import { RtpSession } from '../src/media/RtpSession.js';
import { buildRtp } from '../src/media/rtpPacket.js';
import type { AudioFormat } from '../src/providers/VoiceProvider.js';
import { speechLike } from '../test/call/speechLike.js';
import { env, nowNs, type BenchRow } from './benchStats.js';

/** Timers fire only when the benchmark advances time: the measured work is exactly ours. */
class ManualClock implements PacerClock {
  t = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    this.#timers.set(++this.#id, { at: this.t + Math.max(0, ms), fn });
    return this.#id;
  }
  clearTimer(h: unknown): void {
    this.#timers.delete(h as number);
  }
  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= this.t && (due === undefined || e[1].at < due[1].at)) due = e;
      if (due === undefined) return;
      this.#timers.delete(due[0]);
      due[1].fn();
    }
  }
}

async function bind(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

const FRAME_MS = 20;
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

async function measureProfile(name: string, provider: AudioFormat, frames: number): Promise<{ inNs: number; outNs: number }> {
  const clock = new ManualClock();
  const socket = await bind();
  const sink = await bind();
  sink.on('message', () => undefined);
  const rtp = new RtpSession({ socket, inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], clock });
  rtp.setRemote('127.0.0.1', sink.address().port);
  let sunk = 0;
  const media = new CallMedia({
    rtp: new InlineMediaChannel(rtp, socket.address().port, () => undefined),
    wireCodec: 'ulaw',
    providerInput: provider,
    providerOutput: provider,
    vad: vadSchema.parse({}),
    logger: pino({ level: 'silent' }),
    sink: (chunk) => {
      sunk += chunk.length;
    },
  });
  media.gate.greetingPlayedOut(); // conversational steady state: the gate is open and its VAD runs on every frame

  // Caller speech, μ-law, as Asterisk would send it; agent speech in the provider's format.
  const speech8k = speechLike({ sampleRate: 8000, durationMs: 2_000 });
  const wire = pcmToUlaw(speech8k);
  const perFrame8k = 160;
  const agentPcm = provider.sampleRate === 8000 ? speech8k : new Resampler(8000, provider.sampleRate).process(speech8k);
  const agentBytes = provider.encoding === 'pcm16' ? pcmToPcm16le(agentPcm) : pcmToUlaw(agentPcm);
  const agentFrameBytes = provider.encoding === 'pcm16' ? (provider.sampleRate * 2 * FRAME_MS) / 1000 : 160;
  const rinfo: dgram.RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: sink.address().port, size: 172 };
  const framesIn = wire.length / perFrame8k;

  let inNs = 0;
  let outNs = 0;
  let seq = 1;
  for (let done = 0; done < frames; ) {
    const batch = Math.min(500, frames - done);
    // inbound
    const pkts: Buffer[] = [];
    for (let i = 0; i < batch; i++) {
      const k = (done + i) % framesIn;
      pkts.push(buildRtp({ payloadType: 0, sequenceNumber: seq & 0xffff, timestamp: (seq * 160) >>> 0, ssrc: 0x1234, marker: false }, wire.subarray(k * perFrame8k, (k + 1) * perFrame8k)));
      seq++;
    }
    let t = nowNs();
    for (const p of pkts) socket.emit('message', p, rinfo);
    inNs += nowNs() - t;
    // outbound: one 20 ms chunk from the provider, then the pacer's 20 ms deadline
    t = nowNs();
    for (let i = 0; i < batch; i++) {
      const k = ((done + i) * agentFrameBytes) % (agentBytes.length - agentFrameBytes);
      media.playAgentAudio({ audio: agentBytes.subarray(k, k + agentFrameBytes), responseId: 'r', itemId: 'i' });
      clock.advance(FRAME_MS);
    }
    outNs += nowNs() - t;
    done += batch;
    await yieldLoop(); // let the kernel take the datagrams and the sink read them
  }
  const stats = rtp.stats();
  if (stats.framesIn < frames * 0.99 || sunk === 0 || stats.packetsOut < frames * 0.99) {
    throw new Error(`${name}: media path did not carry the frames (in ${stats.framesIn}, out ${stats.packetsOut}, sunk ${sunk})`);
  }
  media.close();
  rtp.close();
  sink.close();
  return { inNs: inNs / frames, outNs: outNs / frames };
}

export async function benchMediaCost(): Promise<BenchRow[]> {
  const frames = env.quick ? 5_000 : 50_000;
  const profiles: [string, AudioFormat][] = [
    ['ulaw passthrough (telephony_ulaw)', { encoding: 'pcmu', sampleRate: 8000 }],
    ['pcm16 24 kHz (openai_pcm24k)', { encoding: 'pcm16', sampleRate: 24000 }],
  ];
  const rows: BenchRow[] = [];
  for (const [label, fmt] of profiles) {
    await measureProfile(label, fmt, Math.min(frames, 2_000)); // warm-up (JIT)
    const r = await measureProfile(label, fmt, frames);
    const pct = (ns: number): number => (ns / (FRAME_MS * 1e6)) * 100;
    rows.push(
      { group: 'media cost', metric: `${label}: inbound`, value: r.inNs, unit: 'ns/frame', note: `${pct(r.inNs).toFixed(3)} % core/call` },
      { group: 'media cost', metric: `${label}: outbound`, value: r.outNs, unit: 'ns/frame', note: `${pct(r.outNs).toFixed(3)} % core/call` },
      { group: 'media cost', metric: `${label}: both ways, % of one core per call`, value: pct(r.inNs + r.outNs), unit: '%' },
    );
  }
  return rows;
}

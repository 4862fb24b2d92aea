/**
 * Pacer quality on the real clock: one RtpSession kept fed with agent audio, its packets timestamped on arrival
 * by a receiver in another process. Inter-packet interval deviation from 20 ms (p50/p99/max), RTP timestamp drift
 * against the receiver's wall clock, and the pacer's own underrun/resync counters; without and with a competing
 * busy loop on the sending event loop.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { RtpSession } from '../src/media/RtpSession.js';
import { competingLoad, env, sleep, summarize, type BenchRow } from './benchStats.js';
import { ChildHelper } from './child/spawnChild.js';

const FRAME_MS = 20;
/** Keep at least this much audio queued, like a provider that streams ahead of real time. */
const LEAD_MS = 200;
/** Competing load: 3 ms of blocking work every 10 ms (30 % of the loop busy with something else). */
const LOAD_BUSY_MS = 3;
const LOAD_EVERY_MS = 10;

interface PacerRun {
  dev: ReturnType<typeof summarize>;
  /** The same intervals timestamped at socket.send in this process: what the pacer itself does. */
  sendDev: ReturnType<typeof summarize>;
  driftMs: number;
  packets: number;
  underruns: number;
  resyncs: number;
}

async function runOnce(recorder: ChildHelper, port: number, seconds: number, loaded: boolean): Promise<PacerRun> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const sentAt: number[] = [];
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
    sentAt.push(performance.now());
    send(...args);
  };
  const rtp = new RtpSession({ socket, inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false });
  rtp.setRemote('127.0.0.1', port);
  const chunk = Buffer.alloc(LEAD_MS * 8, 0x55);
  const feed = (): void => {
    while (rtp.pacer.queuedMs < LEAD_MS) rtp.pacer.write(chunk, { responseId: 'r', itemId: 'i' });
  };
  feed();
  const feeder = setInterval(feed, 50);
  const stopLoad = loaded ? competingLoad(LOAD_BUSY_MS, LOAD_EVERY_MS) : () => undefined;
  await sleep(seconds * 1000);
  stopLoad();
  clearInterval(feeder);
  const { underruns, resyncs } = rtp.pacer.stats;
  rtp.close();
  await sleep(100);
  const { arrivals } = await recorder.request<{ arrivals: [number, number, number][] }>({ cmd: 'take' });
  const devs: number[] = [];
  for (let i = 1; i < arrivals.length; i++) devs.push(Math.abs(arrivals[i]![0] - arrivals[i - 1]![0] - FRAME_MS));
  const first = arrivals[0];
  const last = arrivals[arrivals.length - 1];
  let driftMs = NaN;
  if (first && last) {
    const rtpMs = (((last[2] - first[2]) >>> 0) / 8000) * 1000;
    driftMs = rtpMs - (last[0] - first[0]);
  }
  const sendDevs: number[] = [];
  for (let i = 1; i < sentAt.length; i++) sendDevs.push(Math.abs(sentAt[i]! - sentAt[i - 1]! - FRAME_MS));
  return { dev: summarize(devs), sendDev: summarize(sendDevs), driftMs, packets: arrivals.length, underruns, resyncs };
}

export async function benchPacer(): Promise<BenchRow[]> {
  const seconds = env.quick ? 5 : env.num('BENCH_PACER_S', 60);
  const { child, hello } = await ChildHelper.start<{ port: number }>('./udpRecorder.ts');
  const rows: BenchRow[] = [];
  try {
    for (const loaded of [false, true]) {
      const r = await runOnce(child, hello.port, seconds, loaded);
      const g = loaded ? `pacer ${seconds}s, load ${LOAD_BUSY_MS}ms/${LOAD_EVERY_MS}ms` : `pacer ${seconds}s, idle loop`;
      rows.push(
        { group: g, metric: 'send-side interval deviation from 20 ms p50 (our pacer)', value: r.sendDev.p50, unit: 'ms' },
        { group: g, metric: 'send-side interval deviation from 20 ms p99 (our pacer)', value: r.sendDev.p99, unit: 'ms', target: '≤ 2', met: r.sendDev.p99 <= 2 },
        { group: g, metric: 'send-side interval deviation from 20 ms max (our pacer)', value: r.sendDev.max, unit: 'ms' },
        { group: g, metric: 'receiver-side deviation p50 (+ OS waking another process)', value: r.dev.p50, unit: 'ms' },
        { group: g, metric: 'receiver-side deviation p99 (+ OS waking another process)', value: r.dev.p99, unit: 'ms' },
        { group: g, metric: 'receiver-side deviation max (+ OS waking another process)', value: r.dev.max, unit: 'ms' },
        { group: g, metric: 'RTP timestamp drift vs wall clock', value: r.driftMs, unit: 'ms', note: `over ${r.packets} packets` },
        { group: g, metric: 'packets / underruns / resyncs', value: `${r.packets} / ${r.underruns} / ${r.resyncs}`, unit: '' },
      );
    }
  } finally {
    child.stop();
  }
  return rows;
}

/**
 * Helpers for the simulator's own tests: the real npm `ari-client` 2.2.0 (untyped CJS, typed loosely here), a UDP
 * socket standing in for the app's RTP end, and a test tone.
 */
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { parseRtpPacket } from '../../src/sim/rtpCodec.js';
import type { RtpPacket } from '../../src/sim/rtpCodec.js';
import type { AriSimulator } from '../../src/sim/AriSimulator.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- ari-client has no types; its objects are built from swagger */
export type AriObject = Record<string, any>;
export type AriOp = (params?: Record<string, unknown>) => Promise<any>;

export const CHANNEL_OPS = ['list', 'get', 'originate', 'externalMedia', 'hangup', 'continueInDialplan', 'redirect', 'answer', 'startMoh', 'stopMoh', 'ring', 'ringStop', 'getChannelVar', 'play'] as const;
export const BRIDGE_OPS = ['list', 'get', 'create', 'addChannel', 'removeChannel', 'destroy'] as const;

export interface AriClient {
  channels: Record<(typeof CHANNEL_OPS)[number], AriOp>;
  bridges: Record<(typeof BRIDGE_OPS)[number], AriOp>;
  applications: Record<'list' | 'get', AriOp>;
  asterisk: Record<'getInfo', AriOp>;
  start(app: string): Promise<void>;
  stop(): void;
  on(event: string, cb: (event: AriObject, obj: AriObject) => void): void;
  removeAllListeners(): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const require = createRequire(import.meta.url);
const ari = require('ari-client') as { connect(url: string, user: string, pass: string): Promise<AriClient> };

export async function connectAri(sim: AriSimulator, app = sim.app): Promise<AriClient> {
  const client = await ari.connect(sim.url, sim.username, sim.password);
  await client.start(app);
  await sim.waitForApp(app);
  return client;
}

export interface AppRtpSocket {
  socket: dgram.Socket;
  port: number;
  packets: { pkt: RtpPacket; raw: Buffer; from: string }[];
  send(buf: Buffer, port: number): void;
  close(): void;
}

export async function openAppRtp(): Promise<AppRtpSocket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const packets: AppRtpSocket['packets'] = [];
  socket.on('message', (raw, rinfo) => {
    const pkt = parseRtpPacket(raw);
    if (pkt) packets.push({ pkt, raw, from: `${rinfo.address}:${rinfo.port}` });
  });
  return {
    socket,
    port: socket.address().port,
    packets,
    send: (buf, port) => socket.send(buf, port, '127.0.0.1'),
    close: () => socket.close(),
  };
}

export function tone(hz: number, ms: number, sampleRate: number, amplitude = 8000): Int16Array {
  const n = Math.round((sampleRate * ms) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate)));
}

/** Event types about one channel (as `channel` or Dial `peer`), in publication order, from index `from`. */
export function typesFor(sim: AriSimulator, channelId: string, from = 0): string[] {
  return sim.events.slice(from).filter((e) => {
    const ch = (e.channel ?? e.peer) as { id?: string } | undefined;
    return ch?.id === channelId;
  }).map((e) => (e.type === 'ChannelVarset' ? `ChannelVarset:${String(e.variable)}` : e.type));
}

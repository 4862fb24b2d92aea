/**
 * One contract for both media hosts (in this thread, and in the media worker thread): real UDP sockets on
 * 127.0.0.1, a fake Asterisk peer, real time with generous bounds.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InlineMediaHost } from '../../src/media/InlineMediaHost.js';
import type { MediaChannel, MediaChannelOptions, MediaHost } from '../../src/media/MediaChannel.js';
import { PortRangeExhaustedError } from '../../src/media/PortAllocator.js';
import { WorkerMediaHost } from '../../src/media/WorkerMediaHost.js';
import { buildRtp, parseRtp, type RtpPacket } from '../../src/media/rtpPacket.js';
import { monoMs } from '../../src/util/monoMs.js';

const LOOPBACK = '127.0.0.1';
const FRAME_BYTES = 160; // 20 ms of 8 kHz μ-law

interface HostCase {
  name: 'inline' | 'worker';
  make: (range: { minPort: number; maxPort: number }) => MediaHost;
}

const HOSTS: HostCase[] = [
  { name: 'inline', make: (r) => new InlineMediaHost({ host: LOOPBACK, ...r }) },
  { name: 'worker', make: (r) => new WorkerMediaHost({ host: LOOPBACK, ...r, logger: pino({ level: 'silent' }) }) },
];

/** A fresh random range per host, away from the usual RTP range (10000-20000). */
function portRange(width: number): { minPort: number; maxPort: number } {
  const minPort = 41000 + Math.floor(Math.random() * (6000 - width));
  return { minPort, maxPort: minPort + width - 1 };
}

const CHANNEL: MediaChannelOptions = { inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Settles within `ms`, or rejects saying what hung. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fake Asterisk: one UDP socket that sends RTP to the agent and records what comes back, and from where. */
class FakeAsterisk {
  readonly received: Array<{ packet: RtpPacket; fromPort: number }> = [];
  #closed = false;
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      const r = parseRtp(msg);
      if (r.ok) this.received.push({ packet: { ...r.packet, payload: Buffer.from(r.packet.payload) }, fromPort: rinfo.port });
    });
  }

  static async start(): Promise<FakeAsterisk> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, LOOPBACK, () => r()));
    const peer = new FakeAsterisk(socket);
    cleanups.push(() => peer.close());
    return peer;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(to: number, buf: Buffer): void {
    this.socket.send(buf, to, LOOPBACK);
  }

  rtp(to: number, seq: number, payload: Buffer): void {
    this.send(to, buildRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * FRAME_BYTES, ssrc: 0x0e530019, marker: false }, payload));
  }

  /** Resolves once the socket is really gone (its handle closed). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** `frames` 20 ms frames of μ-law, frame i filled with byte i (so order is visible on the wire). */
function ulaw(frames: number): Buffer {
  const buf = Buffer.alloc(frames * FRAME_BYTES);
  for (let i = 0; i < frames; i++) buf.fill(i & 0x7f, i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
  return buf;
}

const TAG = { responseId: 'resp_1', itemId: 'item_1' };

describe.each(HOSTS)('$name media host', ({ name, make }) => {
  function host(range = portRange(10)): { host: MediaHost; minPort: number; maxPort: number } {
    const h = make(range);
    cleanups.push(() => h.close());
    return { host: h, ...range };
  }

  /** A channel talking to a fresh fake Asterisk; resolves once the worker has seen setRemote (messages are FIFO). */
  async function call(h: MediaHost): Promise<{ channel: MediaChannel; asterisk: FakeAsterisk }> {
    const asterisk = await FakeAsterisk.start();
    const channel = await h.open(CHANNEL);
    cleanups.push(() => channel.close());
    channel.setRemote(LOOPBACK, asterisk.port);
    await h.probe();
    return { channel, asterisk };
  }

  it('opens a channel on a port in the range and emits what Asterisk sends to that port as 20 ms frames', async () => {
    const { host: h, minPort, maxPort } = host();
    const { channel, asterisk } = await call(h);
    expect(channel.port).toBeGreaterThanOrEqual(minPort);
    expect(channel.port).toBeLessThanOrEqual(maxPort);
    const frames: Buffer[] = [];
    channel.on('frame', (f, info) => {
      expect(info.synthetic).toBe(false);
      frames.push(Buffer.from(f));
    });
    asterisk.rtp(channel.port, 100, Buffer.alloc(FRAME_BYTES, 0x21));
    asterisk.rtp(channel.port, 101, Buffer.alloc(FRAME_BYTES, 0x22));
    await waitFor(() => frames.length === 2, '2 frames');
    expect(frames.map((f) => [f.length, f[0], f[FRAME_BYTES - 1]])).toEqual([
      [FRAME_BYTES, 0x21, 0x21],
      [FRAME_BYTES, 0x22, 0x22],
    ]);
  });

  it('plays 1 s of an item as 50 paced RTP packets from the channel port, and waitForPlayout resolves once they are sent', async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    channel.write(ulaw(50), TAG);
    channel.endOfItem(TAG.itemId);
    const result = await within(channel.waitForPlayout(), 5000, 'waitForPlayout');
    expect(result.interrupted).toBe(false);
    expect(asterisk.received.length).toBeGreaterThanOrEqual(45); // loopback may still be delivering the last few
    await waitFor(() => asterisk.received.length >= 50, '50 packets');
    await sleep(60);
    expect(asterisk.received).toHaveLength(50);

    const packets = asterisk.received.map((r) => r.packet);
    expect(asterisk.received.every((r) => r.fromPort === channel.port)).toBe(true); // strict RTP: one socket
    expect(packets.every((p) => p.payloadType === 0 && p.payload.length === FRAME_BYTES)).toBe(true);
    expect(packets.map((p) => p.payload[0])).toEqual([...Array(50).keys()]);
    expect(packets.map((p) => p.marker)).toEqual([true, ...Array<boolean>(49).fill(false)]);
    for (let i = 1; i < 50; i++) expect(packets[i]!.sequenceNumber).toBe((packets[0]!.sequenceNumber + i) & 0xffff);
    const tsSteps = packets.slice(1).map((p, i) => (p.timestamp - packets[i]!.timestamp) >>> 0);
    await h.refreshStats();
    // A stall of ≥ 60 ms on a loaded machine makes the pacer resync, which advances the timestamp by the lost time.
    const resyncs = channel.stats().resyncs;
    expect(tsSteps.filter((d) => d !== 160).length).toBeLessThanOrEqual(resyncs);
    expect(tsSteps.every((d) => d >= 160)).toBe(true);
  });

  it("tells when each item's first packet went out, on the monotonic clock every thread shares", async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    const starts: Array<{ itemId: string; sentAt: number; seenAt: number }> = [];
    channel.on('itemStart', (s) => starts.push({ ...s, seenAt: monoMs() }));
    const before = monoMs();
    channel.write(ulaw(3), TAG);
    channel.write(ulaw(3), { responseId: 'resp_1', itemId: 'item_2' });
    channel.endOfItem('item_2');
    await waitFor(() => starts.length === 2 && asterisk.received.length >= 6, 'two item starts');
    expect(starts.map((s) => s.itemId)).toEqual(['item_1', 'item_2']);
    const [a, b] = starts as [(typeof starts)[0], (typeof starts)[0]];
    expect(a.sentAt).toBeGreaterThanOrEqual(before);
    expect(b.sentAt).toBeLessThanOrEqual(b.seenAt);
    expect(b.sentAt - a.sentAt).toBeGreaterThanOrEqual(55); // three 20 ms frames apart
    await sleep(60);
    expect(starts).toHaveLength(2); // frames after the first of an item do not count
  });

  it('starts an idle channel while this thread is still busy: the first write is not held to the end of the turn', async () => {
    const { host: h } = host();
    const { channel } = await call(h);
    const starts: number[] = [];
    channel.on('itemStart', (s) => starts.push(s.sentAt));
    channel.write(ulaw(2), TAG);
    const busyUntil = monoMs() + 300;
    while (monoMs() < busyUntil); // this thread stays busy: a write batched for the end of the turn would wait
    await waitFor(() => starts.length === 1, 'item start');
    expect(starts[0]).toBeLessThan(busyUntil);
  });

  it('is playing after a write and not playing once played out', async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    expect(channel.isPlaying).toBe(false);
    channel.write(ulaw(10), TAG);
    channel.endOfItem(TAG.itemId);
    await waitFor(() => channel.isPlaying, 'isPlaying true'); // the worker's mirror follows one turn later
    await channel.waitForPlayout();
    await waitFor(() => !channel.isPlaying, 'isPlaying false');
    expect(asterisk.received.length).toBeGreaterThanOrEqual(9);
  });

  it('clear() mid-playout stops at once and reports exactly what was sent of the item', async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    channel.write(ulaw(50), TAG);
    await waitFor(() => channel.isPlaying && asterisk.received.length >= 8, '8 packets');
    const waiting = channel.waitForPlayout();
    const clearing = channel.clear();
    expect(channel.isPlaying).toBe(false); // synchronously
    const played = await within(clearing, 3000, 'clear');
    expect(played).toHaveLength(1);
    const item = played[0]!;
    expect(item).toMatchObject({ itemId: TAG.itemId, responseId: TAG.responseId });
    expect(item.playedMs % 20).toBe(0);
    expect(item.playedMs).toBeGreaterThanOrEqual(8 * 20);
    expect(item.playedMs).toBeLessThan(1000);
    expect(await within(waiting, 3000, 'waitForPlayout')).toMatchObject({ interrupted: true });

    await sleep(100); // anything sent before clear() has arrived by now
    const settled = asterisk.received.length;
    await sleep(200);
    expect(asterisk.received.length).toBe(settled); // nothing after clear
    expect(Math.abs(settled * 20 - item.playedMs)).toBeLessThanOrEqual(40);
    expect(channel.isPlaying).toBe(false);
  });

  it('counts packets both ways, mid-call and final after close()', async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    let framesIn = 0;
    channel.on('frame', () => framesIn++);
    for (let i = 0; i < 3; i++) asterisk.rtp(channel.port, 10 + i, Buffer.alloc(FRAME_BYTES, 0x30));
    channel.write(ulaw(10), TAG);
    channel.endOfItem(TAG.itemId);
    await channel.waitForPlayout();
    await waitFor(() => asterisk.received.length === 10 && framesIn === 3, '10 packets out, 3 frames in');

    await h.refreshStats();
    expect(channel.stats()).toMatchObject({ packetsIn: 3, framesIn: 3, packetsOut: 10, bytesOut: 10 * (12 + FRAME_BYTES), malformed: 0, foreign: 0 });

    asterisk.rtp(channel.port, 13, Buffer.alloc(FRAME_BYTES, 0x31));
    await waitFor(() => framesIn === 4, 'a 4th frame');
    await channel.close();
    expect(channel.stats()).toMatchObject({ packetsIn: 4, framesIn: 4, packetsOut: asterisk.received.length });
    expect(channel.stats().packetsOut).toBe(10);
  });

  it('close() gives the port back: nothing held afterwards and the same port opens again', async () => {
    const { host: h, minPort } = host(portRange(1));
    const { channel, asterisk } = await call(h);
    expect(channel.port).toBe(minPort);
    channel.write(ulaw(50), TAG); // close mid-playout: the pacer's timer must go too
    await waitFor(() => asterisk.received.length >= 2, 'playout running');
    await asterisk.close(); // the inline host counts this thread's handles, where the fake peer lives too
    expect((await h.probe()).resources.UDPWrap).toBe(1);
    await channel.close();
    await channel.close(); // idempotent
    const probe = await h.probe();
    expect(probe).toMatchObject({ channels: 0, ports: 0 });
    expect(probe.resources).not.toHaveProperty('UDPWrap'); // the libuv kind of a dgram socket

    const again = await h.open(CHANNEL);
    cleanups.push(() => again.close());
    expect(again.port).toBe(minPort);
    expect(await h.probe()).toMatchObject({ channels: 1, ports: 1, resources: { UDPWrap: 1 } });
  });

  it('rejects the third open() on a range of 2 ports with RTP_PORTS_EXHAUSTED', async () => {
    const { host: h } = host(portRange(2));
    const a = await h.open(CHANNEL);
    const b = await h.open(CHANNEL);
    cleanups.push(() => a.close(), () => b.close());
    expect(a.port).not.toBe(b.port);
    const third = h.open(CHANNEL);
    await expect(third).rejects.toBeInstanceOf(PortRangeExhaustedError);
    await expect(third).rejects.toMatchObject({ code: 'RTP_PORTS_EXHAUSTED' });
    await a.close();
    const c = await h.open(CHANNEL); // a freed port is usable again
    cleanups.push(() => c.close());
    expect(c.port).toBe(a.port);
  });

  it('counts malformed datagrams and keeps receiving', async () => {
    const { host: h } = host();
    const { channel, asterisk } = await call(h);
    const frames: number[] = [];
    channel.on('frame', (f) => frames.push(f[0]!));
    asterisk.send(channel.port, Buffer.from('hello'));
    asterisk.send(channel.port, Buffer.alloc(172, 0x00)); // RTP version 0
    asterisk.send(channel.port, Buffer.alloc(0));
    asterisk.rtp(channel.port, 7, Buffer.alloc(FRAME_BYTES, 0x44));
    await waitFor(() => frames.length === 1, 'the valid frame');
    expect(frames).toEqual([0x44]);
    await h.refreshStats();
    expect(channel.stats()).toMatchObject({ malformed: 3, packetsIn: 4, framesIn: 1 });
  });

  it.runIf(name === 'worker')('when the worker dies, every channel fails once, pending calls settle, and the next open() starts a new worker', async () => {
    const { host: h } = host();
    const worker = h as WorkerMediaHost;
    const one = await call(h);
    const two = await call(h);
    const failed: Array<[number, string]> = [];
    one.channel.on('failed', (why) => failed.push([1, why]));
    two.channel.on('failed', (why) => failed.push([2, why]));
    one.channel.write(ulaw(50), TAG);
    await waitFor(() => one.channel.isPlaying, 'playing');
    const waiting = one.channel.waitForPlayout();
    const clearing = two.channel.clear();

    await worker.kill();
    expect(await within(waiting, 3000, 'waitForPlayout')).toMatchObject({ interrupted: true });
    expect(await within(clearing, 3000, 'clear')).toEqual([]);
    await sleep(50);
    expect(failed.map(([id]) => id).sort()).toEqual([1, 2]);
    expect(one.channel.isPlaying).toBe(false);
    expect(await within(one.channel.clear(), 3000, 'clear after death')).toEqual([]);
    await within(one.channel.close(), 3000, 'close after death');

    const { channel, asterisk } = await call(h);
    const frames: Buffer[] = [];
    channel.on('frame', (f) => frames.push(Buffer.from(f)));
    asterisk.rtp(channel.port, 1, Buffer.alloc(FRAME_BYTES, 0x55));
    await waitFor(() => frames.length === 1, 'a frame through the new worker');
    expect((await h.probe()).channels).toBe(1);
  });
});

import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpSession, type RtpSessionOptions } from '../../src/media/RtpSession.js';
import { buildRtp, parseRtp, type RtpPacket } from '../../src/media/rtpPacket.js';
import { FakeClock } from './fakeClock.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function bindUdp(host = '127.0.0.1'): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  cleanups.push(() => {
    try {
      s.close();
    } catch {
      /* closed by the test */
    }
  });
  return s;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fake Asterisk: one UDP socket that sends RTP to the agent and records what comes back. */
class FakeAsterisk {
  readonly received: Array<{ packet: RtpPacket; fromPort: number }> = [];
  constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      const r = parseRtp(msg);
      if (r.ok) this.received.push({ packet: { ...r.packet, payload: Buffer.from(r.packet.payload) }, fromPort: rinfo.port });
    });
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(to: number, buf: Buffer): void {
    this.socket.send(buf, to, '127.0.0.1');
  }
  rtp(to: number, seq: number, payload: Buffer, opts: { pt?: number; ssrc?: number; ts?: number } = {}): void {
    this.send(to, buildRtp({ payloadType: opts.pt ?? 0, sequenceNumber: seq, timestamp: opts.ts ?? seq * 160, ssrc: opts.ssrc ?? 0x0e530019, marker: false }, payload));
  }
}

async function setup(overrides: Partial<RtpSessionOptions> = {}) {
  const clock = new FakeClock();
  const socket = await bindUdp();
  const port = socket.address().port;
  const asterisk = new FakeAsterisk(await bindUdp());
  const session = new RtpSession({ socket, inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], clock, ...overrides });
  cleanups.push(() => session.close());
  const frames: Array<{ frame: Buffer; synthetic: boolean }> = [];
  session.on('frame', (frame, info) => frames.push({ frame: Buffer.from(frame), synthetic: info.synthetic }));
  return { clock, socket, port, asterisk, session, frames };
}

const tag = { responseId: 'resp_1', itemId: 'item_1' };

describe('RtpSession over UDP', () => {
  it('echoes caller frames back as RTP from the same port, with our own SSRC, sequence and timestamps', async () => {
    const { clock, port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    for (let i = 0; i < 5; i++) asterisk.rtp(port, 100 + i, Buffer.alloc(160, 0x10 + i));
    await waitFor(() => frames.length === 5, '5 frames');
    expect(frames.map((f) => [f.frame.length, f.frame[0], f.synthetic])).toEqual([0, 1, 2, 3, 4].map((i) => [160, 0x10 + i, false]));

    for (const f of frames) session.pacer.write(f.frame, tag);
    session.pacer.endOfItem('item_1');
    clock.advance(100);
    await waitFor(() => asterisk.received.length === 5, '5 packets back');
    const back = asterisk.received.map((r) => r.packet);
    expect(asterisk.received.every((r) => r.fromPort === port)).toBe(true); // strict RTP: same socket
    expect(back.map((p) => p.payloadType)).toEqual([0, 0, 0, 0, 0]);
    expect(back.map((p) => p.marker)).toEqual([true, false, false, false, false]);
    expect(back.map((p) => p.payload[0])).toEqual([0x10, 0x11, 0x12, 0x13, 0x14]);
    expect(new Set(back.map((p) => p.ssrc)).size).toBe(1);
    expect(back[0]!.ssrc).not.toBe(0x0e530019);
    for (let i = 1; i < 5; i++) {
      expect(back[i]!.sequenceNumber).toBe((back[0]!.sequenceNumber + i) & 0xffff);
      expect(back[i]!.timestamp).toBe((back[0]!.timestamp + 160 * i) >>> 0);
    }
    expect(session.stats()).toMatchObject({ packetsIn: 5, packetsOut: 5, bytesIn: 5 * 172, bytesOut: 5 * 172, malformed: 0, foreign: 0 });
  });

  it('counts every failed send from the first one on, and recovers when the path works again', async () => {
    const warned: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (_o: object, msg: string) => void warned.push(msg) };
    const { clock, session, asterisk } = await setup({ logger: log });
    session.setRemote('255.255.255.255', 4000); // a socket without SO_BROADCAST: sendto fails (EACCES) at once
    session.pacer.write(Buffer.alloc(160 * 30), tag); // the first frame goes at once
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i < 30; i++) {
      clock.advance(20);
      await new Promise((r) => setImmediate(r)); // the send's callback
    }
    expect(session.stats()).toMatchObject({ packetsOut: 30, sendErrors: 30 });
    expect(warned).toEqual(['rtp send failed']);

    session.setRemote('127.0.0.1', asterisk.port);
    session.pacer.write(Buffer.alloc(160 * 120), tag);
    for (let i = 0; i < 120; i++) {
      clock.advance(20);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => asterisk.received.length === 120, '120 packets after the path works');
    expect(session.stats().sendErrors).toBe(30);
  });

  it('sends nothing before setRemote', async () => {
    const { clock, session, asterisk } = await setup();
    session.pacer.write(Buffer.alloc(480), tag);
    clock.advance(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(asterisk.received).toHaveLength(0);
    expect(session.stats().packetsOut).toBe(0);
    expect(session.stats().notSent).toBe(3);
  });

  it('drops and counts RTP from a host that is neither allowed nor the remote (injection)', async () => {
    const { port, asterisk, session, frames } = await setup({ allowedHosts: [] });
    session.setRemote('127.0.0.1', asterisk.port);
    const intruder = new FakeAsterisk(await bindUdp('127.0.0.2'));
    for (let i = 0; i < 3; i++) intruder.rtp(port, i, Buffer.alloc(160, 0x66));
    await waitFor(() => session.stats().foreign === 3, '3 foreign packets');
    asterisk.rtp(port, 50, Buffer.alloc(160, 0x01));
    await waitFor(() => frames.length === 1, 'the real frame');
    expect(frames[0]!.frame[0]).toBe(0x01);
    expect(session.stats()).toMatchObject({ foreign: 3, packetsIn: 4 });
  });

  it('accepts an extra allowed host', async () => {
    const { port, session, frames } = await setup({ allowedHosts: ['127.0.0.2'] });
    const other = new FakeAsterisk(await bindUdp('127.0.0.2'));
    other.rtp(port, 1, Buffer.alloc(160, 0x42));
    await waitFor(() => frames.length === 1, 'frame from allowed host');
    expect(session.stats().foreign).toBe(0);
  });

  it('counts malformed packets and unexpected payload types without emitting them', async () => {
    const { port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.send(port, Buffer.from('hello'));
    asterisk.send(port, Buffer.alloc(172, 0x00)); // version 0
    asterisk.rtp(port, 7, Buffer.alloc(160), { pt: 96 });
    asterisk.rtp(port, 8, Buffer.alloc(160, 0x33));
    await waitFor(() => frames.length === 1, 'the valid frame');
    expect(session.stats()).toMatchObject({ malformed: 2, badPayloadType: 1, packetsIn: 4 });
  });

  it('re-orders swapped packets', async () => {
    const { port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 1, Buffer.alloc(160, 1));
    asterisk.rtp(port, 3, Buffer.alloc(160, 3));
    asterisk.rtp(port, 2, Buffer.alloc(160, 2));
    await waitFor(() => frames.length === 3, '3 frames');
    expect(frames.map((f) => f.frame[0])).toEqual([1, 2, 3]);
  });

  it('fills caller silence with synthetic frames on a 20 ms clock and stops when packets resume', async () => {
    const { clock, port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port); // stream clock starts at t=0
    asterisk.rtp(port, 1, Buffer.alloc(160, 0x20));
    await waitFor(() => frames.length === 1, 'first frame');
    clock.advance(59);
    expect(frames).toHaveLength(1);
    clock.advance(1); // t=60: three missed 20 ms slots are back-filled
    expect(frames.slice(1).map((f) => f.synthetic)).toEqual([true, true, true]);
    expect(frames[1]!.frame.equals(Buffer.alloc(160, 0xff))).toBe(true);
    clock.advance(40);
    expect(frames).toHaveLength(6);
    asterisk.rtp(port, 2, Buffer.alloc(160, 0x21), { ts: 20000 });
    await waitFor(() => frames.length === 7, 'resumed frame');
    expect(frames[6]).toMatchObject({ synthetic: false });
    clock.advance(59);
    expect(frames).toHaveLength(7);
    expect(session.stats().syntheticFrames).toBe(5);
  });

  it('fills silence from setRemote on even if the caller never sends a packet (slin16: 640 zero bytes)', async () => {
    const { clock, asterisk, session, frames } = await setup({ inboundCodec: 'slin16', outboundCodec: 'slin' });
    session.setRemote('127.0.0.1', asterisk.port);
    clock.advance(100);
    expect(frames.length).toBe(5);
    expect(frames.every((f) => f.synthetic && f.frame.length === 640 && f.frame.every((b) => b === 0))).toBe(true);
  });

  it('does not fill gaps when gapFill is off, but still releases held data', async () => {
    const { clock, port, asterisk, session, frames } = await setup({ gapFill: false });
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 1, Buffer.alloc(110, 0x30));
    await waitFor(() => session.stats().packetsIn === 1, 'packet');
    clock.advance(1000);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.synthetic).toBe(false);
  });

  it('pads the short last packet of a file to a full frame once the caller goes quiet', async () => {
    const { clock, port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 1, Buffer.alloc(160, 0x40), { ts: 160 });
    asterisk.rtp(port, 2, Buffer.alloc(110, 0x41), { ts: 320 });
    await waitFor(() => session.stats().packetsIn === 2, 'packets');
    expect(frames).toHaveLength(1);
    clock.advance(60);
    expect(frames[1]!.synthetic).toBe(false);
    expect(frames[1]!.frame.subarray(0, 110).every((b) => b === 0x41)).toBe(true);
    expect(frames[1]!.frame.subarray(110).every((b) => b === 0xff)).toBe(true);
    expect(frames.slice(2).every((f) => f.synthetic)).toBe(true);
  });

  it('merges contiguous 10 ms packets into 20 ms frames and pads at a timestamp jump', async () => {
    const { port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 1, Buffer.alloc(80, 1), { ts: 1000 });
    asterisk.rtp(port, 2, Buffer.alloc(80, 2), { ts: 1080 });
    asterisk.rtp(port, 3, Buffer.alloc(80, 3), { ts: 1160 });
    asterisk.rtp(port, 4, Buffer.alloc(160, 4), { ts: 5000 }); // new sound after a pause
    await waitFor(() => frames.length === 3, '3 frames');
    expect([...frames[0]!.frame.subarray(78, 82)]).toEqual([1, 1, 2, 2]);
    expect([frames[1]!.frame[0], frames[1]!.frame[80]]).toEqual([3, 0xff]);
    expect(frames[2]!.frame[0]).toBe(4);
  });

  it('keeps going across an SSRC change (transfer, re-bridge)', async () => {
    const { port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 10, Buffer.alloc(160, 1), { ssrc: 1 });
    asterisk.rtp(port, 40000, Buffer.alloc(160, 2), { ssrc: 2 });
    await waitFor(() => frames.length === 2, '2 frames');
    expect(session.stats()).toMatchObject({ ssrcChanges: 1, lost: 0 });
  });

  it('advances the RTP timestamp by the idle time across a pause and marks the new talkspurt', async () => {
    const { clock, asterisk, session } = await setup({ gapFill: false });
    session.setRemote('127.0.0.1', asterisk.port);
    session.pacer.write(Buffer.alloc(480, 0x55), tag);
    session.pacer.endOfItem('item_1');
    clock.advance(100); // frames at 0, 20, 40
    clock.advance(1000);
    session.pacer.write(Buffer.alloc(160, 0x56), { responseId: 'resp_2', itemId: 'item_2' }); // sent at t=1100
    await waitFor(() => asterisk.received.length === 4, '4 packets');
    const p = asterisk.received.map((r) => r.packet);
    expect(p.map((x) => x.marker)).toEqual([true, false, false, true]);
    expect(p.map((x) => (x.timestamp - p[0]!.timestamp) >>> 0)).toEqual([0, 160, 320, 1100 * 8]);
    expect(p.map((x) => (x.sequenceNumber - p[0]!.sequenceNumber) & 0xffff)).toEqual([0, 1, 2, 3]);
  });

  it('sends 8 kHz L16 back with payload type 10', async () => {
    const { clock, asterisk, session } = await setup({ inboundCodec: 'slin24', outboundCodec: 'slin' });
    session.setRemote('127.0.0.1', asterisk.port);
    session.pacer.write(Buffer.alloc(640, 0x01), tag);
    clock.advance(20);
    await waitFor(() => asterisk.received.length === 2, '2 packets');
    expect(asterisk.received.map((r) => [r.packet.payloadType, r.packet.payload.length])).toEqual([[10, 320], [10, 320]]);
  });

  it('close stops every timer, closes the socket, removes listeners and is idempotent', async () => {
    const { clock, socket, port, asterisk, session, frames } = await setup();
    session.setRemote('127.0.0.1', asterisk.port);
    asterisk.rtp(port, 1, Buffer.alloc(160));
    await waitFor(() => frames.length === 1, 'frame');
    clock.advance(80); // gap filling running
    session.pacer.write(Buffer.alloc(1600), tag); // pacer running
    expect(clock.pending).toBeGreaterThan(0);
    const closed = new Promise((r) => socket.once('close', r));
    session.close();
    session.close();
    await closed;
    expect(clock.pending).toBe(0);
    expect(socket.listenerCount('message')).toBe(0);
    expect(session.listenerCount('frame')).toBe(0);
    expect(session.closed).toBe(true);
    const before = frames.length;
    clock.advance(1000);
    expect(frames.length).toBe(before);
  });

  it('leaves no timer behind with the default clock (performance.now + setTimeout)', async () => {
    const socket = await bindUdp();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const session = new RtpSession({ socket, inboundCodec: 'alaw', outboundCodec: 'alaw', allowedHosts: ['127.0.0.1'] });
      const frames: boolean[] = [];
      session.on('frame', (_f, info) => frames.push(info.synthetic));
      session.setRemote('127.0.0.1', 9);
      session.pacer.write(Buffer.alloc(1600, 0xd5), tag);
      vi.advanceTimersByTime(100);
      expect(frames).toEqual([true, true, true, true, true]); // gap filling ran on the default clock
      expect(session.pacer.stats.framesSent).toBe(6);
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      session.close();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(frames).toHaveLength(5);
    } finally {
      vi.useRealTimers();
    }
  });
});

import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpSession } from '../../src/media/RtpSession.js';
import { buildRtp, parseRtp } from '../../src/media/rtpPacket.js';
import { Prng, trackUnhandled } from './prng.js';

const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) {
    try {
      s.close();
    } catch {
      /* closed by the session */
    }
  }
});

async function bindUdp(host: string): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, host, () => resolve());
  });
  sockets.push(s);
  return s;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('fuzz: RtpSession over real UDP', () => {
  it('counts every garbage datagram, never crashes, and keeps carrying audio both ways', async () => {
    const unhandled = trackUnhandled();
    const r = new Prng(0x5eed);
    const socket = await bindUdp('127.0.0.1');
    const asterisk = await bindUdp('127.0.0.1');
    // A second loopback address plays an attacker on another host (Linux routes all of 127/8 to lo).
    const stranger = await bindUdp('127.0.0.2');
    const session = new RtpSession({ socket, inboundCodec: 'ulaw', outboundCodec: 'ulaw', allowedHosts: [], gapFill: false });
    session.setRemote('127.0.0.1', asterisk.address().port);
    const port = socket.address().port;
    const frameSizes = new Set<number>();
    let frames = 0;
    session.on('frame', (f) => {
      frames++;
      frameSizes.add(f.length);
    });
    const echoed: number[] = [];
    asterisk.on('message', (msg) => {
      const p = parseRtp(msg);
      if (p.ok) echoed.push(p.packet.payload.length);
    });

    const expected = { short: 0, badVersion: 0, foreign: 0, wrongPt: 0, mutated: 0, valid: 0 };
    let seq = 1000;
    const total = 3_000;
    for (let i = 0; i < total; i++) {
      let buf: Buffer;
      let from = asterisk;
      switch (r.int(0, 5)) {
        case 0:
          buf = r.bytes(r.int(0, 11));
          expected.short++;
          break;
        case 1:
          buf = r.bytes(r.int(12, 400));
          buf[0] = buf[0]! & 0x3f; // version 0
          expected.badVersion++;
          break;
        case 2:
          buf = buildRtp({ payloadType: 0, sequenceNumber: seq++, timestamp: seq * 160, ssrc: 77, marker: false }, r.bytes(160));
          from = stranger;
          expected.foreign++;
          break;
        case 3:
          buf = buildRtp({ payloadType: r.pick([8, 10, 96, 118, 127]), sequenceNumber: seq++, timestamp: seq * 160, ssrc: 77, marker: false }, r.bytes(160));
          expected.wrongPt++;
          break;
        case 4:
          buf = r.mutateBytes(buildRtp({ payloadType: 0, sequenceNumber: seq++, timestamp: seq * 160, ssrc: 77, marker: false }, r.bytes(160)));
          expected.mutated++;
          break;
        default:
          buf = buildRtp({ payloadType: 0, sequenceNumber: seq++, timestamp: seq * 160, ssrc: 77, marker: false }, r.bytes(r.pick([160, 80, 1, 333])));
          expected.valid++;
      }
      from.send(buf, port, '127.0.0.1');
      // Let the receiver drain: loopback UDP drops when its receive buffer is full, and we count exactly.
      if (i % 50 === 49) await new Promise((res) => setTimeout(res, 2));
    }
    await waitFor(() => session.stats().packetsIn === total, `all ${total} datagrams counted`);
    const s = session.stats();
    expect(s.foreign).toBe(expected.foreign);
    expect(s.malformed).toBeGreaterThanOrEqual(expected.short + expected.badVersion);
    expect(s.badPayloadType).toBeGreaterThanOrEqual(expected.wrongPt);
    // Nothing is silently lost: whatever was not dropped above went to the reorder stage.
    expect(s.malformed + s.foreign + s.badPayloadType).toBeLessThanOrEqual(total - expected.valid);
    expect(frames).toBeGreaterThan(0);
    expect([...frameSizes]).toEqual([160]);

    // Still healthy: agent audio goes out paced as RTP.
    session.pacer.write(Buffer.alloc(800, 0x7f), { responseId: 'r', itemId: 'i' });
    session.pacer.endOfItem('i');
    await waitFor(() => echoed.length >= 5, 'agent audio after the garbage');
    expect(echoed.every((n) => n === 160)).toBe(true);
    session.close();
    expect(session.closed).toBe(true);
    unhandled.dispose();
    expect(unhandled.rejections).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { buildRtp, parseRtp, seqDelta } from '../../src/media/rtpPacket.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function parseOk(buf: Buffer) {
  const r = parseRtp(buf);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.packet;
}

describe('parseRtp', () => {
  it('parses a plain Asterisk μ-law packet (12-byte header, PT 0)', () => {
    const buf = hex('80 00 6dbc 000000a0 09384582 ffffff7e');
    const p = parseOk(buf);
    expect(p).toMatchObject({ marker: false, payloadType: 0, sequenceNumber: 28092, timestamp: 160, ssrc: 0x09384582 });
    expect(p.csrc).toEqual([]);
    expect([...p.payload]).toEqual([0xff, 0xff, 0xff, 0x7e]);
  });

  it('returns the payload as a view of the datagram, not a copy', () => {
    const buf = hex('80 00 0001 00000000 00000001 0102');
    const p = parseOk(buf);
    buf[12] = 0x99;
    expect(p.payload[0]).toBe(0x99);
  });

  it('reads marker, dynamic payload type and full 32-bit fields', () => {
    const p = parseOk(hex('80 f6 ffff ffffffff fedcba98 00'));
    expect(p).toMatchObject({ marker: true, payloadType: 118, sequenceNumber: 65535, timestamp: 0xffffffff, ssrc: 0xfedcba98 });
  });

  it('skips the CSRC list and returns its entries', () => {
    const p = parseOk(hex('82 08 0010 00000140 11111111 aaaaaaaa bbbbbbbb d5d5'));
    expect(p.csrc).toEqual([0xaaaaaaaa, 0xbbbbbbbb]);
    expect([...p.payload]).toEqual([0xd5, 0xd5]);
  });

  it('skips a header extension by its word count', () => {
    const p = parseOk(hex('90 00 0001 00000000 00000001 bede0002 01020304 05060708 7f7f'));
    expect([...p.payload]).toEqual([0x7f, 0x7f]);
  });

  it('removes padding counted by the last octet', () => {
    const p = parseOk(hex('a0 00 0001 00000000 00000001 c1c2c3 000003'));
    expect([...p.payload]).toEqual([0xc1, 0xc2, 0xc3]);
  });

  it('handles CSRC + extension + padding together', () => {
    const p = parseOk(hex('b1 0a 0001 00000000 00000001 cccccccc 10000001 deadbeef 0102 0002'));
    expect(p.csrc).toEqual([0xcccccccc]);
    expect([...p.payload]).toEqual([1, 2]);
  });

  it('accepts an empty payload', () => {
    expect(parseOk(hex('80 00 0001 00000000 00000001')).payload.length).toBe(0);
  });

  it.each([
    ['empty', '', 'too_short'],
    ['11 bytes', '80 00 0001 00000000 000000', 'too_short'],
    ['version 0', '00 00 0001 00000000 00000001 ff', 'bad_version'],
    ['version 1', '40 00 0001 00000000 00000001 ff', 'bad_version'],
    ['CSRC count past the end', '83 00 0001 00000000 00000001 aaaaaaaa', 'bad_csrc'],
    ['extension preamble truncated', '90 00 0001 00000000 00000001 bede', 'bad_extension'],
    ['extension length past the end', '90 00 0001 00000000 00000001 bede0004 01020304', 'bad_extension'],
    ['padding count zero', 'a0 00 0001 00000000 00000001 ff00', 'bad_padding'],
    ['padding longer than the payload', 'a0 00 0001 00000000 00000001 ff05', 'bad_padding'],
    ['padding bit on a bare header', 'a0 00 0001 00000000 00000001', 'bad_padding'],
  ])('drops %s as %s', (_name, bytes, reason) => {
    expect(parseRtp(hex(bytes))).toEqual({ ok: false, reason });
  });

  it('never throws on random garbage', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 2000; n++) {
      const buf = Buffer.alloc(n % 64);
      for (let i = 0; i < buf.length; i++) buf[i] = rnd();
      const r = parseRtp(buf);
      if (r.ok) expect(r.packet.payload.length).toBeGreaterThanOrEqual(0);
      else expect(typeof r.reason).toBe('string');
    }
  });
});

describe('buildRtp', () => {
  it('writes a 12-byte header followed by the payload', () => {
    const pkt = buildRtp({ payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xa0, ssrc: 0xdeadbeef, marker: true }, hex('ff7e'));
    expect(pkt.toString('hex')).toBe('80801234000000a0deadbeefff7e');
  });

  it('wraps sequence number and timestamp', () => {
    const pkt = buildRtp({ payloadType: 10, sequenceNumber: 65536 + 5, timestamp: 2 ** 32 + 7, ssrc: 1, marker: false }, Buffer.alloc(0));
    const p = parseOk(pkt);
    expect(p.sequenceNumber).toBe(5);
    expect(p.timestamp).toBe(7);
    expect(p.payloadType).toBe(10);
  });

  it('writes into a caller buffer when it is large enough', () => {
    const out = Buffer.alloc(400);
    const pkt = buildRtp({ payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3, marker: false }, Buffer.alloc(160, 0xd5), out);
    expect(pkt.length).toBe(172);
    expect(pkt.buffer).toBe(out.buffer);
    expect(pkt.byteOffset).toBe(out.byteOffset);
  });

  it('round-trips through parseRtp', () => {
    const payload = Buffer.from([1, 2, 3, 4, 5]);
    const h = { payloadType: 118, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0x80000001, marker: true };
    const p = parseOk(buildRtp(h, payload));
    expect(p).toMatchObject(h);
    expect(p.payload.equals(payload)).toBe(true);
  });
});

describe('seqDelta', () => {
  it('measures distance across the 16-bit wrap', () => {
    expect(seqDelta(65535, 0)).toBe(1);
    expect(seqDelta(0, 65535)).toBe(-1);
    expect(seqDelta(100, 105)).toBe(5);
    expect(seqDelta(65530, 4)).toBe(10);
  });
});

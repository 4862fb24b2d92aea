import { describe, expect, it } from 'vitest';
import {
  alawToLinear,
  buildRtpPacket,
  decodeInboundPayload,
  encodePayload,
  linearToAlaw,
  linearToUlaw,
  parseRtpPacket,
  resampleLinear,
  ulawToLinear,
} from '../../src/sim/rtpCodec.js';

describe('rtpCodec', () => {
  it('encodes μ-law silence as 0xff and round-trips samples within G.711 quantisation', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    for (const s of [-32000, -1000, -10, 0, 10, 1000, 32000]) {
      const back = ulawToLinear(linearToUlaw(s));
      expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) / 16));
    }
  });

  it('round-trips A-law samples within G.711 quantisation and encodes silence as 0xd5', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    for (const s of [-32000, -1000, -10, 0, 10, 1000, 32000]) {
      const back = alawToLinear(linearToAlaw(s));
      expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16));
    }
  });

  it('writes L16 big-endian (network order) and decodes PT 10/11 as big-endian', () => {
    const payload = encodePayload(Int16Array.from([0x0102, -2]), 'slin16');
    expect([...payload]).toEqual([0x01, 0x02, 0xff, 0xfe]);
    expect([...(decodeInboundPayload(11, payload) ?? [])]).toEqual([0x0102, -2]);
  });

  it('refuses dynamic payload types like Asterisk does for inbound RTP', () => {
    expect(decodeInboundPayload(118, Buffer.alloc(640))).toBeNull();
    expect(decodeInboundPayload(96, Buffer.alloc(160))).toBeNull();
  });

  it('builds the 12-byte header Asterisk sends and parses packets with CSRCs and an extension', () => {
    const pkt = buildRtpPacket({ pt: 0, seq: 65535, ts: 160, ssrc: 0x2a6b44ef, payload: Buffer.alloc(160, 0xff) });
    expect(pkt.length).toBe(172);
    expect(pkt[0]).toBe(0x80);
    expect(pkt[1]).toBe(0);
    const parsed = parseRtpPacket(pkt);
    expect(parsed).toMatchObject({ version: 2, marker: false, pt: 0, seq: 65535, ts: 160, ssrc: 0x2a6b44ef });
    const withExt = Buffer.concat([Buffer.from([0x91, 0x80 | 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2]), Buffer.alloc(4), Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]), Buffer.from([9, 9])]);
    expect(parseRtpPacket(withExt)).toMatchObject({ marker: true, pt: 8, payload: Buffer.from([9, 9]) });
    expect(parseRtpPacket(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
  });

  it('resamples 8 kHz to 16 kHz by doubling the sample count', () => {
    const up = resampleLinear(Int16Array.from([0, 100, 200, 300]), 8000, 16000);
    expect(up.length).toBe(8);
    expect(up[2]).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import { AudioConverter, type AudioSide } from '../../src/media/AudioConverter.js';
import { FrameChunker } from '../../src/media/FrameChunker.js';
import { alawToPcm, pcmToAlaw, pcmToUlaw, ulawToPcm } from '../../src/media/g711.js';
import { l16beToPcm, pcm16leToPcm, pcmToL16be, pcmToPcm16le } from '../../src/media/l16.js';
import { ReorderBuffer } from '../../src/media/ReorderBuffer.js';
import { buildRtp, parseRtp, RTP_HEADER_BYTES, type RtpDropReason } from '../../src/media/rtpPacket.js';
import { Prng } from './prng.js';

function sameSamples(a: Int16Array, b: Int16Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const DROP_REASONS: readonly RtpDropReason[] = ['too_short', 'bad_version', 'bad_padding', 'bad_extension', 'bad_csrc'];

function randomPacket(r: Prng): Buffer {
  const header = { payloadType: r.int(0, 127), sequenceNumber: r.int(0, 0xffff), timestamp: r.int(0, 0xffffffff), ssrc: r.int(0, 0xffffffff), marker: r.bool() };
  return buildRtp(header, r.bytes(r.pick([0, 1, 160, 320, 640, 960, r.int(0, 1500)])));
}

describe('fuzz: RTP parser', () => {
  it('never throws on random datagrams and names a known reason for every drop', () => {
    const r = new Prng(0xc0ffee);
    const reasons = new Map<string, number>();
    const bad: number[] = [];
    let ok = 0;
    for (let i = 0; i < 20_000; i++) {
      const buf = r.bytes(r.pick([0, 1, 11, 12, 13, 16, 40, r.int(0, 2000)]));
      if (r.bool(0.5) && buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80; // half claim version 2
      const res = parseRtp(buf);
      if (res.ok) {
        ok++;
        const p = res.packet;
        // The payload is a view inside the datagram, after the fixed header.
        const start = p.payload.byteOffset - buf.byteOffset;
        if (p.payload.buffer !== buf.buffer || start < RTP_HEADER_BYTES || start + p.payload.length > buf.length || p.payloadType > 127) bad.push(i);
      } else {
        if (!DROP_REASONS.includes(res.reason)) bad.push(i);
        reasons.set(res.reason, (reasons.get(res.reason) ?? 0) + 1);
      }
    }
    expect(bad).toEqual([]);
    // Every case is accounted for, and the generator reached every kind of rejection.
    expect(ok + [...reasons.values()].reduce((a, b) => a + b, 0)).toBe(20_000);
    expect([...reasons.keys()].sort()).toEqual([...DROP_REASONS].sort());
  });

  it('parses mutated valid packets without throwing, and round-trips the unmutated ones exactly', () => {
    const r = new Prng(42);
    const bad: number[] = [];
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const pkt = randomPacket(r);
      const clean = parseRtp(pkt);
      if (!clean.ok || !buildRtp(clean.packet, clean.packet.payload).equals(pkt)) bad.push(i);
      const res = parseRtp(r.mutateBytes(pkt));
      if (!res.ok) rejected++;
    }
    expect(bad).toEqual([]);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('fuzz: codecs', () => {
  it('G.711 decodes any byte string and re-encoding decoded audio is stable', () => {
    const r = new Prng(7);
    const bad: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const bytes = r.bytes(r.int(0, 400));
      const u = ulawToPcm(bytes);
      const a = alawToPcm(bytes);
      if (u.length !== bytes.length || a.length !== bytes.length) bad.push(i);
      // decode(encode(decode(x))) == decode(x): every decoded value is exactly representable.
      if (!sameSamples(ulawToPcm(pcmToUlaw(u)), u) || !sameSamples(alawToPcm(pcmToAlaw(a)), a)) bad.push(i);
    }
    expect(bad).toEqual([]);
  });

  it('G.711 encodes any 16-bit sample, extremes included', () => {
    const r = new Prng(8);
    const pcm = new Int16Array(65_536);
    for (let i = 0; i < pcm.length; i++) pcm[i] = i - 32_768;
    for (let k = 0; k < 100; k++) pcm[r.int(0, pcm.length - 1)] = r.pick([-32_768, 32_767, 0, -1]);
    const u = pcmToUlaw(pcm);
    const a = pcmToAlaw(pcm);
    expect(u.length).toBe(pcm.length);
    expect(a.length).toBe(pcm.length);
    // Quantisation error is bounded by the largest G.711 segment step.
    const du = ulawToPcm(u);
    const da = alawToPcm(a);
    for (let i = 0; i < pcm.length; i += 97) {
      expect(Math.abs(du[i]! - pcm[i]!)).toBeLessThanOrEqual(1_100);
      expect(Math.abs(da[i]! - pcm[i]!)).toBeLessThanOrEqual(1_100);
    }
  });

  it('L16 in both byte orders ignores an odd trailing byte and round-trips samples', () => {
    const r = new Prng(9);
    const bad: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const bytes = r.bytes(r.int(0, 301));
      const be = l16beToPcm(bytes);
      const le = pcm16leToPcm(bytes);
      const even = bytes.subarray(0, (bytes.length >> 1) * 2);
      if (be.length !== bytes.length >> 1 || !pcmToL16be(be).equals(even) || !pcmToPcm16le(le).equals(even)) bad.push(i);
    }
    expect(bad).toEqual([]);
  });

  it('every converter takes random chunk sizes (odd, empty, huge) without throwing', () => {
    const r = new Prng(10);
    const sides: AudioSide[] = [
      { kind: 'wire', codec: 'ulaw' },
      { kind: 'wire', codec: 'alaw' },
      { kind: 'wire', codec: 'slin' },
      { kind: 'wire', codec: 'slin16' },
      { kind: 'wire', codec: 'slin24' },
      { kind: 'provider', format: { encoding: 'pcmu', sampleRate: 8000 } },
      { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 16000 } },
      { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } },
    ];
    let conversions = 0;
    const bad: number[] = [];
    for (const from of sides) {
      for (const to of sides) {
        const conv = new AudioConverter(from, to);
        for (let i = 0; i < 60; i++) {
          const chunk = r.bytes(r.pick([0, 1, 3, 159, 160, 321, 960, r.int(0, 20_000)]));
          const out = conv.convert(chunk);
          // Output never grows beyond the rate ratio × byte-width ratio (plus filter slack) of what went in.
          if (!Buffer.isBuffer(out) || out.length > Math.ceil(chunk.length * (conv.outSampleRate / conv.inSampleRate) * 2) + 64) bad.push(conversions);
          if (r.bool(0.05)) conv.reset();
          conversions++;
        }
      }
    }
    expect(bad).toEqual([]);
    expect(conversions).toBe(sides.length * sides.length * 60);
  });
});

describe('fuzz: inbound re-ordering and framing', () => {
  it('reorder buffer holds at most its depth and counts every packet it does not release', () => {
    const r = new Prng(11);
    const rb = new ReorderBuffer({ depth: 3 });
    let pushed = 0;
    let released = 0;
    let seq = r.int(0, 0xffff);
    const ssrcs = [1, 2, 0xffffffff];
    let ssrc = 1;
    let maxHeld = 0;
    for (let i = 0; i < 20_000; i++) {
      if (r.bool(0.001)) ssrc = r.pick(ssrcs);
      const jump = r.pick([1, 1, 1, 1, 0, -1, -2, 2, 3, 5, r.int(-40_000, 40_000)]);
      seq = (seq + jump) & 0xffff;
      const parsed = parseRtp(buildRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc, marker: false }, Buffer.alloc(160)));
      if (!parsed.ok) throw new Error('built packet did not parse');
      released += rb.push(parsed.packet).length;
      pushed++;
      maxHeld = Math.max(maxHeld, rb.held);
    }
    released += rb.flush().length;
    expect(maxHeld).toBeLessThanOrEqual(3);
    const s = rb.stats;
    // Every packet is either released, or counted as late or duplicate.
    expect(released + s.late + s.duplicate).toBe(pushed);
    expect(s.released).toBe(released);
  });

  it('frame chunker yields only exact frames from random pushes and loses no byte', () => {
    const r = new Prng(12);
    const fc = new FrameChunker(160);
    const bad: number[] = [];
    let pushed = 0;
    let taken = 0;
    for (let i = 0; i < 5_000; i++) {
      const b = r.bytes(r.pick([0, 1, 7, 159, 160, 161, 480, r.int(0, 2_000)]));
      fc.push(b);
      pushed += b.length;
      for (let f = fc.shift(); f !== undefined; f = fc.shift()) {
        if (f.length !== 160) bad.push(i);
        taken += f.length;
      }
    }
    expect(bad).toEqual([]);
    expect(taken + fc.bytesQueued).toBe(pushed);
  });
});

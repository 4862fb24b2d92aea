import { describe, expect, it } from 'vitest';
import { alawToPcm, pcmToAlaw, pcmToUlaw, ulawToPcm } from '../../src/media/g711.js';

const u = (code: number) => ulawToPcm(Uint8Array.of(code))[0];
const a = (code: number) => alawToPcm(Uint8Array.of(code))[0];
const encU = (s: number) => pcmToUlaw(Int16Array.of(s))[0];
const encA = (s: number) => pcmToAlaw(Int16Array.of(s))[0];

describe('μ-law', () => {
  it('decodes the ITU reference points', () => {
    expect(u(0xff)).toBe(0);
    expect(u(0x7f)).toBe(0); // "negative zero"
    expect(u(0x00)).toBe(-32124);
    expect(u(0x80)).toBe(32124);
    expect(u(0xfe)).toBe(8);
    expect(u(0x7e)).toBe(-8);
    expect(u(0xef)).toBe(132); // first code of segment 1 (bias step)
  });

  it('encodes silence and the extremes', () => {
    expect(encU(0)).toBe(0xff);
    expect(encU(32767)).toBe(0x80);
    expect(encU(-32768)).toBe(0x00);
    expect(encU(-1)).toBe(0x7e);
  });

  it('re-encodes every decoded code to itself (except negative zero)', () => {
    for (let c = 0; c < 256; c++) expect(encU(u(c)!)).toBe(c === 0x7f ? 0xff : c);
  });

  it('is monotonic in the input sample', () => {
    let prev = -Infinity;
    for (let s = -32768; s <= 32767; s += 7) {
      const d = u(encU(s)!)!;
      expect(d).toBeGreaterThanOrEqual(prev);
      prev = d;
    }
  });

  it('keeps quantisation error within half a step', () => {
    for (let s = -32000; s <= 32000; s += 13) {
      const d = u(encU(s)!)!;
      expect(Math.abs(d - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) / 16 + 8));
    }
  });
});

describe('A-law', () => {
  it('decodes the ITU reference points', () => {
    expect(a(0xd5)).toBe(8);
    expect(a(0x55)).toBe(-8);
    expect(a(0xaa)).toBe(32256);
    expect(a(0x2a)).toBe(-32256);
    expect(a(0x80)).toBe(-a(0x00)!);
  });

  it('encodes silence and the extremes', () => {
    expect(encA(0)).toBe(0xd5);
    expect(encA(-1)).toBe(0x55);
    expect(encA(32767)).toBe(0xaa);
    expect(encA(-32768)).toBe(0x2a);
  });

  it('round-trips all 256 codes exactly', () => {
    for (let c = 0; c < 256; c++) expect(encA(a(c)!)).toBe(c);
  });
});

describe('buffers', () => {
  it('writes into a caller-supplied destination and returns a view of the used length', () => {
    const dst = new Int16Array(10);
    const out = ulawToPcm(Uint8Array.of(0x80, 0xff, 0x00), dst);
    expect(out.buffer).toBe(dst.buffer);
    expect([...out]).toEqual([32124, 0, -32124]);
    const bytes = Buffer.alloc(8);
    const enc = pcmToAlaw(Int16Array.of(0, 32767), bytes);
    expect([...enc]).toEqual([0xd5, 0xaa]);
    expect(enc.buffer).toBe(bytes.buffer);
  });

  it('round-trips a 1 kHz sine with small error', () => {
    const pcm = new Int16Array(160);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    for (const [enc, dec] of [[pcmToUlaw, ulawToPcm], [pcmToAlaw, alawToPcm]] as const) {
      const back = dec(enc(pcm));
      for (let i = 0; i < pcm.length; i++) expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.abs(pcm[i]!) / 16 + 16);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { l16beToPcm, pcm16leToPcm, pcmToL16be, pcmToPcm16le } from '../../src/media/l16.js';

describe('L16 big-endian (wire)', () => {
  it('decodes big-endian signed samples', () => {
    expect([...l16beToPcm(Buffer.from('7fff8000ffff00010100', 'hex'))]).toEqual([32767, -32768, -1, 1, 256]);
  });

  it('encodes big-endian', () => {
    expect(pcmToL16be(Int16Array.of(32767, -32768, -1, 1, 256)).toString('hex')).toBe('7fff8000ffff00010100');
  });

  it('decodes a view at an odd byte offset without misalignment', () => {
    const backing = Buffer.from('aa0102fffe', 'hex');
    const view = backing.subarray(1); // byteOffset is odd
    expect([...l16beToPcm(view)]).toEqual([0x0102, -2]);
  });

  it('ignores a trailing odd byte', () => {
    expect([...l16beToPcm(Buffer.from('000100', 'hex'))]).toEqual([1]);
  });
});

describe('PCM16 little-endian (provider)', () => {
  it('decodes and encodes little-endian', () => {
    const bytes = Buffer.from('ff7f0080ffff0100', 'hex');
    const pcm = pcm16leToPcm(bytes);
    expect([...pcm]).toEqual([32767, -32768, -1, 1]);
    expect(pcmToPcm16le(pcm).equals(bytes)).toBe(true);
  });

  it('decodes an odd-offset view and writes into a caller buffer', () => {
    const backing = Buffer.from('00' + '3412' + 'cdab', 'hex');
    expect([...pcm16leToPcm(backing.subarray(1))]).toEqual([0x1234, -0x5433]);
    const dst = Buffer.alloc(9);
    const out = pcmToPcm16le(Int16Array.of(0x1234), dst.subarray(1));
    expect(out.length).toBe(2);
    expect(dst.toString('hex')).toBe('003412000000000000');
  });

  it('converts big-endian wire bytes to little-endian provider bytes', () => {
    const be = Buffer.from('1234', 'hex');
    expect(pcmToPcm16le(l16beToPcm(be)).toString('hex')).toBe('3412');
  });
});

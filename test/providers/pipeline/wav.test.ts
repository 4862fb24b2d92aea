import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/providers/pipeline/wav.js';

describe('encodeWav', () => {
  it('writes the canonical 44-byte PCM16 mono header followed by little-endian samples', () => {
    const wav = encodeWav(Int16Array.from([1, -2, 0x1234]), 8000);
    expect(wav.toString('hex')).toBe(
      [
        '52494646', // RIFF
        '2a000000', // 36 + 6
        '57415645', // WAVE
        '666d7420', // "fmt "
        '10000000', // 16
        '0100', // PCM
        '0100', // mono
        '401f0000', // 8000 Hz
        '803e0000', // 16000 bytes/s
        '0200', // block align
        '1000', // 16 bits
        '64617461', // data
        '06000000', // 6 bytes
        '0100feff3412',
      ].join(''),
    );
  });

  it('encodes an empty utterance as a valid header with no data', () => {
    const wav = encodeWav(new Int16Array(0), 16000);
    expect(wav.length).toBe(44);
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(40)).toBe(0);
  });
});

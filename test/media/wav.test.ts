import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../src/media/wav.js';

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

describe('decodeWav', () => {
  it('reads back what encodeWav wrote', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const wav = decodeWav(encodeWav(pcm, 16000));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channels).toBe(1);
    expect(Array.from(wav.pcm)).toEqual(Array.from(pcm));
  });

  it('mixes stereo down and skips unknown chunks', () => {
    const mono = encodeWav(Int16Array.from([100, 300]), 8000);
    // Build a stereo file with a LIST chunk before fmt.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const fmt = Buffer.from(mono.subarray(12, 36));
    fmt.writeUInt16LE(2, 10); // channels
    fmt.writeUInt32LE(8000 * 4, 16); // byte rate
    fmt.writeUInt16LE(4, 20); // block align
    const data = Buffer.alloc(8 + 8);
    data.write('data', 0, 'ascii');
    data.writeUInt32LE(8, 4);
    data.writeInt16LE(100, 8);
    data.writeInt16LE(200, 10);
    data.writeInt16LE(-50, 12);
    data.writeInt16LE(-150, 14);
    const body = Buffer.concat([Buffer.from('WAVE'), list, fmt, data]);
    const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), body]);
    riff.writeUInt32LE(body.length, 4);
    const wav = decodeWav(riff);
    expect(wav.channels).toBe(2);
    expect(Array.from(wav.pcm)).toEqual([150, -100]);
  });

  it('refuses what it cannot read with a clear error', () => {
    expect(() => decodeWav(Buffer.from('hello world, not a wav'))).toThrow(/not a WAV/);
    const eightBit = encodeWav(Int16Array.from([1, 2]), 8000);
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(/16-bit PCM/);
    expect(() => decodeWav(encodeWav(Int16Array.from([1]), 8000).subarray(0, 30))).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { AudioConverter } from '../../src/media/AudioConverter.js';
import { alawToPcm, pcmToUlaw, ulawToPcm } from '../../src/media/g711.js';
import { l16beToPcm, pcm16leToPcm, pcmToL16be, pcmToPcm16le } from '../../src/media/l16.js';

function tone(freqHz: number, sampleRate: number, n: number, amplitude = 8000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
  return out;
}

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/** Correlation magnitude with a tone (amplitude estimate). */
function amplitudeAt(x: Int16Array, freqHz: number, sampleRate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freqHz * i) / sampleRate);
    im += x[i]! * Math.sin((2 * Math.PI * freqHz * i) / sampleRate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

function convertFrames(conv: AudioConverter, input: Buffer, frameBytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += frameBytes) parts.push(conv.convert(input.subarray(i, i + frameBytes)));
  return Buffer.concat(parts);
}

describe('AudioConverter', () => {
  it('passes μ-law wire ↔ pcmu through untouched (same buffer, no copy)', () => {
    const c = new AudioConverter({ kind: 'wire', codec: 'ulaw' }, { kind: 'provider', format: { encoding: 'pcmu', sampleRate: 8000 } });
    const buf = Buffer.alloc(160, 0xff);
    expect(c.passthrough).toBe(true);
    expect(c.convert(buf)).toBe(buf);
    const back = new AudioConverter({ kind: 'provider', format: { encoding: 'pcma', sampleRate: 8000 } }, { kind: 'wire', codec: 'alaw' });
    expect(back.passthrough).toBe(true);
    expect(back.convert(buf)).toBe(buf);
  });

  it('transcodes μ-law wire to A-law provider sample by sample', () => {
    const c = new AudioConverter({ kind: 'wire', codec: 'ulaw' }, { kind: 'provider', format: { encoding: 'pcma', sampleRate: 8000 } });
    expect(c.passthrough).toBe(false);
    const out = c.convert(pcmToUlaw(tone(1000, 8000, 160)));
    expect(out.length).toBe(160);
    const a = alawToPcm(out);
    expect(amplitudeAt(a, 1000, 8000)).toBeGreaterThan(7600);
  });

  it('turns 20 ms of μ-law into 20 ms of 24 kHz little-endian PCM16 keeping a 1 kHz tone', () => {
    const c = new AudioConverter({ kind: 'wire', codec: 'ulaw' }, { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } });
    const wire = pcmToUlaw(tone(1000, 8000, 1600));
    const out = convertFrames(c, wire, 160);
    expect(out.length).toBe(1600 * 3 * 2);
    expect(c.convert(wire.subarray(0, 160)).length).toBe(960);
    const pcm = pcm16leToPcm(out).subarray(960); // skip filter warm-up
    expect(amplitudeAt(pcm, 1000, 24000)).toBeGreaterThan(7600);
    expect(amplitudeAt(pcm, 1000, 24000)).toBeLessThan(8400);
  });

  it('turns 24 kHz PCM16 from the provider into 8 kHz μ-law for the wire', () => {
    const c = new AudioConverter({ kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } }, { kind: 'wire', codec: 'ulaw' });
    const input = pcmToPcm16le(tone(440, 24000, 4800));
    const out = convertFrames(c, input, 960);
    expect(out.length).toBe(1600);
    const pcm = ulawToPcm(out).subarray(200);
    expect(amplitudeAt(pcm, 440, 8000)).toBeGreaterThan(7600);
  });

  it('reads big-endian slin16 from the wire (not little-endian noise)', () => {
    const c = new AudioConverter({ kind: 'wire', codec: 'slin16' }, { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } });
    const out = convertFrames(c, pcmToL16be(tone(1000, 16000, 3200)), 640);
    expect(out.length).toBe(4800 * 2);
    const pcm = pcm16leToPcm(out).subarray(960);
    expect(amplitudeAt(pcm, 1000, 24000)).toBeGreaterThan(7600);
    expect(rms(pcm)).toBeLessThan(8000 / Math.SQRT2 + 200); // energy is the tone, not byte-swapped noise
  });

  it('writes big-endian 8 kHz L16 for the wire from 24 kHz PCM16', () => {
    const c = new AudioConverter({ kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } }, { kind: 'wire', codec: 'slin' });
    const out = convertFrames(c, pcmToPcm16le(tone(1000, 24000, 4800)), 960);
    expect(out.length).toBe(1600 * 2);
    expect(amplitudeAt(l16beToPcm(out).subarray(200), 1000, 8000)).toBeGreaterThan(7600);
  });

  it('carries an odd byte across chunks split mid-sample', () => {
    const whole = pcmToPcm16le(tone(1000, 24000, 960));
    const a = new AudioConverter({ kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } }, { kind: 'wire', codec: 'slin' });
    const b = new AudioConverter({ kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } }, { kind: 'wire', codec: 'slin' });
    const oneShot = a.convert(whole);
    const parts: Buffer[] = [];
    for (const [s, e] of [[0, 7], [7, 8], [8, 333], [333, 1000], [1000, 1920]] as const) parts.push(b.convert(whole.subarray(s, e)));
    expect(Buffer.concat(parts).equals(oneShot)).toBe(true);
  });

  it('keeps filter state per instance: chunked output equals one-shot output', () => {
    const input = pcmToUlaw(tone(700, 8000, 800));
    const mk = () => new AudioConverter({ kind: 'wire', codec: 'ulaw' }, { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 16000 } });
    expect(convertFrames(mk(), input, 160).equals(mk().convert(input))).toBe(true);
  });

  it('rejects impossible formats at construction', () => {
    expect(() => new AudioConverter({ kind: 'wire', codec: 'ulaw' }, { kind: 'provider', format: { encoding: 'pcmu', sampleRate: 16000 } })).toThrow(RangeError);
    expect(() => new AudioConverter({ kind: 'wire', codec: 'g729' as never }, { kind: 'provider', format: { encoding: 'pcm16', sampleRate: 24000 } })).toThrow(RangeError);
  });
});

import { alawToPcm, pcmToAlaw, pcmToUlaw, ulawToPcm } from '../../../src/media/g711.js';

/** Audio formats the fake understands, normalised from GA objects and beta names. */
export type FakeAudioFormat = 'pcmu' | 'pcma' | 'pcm24k';

export function formatFromGa(f: { type?: unknown; rate?: unknown } | undefined): FakeAudioFormat {
  if (f?.type === 'audio/pcmu') return 'pcmu';
  if (f?.type === 'audio/pcma') return 'pcma';
  return 'pcm24k';
}

export function formatFromBeta(name: unknown): FakeAudioFormat {
  return name === 'g711_ulaw' ? 'pcmu' : name === 'g711_alaw' ? 'pcma' : 'pcm24k';
}

export function bytesPerMs(f: FakeAudioFormat): number {
  return f === 'pcm24k' ? 48 : 8;
}

export function sampleRate(f: FakeAudioFormat): number {
  return f === 'pcm24k' ? 24_000 : 8_000;
}

export function decodeToPcm(f: FakeAudioFormat, buf: Buffer): Int16Array {
  if (f === 'pcmu') return ulawToPcm(buf);
  if (f === 'pcma') return alawToPcm(buf);
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

export function encodePcm(f: FakeAudioFormat, pcm: Int16Array): Buffer {
  if (f === 'pcmu') return pcmToUlaw(pcm);
  if (f === 'pcma') return pcmToAlaw(pcm);
  const out = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, i * 2);
  return out;
}

/** `ms` of a 440 Hz tone (the fake agent's "voice"), continuing from `startSample` so chunks join smoothly. */
export function tone(f: FakeAudioFormat, ms: number, startSample: number, amplitude = 6_000, hz = 440): Buffer {
  const rate = sampleRate(f);
  const n = Math.round((ms * rate) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (startSample + i)) / rate));
  return encodePcm(f, pcm);
}

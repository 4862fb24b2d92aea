/**
 * Minimal RIFF/WAVE writer for speech-to-text uploads: 16-bit PCM, mono, little-endian, one `fmt ` and one
 * `data` chunk (44-byte header). Every transcription server (OpenAI, whisper.cpp, speaches) reads this.
 */

export const WAV_HEADER_BYTES = 44;

export function encodeWav(pcm: Int16Array, sampleRate: number): Buffer {
  const dataBytes = pcm.length * 2;
  const out = Buffer.allocUnsafe(WAV_HEADER_BYTES + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0, o = WAV_HEADER_BYTES; i < pcm.length; i++, o += 2) out.writeInt16LE(pcm[i]!, o);
  return out;
}

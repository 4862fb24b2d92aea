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

export interface DecodedWav {
  /** Mono samples (multi-channel files are mixed down). */
  pcm: Int16Array;
  sampleRate: number;
  channels: number;
  durationMs: number;
}

/**
 * Read a PCM WAV file (16-bit, any channel count; chunks other than `fmt ` and `data` are skipped). For the
 * simulator's caller input: a clear error for anything else (float, 8-bit, compressed), never a crash.
 */
export function decodeWav(buf: Buffer): DecodedWav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file (no RIFF/WAVE header)');
  }
  let offset = 12;
  let format: { audioFormat: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error('WAV fmt chunk is truncated');
      format = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      // 0xFFFE = WAVE_FORMAT_EXTENSIBLE, which carries plain PCM as well.
      if ((format.audioFormat !== 1 && format.audioFormat !== 0xfffe) || format.bits !== 16) {
        throw new Error(`WAV must be 16-bit PCM (got format ${format.audioFormat}, ${format.bits} bits): convert with "sox in.wav -b 16 out.wav"`);
      }
      if (format.channels < 1 || format.sampleRate < 1000) throw new Error('WAV has no channels or an impossible sample rate');
      const bytes = Math.min(size, buf.length - body);
      const frames = Math.floor(bytes / (2 * format.channels));
      const pcm = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < format.channels; c++) sum += buf.readInt16LE(body + (i * format.channels + c) * 2);
        pcm[i] = Math.round(sum / format.channels);
      }
      return { pcm, sampleRate: format.sampleRate, channels: format.channels, durationMs: (frames * 1000) / format.sampleRate };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  throw new Error('WAV file has no data chunk');
}

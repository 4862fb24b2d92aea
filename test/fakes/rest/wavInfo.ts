/** Checks an uploaded file is a RIFF/WAVE, PCM 16-bit mono, sane rate; returns its format and length. Throws why not. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
  /** The samples (a copy), for assertions on what was sent. */
  pcm: Int16Array;
}

export function parseWav(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  if (buf.readUInt32LE(4) !== buf.length - 8) throw new Error('RIFF size does not match the file');
  let pos = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (body + size > buf.length) throw new Error(`chunk ${id} overruns the file`);
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data before fmt');
      if (fmt.format !== 1 || fmt.bits !== 16 || fmt.channels !== 1) throw new Error('not PCM16 mono');
      if (fmt.sampleRate < 8000 || fmt.sampleRate > 48000) throw new Error(`insane sample rate ${fmt.sampleRate}`);
      if (size % 2 !== 0) throw new Error('odd data size');
      const pcm = new Int16Array(size / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(body + i * 2);
      return { sampleRate: fmt.sampleRate, channels: 1, bitsPerSample: 16, dataBytes: size, durationMs: (pcm.length * 1000) / fmt.sampleRate, pcm };
    }
    pos = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

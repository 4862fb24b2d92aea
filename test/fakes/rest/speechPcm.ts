/**
 * The fake TTS voice: a tone whose length is proportional to the text and whose pitch is derived from the text,
 * so a test can rebuild the exact bytes it expects for a sentence and check audio order byte for byte.
 */
export const FAKE_TTS_SAMPLE_RATE = 24_000;
/** Fake speaking pace; real voices are ~60–80 ms per character, shorter keeps tests quick. */
export const DEFAULT_MS_PER_CHAR = 10;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Raw pcm16 LE at 24 kHz for `text` (what /audio/speech returns). */
export function fakeSpeechPcm(text: string, msPerChar = DEFAULT_MS_PER_CHAR): Buffer {
  const samples = Math.max(1, Math.round((text.length * msPerChar * FAKE_TTS_SAMPLE_RATE) / 1000));
  const hz = 200 + (hash(text) % 600);
  const out = Buffer.allocUnsafe(samples * 2);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / FAKE_TTS_SAMPLE_RATE)), i * 2);
  }
  return out;
}

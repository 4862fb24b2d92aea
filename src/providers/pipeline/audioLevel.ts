/** RMS level of 16-bit PCM in dBFS (full-scale square wave = 0 dBFS); -Infinity for digital silence. */
export function rmsDbfs(pcm: Int16Array): number {
  if (pcm.length === 0) return Number.NEGATIVE_INFINITY;
  let acc = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i]!;
    acc += s * s;
  }
  const rms = Math.sqrt(acc / pcm.length);
  return rms === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(rms / 32768);
}

/** The codec functions' optional `dst`: checked for size, and viewed at exactly the length produced. */
export function outPcm(n: number, dst?: Int16Array): Int16Array {
  if (dst === undefined) return new Int16Array(n);
  if (dst.length < n) throw new RangeError(`dst too small: ${dst.length} < ${n}`);
  return dst.length === n ? dst : dst.subarray(0, n);
}

export function outBytes(n: number, dst?: Buffer): Buffer {
  if (dst === undefined) return Buffer.allocUnsafe(n);
  if (dst.length < n) throw new RangeError(`dst too small: ${dst.length} < ${n}`);
  return dst.length === n ? dst : dst.subarray(0, n);
}

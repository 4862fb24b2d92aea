/**
 * The bytes of one ThreadLink message: a JSON value plus byte arrays carried beside it, unencoded.
 *
 * Why not `v8.serialize` (structured clone): each call creates a native Serializer or Deserializer held by a weak
 * handle, and every scavenge then runs their weak callbacks. Measured on one thread: 10 µs per message round trip
 * instead of 4, 2.6 times as many scavenges, and 1.3 ms pauses instead of 0.2 ms, in a thread that must send a packet
 * every 20 ms per call. The messages between our threads are plain data (numbers, strings, arrays, objects) plus audio,
 * so JSON carries the data and the audio travels as raw parts.
 *
 * Layout, little-endian: u32 JSON byte length, u32 part count, u32 byte length per part, then the UTF-8 JSON, then
 * each part; the JSON and each part start on an 8-byte boundary, so a part can be viewed as an Int32Array in place.
 * JSON's limits apply to the value: undefined properties are left out, NaN and Infinity become null.
 */

export class LinkRecordError extends Error {
  override readonly name = 'LinkRecordError';
}

export interface DecodedLinkRecord {
  message: unknown;
  /** Views into the record given to decodeLinkRecord, in the order they were posted. */
  parts: Uint8Array[];
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeLinkRecord(message: unknown, parts: readonly ArrayBufferView[] = []): Buffer {
  const json = JSON.stringify(message) ?? 'null'; // undefined, a function: nothing JSON can say
  const jsonBytes = Buffer.byteLength(json);
  const jsonAt = align8(8 + 4 * parts.length);
  let size = align8(jsonAt + jsonBytes);
  for (const p of parts) size = align8(size + p.byteLength);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(jsonBytes, 0);
  out.writeUInt32LE(parts.length, 4);
  parts.forEach((p, i) => out.writeUInt32LE(p.byteLength, 8 + 4 * i));
  out.write(json, jsonAt, 'utf8');
  let at = align8(jsonAt + jsonBytes);
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at = align8(at + p.byteLength);
  }
  return out;
}

/** Reads a record (the parts are views into `record`: pass a copy you own). Throws LinkRecordError when malformed. */
export function decodeLinkRecord(record: Buffer): DecodedLinkRecord {
  if (record.length < 8) throw new LinkRecordError(`record of ${record.length} bytes has no header`);
  const jsonBytes = record.readUInt32LE(0);
  const count = record.readUInt32LE(4);
  const jsonAt = align8(8 + 4 * count);
  if (count > (record.length - 8) / 4 || jsonAt + jsonBytes > record.length) {
    throw new LinkRecordError(`record of ${record.length} bytes announces ${count} parts and ${jsonBytes} bytes of JSON`);
  }
  let message: unknown;
  try {
    message = JSON.parse(record.toString('utf8', jsonAt, jsonAt + jsonBytes));
  } catch (err) {
    throw new LinkRecordError(`record JSON does not parse: ${(err as Error).message}`);
  }
  const parts: Uint8Array[] = [];
  let at = align8(jsonAt + jsonBytes);
  for (let i = 0; i < count; i++) {
    const len = record.readUInt32LE(8 + 4 * i);
    if (at + len > record.length) throw new LinkRecordError(`part ${i} (${len} bytes at ${at}) runs past the record's ${record.length} bytes`);
    parts.push(new Uint8Array(record.buffer, record.byteOffset + at, len));
    at = align8(at + len);
  }
  return { message, parts };
}

/** A part posted from an Int32Array, as one again (in place when aligned, as decoded parts are; else copied). */
export function int32Part(part: Uint8Array): Int32Array {
  const n = part.byteLength >> 2;
  if ((part.byteOffset & 3) === 0) return new Int32Array(part.buffer, part.byteOffset, n);
  return new Int32Array(part.slice(0, n * 4).buffer);
}

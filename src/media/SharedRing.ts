/**
 * A single-producer, single-consumer ring of byte records in a SharedArrayBuffer: how audio and control messages
 * cross between the main thread and the media thread without a lock. Node's MessagePort takes a mutex on every post
 * and every receive; the media thread runs at real-time priority and, measured with `perf`, blocked 1.5–5 ms in that
 * mutex while the normal-priority main thread holding it was preempted (priority inversion). Here each side only
 * publishes its own index with an atomic store.
 *
 * Layout: a 16-byte header of four Int32 (write position, read position, reader-asleep flag, spare), then
 * `capacity` bytes of records. A record is a 4-byte length and its bytes, padded to 4. A record that does not fit
 * before the end starts at 0, after a WRAP length. The writer never lets its position reach the reader's, so equal
 * positions mean empty.
 */

const HEADER_BYTES = 16;
const W = 0;
const R = 1;
/** Set by the reader when it has drained the ring and waits for a doorbell (see ThreadLink). */
export const ASLEEP = 2;
const WRAP = -1;

const pad4 = (n: number): number => (n + 3) & ~3;

export class SharedRing {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  /** The header: positions and the asleep flag (Atomics only). */
  readonly control: Int32Array;
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;

  /** A new ring's memory, to hand to both ends. `capacity` is rounded up to a multiple of 4. */
  static allocate(capacity: number): SharedArrayBuffer {
    if (!Number.isInteger(capacity) || capacity < 64) throw new RangeError(`ring capacity ${capacity} is below 64 bytes`);
    return new SharedArrayBuffer(HEADER_BYTES + pad4(capacity));
  }

  constructor(buffer: SharedArrayBuffer) {
    if (buffer.byteLength < HEADER_BYTES + 64 || buffer.byteLength % 4 !== 0) throw new RangeError('not a SharedRing buffer');
    this.buffer = buffer;
    this.capacity = buffer.byteLength - HEADER_BYTES;
    this.control = new Int32Array(buffer, 0, 4);
    this.#words = new Int32Array(buffer, HEADER_BYTES);
    this.#bytes = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** The largest record `tryWrite` accepts (half the ring: a record must fit whether or not it wraps). */
  get maxRecord(): number {
    return (this.capacity >> 1) - 8;
  }

  isEmpty(): boolean {
    return Atomics.load(this.control, R) === Atomics.load(this.control, W);
  }

  /** Bytes in use, headers and padding included. */
  get used(): number {
    const w = Atomics.load(this.control, W);
    const r = Atomics.load(this.control, R);
    return w >= r ? w - r : this.capacity - r + w;
  }

  /** Producer: appends one record, or returns false if it does not fit now (nothing written). */
  tryWrite(record: Uint8Array): boolean {
    const len = record.length;
    if (len > this.maxRecord) throw new RangeError(`record of ${len} bytes exceeds the ring's ${this.maxRecord}`);
    const need = 4 + pad4(len);
    const cap = this.capacity;
    const w = Atomics.load(this.control, W);
    const r = Atomics.load(this.control, R);
    let at = w;
    if (w >= r) {
      const end = w + need;
      const fitsAtEnd = end < cap || (end === cap && r !== 0);
      if (!fitsAtEnd) {
        if (need >= r) return false; // no room at the start either
        this.#words[w >> 2] = WRAP;
        at = 0;
      }
    } else if (w + need >= r) {
      return false;
    }
    this.#words[at >> 2] = len;
    this.#bytes.set(record, at + 4);
    const next = at + need;
    Atomics.store(this.control, W, next === cap ? 0 : next); // publishes the bytes above
    return true;
  }

  /** Consumer: the oldest record, as a view into the ring valid until `advance()`; undefined when empty. */
  peek(): Uint8Array | undefined {
    let r = Atomics.load(this.control, R);
    if (r === Atomics.load(this.control, W)) return undefined;
    let len = this.#words[r >> 2]!;
    if (len === WRAP) {
      r = 0;
      Atomics.store(this.control, R, 0);
      len = this.#words[0]!;
    }
    return this.#bytes.subarray(r + 4, r + 4 + len);
  }

  /** Consumer: frees the record `peek()` returned. */
  advance(): void {
    const r = Atomics.load(this.control, R);
    if (r === Atomics.load(this.control, W)) return;
    const len = this.#words[r >> 2]!;
    const next = r + 4 + pad4(len);
    Atomics.store(this.control, R, next === this.capacity ? 0 : next);
  }
}

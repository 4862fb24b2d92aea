/**
 * Re-chunks arbitrary-size buffers into exact N-byte frames without copying whole buffers per write: a list of
 * buffer views plus a read offset into the first. A frame inside one input buffer is a subarray view; only a frame
 * straddling buffers is copied (one frame-sized copy). Pushed buffers must not be mutated afterwards.
 */
export class FrameChunker {
  readonly frameBytes: number;
  #bufs: Buffer[] = [];
  #head = 0; // index of the first live buffer in #bufs
  #offset = 0; // read offset inside #bufs[#head]
  #queued = 0;

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer (got ${frameBytes})`);
    this.frameBytes = frameBytes;
  }

  get bytesQueued(): number {
    return this.#queued;
  }

  /** Whole frames available now. */
  get framesQueued(): number {
    return Math.floor(this.#queued / this.frameBytes);
  }

  push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.#bufs.push(buf);
    this.#queued += buf.length;
  }

  /** The next exact frame, or undefined when less than a frame is queued. */
  shift(): Buffer | undefined {
    if (this.#queued < this.frameBytes) return undefined;
    return this.#take(this.frameBytes);
  }

  /**
   * The next frame even if incomplete: a full frame when one is queued (same as shift), else the remainder padded
   * with `padByte` to a full frame; undefined when empty. Pad bytes are not counted in `lastRealBytes`.
   */
  drain(padByte = 0): Buffer | undefined {
    if (this.#queued === 0) return undefined;
    if (this.#queued >= this.frameBytes) return this.#take(this.frameBytes);
    const real = this.#queued;
    const out = Buffer.allocUnsafe(this.frameBytes);
    this.#copyOut(out, real);
    out.fill(padByte, real);
    this.lastRealBytes = real;
    return out;
  }

  /** Real (non-padding) bytes in the frame last returned by shift/drain. */
  lastRealBytes = 0;

  /** Drop everything; returns the number of bytes dropped. */
  clear(): number {
    const dropped = this.#queued;
    this.#bufs = [];
    this.#head = 0;
    this.#offset = 0;
    this.#queued = 0;
    return dropped;
  }

  #take(n: number): Buffer {
    this.lastRealBytes = n;
    const first = this.#bufs[this.#head]!;
    const avail = first.length - this.#offset;
    if (avail >= n) {
      const view = first.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
      this.#queued -= n;
      if (this.#offset === first.length) this.#advance();
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    this.#copyOut(out, n);
    return out;
  }

  /** Copy n queued bytes into out, consuming them. */
  #copyOut(out: Buffer, n: number): void {
    let written = 0;
    while (written < n) {
      const b = this.#bufs[this.#head]!;
      const take = Math.min(b.length - this.#offset, n - written);
      b.copy(out, written, this.#offset, this.#offset + take);
      written += take;
      this.#offset += take;
      if (this.#offset === b.length) this.#advance();
    }
    this.#queued -= n;
  }

  #advance(): void {
    this.#bufs[this.#head] = undefined as unknown as Buffer; // release the reference early
    this.#head++;
    this.#offset = 0;
    if (this.#head === this.#bufs.length) {
      this.#bufs.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#bufs.length) {
      this.#bufs = this.#bufs.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * A FrameChunker for audio queued seconds ahead of playout (the pacer's queues): each write is copied into fixed-size
 * blocks that come from a pool and go back to it once played, instead of being kept as a view of what it arrived in.
 *
 * Why: a provider streams its answer several times faster than real time, so at 300 calls the pacers in the media
 * thread held thousands of views, each alive for seconds. Objects that live that long are promoted to V8's old
 * generation, and cleaning it up is a mark-compact: pauses of several milliseconds that stop every call's packets at
 * once. Blocks are reused for the life of the thread: queueing audio allocates nothing that outlives a scavenge.
 *
 * A frame returned by shift/drain is valid until the next call on this chunker (it may be a view into a block that
 * goes back to the pool then): send it or copy it at once. A padded frame from drain is always a copy. An owner that
 * drops a chunker clears it first, or its blocks are left to the GC instead of going back to the pool. So the caller
 * side (RtpSession) keeps FrameChunker: its frames go to listeners that may keep them (a VAD pre-roll, the echo).
 */

/**
 * Blocks of one size, reused. Keeps at most `maxFree` idle blocks (by default 512 of 16 kB: 8 MB, about 17 minutes of
 * μ-law); beyond that, played blocks are left to the GC, one object per 2 s of audio instead of one per delta.
 */
export class BlockPool {
  readonly #free: Buffer[] = [];
  /** Blocks created so far (a pool that keeps creating is one whose queues keep growing). */
  created = 0;

  constructor(
    readonly blockBytes = 16_000,
    readonly maxFree = 512,
  ) {
    if (!Number.isInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`blockBytes must be a positive integer (got ${blockBytes})`);
  }

  get idle(): number {
    return this.#free.length;
  }

  take(): Buffer {
    const b = this.#free.pop();
    if (b !== undefined) return b;
    this.created++;
    return Buffer.allocUnsafeSlow(this.blockBytes); // its own memory: nothing else's slab is kept alive by it
  }

  give(b: Buffer): void {
    if (b.length === this.blockBytes && this.#free.length < this.maxFree) this.#free.push(b);
  }

  /** One pool per thread (modules are per thread, so this is never shared across threads). */
  static readonly shared = new BlockPool();
}

export class BlockChunker {
  readonly frameBytes: number;
  readonly #pool: BlockPool;
  readonly #blocks: Buffer[] = [];
  /** Read offset in #blocks[0]. */
  #read = 0;
  /** Write offset in the last block. */
  #write = 0;
  #queued = 0;
  /** A block emptied by the last take: back to the pool at the next call, so the frame viewing it stays valid. */
  #retired: Buffer | undefined;
  /** Real (non-padding) bytes in the frame last returned by shift/drain. */
  lastRealBytes = 0;

  constructor(frameBytes: number, pool: BlockPool = BlockPool.shared) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer (got ${frameBytes})`);
    this.frameBytes = frameBytes;
    this.#pool = pool;
  }

  get bytesQueued(): number {
    return this.#queued;
  }

  /** Whole frames available now. */
  get framesQueued(): number {
    return Math.floor(this.#queued / this.frameBytes);
  }

  /** Copies `buf` in: the caller may reuse or drop it at once. */
  push(buf: Uint8Array): void {
    this.#release();
    const size = this.#pool.blockBytes;
    let at = 0;
    while (at < buf.length) {
      let tail = this.#blocks[this.#blocks.length - 1];
      if (tail === undefined || this.#write === size) {
        tail = this.#pool.take();
        this.#blocks.push(tail);
        this.#write = 0;
      }
      const n = Math.min(size - this.#write, buf.length - at);
      tail.set(buf.subarray(at, at + n), this.#write);
      this.#write += n;
      at += n;
    }
    this.#queued += buf.length;
  }

  /** The next exact frame, or undefined when less than a frame is queued. */
  shift(): Buffer | undefined {
    this.#release();
    if (this.#queued < this.frameBytes) return undefined;
    return this.#take(this.frameBytes);
  }

  /** The next frame even if incomplete: the remainder padded with `padByte`; undefined when empty. */
  drain(padByte = 0): Buffer | undefined {
    this.#release();
    if (this.#queued === 0) return undefined;
    if (this.#queued >= this.frameBytes) return this.#take(this.frameBytes);
    const real = this.#queued;
    const out = Buffer.allocUnsafe(this.frameBytes);
    this.#copyOut(out, real);
    out.fill(padByte, real);
    this.lastRealBytes = real;
    return out;
  }

  /** Drop everything (the blocks go back to the pool); returns the number of bytes dropped. */
  clear(): number {
    this.#release();
    const dropped = this.#queued;
    for (const b of this.#blocks) this.#pool.give(b);
    this.#blocks.length = 0;
    this.#read = 0;
    this.#write = 0;
    this.#queued = 0;
    return dropped;
  }

  #take(n: number): Buffer {
    this.lastRealBytes = n;
    const head = this.#blocks[0]!;
    const end = this.#blocks.length === 1 ? this.#write : head.length;
    if (end - this.#read >= n) {
      const view = head.subarray(this.#read, this.#read + n);
      this.#read += n;
      this.#queued -= n;
      if (this.#read === head.length) this.#retire();
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    this.#copyOut(out, n);
    return out;
  }

  /** Copy n queued bytes into out, consuming them (blocks emptied on the way go back to the pool at once). */
  #copyOut(out: Buffer, n: number): void {
    let written = 0;
    while (written < n) {
      const head = this.#blocks[0]!;
      const end = this.#blocks.length === 1 ? this.#write : head.length;
      const k = Math.min(end - this.#read, n - written);
      head.copy(out, written, this.#read, this.#read + k);
      written += k;
      this.#read += k;
      if (this.#read === head.length) {
        this.#retire();
        this.#release();
      }
    }
    this.#queued -= n;
  }

  /** The head block is fully read: off the queue now, back to the pool at the next call. */
  #retire(): void {
    this.#retired = this.#blocks.shift();
    this.#read = 0;
    if (this.#blocks.length === 0) this.#write = 0;
  }

  #release(): void {
    if (this.#retired === undefined) return;
    this.#pool.give(this.#retired);
    this.#retired = undefined;
  }
}

/**
 * One end of a two-way message link between threads: each message (a JSON value plus byte arrays beside it, see
 * linkRecord) is copied into a SharedRing, and a one-byte UDP datagram on 127.0.0.1 wakes the reader only when it
 * has said it is asleep. So neither thread ever waits on a lock the other holds (Node's MessagePort takes a mutex per post and per receive,
 * and the media thread, at real-time priority, measurably blocked behind a preempted main thread), and a burst of
 * messages costs one wake-up.
 *
 * Wake-up protocol, for the ring this end reads: drain it, set ASLEEP, look again (a record written between the
 * last read and the flag would otherwise wait for the next doorbell). The writer, after publishing a record, rings
 * the doorbell only if it swaps ASLEEP from 1 to 0, so at most one datagram is in flight per sleep.
 *
 * A message that does not fit (the reader is behind) waits in a local backlog, in order, retried every millisecond:
 * nothing is dropped. A datagram from anyone else on the host is counted and ignored.
 */
import dgram from 'node:dgram';
import { ipLiteralLookup } from './ipLiteralLookup.js';
import { type DecodedLinkRecord, decodeLinkRecord, encodeLinkRecord } from './linkRecord.js';
import { ASLEEP, SharedRing } from './SharedRing.js';

/** A message and the byte arrays posted with it (views into this end's copy of the record). */
export type LinkListener = (message: unknown, parts: Uint8Array[]) => void;

export interface ThreadLinkEnds {
  /** Ring this end writes. */
  send: SharedArrayBuffer;
  /** Ring this end reads. */
  receive: SharedArrayBuffer;
}

const DOORBELL = Buffer.from([1]);
const RETRY_MS = 1;

export class ThreadLink {
  readonly #send: SharedRing;
  readonly #receive: SharedRing;
  readonly #socket: dgram.Socket;
  /** This end's doorbell port, once bound (rejects if 127.0.0.1 cannot be bound). */
  readonly bound: Promise<number>;
  readonly #listeners: Array<LinkListener> = [];
  #peerPort: number | undefined;
  /** Rang while the peer's doorbell port was not known yet. */
  #owed = false;
  #backlog: Buffer[] = [];
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  #draining = false;
  readonly #unref: boolean;
  /** The libuv handles this end holds for as long as it is open (its doorbell socket). */
  readonly handles: Readonly<Record<string, number>> = { UDPWrap: 1 };
  /** Messages that had to wait for room in the ring (the reader was behind). */
  backlogged = 0;
  /** Doorbells rung (datagrams sent). */
  rung = 0;
  /** Datagrams from anyone but the other end, ignored. */
  strays = 0;
  /** Records that did not decode (a bug in the other end), skipped. */
  malformed = 0;

  /**
   * Opens this end: messages can be posted at once (they wait in the ring); `bound` gives this end's doorbell port,
   * which the other end passes to `connect`. `unref`: this end's socket and timer do not keep the process alive (the
   * main thread's end).
   */
  constructor(ends: ThreadLinkEnds, opts: { unref?: boolean } = {}) {
    this.#send = new SharedRing(ends.send);
    this.#receive = new SharedRing(ends.receive);
    this.#unref = opts.unref === true;
    const socket = dgram.createSocket({ type: 'udp4', lookup: ipLiteralLookup });
    this.#socket = socket;
    this.bound = new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        // A doorbell that cannot be delivered (the peer is gone) is not ours to report: the thread's exit is.
        socket.on('error', () => undefined);
        resolve(socket.address().port);
      });
    });
    this.bound.catch(() => undefined);
    if (opts.unref) socket.unref();
    socket.on('message', (_bell, from) => {
      // Only the other end's socket rings (once it is known): another local process cannot make this thread drain.
      if (this.#peerPort !== undefined && (from.port !== this.#peerPort || from.address !== '127.0.0.1')) {
        this.strays++;
        return;
      }
      this.#drain();
    });
  }

  /** The other end's doorbell port; anything written before this is announced now. */
  connect(peerPort: number): void {
    this.#peerPort = peerPort;
    if (this.#owed) {
      this.#owed = false;
      this.#ring();
    }
    this.#drain(); // what the peer wrote before we listened
  }

  on(event: 'message', listener: LinkListener): this {
    if (event === 'message') this.#listeners.push(listener);
    return this;
  }

  /**
   * Sends a copy of `message` (as JSON: plain data only) and of each of `parts` (raw bytes: audio travels here, never
   * inside the JSON). The receiver gets the parts as Uint8Arrays, in order.
   */
  postMessage(message: unknown, parts: readonly ArrayBufferView[] = []): void {
    if (this.#closed) return;
    const record = encodeLinkRecord(message, parts);
    if (record.length > this.#send.maxRecord) throw new RangeError(`message of ${record.length} bytes is larger than the link carries (${this.#send.maxRecord})`);
    if (this.#backlog.length > 0 || !this.#send.tryWrite(record)) {
      this.#backlog.push(record);
      this.backlogged++;
      this.#armRetry();
      return;
    }
    this.#wake();
  }

  /** The largest message `postMessage` carries, serialized. */
  get maxMessageBytes(): number {
    return this.#send.maxRecord;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#backlog = [];
    try {
      this.#socket.close();
    } catch {
      // closed before it was bound
    }
  }

  #armRetry(): void {
    if (this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#flushBacklog();
    }, RETRY_MS);
    if (this.#unref) this.#retry.unref();
  }

  #flushBacklog(): void {
    if (this.#closed) return;
    let sent = 0;
    while (sent < this.#backlog.length && this.#send.tryWrite(this.#backlog[sent]!)) sent++;
    if (sent > 0) {
      this.#backlog.splice(0, sent);
      this.#wake();
    }
    if (this.#backlog.length > 0) this.#armRetry();
  }

  /** After publishing: ring if the reader sleeps (and only this once until it sleeps again). */
  #wake(): void {
    const flags = this.#send.control;
    if (Atomics.load(flags, ASLEEP) === 1 && Atomics.compareExchange(flags, ASLEEP, 1, 0) === 1) this.#ring();
  }

  #ring(): void {
    if (this.#peerPort === undefined) {
      this.#owed = true;
      return;
    }
    this.rung++;
    this.#socket.send(DOORBELL, this.#peerPort, '127.0.0.1');
  }

  #drain(): void {
    if (this.#draining || this.#closed) return; // a listener that posts to itself must not recurse here
    this.#draining = true;
    let failure: { err: unknown } | undefined;
    try {
      const ring = this.#receive;
      for (;;) {
        for (let rec = ring.peek(); rec !== undefined; rec = ring.peek()) {
          // Decoded from a copy: the parts are views into what they are read from, and the ring slot is reused.
          const copy = Buffer.from(rec);
          ring.advance();
          let decoded: DecodedLinkRecord;
          try {
            decoded = decodeLinkRecord(copy);
          } catch {
            this.malformed++;
            continue; // cannot happen between two ends of this class; never stops the link
          }
          for (const l of this.#listeners) {
            try {
              l(decoded.message, decoded.parts);
            } catch (err) {
              failure ??= { err };
            }
          }
          if (this.#closed) return;
        }
        Atomics.store(ring.control, ASLEEP, 1);
        if (ring.isEmpty()) break;
        // Written after our last look: take the flag back (if the writer took it first, its doorbell is on the way).
        Atomics.compareExchange(ring.control, ASLEEP, 1, 0);
      }
    } finally {
      this.#draining = false;
    }
    // A listener's bug is thrown as an event listener's would be, after the link is consistent again.
    if (failure) {
      const { err } = failure;
      process.nextTick(() => {
        throw err;
      });
    }
  }
}

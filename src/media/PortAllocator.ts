/**
 * Hands out bound UDP sockets on ports from a configured range, one per call. The socket that receives Asterisk's
 * RTP is the one we must send from (strict RTP), so the allocator returns the bound socket, not just a number.
 * Ports are tried round-robin from after the last one handed out, so a just-released port (which may still get a
 * few stray packets of the previous call) is reused last.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { ipLiteralLookup } from './ipLiteralLookup.js';

export interface PortAllocatorOptions {
  /** Local address to bind (e.g. 0.0.0.0, 127.0.0.1, ::). */
  host: string;
  minPort: number;
  maxPort: number;
}

export interface AllocatedPort {
  socket: dgram.Socket;
  port: number;
}

export class PortRangeExhaustedError extends Error {
  readonly code = 'RTP_PORTS_EXHAUSTED';
  constructor(minPort: number, maxPort: number) {
    super(`no free UDP port for RTP in ${minPort}-${maxPort}: every port is in use (raise rtp port range or lower max calls)`);
    this.name = 'PortRangeExhaustedError';
  }
}

/** Throws a RangeError unless min..max is a usable UDP port range. */
export function checkPortRange(minPort: number, maxPort: number): void {
  if (!Number.isInteger(minPort) || !Number.isInteger(maxPort) || minPort < 1 || maxPort > 65535 || minPort > maxPort) {
    throw new RangeError(`bad RTP port range ${minPort}-${maxPort}`);
  }
}

export class PortAllocator {
  readonly host: string;
  readonly minPort: number;
  readonly maxPort: number;
  readonly #sockets = new Map<number, dgram.Socket | null>(); // null = reserved while binding
  #cursor: number;

  constructor(options: PortAllocatorOptions) {
    const { host, minPort, maxPort } = options;
    checkPortRange(minPort, maxPort);
    this.host = host;
    this.minPort = minPort;
    this.maxPort = maxPort;
    this.#cursor = minPort;
  }

  /** Ports currently handed out (or being bound). */
  get inUse(): number {
    return this.#sockets.size;
  }

  /** Bind a UDP socket on the next free port. Rejects with PortRangeExhaustedError when none is left. */
  async allocate(): Promise<AllocatedPort> {
    const span = this.maxPort - this.minPort + 1;
    for (let tried = 0; tried < span; tried++) {
      const port = this.#cursor;
      this.#cursor = port === this.maxPort ? this.minPort : port + 1;
      if (this.#sockets.has(port)) continue;
      this.#sockets.set(port, null);
      try {
        const socket = await this.#bind(port);
        if (!this.#sockets.has(port)) {
          // released while binding
          socket.close();
          continue;
        }
        this.#sockets.set(port, socket);
        return { socket, port };
      } catch (err) {
        this.#sockets.delete(port);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') continue; // another process holds it: try the next one
        throw err;
      }
    }
    throw new PortRangeExhaustedError(this.minPort, this.maxPort);
  }

  /** Give a port back; closes its socket if the owner has not already. Unknown ports are ignored. */
  release(port: number): void {
    const socket = this.#sockets.get(port);
    this.#sockets.delete(port);
    if (socket) {
      try {
        socket.close();
      } catch {
        // already closed by its RtpSession
      }
    }
  }

  /** Release every port (shutdown). */
  releaseAll(): void {
    for (const port of [...this.#sockets.keys()]) this.release(port);
  }

  #bind(port: number): Promise<dgram.Socket> {
    const type = isIP(this.host) === 6 ? 'udp6' : 'udp4';
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type, reuseAddr: false, lookup: ipLiteralLookup });
      const onError = (err: Error) => {
        socket.off('listening', onListening);
        try {
          socket.close();
        } catch {
          // never bound
        }
        reject(err);
      };
      const onListening = () => {
        socket.off('error', onError);
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ port, address: this.host, exclusive: true });
    });
  }
}

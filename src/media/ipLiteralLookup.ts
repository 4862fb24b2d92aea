/**
 * A `lookup` for dgram sockets that answers at once for IP literals (the only addresses RTP is sent to: Asterisk's
 * source address, learned from its packets). With the default `dns.lookup`, every `send()` to an address defers the
 * real send to the next tick, so a pacer tick's packet leaves only after whatever else the current callback does,
 * and each packet pays a closure and a tick object. Host names still go to `dns.lookup`.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

export function ipLiteralLookup(hostname: string, options: number | dns.LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dns.lookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

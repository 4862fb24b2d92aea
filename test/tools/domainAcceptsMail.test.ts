import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createDnsDomainCheck } from '../../src/tools/builtin/domainAcceptsMail.js';

/**
 * A tiny authoritative DNS server on 127.0.0.1: answers MX for mx.test, A for a.test, nothing (NXDOMAIN) for the
 * rest, and never answers for slow.test.
 */
function startDns(): Promise<{ socket: Socket; server: string }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const id = msg.subarray(0, 2);
    let off = 12;
    const labels: string[] = [];
    while (msg[off] !== 0) {
      const len = msg[off] as number;
      labels.push(msg.subarray(off + 1, off + 1 + len).toString('ascii'));
      off += 1 + len;
    }
    const question = msg.subarray(12, off + 5);
    const qtype = msg.readUInt16BE(off + 1);
    const name = labels.join('.').toLowerCase();
    if (name === 'slow.test') return;
    let answer: Buffer | undefined;
    if (name === 'mx.test' && qtype === 15) {
      const rdata = Buffer.concat([Buffer.from([0, 10]), Buffer.from([4, ...Buffer.from('mail'), 0xc0, 12])]);
      answer = rr(15, rdata);
    } else if (name === 'a.test' && qtype === 1) {
      answer = rr(1, Buffer.from([192, 0, 2, 1]));
    }
    const header = Buffer.alloc(12);
    id.copy(header, 0);
    header.writeUInt16BE(answer ? 0x8180 : 0x8183, 2); // response, RD+RA, rcode 0 or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    socket.send(Buffer.concat([header, question, answer ?? Buffer.alloc(0)]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ socket, server: `127.0.0.1:${socket.address().port}` })));
}

function rr(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

describe('createDnsDomainCheck', () => {
  let socket: Socket | undefined;
  afterEach(() => socket?.close());

  it('accepts a domain with MX, falls back to A, refuses NXDOMAIN and a silent server within the bound', async () => {
    const dns = await startDns();
    socket = dns.socket;
    const check = createDnsDomainCheck({ servers: [dns.server], timeoutMs: 300 });
    expect(await check('mx.test')).toBe(true);
    expect(await check('a.test')).toBe(true);
    expect(await check('none.test')).toBe(false);
    const startedAt = Date.now();
    expect(await check('slow.test')).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

/**
 * Child process: a UDP receiver that timestamps every RTP packet on arrival, on its own event loop (and its own
 * core when there is one), so the load in the benchmark process does not distort the measurement.
 * IPC: sends { port } when bound; on { cmd: 'take' } replies { arrivals: [atMs, seq, ts][] } and forgets them.
 */
import dgram from 'node:dgram';
import { parseRtp } from '../../src/media/rtpPacket.js';

const socket = dgram.createSocket('udp4');
let arrivals: [number, number, number][] = [];
socket.on('message', (msg) => {
  const at = performance.timeOrigin + performance.now();
  const p = parseRtp(msg);
  if (p.ok) arrivals.push([at, p.packet.sequenceNumber, p.packet.timestamp]);
});
socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'take') {
    process.send?.({ arrivals });
    arrivals = [];
  } else if (m.cmd === 'stop') {
    socket.close();
    process.disconnect?.();
  }
});

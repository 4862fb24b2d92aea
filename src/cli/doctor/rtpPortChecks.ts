import dgram from 'node:dgram';
import net from 'node:net';
import type { DoctorCheck, DoctorResult } from './DoctorCheck.js';

/** Ports sampled at each end of the range: enough to catch "in use", "not my address" and "not allowed". */
const SAMPLE_PER_END = 3;

function bindUdp(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve(error);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(undefined)));
  });
}

/** The RTP port range can be bound on rtp_host (sampled at both ends). */
export const rtpPortChecks: DoctorCheck = async ({ config }) => {
  const { rtp_host: host, port_range: range } = config.external_media;
  const [first, last] = range.split('-').map(Number) as [number, number];
  const ports = new Set<number>();
  for (let i = 0; i < SAMPLE_PER_END; i++) {
    if (first + i <= last) ports.add(first + i);
    if (last - i >= first) ports.add(last - i);
  }
  const failures: string[] = [];
  let fix = '';
  for (const port of [...ports].sort((a, b) => a - b)) {
    const error = await bindUdp(host, port);
    if (!error) continue;
    failures.push(`${port}: ${error.code ?? error.message}`);
    if (error.code === 'EADDRINUSE') fix = `another process holds these ports (another agent? 'ss -lunp | grep ${port}'); choose a free external_media.port_range`;
    else if (error.code === 'EADDRNOTAVAIL') fix = `rtp_host ${host} is not an address of this machine; use 0.0.0.0 or one from 'ip addr'`;
    else if (error.code === 'EACCES') fix = 'not allowed to bind these ports; use ports ≥ 1024';
    else fix = 'check external_media.rtp_host and port_range';
  }
  const results: DoctorResult[] = [];
  if (failures.length === 0) results.push({ status: 'ok', title: `RTP ports ${range} bindable on ${host} (sampled ${ports.size})` });
  else results.push({ status: 'fail', title: `RTP ports on ${host} not bindable: ${failures.join(', ')}`, fix });
  results.push({ status: 'info', title: `the firewall must let UDP ${range} in from Asterisk` });
  return results;
};

/**
 * The machine's floor under one thread hop, with no agent code: a worker thread at the media thread's default
 * real-time priority, idle but for a 20 ms timer (a call in progress), woken by a one-byte datagram from this thread
 * every 100–200 ms (about how often responses start). Time from just before the send to the worker's callback, on
 * CLOCK_MONOTONIC. On a VM whose idle vCPUs halt, this is mostly the hypervisor waking a vCPU; every delta → RTP
 * figure of the agent contains one of these (the media thread's doorbell).
 */
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { summarize, type Summary } from './benchStats.js';

const WORKER = `
const dgram = require('node:dgram');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
let policy = 'normal';
try {
  const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
  execFileSync('chrt', ['-r', '-p', String(workerData.realtime), tid], { stdio: 'ignore' });
  policy = 'SCHED_RR ' + workerData.realtime;
} catch {}
const lat = [];
const rx = dgram.createSocket('udp4');
rx.on('message', (m) => lat.push(Number(process.hrtime.bigint()) / 1e6 - m.readDoubleLE(0)));
rx.bind(0, '127.0.0.1', () => parentPort.postMessage({ port: rx.address().port, policy }));
const tick = setInterval(() => undefined, 20);
parentPort.on('message', () => {
  clearInterval(tick);
  rx.close();
  parentPort.postMessage({ lat });
});
`;

export async function threadWakeFloor(samples: number, realtime = 10): Promise<Summary & { policy: string }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { realtime } });
  const tx = dgram.createSocket('udp4');
  try {
    const hello = await new Promise<{ port: number; policy: string }>((resolve) => worker.once('message', resolve));
    await new Promise<void>((resolve) => tx.bind(0, '127.0.0.1', resolve));
    const bell = Buffer.alloc(8);
    for (let i = 0; i < samples; i++) {
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
      bell.writeDoubleLE(Number(process.hrtime.bigint()) / 1e6, 0);
      tx.send(bell, hello.port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 50));
    worker.postMessage('done');
    const { lat } = await new Promise<{ lat: number[] }>((resolve) => worker.once('message', resolve));
    return { ...summarize(lat), policy: hello.policy };
  } finally {
    tx.close();
    await worker.terminate();
  }
}

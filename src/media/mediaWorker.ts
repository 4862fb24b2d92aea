/** Entry of the media worker thread (started by WorkerMediaHost): see MediaWorkerServer. */
import { parentPort, workerData } from 'node:worker_threads';
import { MediaWorkerServer } from './MediaWorkerServer.js';
import type { LinkHello, MediaWorkerData } from './mediaWorkerProtocol.js';
import { setThreadPriority } from './threadPriority.js';
import { ThreadLink } from './ThreadLink.js';

if (!parentPort) throw new Error('mediaWorker.js runs as a worker thread (started by WorkerMediaHost)');
const port = parentPort;
const data = workerData as MediaWorkerData;
const priority = setThreadPriority(data.priority);
const link = new ThreadLink({ send: data.link.toMain, receive: data.link.toWorker });
port.on('message', (m: LinkHello) => {
  if (m.t === 'link') link.connect(m.port);
});
// No doorbell socket, no media thread: thrown, this ends the worker and the main thread fails its calls by policy.
void link.bound.then((p) => port.postMessage({ t: 'link', port: p } satisfies LinkHello), (err: unknown) => {
  throw err;
});
new MediaWorkerServer(link, data, priority);

/** Entry of the media worker thread (started by WorkerMediaHost): see MediaWorkerServer. */
import { parentPort, workerData } from 'node:worker_threads';
import { MediaWorkerServer } from './MediaWorkerServer.js';
import type { MediaWorkerData } from './mediaWorkerProtocol.js';
import { setThreadPriority } from './threadPriority.js';

if (!parentPort) throw new Error('mediaWorker.js runs as a worker thread (started by WorkerMediaHost)');
const data = workerData as MediaWorkerData;
new MediaWorkerServer(parentPort, data, setThreadPriority(data.priority));

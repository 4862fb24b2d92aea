/**
 * Ask the OS to schedule the calling thread at `nice` (Linux: setpriority on the thread id, which
 * /proc/thread-self names). Never throws: the outcome says whether it applied and, if not, why.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import type { PriorityOutcome } from './mediaWorkerProtocol.js';

export function setThreadNice(nice: number): PriorityOutcome {
  if (nice === 0) return { applied: true, nice: 0 };
  if (process.platform !== 'linux') return { applied: false, nice, reason: `per-thread priority is only set on Linux (${process.platform})` };
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return { applied: false, nice, reason: 'no thread id in /proc/thread-self' };
    os.setPriority(tid, nice);
    return { applied: true, nice: os.getPriority(tid) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' || /permission/i.test(String(err)) ? 'not permitted (needs CAP_SYS_NICE, e.g. running as root)' : String((err as Error).message ?? err);
    return { applied: false, nice, reason };
  }
}

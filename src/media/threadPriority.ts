/**
 * Scheduling for the calling thread (the media thread), Linux only. Never throws: the outcome says what the thread
 * now runs at and, when that is less than was asked, why.
 *
 * - Real-time round robin (`SCHED_RR`, as `asterisk -p` runs Asterisk): a woken real-time thread preempts every
 *   normal thread at once. A nice value alone does not give that: Linux's EEVDF scheduler lets the running thread
 *   finish its slice (about 3 ms) before a better-niced waker gets the CPU, which on a busy box is a 3 ms late RTP
 *   packet. Node has no sched_setscheduler, so this runs util-linux `chrt` on the thread id (no shell).
 * - Otherwise, or when that is not permitted, a nice value (setpriority on the thread id).
 * Both need CAP_SYS_NICE to raise priority (root, or a container given that capability).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export interface PriorityRequest {
  /** Real-time priority 1–99 (SCHED_RR); 0: do not ask for real-time scheduling. */
  realtime: number;
  /** Nice value -20…19 when not real-time (0: leave as is). */
  nice: number;
}

export interface PriorityOutcome {
  /** What the thread runs at now. */
  policy: 'realtime' | 'normal';
  /** Its real-time priority (0 when normal). */
  realtime: number;
  /** Its nice value. */
  nice: number;
  /** Why what was asked for was not (all) applied; absent when it was. */
  reason?: string;
}

/** Policy numbers in /proc/<tid>/stat (sched.h). */
const SCHED_FIFO = 1;
const SCHED_RR = 2;

interface ThreadSched {
  policy: number;
  rtPriority: number;
}

/** Policy and real-time priority of a thread, from /proc (fields 41 and 40 of its stat line). */
export function readThreadSched(tid: number | 'thread-self'): ThreadSched | undefined {
  try {
    const stat = readFileSync(tid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return { policy: Number(fields[38]), rtPriority: Number(fields[37]) };
  } catch {
    return undefined;
  }
}

function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

export function setThreadPriority(req: PriorityRequest): PriorityOutcome {
  if (process.platform !== 'linux') {
    const asked = req.realtime > 0 || req.nice !== 0;
    return { policy: 'normal', realtime: 0, nice: 0, ...(asked ? { reason: `thread priority is only set on Linux (${process.platform})` } : {}) };
  }
  const tid = currentThreadId();
  if (tid === undefined) return { policy: 'normal', realtime: 0, nice: 0, reason: 'no thread id in /proc/thread-self' };
  let rtReason: string | undefined;
  if (req.realtime > 0) {
    rtReason = setRealtime(tid, req.realtime);
    if (rtReason === undefined) return { policy: 'realtime', realtime: req.realtime, nice: niceOf(tid) };
  }
  const niceReason = req.nice === 0 ? undefined : setNice(tid, req.nice);
  const reason = [rtReason && `real-time priority ${req.realtime}: ${rtReason}`, niceReason && `nice ${req.nice}: ${niceReason}`].filter(Boolean).join('; ');
  return { policy: 'normal', realtime: 0, nice: niceOf(tid), ...(reason ? { reason } : {}) };
}

function setRealtime(tid: number, priority: number): string | undefined {
  try {
    execFileSync('chrt', ['--rr', '--pid', String(priority), String(tid)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') return 'chrt (util-linux) not found';
    const msg = e.stderr?.toString().trim() || e.message;
    return /not permitted|EPERM/i.test(msg) ? 'not permitted (needs CAP_SYS_NICE, e.g. running as root)' : msg;
  }
  const now = readThreadSched('thread-self');
  if (now === undefined || (now.policy !== SCHED_RR && now.policy !== SCHED_FIFO) || now.rtPriority !== priority) {
    return `chrt ran, but the thread reports policy ${now?.policy} priority ${now?.rtPriority}`;
  }
  return undefined;
}

function setNice(tid: number, nice: number): string | undefined {
  try {
    os.setPriority(tid, nice);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' || /permission/i.test(String(err)) ? 'not permitted (needs CAP_SYS_NICE, e.g. running as root)' : String((err as Error).message ?? err);
  }
}

function niceOf(tid: number): number {
  try {
    return os.getPriority(tid);
  } catch {
    return 0;
  }
}

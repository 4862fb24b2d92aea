import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord, CallRecordEvent } from './CallRecord.js';
import { foldCallRecord, parseCallRecordLine } from './foldCallRecord.js';
import { safeFileName } from './CallRecordWriter.js';

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;

/** Read one record file back (a torn last line after a crash is skipped and counted in `badLines`). */
export async function readCallRecord(file: string): Promise<CallRecord> {
  const text = await readFile(file, 'utf8');
  const events: CallRecordEvent[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const event = parseCallRecordLine(line);
    if (event) events.push(event);
    else bad++;
  }
  return foldCallRecord(events, file, bad);
}

/** Day directories, newest first. */
export async function listDayDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && DAY_DIR.test(e.name)).map((e) => e.name).sort().reverse();
}

/** The most recent calls, newest first (by start time); unreadable files are skipped. */
export async function listCallRecords(dir: string, options: { limit?: number } = {}): Promise<CallRecord[]> {
  const limit = options.limit ?? 20;
  const out: CallRecord[] = [];
  for (const day of await listDayDirs(dir)) {
    const files = (await readdir(join(dir, day)).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'));
    const records = await Promise.all(files.map((f) => readCallRecord(join(dir, day, f)).catch(() => undefined)));
    const read = records.filter((r): r is CallRecord => r !== undefined).sort((a, b) => b.startedAtMs - a.startedAtMs);
    for (const r of read) {
      out.push(r);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The file of one call by its id (newest day first), or undefined. */
export async function findCallRecordFile(dir: string, callId: string): Promise<string | undefined> {
  const name = `${safeFileName(callId)}.jsonl`;
  for (const day of await listDayDirs(dir)) {
    const file = join(dir, day, name);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  }
  return undefined;
}

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listDayDirs } from './readCallRecord.js';

const DAY_MS = 86_400_000;

/**
 * Delete day directories older than `retentionDays` (by the UTC day in their name, the day the calls started).
 * `retentionDays` 0 keeps everything. Returns the day directories removed. Today's directory is never removed.
 */
export async function pruneCallRecords(dir: string, retentionDays: number, now: Date = new Date()): Promise<string[]> {
  if (retentionDays <= 0) return [];
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString().slice(0, 10);
  const removed: string[] = [];
  for (const day of await listDayDirs(dir)) {
    if (day >= cutoff) continue;
    await rm(join(dir, day), { recursive: true, force: true });
    removed.push(day);
  }
  return removed;
}

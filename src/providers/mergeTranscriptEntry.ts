/**
 * The transcript rule every consumer shares: a provider re-emits an assistant entry with the same `itemId` (and
 * `truncated: true`) when a barge-in cut it to what the caller heard, so that entry replaces the earlier one instead
 * of being added after it. Entries without an item id are always appended.
 */
export function mergeTranscriptEntry<T extends { role: string; itemId?: string | undefined }>(list: T[], entry: T): void {
  const i = entry.itemId === undefined ? -1 : list.findIndex((e) => e.itemId === entry.itemId && e.role === entry.role);
  if (i >= 0) list[i] = entry;
  else list.push(entry);
}

/** Edit distance (insert, delete, substitute, and swap of two neighbours count 1 each). */
export function levenshtein(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third of the word's
 * length (min 1, max 4 edits), case and `-`/`_` differences ignored. `ari-url` → `ari_url`, `ari_ur` → `ari_url`.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/-/g, '_');
  const w = norm(word);
  const limit = Math.min(4, Math.max(1, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = norm(candidate);
    let distance = levenshtein(w, c);
    // A key that only adds/drops a prefix or suffix (`api_key` vs `openai_api_key`) is still the one meant.
    if (distance > limit && c.length >= 4 && (w.includes(c) || c.includes(w))) distance = limit;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

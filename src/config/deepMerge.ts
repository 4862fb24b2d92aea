export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Layer `override` on `base`: maps merge key by key, everything else (scalars, lists, null) replaces. A map whose
 * `type` changes (turn_detection server_vad → semantic_vad) replaces too: the old variant's keys would not fit.
 * Neither input is modified.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  if (typeof override.type === 'string' && typeof base.type === 'string' && override.type !== base.type) return override;
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__') continue;
    out[key] = deepMerge(base[key], value);
  }
  return out;
}

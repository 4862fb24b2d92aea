export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Layer `override` on `base`: maps merge key by key, everything else (scalars, lists, null) replaces.
 * Neither input is modified.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__') continue;
    out[key] = deepMerge(base[key], value);
  }
  return out;
}

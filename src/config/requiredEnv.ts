import type { z } from 'zod';
import { isPlainObject } from './deepMerge.js';
import { defaultAt, type ConfigPath } from './schemaWalk.js';

/**
 * Is the value at `path` used by something enabled? The rule for an unset `${VAR}` (no default):
 * - inside a section with `enabled: false` (written or by default, e.g. `email`), it is not used → '' silently;
 * - inside `providers.<key>` or `pipelines.<key>`, it is used only when that key is `default_provider` or some
 *   context's `provider`;
 * - anywhere else (asterisk, contexts, …) it is used.
 * Decided on the merged raw data plus schema defaults, so it also works when validation failed elsewhere.
 */
export function isPathInUse(data: unknown, path: ConfigPath, schema: z.ZodType): { used: boolean; reason: string } {
  let node: unknown = data;
  const walked: Array<string | number> = [];
  for (const segment of path.slice(0, -1)) {
    node = isPlainObject(node) ? node[String(segment)] : Array.isArray(node) ? node[Number(segment)] : undefined;
    walked.push(segment);
    if (!isPlainObject(node)) break;
    const enabled = 'enabled' in node ? node.enabled : defaultAt(schema, [...walked, 'enabled']);
    if (enabled === false) return { used: false, reason: `${walked.join('.')} is disabled` };
  }
  const [section, key] = path;
  if ((section === 'providers' || section === 'pipelines') && key !== undefined) {
    const root = isPlainObject(data) ? data : {};
    const defaultProvider = typeof root.default_provider === 'string' ? root.default_provider : defaultAt(schema, ['default_provider']);
    if (defaultProvider === key) return { used: true, reason: `${section}.${key} is the default_provider` };
    const contexts = isPlainObject(root.contexts) ? root.contexts : {};
    const user = Object.entries(contexts).find(([, c]) => isPlainObject(c) && c.provider === key);
    if (user) return { used: true, reason: `context '${user[0]}' uses ${section}.${key}` };
    return { used: false, reason: `no context uses ${section}.${key}` };
  }
  return { used: true, reason: `${String(section)} is always used` };
}

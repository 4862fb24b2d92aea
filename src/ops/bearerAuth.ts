import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer-token check for the POST endpoints. With no token configured they are refused outright (403): an open
 * endpoint that places phone calls is toll fraud waiting to happen. The comparison is constant-time and does not
 * leak the token's length (both sides are hashed to 32 bytes first).
 */
export type AuthResult = 'ok' | 'not_configured' | 'missing' | 'invalid';

export function checkBearer(authorization: string | undefined, token: string): AuthResult {
  if (token === '') return 'not_configured';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m?.[1]) return 'missing';
  const given = createHash('sha256').update(m[1]).digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) ? 'ok' : 'invalid';
}

/** HTTP status for a refused request: 403 when the feature is off, 401 when the caller must authenticate. */
export function authStatus(r: Exclude<AuthResult, 'ok'>): 401 | 403 {
  return r === 'not_configured' ? 403 : 401;
}

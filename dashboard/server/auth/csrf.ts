// The CSRF check: a synchroniser token bound to the session. The token is random per session, stored
// with it in Redis, handed to the app in the login answer and /api/auth/me, and must come back in the
// `x-csrf-token` header of every state-changing API request. A cross-site page cannot read it.
import { createHash, timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether a request must carry the token: state-changing methods under /api, unless the route opts out. */
export function csrfApplies(method: string, path: string, routeOptOut: boolean): boolean {
  if (routeOptOut || !STATE_CHANGING.has(method.toUpperCase())) return false;
  return path === '/api' || path.startsWith('/api/');
}

/**
 * Compares the header with the session's token in constant time. Both sides are hashed first so that
 * the comparison sees equal lengths whatever the header holds.
 */
export function csrfTokenMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0 || expected.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

// The session cookie: its name, its attributes, and reading it from raw headers (the WebSocket upgrade
// has no fastify request to parse cookies for it).
import type { IncomingHttpHeaders } from 'node:http';
import type { CookieSerializeOptions } from '@fastify/cookie';

export const SESSION_COOKIE = 'rs_session';
/**
 * Set and cleared with the session cookie, readable by the page (not HttpOnly) and holding nothing
 * but `1`: it tells the app whether there may be a session to restore, so that a visitor who has
 * not signed in goes to the sign-in form without a request answered 401.
 */
export const SIGNED_IN_COOKIE = 'rs_signed_in';

/** true: always Secure; false: never (plain-HTTP development); 'auto': when the request came over HTTPS. */
export type SecureCookies = boolean | 'auto';

export function sessionCookieOptions(secure: boolean, maxAgeMs: number): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure,
    maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
  };
}

/** The signed-in hint's attributes: the session cookie's, readable by the page. */
export function signedInCookieOptions(secure: boolean, maxAgeMs: number): CookieSerializeOptions {
  return { ...sessionCookieOptions(secure, maxAgeMs), httpOnly: false };
}

export function cookieIsSecure(setting: SecureCookies, protocol: string): boolean {
  return setting === 'auto' ? protocol === 'https' : setting;
}

/** The session id from a Cookie header, or null. Only the first rs_session counts. */
export function sessionIdFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value.length > 0 ? value : null;
  }
  return null;
}

export function sessionIdFromHeaders(headers: IncomingHttpHeaders): string | null {
  return sessionIdFromCookieHeader(headers.cookie);
}

// Whether the browser may hold a session to restore: the server sets the readable `rs_signed_in`
// cookie with the (HttpOnly) session cookie and clears it with it. Without it the app shows the
// sign-in form at once instead of asking GET /api/auth/me for a 401 (which the browser's console
// reports as an error).
export const SIGNED_IN_COOKIE = 'rs_signed_in';

/** True when the cookie header (document.cookie) carries the signed-in hint. */
export function mayHaveSession(cookies: string): boolean {
  return cookies.split(';').some((part) => part.trim().startsWith(`${SIGNED_IN_COOKIE}=`) && part.trim().length > SIGNED_IN_COOKIE.length + 1);
}

/** The Set-Cookie text that removes the hint (after GET /api/auth/me said the session is gone). */
export function forgetSessionHint(): string {
  return `${SIGNED_IN_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`;
}

import { describe, expect, it } from 'vitest';
import { csrfApplies, csrfTokenMatches } from './csrf.js';
import { cookieIsSecure, sessionCookieOptions, sessionIdFromCookieHeader } from './session-cookie.js';

describe('csrf - which requests need the token', () => {
  it.each([
    ['POST', '/api/cases', false, true],
    ['put', '/api/cases/1', false, true],
    ['PATCH', '/api/users/alice', false, true],
    ['DELETE', '/api/x', false, true],
    ['POST', '/api', false, true],
    ['POST', '/api/auth/login', true, false],
    ['GET', '/api/alerts', false, false],
    ['HEAD', '/api/alerts', false, false],
    ['OPTIONS', '/api/alerts', false, false],
    ['POST', '/v1/events', false, false],
    ['POST', '/apix/thing', false, false],
  ])('%s %s (opt-out %s) needs it: %s', (method, path, optOut, expected) => {
    expect(csrfApplies(method, path, optOut)).toBe(expected);
  });
});

describe('csrf - token comparison', () => {
  const token = 'n3vQk1Yb0pX4m8sT2uW6zA9cE5gI7kM1oQ3rS5tU7vW';
  it.each([
    [token, true],
    [token.slice(0, -1), false],
    [token + 'x', false],
    ['', false],
    [undefined, false],
    [[token, token], false],
    [token.toUpperCase(), false],
  ])('header %j matches: %s', (given, expected) => {
    expect(csrfTokenMatches(token, given as string | string[] | undefined)).toBe(expected);
  });

  it('never matches an empty session token', () => {
    expect(csrfTokenMatches('', '')).toBe(false);
  });
});

describe('session cookie - reading and attributes', () => {
  const id = 'A'.repeat(43);
  it.each([
    [undefined, null],
    ['', null],
    [`rs_session=${id}`, id],
    [`theme=dark; rs_session=${id}; other=1`, id],
    [`rs_session_old=zzz; rs_session=${id}`, id],
    [`rs_session="${id}"`, id],
    ['rs_session=', null],
    ['theme=dark', null],
  ])('finds the session id in %j', (header, expected) => {
    expect(sessionIdFromCookieHeader(header)).toBe(expected);
  });

  it('sets HttpOnly, SameSite=Strict, Path=/ and the lifetime in seconds', () => {
    expect(sessionCookieOptions(true, 24 * 3600_000)).toEqual({ httpOnly: true, sameSite: 'strict', path: '/', secure: true, maxAge: 86_400 });
    expect(sessionCookieOptions(false, 0).secure).toBe(false);
  });

  it.each([
    [true, 'http', true],
    [false, 'https', false],
    ['auto', 'https', true],
    ['auto', 'http', false],
  ] as const)('secureCookies %s over %s gives Secure %s', (setting, protocol, expected) => {
    expect(cookieIsSecure(setting, protocol)).toBe(expected);
  });
});

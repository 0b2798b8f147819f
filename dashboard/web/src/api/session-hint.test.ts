import { describe, expect, test } from 'vitest';
import { SIGNED_IN_COOKIE, forgetSessionHint, mayHaveSession } from './session-hint.js';

describe('session hint', () => {
  test('is the cookie the server sets (auth-plugin.test.ts checks the server side)', () => {
    expect(SIGNED_IN_COOKIE).toBe('rs_signed_in');
  });

  test.each([
    ['', false],
    ['theme=dark', false],
    ['rs_signed_in=1', true],
    ['theme=dark; rs_signed_in=1; lang=zh', true],
    ['rs_signed_in=', false],
    ['xrs_signed_in=1', false],
    ['rs_signed_in_old=1', false],
  ])('%j: %s', (cookies, expected) => {
    expect(mayHaveSession(cookies)).toBe(expected);
  });

  test('forgetting it expires the same cookie on the same path', () => {
    expect(forgetSessionHint()).toMatch(/^rs_signed_in=; Max-Age=0; Path=\/;/);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT, failuresInWindow, ipWindowOf, lockoutAfterFailures, retryAfterSeconds } from './login-throttle.js';

const MIN = 60_000;
const now = 1_700_000_000_000;

describe('login throttle - lock-out arithmetic', () => {
  it('uses 5 failures within 15 minutes and a 15 minute lock by default', () => {
    expect(DEFAULT_LOCKOUT).toEqual({ maxFailures: 5, windowMs: 15 * MIN, lockMs: 15 * MIN });
  });

  it.each([
    ['no failures', [], false],
    ['four recent failures', [now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now], false],
    ['five failures within the window', [now - 14 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now], true],
    ['five failures, the first just outside the window', [now - 15 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now], false],
    ['six failures, one old', [now - 60 * MIN, now - 14 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now], true],
    ['five failures in the same millisecond', [now, now, now, now, now], true],
  ])('%s: locked %s', (_what, times, locked) => {
    const answer = lockoutAfterFailures(times, now, DEFAULT_LOCKOUT);
    expect(answer.locked).toBe(locked);
    expect(answer.lockedUntil).toBe(locked ? now + 15 * MIN : null);
  });

  it('ignores failure times from the future (a clock set back)', () => {
    expect(failuresInWindow([now + MIN, now], now, DEFAULT_LOCKOUT)).toEqual([now]);
  });
});

describe('login throttle - per-address window', () => {
  it.each([
    [0, 0, 60_000],
    [59_999, 0, 1],
    [60_000, 1, 60_000],
    [90_500, 1, 29_500],
  ])('an attempt at %i ms falls in window %i, which resets in %i ms', (at, index, resetInMs) => {
    expect(ipWindowOf(at, { maxAttempts: 20, windowMs: 60_000 })).toEqual({ index, resetInMs });
  });

  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [15 * MIN, 900],
    [0, 1],
  ])('%i ms to wait is Retry-After %i', (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });
});

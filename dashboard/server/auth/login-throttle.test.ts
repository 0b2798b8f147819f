// The lock-out's arithmetic and its reservations, on the real Redis (the scripts are the logic).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.js';
import { ATTEMPT_RESERVATION_MS, DEFAULT_LOCKOUT, createLoginThrottle, ipWindowOf, retryAfterSeconds } from './login-throttle.js';

const MIN = 60_000;
const now = 1_700_000_000_000;

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

let nameSeq = 0;
/** A throttle on a fresh name with a clock the test sets. */
function throttleAt(): { clock: { now: number }; name: string; throttle: ReturnType<typeof createLoginThrottle> } {
  const clock = { now };
  return { clock, name: `user${nameSeq++}`, throttle: createLoginThrottle(h.redis, h.names.redisPrefix, { now: () => clock.now }) };
}

describe('login throttle - lock-out arithmetic', () => {
  it('uses 5 failures within 15 minutes and a 15 minute lock by default', () => {
    expect(DEFAULT_LOCKOUT).toEqual({ maxFailures: 5, windowMs: 15 * MIN, lockMs: 15 * MIN });
  });

  it.each([
    ['no failures', false, []],
    ['four recent failures', false, [now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now]],
    ['five failures within the window', true, [now - 14 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now]],
    ['five failures, the first just outside the window', false, [now - 15 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now]],
    ['six failures, one old', true, [now - 60 * MIN, now - 14 * MIN, now - 10 * MIN, now - 5 * MIN, now - MIN, now]],
    ['five failures in the same millisecond', true, [now, now, now, now, now]],
  ])('%s: locked %s', async (_what, locked, times) => {
    const { clock, name, throttle } = throttleAt();
    let lockedBy = 0;
    for (const t of times) {
      clock.now = t;
      const attempt = await throttle.beginAttempt(name);
      if (!attempt.ok) throw new Error(`refused at ${t - now}`);
      lockedBy = await throttle.failAttempt(name, attempt.ticket);
    }
    expect(lockedBy).toBe(locked ? 15 * MIN : 0);
    expect((await throttle.beginAttempt(name)).ok).toBe(!locked);
    const lockedFor = await throttle.lockedFor(name);
    if (locked) expect(lockedFor).toBeGreaterThan(15 * MIN - 10_000);
    else expect(lockedFor).toBe(0);
  });

  it('ignores failure times from the future (a clock set back)', async () => {
    const { clock, name, throttle } = throttleAt();
    clock.now = now + MIN;
    for (let i = 0; i < 4; i++) await throttle.recordFailure(name);
    clock.now = now;
    expect(await throttle.recordFailure(name)).toBe(0);
  });
});

describe('login throttle - attempts in flight', () => {
  it('reserves no more attempts at once than the name may fail, counting the failures already made', async () => {
    const { name, throttle } = throttleAt();
    await throttle.recordFailure(name);
    await throttle.recordFailure(name);
    const answers = await Promise.all(Array.from({ length: 6 }, () => throttle.beginAttempt(name)));
    const reserved = answers.filter((a) => a.ok);
    expect(reserved).toHaveLength(3);
    expect(answers.filter((a) => !a.ok)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, waitMs: 1000, locked: false })));
    // a place given back can be taken again
    const first = reserved[0]!;
    if (!first.ok) throw new Error('unreachable');
    await throttle.releaseAttempt(name, first.ticket);
    expect((await throttle.beginAttempt(name)).ok).toBe(true);
  });

  it('refuses success to an attempt whose name was locked while it was checked, and forgets failures otherwise', async () => {
    const { name, throttle } = throttleAt();
    const attempt = await throttle.beginAttempt(name);
    if (!attempt.ok) throw new Error('refused');
    for (let i = 0; i < 5; i++) await throttle.recordFailure(name);
    expect(await throttle.succeedAttempt(name, attempt.ticket)).toBeGreaterThan(15 * MIN - 10_000);
    await throttle.unlock(name);

    await throttle.recordFailure(name);
    const next = await throttle.beginAttempt(name);
    if (!next.ok) throw new Error('refused');
    expect(await throttle.succeedAttempt(name, next.ticket)).toBe(0);
    // the failure was forgotten: five more are needed to lock
    for (let i = 0; i < 4; i++) expect(await throttle.recordFailure(name)).toBe(0);
    expect(await throttle.recordFailure(name)).toBe(15 * MIN);
  });

  it('stops counting a reservation never settled (a crashed process) after a minute', async () => {
    const { clock, name, throttle } = throttleAt();
    for (let i = 0; i < 5; i++) expect((await throttle.beginAttempt(name)).ok).toBe(true);
    expect((await throttle.beginAttempt(name)).ok).toBe(false);
    clock.now = now + ATTEMPT_RESERVATION_MS + 1;
    expect((await throttle.beginAttempt(name)).ok).toBe(true);
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

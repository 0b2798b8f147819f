// Brakes on password guessing, kept in Redis so that every riskstream process sees the same counts:
// per user name, a lock-out after repeated failures; per client address, a cap on sign-in attempts.
// An attempt on a name reserves its place before the (slow) password check and settles it after,
// each step one script on Redis, so that concurrent attempts cannot try more than the limit between
// the check of the lock and the record of their failures.
import { randomBytes } from 'node:crypto';
import type { Redis } from '../../../core/index.js';

export type LockoutPolicy = {
  /** Failures within `windowMs` that lock the user name. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long the lock lasts. */
  readonly lockMs: number;
};

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export type IpLimitPolicy = {
  /** Sign-in attempts one address may make per window. */
  readonly maxAttempts: number;
  readonly windowMs: number;
};

export const DEFAULT_IP_LIMIT: IpLimitPolicy = { maxAttempts: 20, windowMs: 60_000 };

/** The fixed window an attempt at `now` falls in, and the milliseconds until the next one. */
export function ipWindowOf(now: number, policy: IpLimitPolicy): { index: number; resetInMs: number } {
  const index = Math.floor(now / policy.windowMs);
  return { index, resetInMs: (index + 1) * policy.windowMs - now };
}

/** Seconds for a Retry-After header: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * How long one attempt's place is held at most: an attempt still checking after this (a crashed
 * process, a machine far behind) stops counting, so a lost reservation cannot block a name for long.
 */
export const ATTEMPT_RESERVATION_MS = 60_000;

/** Whether a sign-in on a name may go ahead; when not, how long to wait and whether the name is locked (or only busy with attempts in flight). */
export type AttemptAnswer = { readonly ok: true; readonly ticket: string } | { readonly ok: false; readonly waitMs: number; readonly locked: boolean };

export type LoginThrottle = {
  /** Milliseconds the name stays locked, or 0. */
  lockedFor(username: string): Promise<number>;
  /**
   * Reserves one attempt on the name before its password is checked, in one step on Redis: refused
   * while the name is locked, or while its failures in the window plus the attempts still being
   * checked reach the limit, so that a burst of concurrent guesses cannot try more than the limit.
   * Every reservation ends with failAttempt, succeedAttempt or releaseAttempt.
   */
  beginAttempt(username: string): Promise<AttemptAnswer>;
  /** The attempt failed: counted as a failure. Returns the lock's milliseconds when this failure locked the name, else 0. */
  failAttempt(username: string, ticket: string): Promise<number>;
  /**
   * The attempt's factors were right: unless the name was locked meanwhile (returns the lock's
   * remaining milliseconds, and no session may be issued), the failures are forgotten and 0 is returned.
   */
  succeedAttempt(username: string, ticket: string): Promise<number>;
  /** The attempt ended neither way (a code still to ask for, a server error): its place is given back uncounted. */
  releaseAttempt(username: string, ticket: string): Promise<void>;
  /** Records a failure outside an attempt; returns the lock's milliseconds when it locked the name, else 0. */
  recordFailure(username: string): Promise<number>;
  /** Lifts a lock and forgets the failures (admin "unlock"). */
  unlock(username: string): Promise<void>;
  /** Counts an attempt from this address; returns milliseconds to wait when it is over the limit, else 0. */
  takeIpAttempt(ip: string): Promise<number>;
};

export type LoginThrottleOptions = {
  readonly lockout?: LockoutPolicy;
  readonly ipLimit?: IpLimitPolicy;
  /** The clock (tests move it). */
  readonly now?: () => number;
};

// KEYS: failures (sorted set of failure times), lock, in flight (sorted set of tickets by expiry).
// ARGV: now, window start (exclusive), max failures, ticket, reservation expiry.
// Answers { 1 } when reserved, { 0, wait ms, 1 } when locked, { 0, 0, 0 } when busy.
const BEGIN_ATTEMPT_LUA = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return { 0, locked, 1 } end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
local used = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], ARGV[1]) + redis.call('ZCARD', KEYS[3])
if used >= tonumber(ARGV[3]) then return { 0, 0, 0 } end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]) - tonumber(ARGV[1]))
return { 1 }
`;

// KEYS as above. ARGV: now, window start (exclusive), max failures, ticket, failure member, window ms, lock ms.
// Answers the lock's milliseconds when this failure locked the name, else 0.
const FAIL_ATTEMPT_LUA = `
redis.call('ZREM', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], ARGV[1]) < tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[7])
redis.call('DEL', KEYS[1])
return tonumber(ARGV[7])
`;

// KEYS as above. ARGV: ticket. Answers the lock's remaining milliseconds (the attempt may not sign in), or 0.
const SUCCEED_ATTEMPT_LUA = `
redis.call('ZREM', KEYS[3], ARGV[1])
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
redis.call('DEL', KEYS[1])
return 0
`;

export function createLoginThrottle(redis: Redis, prefix: string, options: LoginThrottleOptions = {}): LoginThrottle {
  const lockout = options.lockout ?? DEFAULT_LOCKOUT;
  const ipLimit = options.ipLimit ?? DEFAULT_IP_LIMIT;
  const clock = options.now ?? Date.now;
  const failuresKey = (u: string): string => `${prefix}auth:fail:${u}`;
  const lockKey = (u: string): string => `${prefix}auth:lock:${u}`;
  const inFlightKey = (u: string): string => `${prefix}auth:inflight:${u}`;
  const keysOf = (u: string): [string, string, string] => [failuresKey(u), lockKey(u), inFlightKey(u)];

  async function fail(username: string, ticket: string): Promise<number> {
    const now = clock();
    // failure members made unique by a random suffix: two in one millisecond both count
    const member = `${now}:${randomBytes(6).toString('base64url')}`;
    const answer = await redis.eval(FAIL_ATTEMPT_LUA, 3, ...keysOf(username), now, now - lockout.windowMs, lockout.maxFailures, ticket, member, lockout.windowMs, lockout.lockMs);
    return Number(answer);
  }

  return {
    async lockedFor(username) {
      const ttl = await redis.pttl(lockKey(username));
      return ttl > 0 ? ttl : 0;
    },

    async beginAttempt(username) {
      const now = clock();
      const ticket = randomBytes(12).toString('base64url');
      const answer = (await redis.eval(BEGIN_ATTEMPT_LUA, 3, ...keysOf(username), now, now - lockout.windowMs, lockout.maxFailures, ticket, now + ATTEMPT_RESERVATION_MS)) as number[];
      if (answer[0] === 1) return { ok: true, ticket };
      // busy: the attempts in flight end within a second or so, and then either locked the name or freed their places
      return answer[2] === 1 ? { ok: false, waitMs: Number(answer[1]), locked: true } : { ok: false, waitMs: 1000, locked: false };
    },

    failAttempt: fail,

    async succeedAttempt(username, ticket) {
      return Number(await redis.eval(SUCCEED_ATTEMPT_LUA, 3, ...keysOf(username), ticket));
    },

    async releaseAttempt(username, ticket) {
      await redis.zrem(inFlightKey(username), ticket);
    },

    recordFailure(username) {
      return fail(username, '');
    },

    async unlock(username) {
      await redis.del(...keysOf(username));
    },

    async takeIpAttempt(ip) {
      const { index, resetInMs } = ipWindowOf(clock(), ipLimit);
      const key = `${prefix}auth:ip:${ip}:${index}`;
      const results = await redis.multi().incr(key).pexpire(key, resetInMs + 1000).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return count > ipLimit.maxAttempts ? resetInMs : 0;
    },
  };
}

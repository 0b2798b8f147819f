// Brakes on password guessing, kept in Redis so that every riskstream process sees the same counts:
// per user name, a lock-out after repeated failures; per client address, a cap on sign-in attempts.
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

/** Failures that still count at `now`: those inside the window. */
export function failuresInWindow(failureTimes: readonly number[], now: number, policy: LockoutPolicy): number[] {
  return failureTimes.filter((t) => t > now - policy.windowMs && t <= now);
}

/** Whether the failures so far lock the name, and until when. */
export function lockoutAfterFailures(failureTimes: readonly number[], now: number, policy: LockoutPolicy): { locked: boolean; lockedUntil: number | null } {
  const recent = failuresInWindow(failureTimes, now, policy);
  if (recent.length < policy.maxFailures) return { locked: false, lockedUntil: null };
  return { locked: true, lockedUntil: now + policy.lockMs };
}

/** The fixed window an attempt at `now` falls in, and the milliseconds until the next one. */
export function ipWindowOf(now: number, policy: IpLimitPolicy): { index: number; resetInMs: number } {
  const index = Math.floor(now / policy.windowMs);
  return { index, resetInMs: (index + 1) * policy.windowMs - now };
}

/** Seconds for a Retry-After header: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export type LoginThrottle = {
  /** Milliseconds the name stays locked, or 0. */
  lockedFor(username: string): Promise<number>;
  /** Records a failed sign-in; returns the lock's remaining milliseconds when this failure locked the name, else 0. */
  recordFailure(username: string): Promise<number>;
  /** Forgets the failures after a successful sign-in. */
  recordSuccess(username: string): Promise<void>;
  /** Lifts a lock and forgets the failures (admin "unlock"). */
  unlock(username: string): Promise<void>;
  /** Counts an attempt from this address; returns milliseconds to wait when it is over the limit, else 0. */
  takeIpAttempt(ip: string): Promise<number>;
};

export type LoginThrottleOptions = { readonly lockout?: LockoutPolicy; readonly ipLimit?: IpLimitPolicy };

export function createLoginThrottle(redis: Redis, prefix: string, options: LoginThrottleOptions = {}): LoginThrottle {
  const lockout = options.lockout ?? DEFAULT_LOCKOUT;
  const ipLimit = options.ipLimit ?? DEFAULT_IP_LIMIT;
  const failuresKey = (u: string): string => `${prefix}auth:fail:${u}`;
  const lockKey = (u: string): string => `${prefix}auth:lock:${u}`;

  return {
    async lockedFor(username) {
      const ttl = await redis.pttl(lockKey(username));
      return ttl > 0 ? ttl : 0;
    },

    async recordFailure(username) {
      const now = Date.now();
      // A sorted set of failure times (members made unique by a random suffix), trimmed to the window.
      const member = `${now}:${Math.random().toString(36).slice(2, 10)}`;
      const results = await redis
        .multi()
        .zadd(failuresKey(username), now, member)
        .zremrangebyscore(failuresKey(username), '-inf', now - lockout.windowMs)
        .zrange(failuresKey(username), 0, -1, 'WITHSCORES')
        .pexpire(failuresKey(username), lockout.windowMs)
        .exec();
      const flat = (results?.[2]?.[1] ?? []) as string[];
      const times: number[] = [];
      for (let i = 1; i < flat.length; i += 2) times.push(Number(flat[i]));
      const { locked } = lockoutAfterFailures(times, now, lockout);
      if (!locked) return 0;
      await redis.multi().set(lockKey(username), String(now), 'PX', lockout.lockMs).del(failuresKey(username)).exec();
      return lockout.lockMs;
    },

    async recordSuccess(username) {
      await redis.del(failuresKey(username));
    },

    async unlock(username) {
      await redis.del(failuresKey(username), lockKey(username));
    },

    async takeIpAttempt(ip) {
      const { index, resetInMs } = ipWindowOf(Date.now(), ipLimit);
      const key = `${prefix}auth:ip:${ip}:${index}`;
      const results = await redis.multi().incr(key).pexpire(key, resetInMs + 1000).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return count > ipLimit.maxAttempts ? resetInMs : 0;
    },
  };
}

// Sessions in Redis. The cookie carries a random 32-byte id; Redis holds only its SHA-256, so a dump of
// Redis cannot be replayed as cookies. Each session expires after an idle time (sliding: every use moves
// it) and at the latest at an absolute age, whichever comes first.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '../../../core/index.js';

export type SessionOptions = {
  /** A session unused this long ends (default 8 h). */
  readonly idleTimeoutMs?: number;
  /** A session ends this long after sign-in however much it is used (default 24 h). */
  readonly absoluteTimeoutMs?: number;
};

export const DEFAULT_IDLE_TIMEOUT_MS = 8 * 3600_000;
export const DEFAULT_ABSOLUTE_TIMEOUT_MS = 24 * 3600_000;

export type Session = {
  /** SHA-256 of the cookie's id (hex): how the session is named in Redis and in logs-free admin tools. */
  readonly key: string;
  readonly username: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
};

/**
 * What Redis holds per session. The timeouts it was created under travel with it, and the shorter of
 * those and the reading store's own apply, so processes configured differently never lengthen a session.
 */
type StoredSession = {
  readonly username: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly idleMs: number;
  readonly absoluteMs: number;
};

export type SessionStore = {
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  /** Starts a session; the id goes into the cookie and nowhere else. */
  create(username: string): Promise<{ readonly id: string; readonly session: Session }>;
  /** The live session of a cookie id, its idle timer moved forward; null when unknown or expired. */
  get(id: string): Promise<Session | null>;
  /**
   * The live session of a cookie id, its idle timer left as it is: a look that is not the user's
   * activity (an open socket's periodic re-check), so an unattended tab does not keep a session alive.
   */
  peek(id: string): Promise<Session | null>;
  destroy(id: string): Promise<void>;
  /** Ends every session of a user (password change, disabling). Returns how many ended. */
  destroyAllForUser(username: string): Promise<number>;
};

/** SHA-256 of a session id, hex. */
export function sessionKeyOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** A cookie value that could be one of our ids (43 base64url characters); anything else is not looked up. */
export function isWellFormedSessionId(id: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(id);
}

/** How long a session may still live: the idle time, cut short by the absolute limit. */
export function sessionTtlMs(createdAt: number, now: number, idleTimeoutMs: number, absoluteTimeoutMs: number): number {
  return Math.min(idleTimeoutMs, createdAt + absoluteTimeoutMs - now);
}

export function createSessionStore(redis: Redis, prefix: string, options: SessionOptions = {}): SessionStore {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const absoluteTimeoutMs = options.absoluteTimeoutMs ?? DEFAULT_ABSOLUTE_TIMEOUT_MS;
  const sessionKey = (key: string): string => `${prefix}sess:${key}`;
  // Per user, the keys of their sessions, so that a password change can end them all.
  const userIndexKey = (username: string): string => `${prefix}sess:user:${username}`;

  async function read(id: string, slide: boolean): Promise<Session | null> {
    if (!isWellFormedSessionId(id)) return null;
    const key = sessionKeyOf(id);
    const raw = await redis.get(sessionKey(key));
    if (raw === null) return null;
    const stored = JSON.parse(raw) as StoredSession;
    const now = Date.now();
    const ttl = sessionTtlMs(
      stored.createdAt,
      now,
      Math.min(idleTimeoutMs, stored.idleMs ?? idleTimeoutMs),
      Math.min(absoluteTimeoutMs, stored.absoluteMs ?? absoluteTimeoutMs),
    );
    if (ttl <= 0) {
      await redis.del(sessionKey(key));
      return null;
    }
    if (!slide) {
      // Not activity: the session ends when its key does, at the idle time the last real use set.
      const left = await redis.pttl(sessionKey(key));
      if (left <= 0 && left !== -1) return null;
      return { key, username: stored.username, csrfToken: stored.csrfToken, createdAt: stored.createdAt, expiresAt: now + (left > 0 ? Math.min(left, ttl) : ttl) };
    }
    // Slide the idle timer. PEXPIRE on a key that expired meanwhile does nothing, so it cannot revive it.
    await redis.pexpire(sessionKey(key), ttl);
    return { key, username: stored.username, csrfToken: stored.csrfToken, createdAt: stored.createdAt, expiresAt: now + ttl };
  }

  return {
    idleTimeoutMs,
    absoluteTimeoutMs,

    async create(username) {
      const id = randomBytes(32).toString('base64url');
      const key = sessionKeyOf(id);
      const now = Date.now();
      const stored: StoredSession = { username, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, idleMs: idleTimeoutMs, absoluteMs: absoluteTimeoutMs };
      const ttl = sessionTtlMs(now, now, idleTimeoutMs, absoluteTimeoutMs);
      await redis
        .multi()
        .set(sessionKey(key), JSON.stringify(stored), 'PX', ttl)
        .sadd(userIndexKey(username), key)
        .pexpire(userIndexKey(username), absoluteTimeoutMs)
        .exec();
      return { id, session: { key, username, csrfToken: stored.csrfToken, createdAt: now, expiresAt: now + ttl } };
    },

    get(id) {
      return read(id, true);
    },

    peek(id) {
      return read(id, false);
    },

    async destroy(id) {
      if (!isWellFormedSessionId(id)) return;
      const key = sessionKeyOf(id);
      const raw = await redis.get(sessionKey(key));
      const multi = redis.multi().del(sessionKey(key));
      if (raw !== null) multi.srem(userIndexKey((JSON.parse(raw) as StoredSession).username), key);
      await multi.exec();
    },

    async destroyAllForUser(username) {
      const keys = await redis.smembers(userIndexKey(username));
      if (keys.length === 0) return 0;
      const results = await redis
        .multi()
        .del(...keys.map(sessionKey))
        .del(userIndexKey(username))
        .exec();
      return Number(results?.[0]?.[1] ?? 0);
    },
  };
}

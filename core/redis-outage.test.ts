// The Redis client when the server goes away, against a real redis-server of the test's own:
// commands fail at once (they waited ≈ 30 s in ioredis's offline queue before), the failure reads
// as "Redis unavailable", closing does not wait, and the client comes back with the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness.js';
import { startPrivateRedis, type PrivateServer } from '../test/private-servers.js';
import { closeRedis, connectRedis, isRedisUnavailable } from './redis.js';

let server: PrivateServer;

beforeAll(async () => {
  server = await startPrivateRedis();
});

afterAll(async () => {
  await server?.cleanup();
});

describe('redis - when the server goes away', () => {
  it('fails commands at once while it is away, and works again once it is back', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage');
    try {
      await redis.set('k', 'v');
      await server.stop();
      await eventually(() => (redis.status !== 'ready' ? true : undefined), 5000, 'the client to notice');
      const started = Date.now();
      const error = await redis.get('k').then(
        () => null,
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      expect(error).toBeInstanceOf(Error);
      expect(isRedisUnavailable(error)).toBe(true);
      // Not waiting for reconnection attempts: milliseconds, where the offline queue held it ≈ 30 s.
      expect(waited).toBeLessThan(2000);

      await server.start();
      await eventually(async () => ((await redis.ping().catch(() => null)) === 'PONG' ? true : undefined), 10_000, 'the client to reconnect');
      await redis.set('k', 'again');
      expect(await redis.get('k')).toBe('again');
    } finally {
      await closeRedis(redis);
    }
  });

  it('closes at once while the server is away, and stops trying to reconnect', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage-close');
    await server.stop();
    try {
      await eventually(() => (redis.status !== 'ready' ? true : undefined), 5000, 'the client to notice');
      // QUIT here would fail only after its retries; closeRedis drops the connection instead.
      await closeRedis(redis);
    } finally {
      await server.start();
    }
    // Its reconnection attempts come every 2 s at most: none is made after closing.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(redis.status).not.toBe('ready');
  });

  it('tells an unreachable Redis from a refused command', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage-refused');
    try {
      const refused = await redis.call('NO-SUCH-COMMAND').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Error);
      expect(isRedisUnavailable(refused)).toBe(false);
      expect(isRedisUnavailable(new Error('Command timed out'))).toBe(true);
      expect(isRedisUnavailable('Connection is closed.')).toBe(false);
    } finally {
      await closeRedis(redis);
    }
  });

  it('says why it could not connect, and what to do about it', async () => {
    const stopped = await startPrivateRedis();
    const url = stopped.url;
    await stopped.cleanup();
    const refused = await connectRedis(url, 'test-redis-refused').catch((e: unknown) => e as Error);
    expect((refused as Error).message).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED .*\)\. Start it with `redis-server`/);

    const wrongUser = server.url.replace('redis://', 'redis://nobody:wrong-password@');
    const denied = await connectRedis(wrongUser, 'test-redis-denied').catch((e: unknown) => e as Error);
    expect((denied as Error).message).toMatch(/\(WRONGPASS .*\)\. Check the user name and password in REDIS_URL\./);
    expect((denied as Error).message).not.toContain('wrong-password');
  });
});

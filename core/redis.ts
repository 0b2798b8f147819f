// The Redis connection for shared feature state; fails fast with a message naming the address.
import { Redis } from 'ioredis';
import { safeUrl } from './log.js';
import { ServiceUnavailableError } from './bus.js';

export type { Redis };

const REDIS_HOW_TO_START =
  'Start it with `redis-server` (for example: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no), or point REDIS_URL at a running server.';

export async function connectRedis(url: string, connectionName = 'riskstream'): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    connectionName,
    maxRetriesPerRequest: 20,
    enableAutoPipelining: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  });
  // Errors after start-up surface on commands; the event only keeps ioredis from printing them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new ServiceUnavailableError(`Redis is not reachable at ${safeUrl(url)} (${(error as Error).message}). ${REDIS_HOW_TO_START}`);
  }
  return redis;
}

/** Deletes every key under a prefix (tests and `riskstream reset`). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

// How Redis frees memory, read from the real server, and what riskstream makes of a policy.
import { describe, expect, it } from 'vitest';
import { REDIS_URL } from '../test/harness.js';
import { connectRedis, evictionProblem, redisMemory } from './redis.js';

describe('redis memory', () => {
  it('reads used memory, the limit and the policy from INFO', async () => {
    const redis = await connectRedis(REDIS_URL, 'test-redis-memory');
    try {
      const memory = await redisMemory(redis);
      expect(memory.usedBytes).toBeGreaterThan(0);
      expect(memory.maxBytes).toBeGreaterThanOrEqual(0);
      expect(memory.policy).toMatch(/^(noeviction|allkeys-|volatile-)/);
    } finally {
      redis.disconnect();
    }
  });

  it('is fine without a limit, or with noeviction', () => {
    expect(evictionProblem({ usedBytes: 1, maxBytes: 0, policy: 'allkeys-lru' })).toBeNull();
    expect(evictionProblem({ usedBytes: 1, maxBytes: 1 << 30, policy: 'noeviction' })).toBeNull();
  });

  it('says when a Redis that does not evict is full, since it then refuses every write', () => {
    expect(evictionProblem({ usedBytes: 25 * 1024 ** 2, maxBytes: 25 * 1024 ** 2 + 100_000, policy: 'noeviction' })).toMatch(
      /^Redis is full \(25 of 25 MiB, maxmemory-policy noeviction\): it refuses writes, so the processors decide nothing while events wait on the stream\. Raise maxmemory/,
    );
    expect(evictionProblem({ usedBytes: 20 * 1024 ** 2, maxBytes: 25 * 1024 ** 2, policy: 'noeviction' })).toBeNull();
  });

  it('warns of any evicting policy under a limit, volatile ones too (every riskstream key has a TTL)', () => {
    for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-ttl']) {
      const problem = evictionProblem({ usedBytes: 1, maxBytes: 512 * 1024 ** 2, policy });
      expect(problem).toContain(`maxmemory (512 MiB, maxmemory-policy ${policy})`);
      expect(problem).toMatch(/Set maxmemory-policy noeviction/);
    }
  });
});

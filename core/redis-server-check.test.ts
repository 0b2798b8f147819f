// A Redis that answers but cannot serve riskstream is refused at connect, by name: a cluster node,
// a replica, a server too old for the feature scripts. Real servers for the first two.
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateServer } from '../test/private-servers.js';
import { REDIS_URL } from '../test/harness.js';
import { closeRedis, connectRedis, redisServerProblem } from './redis.js';

const URL_WITH_PASSWORD = 'redis://app:s3cret@10.0.0.5:6380';

describe('redis server check', () => {
  let server: PrivateServer | undefined;
  afterEach(async () => {
    await server?.cleanup();
    server = undefined;
  });

  it('takes the shared standalone primary', async () => {
    const redis = await connectRedis(REDIS_URL, 'test-redis-server-check');
    await closeRedis(redis);
  });

  it('refuses a node in cluster mode, naming the setting and what to do', async () => {
    server = await startPrivateRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']);
    await expect(connectRedis(server.url, 'test-redis-cluster')).rejects.toThrow(
      `Redis at ${server.url} runs in cluster mode, which riskstream does not support yet (docs/features.md, Scale-out): point REDIS_URL at a standalone Redis or a primary`,
    );
  });

  it('refuses a replica, naming its primary', async () => {
    // its primary need not answer: the server says it is a replica all the same
    server = await startPrivateRedis(['--replicaof', '127.0.0.1', '1']);
    await expect(connectRedis(server.url, 'test-redis-replica')).rejects.toThrow(
      `Redis at ${server.url} is a replica of 127.0.0.1:1: riskstream writes its feature state there, so point REDIS_URL at the primary`,
    );
  });

  it('refuses a server older than 6.0, and keeps the password out of the message', () => {
    const problem = redisServerProblem('# Server\r\nredis_version:5.0.7\r\nredis_mode:standalone\r\n# Replication\r\nrole:master\r\n', URL_WITH_PASSWORD);
    expect(problem).toBe(
      'Redis at redis://app:***@10.0.0.5:6380 is version 5.0.7; riskstream needs Redis 6.0 or later (its scripts keep TTLs with SET … KEEPTTL): upgrade it or point REDIS_URL at a newer server',
    );
  });

  it('takes 6.0 and later, servers that speak Redis under another name, and an INFO it could not read', () => {
    for (const version of ['6.0.0', '6.2.14', '7.0.15', '10.1.0']) {
      expect(redisServerProblem(`redis_version:${version}\r\nredis_mode:standalone\r\nrole:master\r\n`, URL_WITH_PASSWORD)).toBeNull();
    }
    // Valkey reports a Redis-compatible version beside its own
    expect(redisServerProblem('redis_version:7.2.4\r\nvalkey_version:8.0.1\r\nserver_name:valkey\r\nrole:master\r\n', URL_WITH_PASSWORD)).toBeNull();
    expect(redisServerProblem('', URL_WITH_PASSWORD)).toBeNull();
    expect(redisServerProblem('redis_version:unknown\r\n', URL_WITH_PASSWORD)).toBeNull();
  });
});

// The server's error answers for a Redis that is gone, with the real client's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, createLogger, createMetrics, type Redis } from '../../core/index.js';
import { eventually } from '../../test/harness.js';
import { startPrivateRedis, type PrivateServer } from '../../test/private-servers.js';
import { buildServer } from './server.js';

let server: PrivateServer;
let redis: Redis;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = await connectRedis(server.url, 'test-server-errors');
});

afterAll(async () => {
  if (redis) await closeRedis(redis);
  await server?.cleanup();
});

describe('server - errors', () => {
  it('answers 503 RS_ERR_REDIS_UNAVAILABLE, not 500, when a route cannot reach Redis', async () => {
    const app = await buildServer({
      logger: createLogger('silent'),
      metrics: createMetrics(),
      health: async () => ({ ok: true, checks: {} }),
      plugins: [
        async (instance) => {
          instance.get('/needs-redis', async () => ({ value: await redis.get('k') }));
        },
      ],
    });
    expect((await app.inject({ method: 'GET', url: '/needs-redis' })).statusCode).toBe(200);

    await server.stop();
    await eventually(() => (redis.status !== 'ready' ? true : undefined), 5000, 'the client to notice');
    const res = await app.inject({ method: 'GET', url: '/needs-redis' });
    expect(res.statusCode).toBe(503);
    const body = res.json<{ error: { code: string; retryable: boolean; message: string } }>();
    expect(body.error.code).toBe('RS_ERR_REDIS_UNAVAILABLE');
    expect(body.error.retryable).toBe(true);
    expect(body.error.message).toMatch(/Redis did not answer/);
    await app.close();
  });
});

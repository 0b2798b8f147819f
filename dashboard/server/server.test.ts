// The server's error answers for a Redis that is gone, with the real client's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, createLogger, createMetrics, type Redis } from '../../core/index.js';
import { eventually } from '../../test/harness.js';
import { startPrivateRedis, type PrivateServer } from '../../test/private-servers.js';
import type { FastifyInstance } from 'fastify';
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

/** A server with only these routes. */
function serverWith(routes: (instance: FastifyInstance) => void): Promise<FastifyInstance> {
  return buildServer({
    logger: createLogger('silent'),
    metrics: createMetrics(),
    health: async () => ({ ok: true, checks: {} }),
    plugins: [async (instance) => routes(instance)],
  });
}

describe('server - errors', () => {
  it('answers 503 RS_ERR_REDIS_UNAVAILABLE, not 500, when a route cannot reach Redis', async () => {
    const app = await serverWith((instance) => instance.get('/needs-redis', async () => ({ value: await redis.get('k') })));
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

describe('server - the router and body refusals in the errors.md shape', () => {
  it('answers a path that does not decode or is too long, a body too large and a type it does not read with our codes', async () => {
    const app = await serverWith((instance) => {
      instance.get('/api/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
      instance.post('/api/things', async () => ({ ok: true }));
    });
    const error = (res: { json: <T>() => T }) => res.json<{ error: { code: string; message: string; details?: { errors: Array<{ path: string }> } } }>().error;
    const undecodable = await app.inject({ method: 'GET', url: '/api/things/%E0%A4%A' });
    expect(undecodable.statusCode).toBe(400);
    expect(error(undecodable)).toMatchObject({ code: 'RS_ERR_BAD_REQUEST', message: 'the path is not valid percent-encoded UTF-8', details: { errors: [{ path: 'path' }] } });
    const long = await app.inject({ method: 'GET', url: `/api/things/${'a'.repeat(2049)}` });
    expect(long.statusCode).toBe(400);
    expect(error(long).message).toBe('a path segment is longer than 2,048 characters');
    const form = await app.inject({ method: 'POST', url: '/api/things', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(form.statusCode).toBe(415);
    expect(error(form).code).toBe('RS_ERR_MEDIA_TYPE');
    const big = await app.inject({ method: 'POST', url: '/api/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(70_000) }) });
    expect(big.statusCode).toBe(413);
    expect(error(big)).toMatchObject({ code: 'RS_ERR_BODY_TOO_LARGE', message: 'the body is larger than this route takes (65,536 bytes)' });
    await app.close();
  });
});

// The server's error answers for a Redis that is gone, with the real client's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, createLogger, createMetrics, type Redis } from '../../core/index.js';
import { eventually } from '../../test/harness.js';
import { startPrivateRedis, type PrivateServer } from '../../test/private-servers.js';
import type { FastifyInstance } from 'fastify';
import { connect, type AddressInfo } from 'node:net';
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

describe('server - JSON bodies', () => {
  it('refuses text/plain like any other type, reads an empty JSON body as none, and keeps refusing poisoned JSON', async () => {
    const app = await serverWith((instance) => {
      instance.post('/api/bodiless', async (request) => ({ body: request.body ?? null }));
      instance.post('/api/needs-body', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => ({ ok: true }));
    });
    const error = (res: { json: <T>() => T }) => res.json<{ error: { code: string } }>().error;
    const text = await app.inject({ method: 'POST', url: '/api/needs-body', headers: { 'content-type': 'text/plain' }, payload: '{"name":"x"}' });
    expect([text.statusCode, error(text).code]).toEqual([415, 'RS_ERR_MEDIA_TYPE']);
    // a fetch wrapper that sets the JSON type on every POST, sign-out included
    const empty = await app.inject({ method: 'POST', url: '/api/bodiless', headers: { 'content-type': 'application/json' }, payload: '' });
    expect([empty.statusCode, empty.json()]).toEqual([200, { body: null }]);
    const missing = await app.inject({ method: 'POST', url: '/api/needs-body', headers: { 'content-type': 'application/json' }, payload: '' });
    expect([missing.statusCode, error(missing).code]).toEqual([400, 'RS_ERR_BAD_REQUEST']);
    const parsed = await app.inject({ method: 'POST', url: '/api/needs-body', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"name":"x"}' });
    expect(parsed.statusCode).toBe(200);
    const poisoned = await app.inject({ method: 'POST', url: '/api/bodiless', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true}}' });
    expect([poisoned.statusCode, error(poisoned).code]).toEqual([400, 'RS_ERR_BAD_REQUEST']);
    const broken = await app.inject({ method: 'POST', url: '/api/bodiless', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect([broken.statusCode, error(broken).code]).toEqual([400, 'RS_ERR_BAD_REQUEST']);
    await app.close();
  });
});

describe('server - shutting down', () => {
  it('answers a request that arrives while it closes with 503 RS_ERR_SHUTTING_DOWN in the shape of every error', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let handling: () => void = () => undefined;
    const slowHandled = new Promise<void>((resolve) => (handling = resolve));
    let closingBegun: () => void = () => undefined;
    const closing = new Promise<void>((resolve) => (closingBegun = resolve));
    const app = await serverWith((instance) => {
      instance.get('/api/slow', async () => {
        handling();
        await held;
        return { ok: true };
      });
      instance.get('/api/quick', async () => ({ ok: true }));
      // after the server's own preClose hook, which marks it closing
      instance.addHook('preClose', (done) => {
        closingBegun();
        done();
      });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    // one kept-alive connection: a request being handled when the close begins, and one after it
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /api/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // Waiting for these states rather than for fixed pauses, which a loaded host may overrun.
    await slowHandled;
    const closed = app.close();
    await closing;
    socket.write('GET /api/quick HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    release();
    await ended;
    await closed;
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    // what was already being handled is answered; the late one is told to go elsewhere
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(answers[1]).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'RS_ERR_SHUTTING_DOWN', retryable: true } });
  });
});

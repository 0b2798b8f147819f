// The WebSocket bench against the dashboard server as wired for real: the auth plugin (users in
// NATS KV, sessions in Redis, POST /api/auth/login) and the hub plugin authenticating the upgrade
// with the session cookie, on real NATS.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics } from '../../core/index.js';
import { authPlugin, createRequestAuthenticator, createSecretBox, createSessionStore, createUserStore } from '../../dashboard/server/auth/index.js';
import { combineChecks } from '../../dashboard/server/health.js';
import { hubPlugin } from '../../dashboard/server/hub/index.js';
import { buildServer } from '../../dashboard/server/server.js';
import { createHarness, type Harness } from '../../test/harness.js';
import WebSocket from 'ws';
import { formatWsAlertBench, runWsAlertBench, wsUrlOf, type WsAlertBenchOptions } from './ws-alerts.js';

const PASSWORD = 'monitor password 01';

describe('ws alert bench - against the hub', () => {
  let h: Harness;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    h = await createHarness();
    const logger = createLogger('silent');
    const users = await createUserStore(h.bus, { scrypt: { ln: 10, r: 8, p: 1 }, secrets: createSecretBox(randomBytes(32), 'test key') });
    const sessions = createSessionStore(h.redis, h.names.redisPrefix);
    await users.create({ username: 'monitor', password: PASSWORD, roles: ['risk_monitor'] });
    const authenticator = createRequestAuthenticator(users, sessions);
    app = await buildServer({
      logger,
      metrics: createMetrics(),
      health: combineChecks({}),
      plugins: [
        async (a) => void (await a.register(authPlugin, { users, sessions, redis: h.redis, prefix: h.names.redisPrefix })),
        async (a) => void (await a.register(hubPlugin, { bus: h.bus, logger, authenticate: authenticator.authenticateRequest })),
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await h?.cleanup();
  });

  /**
   * Until every client has `expected` alerts (the bench reports its count each second), or 15 s:
   * a fixed listening time could end before a loaded host delivered the last of them.
   */
  function untilReceived(expected: number): Pick<WsAlertBenchOptions, 'listenUntil' | 'onProgress'> {
    let done!: () => void;
    const listenUntil = new Promise<void>((resolve) => (done = resolve));
    const fallback = setTimeout(() => done(), 15_000);
    void listenUntil.then(() => clearTimeout(fallback));
    return { listenUntil, onProgress: (p) => (p.received >= expected ? done() : undefined) };
  }

  it('counts every alert at every client and reports the delivery delay', async () => {
    const N = 20;
    let ready!: () => void;
    const subscribed = new Promise<void>((resolve) => (ready = resolve));
    const run = runWsAlertBench({ baseUrl, username: 'monitor', password: PASSWORD, clients: 5, ...untilReceived(N * 5), onReady: () => ready() });
    // Publish once the clients are subscribed: the bench measures from then on.
    await subscribed;
    for (let i = 0; i < N; i++) {
      const now = Date.now();
      h.bus.nc.publish(
        h.names.alertSubject('fraud'),
        JSON.stringify({ v: 1, id: `bench-${i}`, eventId: `e-${i}`, eventKind: 'payment', ts: now, createdAt: now, domain: 'fraud', typology: 't', severity: 'high', score: 900, accountId: 'A', customerId: 'C', segment: 'standard', amountMinor: 100, currency: 'USD', reasons: [] }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    const result = await run;
    expect(result).toMatchObject({ clients: 5, subscribed: 5, distinctAlerts: N, received: N * 5, missedNotices: 0, missedAlerts: 0, failures: [] });
    expect(result.perClient.map((c) => c.alerts)).toEqual([N, N, N, N, N]);
    expect(result.perClient.every((c) => c.closedEarly === null)).toBe(true);
    expect(result.p50Ms).not.toBeNull();
    expect(result.p99Ms!).toBeGreaterThanOrEqual(result.p50Ms!);
    // A delay taken from the wrong clock or in the wrong unit would be far off; a loaded host takes its time.
    expect(result.maxMs!).toBeLessThan(10_000);
    expect(formatWsAlertBench(result)).toMatch(/p50 \d+ ms, p95 \d+ ms, p99 \d+ ms/);
  });

  it("counts only alerts created from countFrom on (a load's measured window), at every client", async () => {
    let ready!: () => void;
    const subscribed = new Promise<void>((resolve) => (ready = resolve));
    const windowStart = Date.now() + 60_000;
    const run = runWsAlertBench({ baseUrl, username: 'monitor', password: PASSWORD, clients: 3, ...untilReceived(6 * 3), countFrom: () => windowStart, onReady: () => ready() });
    await subscribed;
    // Four alerts created before the window (a warm-up), six in it.
    for (let i = 0; i < 10; i++) {
      const createdAt = i < 4 ? windowStart - 1 : windowStart;
      h.bus.nc.publish(
        h.names.alertSubject('fraud'),
        JSON.stringify({ v: 1, id: `window-${i}`, eventId: `w-${i}`, eventKind: 'payment', ts: createdAt, createdAt, domain: 'fraud', typology: 't', severity: 'high', score: 900, accountId: 'A', customerId: 'C', segment: 'standard', amountMinor: 100, currency: 'USD', reasons: [] }),
      );
    }
    const result = await run;
    expect(result).toMatchObject({ subscribed: 3, distinctAlerts: 6, received: 18 });
    expect(result.perClient.map((c) => c.alerts)).toEqual([6, 6, 6]);
  });

  it('the real stack refuses the upgrade without a session cookie with 401', async () => {
    const socket = new WebSocket(wsUrlOf(baseUrl));
    const status = await new Promise<number>((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('the socket opened')));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it('stops with a clear message when the sign-in fails', async () => {
    await expect(runWsAlertBench({ baseUrl, username: 'monitor', password: 'not the password', clients: 1, durationSeconds: 1 })).rejects.toThrow(/sign-in as monitor .* failed: HTTP 401/);
  });

  it('says which setting to raise when the server refuses more sockets for the one user', async () => {
    // the hub's default: 20 sockets a user
    const result = await runWsAlertBench({ baseUrl, username: 'monitor', password: PASSWORD, clients: 21, durationSeconds: 1 });
    expect(result.subscribed).toBe(20);
    expect(result.failures).toEqual([expect.stringMatching(/closed by the server before subscribing \(1008: too many connections for this user \(20\).*raise RISKSTREAM_WS_MAX_PER_USER/)]);
  });

  it.each([
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080/ws'],
    ['https://risk.example/', 'wss://risk.example/ws'],
  ])('the socket URL of %s is %s', (base, ws) => {
    expect(wsUrlOf(base)).toBe(ws);
  });
});

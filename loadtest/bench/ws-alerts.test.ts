// The WebSocket bench against the real hub plugin and NATS. The sign-in route is a stand-in (the
// auth plugin is tested on its own): it answers like POST /api/auth/login, with an rs_session cookie.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { hubPlugin } from '../../dashboard/server/hub/index.js';
import type { SessionUser } from '../../dashboard/server/protocol.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { formatWsAlertBench, runWsAlertBench, wsUrlOf } from './ws-alerts.js';

const MONITOR: SessionUser = { username: 'monitor', displayName: 'Monitor', roles: ['risk_monitor'], totpEnabled: false, locale: 'en' };

describe('ws alert bench - against the hub', () => {
  let h: Harness;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    h = await createHarness();
    const logger = createLogger('silent');
    app = Fastify({ logger: false });
    app.post('/api/auth/login', async (request, reply) => {
      const body = request.body as { username?: string; password?: string };
      if (body.username !== 'monitor' || body.password !== 'right') return reply.code(401).send({ error: { code: 'RS_ERR_LOGIN_FAILED' } });
      return reply.header('set-cookie', 'rs_session=s-123; Path=/; HttpOnly; SameSite=Strict').send({ user: MONITOR, csrfToken: 't' });
    });
    await app.register(hubPlugin, {
      bus: h.bus,
      logger,
      authenticate: async (request) => (/(?:^|;\s*)rs_session=s-123(?:;|$)/.test(String(request.headers.cookie ?? '')) ? MONITOR : null),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await h?.cleanup();
  });

  it('counts every alert at every client and reports the delivery delay', async () => {
    const N = 20;
    let ready!: () => void;
    const subscribed = new Promise<void>((resolve) => (ready = resolve));
    const run = runWsAlertBench({ baseUrl, username: 'monitor', password: 'right', clients: 5, durationSeconds: 2, onReady: () => ready() });
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
    expect(result.maxMs!).toBeLessThan(2000);
    expect(formatWsAlertBench(result)).toMatch(/p50 \d+ ms, p95 \d+ ms, p99 \d+ ms/);
  });

  it('stops with a clear message when the sign-in fails', async () => {
    await expect(runWsAlertBench({ baseUrl, username: 'monitor', password: 'wrong', clients: 1, durationSeconds: 1 })).rejects.toThrow(/sign-in as monitor .* failed: HTTP 401/);
  });

  it.each([
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080/ws'],
    ['https://risk.example/', 'wss://risk.example/ws'],
  ])('the socket URL of %s is %s', (base, ws) => {
    expect(wsUrlOf(base)).toBe(ws);
  });
});

// The data API through fastify inject(): real chDB behind it, a pure fake guard in front (the auth
// plugin's job is tested with it), roles, 400s naming the field, masking, and the OpenAPI document.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse, preHandlerHookHandler } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RiskstreamError, createLogger, createMetrics } from '../../../core/index.js';
import { createClickHouse, migrate, type ClickHouse } from '../../../storage/index.js';
import { NOW, seedDataReads } from '../../../storage/read-models/data-fixtures.js';
import { combineChecks } from '../health.js';
import type { AccountAnswer, AlertDetailAnswer, AlertPageAnswer, CreditSummaryAnswer, DeadLettersAnswer, KpiHistoryAnswer, NetworkAnswer, SessionUser, UserRole } from '../protocol.js';
import { buildServer } from '../server.js';
import '../auth/fastify-augment.js';
import { ROUTE_ROLES, dataApiPlugin, openApiPlugin, type RoleGuard } from './index.js';

const database = `t_data_api_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;
let app: FastifyInstance;
/** The roles each guard was built with, in route order. */
const guarded: Array<readonly UserRole[]> = [];

/** The fake guard: admits a user holding one of the roles, as the auth plugin's requireRoles does. */
const fakeGuard: RoleGuard = (roles) => {
  guarded.push(roles);
  const check: preHandlerHookHandler = (request, _reply, done) => {
    if (!request.user) return done(new RiskstreamError('RS_ERR_UNAUTHENTICATED'));
    if (!request.user.roles.some((r) => roles.includes(r))) return done(new RiskstreamError('RS_ERR_FORBIDDEN'));
    done();
  };
  return check;
};

function user(roles: UserRole[]): SessionUser {
  return { username: roles.join('+'), displayName: 'Test', roles, totpEnabled: false, locale: 'en' };
}

async function serverWith(db: string): Promise<FastifyInstance> {
  return buildServer({
    logger: createLogger('silent', 'data-api-test'),
    metrics: createMetrics(),
    health: combineChecks({}),
    plugins: [
      async (a) => void (await a.register(openApiPlugin, { version: '9.9.9' })),
      // Stands in for the auth plugin: the user comes from a test header instead of a session.
      async (a) => {
        a.decorateRequest('user', null);
        a.addHook('onRequest', async (request) => {
          const roles = request.headers['x-test-roles'];
          if (typeof roles === 'string') request.user = user(roles.split(',') as UserRole[]);
        });
      },
      async (a) => void (await a.register(dataApiPlugin, { client: ch.client, database: db, guard: fakeGuard, now: () => NOW })),
      // Registered after the data API: the OpenAPI document must list it too.
      async (a) => void a.post('/api/test/echo', { schema: { summary: 'a later route' } }, async () => ({ ok: true })),
    ],
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-data-api-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 30 });
  await seedDataReads(ch.client, database);
  app = await serverWith(database);
});

afterAll(async () => {
  await app?.close();
  await ch?.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function get(url: string, roles: UserRole[] | null = ['admin']): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: roles ? { 'x-test-roles': roles.join(',') } : {} });
}

type ErrorBody = { error: { code: string; message: string; details?: { errors: Array<{ path: string; rule: string }> } } };
const errorOf = (response: LightMyRequestResponse) => response.json<ErrorBody>().error;

describe('data API - answers', () => {
  it('api - GET /api/alerts pages the feed within the default window', async () => {
    const first = await get('/api/alerts?limit=2');
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json<AlertPageAnswer>();
    // al-late: raised 3 minutes ago on an event dated 10 days back; the feed is by when alerts were raised
    expect(page.alerts.map((a) => a.id)).toEqual(['al-late', 'al-t-ew']);
    expect(page.nextCursor).toEqual(expect.any(String));
    const rest = (await get(`/api/alerts?limit=50&cursor=${page.nextCursor}`)).json<AlertPageAnswer>();
    // al-old is older than 7 days: outside the default window.
    expect(rest.alerts.map((a) => a.id)).toEqual(['al-n-2', 'al-t-2', 'al-t-1', 'al-n-1']);
    // and what the feed lists opens
    expect((await get('/api/alerts/al-late')).statusCode).toBe(200);
    // Reasons keep their other languages through storage and the answer's schema.
    expect(rest.alerts.find((a) => a.id === 'al-t-2')).toMatchObject({ amount: '250.50', currency: 'EUR', reasons: [{ code: 'NEAR_THRESHOLD', texts: { 'zh-CN': '略低于申报门槛' } }] });
    const aml = (await get(`/api/alerts?domain=aml&typology=structuring&severity=high&since=${NOW - 11 * 86_400_000}`)).json<AlertPageAnswer>();
    expect(aml.alerts.map((a) => a.id)).toEqual(['al-t-2', 'al-old']);
  });

  it('api - GET /api/alerts/:id answers the alert, decision and event; 404 for an unknown one', async () => {
    const response = await get('/api/alerts/al-t-2', ['compliance_officer']);
    expect(response.statusCode, response.body).toBe(200);
    const detail = response.json<AlertDetailAnswer>();
    expect(detail.alert.id).toBe('al-t-2');
    expect(detail.decision).toMatchObject({ eventId: 't-out-2', action: 'block', amount: '250.50', features: { amount_usd: 1350, count_1h: 7.5 }, latencyMs: { processing: 1.25, total: 7 } });
    expect(detail.event).toMatchObject({ id: 't-out-2', debtor: { name: 'Ann Lee' }, device: { ip: '203.0.113.7' }, geo: { lat: 40.71 } });
    // the id of an alert on an event with a 128-character id is longer than any event id
    expect((await get(`/api/alerts/${'e'.repeat(128)}~fraud~account_takeover`)).statusCode).toBe(404);
    expect((await get(`/api/alerts/${'e'.repeat(257)}`)).statusCode).toBe(400);
    const missing = await get('/api/alerts/nope');
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).code).toBe('RS_ERR_NOT_FOUND');
    expect((await get(`/api/alerts/al-old?since=${NOW - 11 * 86_400_000}`)).statusCode).toBe(200);
  });

  it('api - GET /api/accounts/:id answers profile, totals and a paged timeline', async () => {
    const response = await get('/api/accounts/T-1?limit=3', ['risk_monitor']);
    expect(response.statusCode, response.body).toBe(200);
    const account = response.json<AccountAnswer>();
    expect(account.customer).toMatchObject({ customerId: 'C-T1', name: 'Ann Lee', segment: 'vip' });
    expect(account.totals).toMatchObject({ events: 7, inUsd: '1005.00', alerts: 2, blocked: 1 });
    // the event times read, for a live page to add only decisions inside them
    expect(account.window).toEqual({ since: NOW - 7 * 86_400_000, until: NOW + 86_400_000 });
    expect(account.timeline.map((e) => e.eventId)).toEqual(['t-self', 't-out-5']);
    const next = (await get(`/api/accounts/T-1?limit=3&before=${account.nextBefore}`, ['risk_monitor'])).json<AccountAnswer>();
    expect(next.timeline.map((e) => e.eventId)).toEqual(['t-out-4', 't-out-3', 't-in-1']);
    expect(next.timeline[2]).toMatchObject({ direction: 'in', counterparty: { name: 'Bob Stone' }, alertIds: ['al-t-ew'], action: 'review' });
  });

  it('api - GET /api/accounts/:id/network expands hop by hop', async () => {
    const response = await get('/api/accounts/N-A/network?hops=2', ['compliance_supervisor']);
    expect(response.statusCode, response.body).toBe(200);
    const network = response.json<NetworkAnswer>();
    expect(network.root).toBe('N-A');
    expect(network.nodes.map((n) => n.id).sort()).toEqual(['N-A', 'N-B', 'N-C', 'N-D', 'N-E']);
    expect(network.nodes.find((n) => n.id === 'N-E')).toEqual({ id: 'N-E', label: 'Eve Egan', country: 'IE', hop: 2, alerts: 0, more: true });
    expect(network.edges).toContainEqual({ from: 'N-A', to: 'N-B', count: 2, amountUsd: '150.25', lastTs: NOW - 55 * 60_000 });
  });

  it('api - GET /api/kpis, /api/credit/summary and /api/system/dead-letters', async () => {
    const kpis = await get('/api/kpis?minutes=60&kind=loan.application', ['credit_officer']);
    expect(kpis.statusCode, kpis.body).toBe(200);
    const minutes = kpis.json<KpiHistoryAnswer>().minutes;
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((n, m) => n + m.decisions, 0)).toBe(2);
    expect((await get('/api/kpis')).json<KpiHistoryAnswer>().minutes).toHaveLength(60);
    const credit = await get('/api/credit/summary?minutes=10', ['credit_officer']);
    expect(credit.statusCode, credit.body).toBe(200);
    expect(credit.json<CreditSummaryAnswer>().totals['loan.application']).toMatchObject({ decisions: 2, allowed: 1, blocked: 1, amountUsd: '35000.50' });
    const letters = await get('/api/system/dead-letters?limit=5', ['risk_monitor']);
    expect(letters.statusCode, letters.body).toBe(200);
    expect(letters.json<DeadLettersAnswer>().deadLetters.map((d) => d.code)).toEqual(['RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_JSON']);
  });
});

describe('data API - refusals', () => {
  it.each([
    ['/api/alerts?limit=0', 'query.limit'],
    ['/api/alerts?limit=abc', 'query.limit'],
    ['/api/alerts?limit=1e1', 'query.limit'],
    ['/api/alerts?limit=0x10', 'query.limit'],
    ['/api/alerts?limit=10.0', 'query.limit'],
    ['/api/alerts?limit=%2010', 'query.limit'],
    ['/api/alerts?limit=010', 'query.limit'],
    ['/api/alerts?domain=weather', 'query.domain'],
    ['/api/alerts?since=12', 'query.since'],
    ['/api/accounts/T-1?limit=201', 'query.limit'],
    ['/api/accounts/T-1?before=yesterday', 'query.before'],
    ['/api/accounts/T-1/network?hops=4', 'query.hops'],
    ['/api/kpis?minutes=1441', 'query.minutes'],
    ['/api/kpis?country=us', 'query.country'],
    ['/api/kpis?channel=pigeon', 'query.channel'],
    ['/api/credit/summary?minutes=0', 'query.minutes'],
    ['/api/system/dead-letters?limit=501', 'query.limit'],
  ])('api - %s answers 400 naming %s', async (url, path) => {
    const response = await get(url);
    expect(response.statusCode, response.body).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe('RS_ERR_BAD_REQUEST');
    expect(error.message).toContain(path);
    expect(error.details!.errors[0]!.path).toBe(path);
  });

  it('api - a forged cursor is a 400 too', async () => {
    const response = await get('/api/alerts?cursor=forged');
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).message).toMatch(/cursor/);
  });

  it('api - the guard answers first: 401 without a user, 403 without the role, even for a bad query', async () => {
    const anonymous = await get('/api/alerts?limit=0', null);
    expect(anonymous.statusCode).toBe(401);
    expect(errorOf(anonymous).code).toBe('RS_ERR_UNAUTHENTICATED');
    const credit = await get('/api/accounts/T-1?limit=999', ['credit_officer']);
    expect(credit.statusCode).toBe(403);
    expect(errorOf(credit).code).toBe('RS_ERR_FORBIDDEN');
    expect((await get('/api/system/dead-letters', ['auditor'])).statusCode).toBe(403);
    expect((await get('/api/credit/summary', ['compliance_officer'])).statusCode).toBe(403);
    expect((await get('/api/accounts/N-A/network', ['credit_officer'])).statusCode).toBe(403);
  });

  it('api - every route is built with its roles from ROUTE_ROLES', () => {
    expect(guarded).toEqual([ROUTE_ROLES.alerts, ROUTE_ROLES.alerts, ROUTE_ROLES.accounts, ROUTE_ROLES.accounts, ROUTE_ROLES.kpis, ROUTE_ROLES.credit, ROUTE_ROLES.deadLetters]);
  });

  it('api - a credit officer sees credit alerts only', async () => {
    const page = (await get('/api/alerts', ['credit_officer'])).json<AlertPageAnswer>();
    expect(page.alerts.map((a) => a.id)).toEqual(['al-t-ew']);
    expect((await get('/api/alerts?domain=aml', ['credit_officer'])).statusCode).toBe(403);
    // another domain's alert reads as absent, as an unknown id does: no way to learn which exist
    expect((await get('/api/alerts/al-t-2', ['credit_officer'])).statusCode).toBe(404);
    expect((await get('/api/alerts/nope', ['credit_officer'])).statusCode).toBe(404);
    expect((await get('/api/alerts/al-t-ew', ['credit_officer'])).statusCode).toBe(200);
  });

  it('api - a storage failure answers 503 RS_ERR_STORAGE_UNAVAILABLE', async () => {
    const broken = await serverWith('no_such_database');
    try {
      const response = await broken.inject({ method: 'GET', url: '/api/accounts/T-1', headers: { 'x-test-roles': 'admin' } });
      expect(response.statusCode).toBe(503);
      expect(errorOf(response).code).toBe('RS_ERR_STORAGE_UNAVAILABLE');
    } finally {
      await broken.close();
    }
  });
});

describe('data API - personal data', () => {
  it('api - an auditor sees names, IPs and device ids masked in the alert event', async () => {
    const detail = (await get('/api/alerts/al-t-2', ['auditor'])).json<AlertDetailAnswer>();
    expect(detail.event).toMatchObject({ debtor: { name: 'A** L**', accountId: 'T-1' }, creditor: { name: 'C*** D***' }, device: { id: 'de****', ip: '203.0.*.*' }, geo: { lat: 40.7 } });
  });

  it('api - an auditor sees the account view and network with names masked', async () => {
    const account = await get('/api/accounts/T-1', ['auditor']);
    expect(account.statusCode).toBe(200);
    expect(account.json<AccountAnswer>().customer!.name).toBe('A** L**');
    expect(account.body).not.toMatch(/Ann Lee|Bob Stone|Carl Diaz/);
    const network = await get('/api/accounts/N-A/network?hops=3', ['auditor']);
    expect(network.json<NetworkAnswer>().nodes.find((n) => n.id === 'N-F')!.label).toBe('F** F**');
    expect(network.body).not.toMatch(/Alice Able|Fay Fox/);
  });

  it('api - a credit officer sees payment data masked; a second role that needs it lifts the mask', async () => {
    const masked = (await get('/api/alerts/al-t-ew', ['credit_officer'])).json<AlertDetailAnswer>();
    expect(masked.event).toMatchObject({ debtor: { name: 'B** S****' }, creditor: { name: 'A** L**' } });
    const plain = (await get('/api/alerts/al-t-ew', ['credit_officer', 'compliance_officer'])).json<AlertDetailAnswer>();
    expect(plain.event).toMatchObject({ debtor: { name: 'Bob Stone' } });
  });
});

describe('data API - OpenAPI', () => {
  it('openapi - the document lists every data route, later /api routes too, and the security schemes', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { security?: unknown; description?: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
      security: unknown;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/accounts/{id}',
      '/api/accounts/{id}/network',
      '/api/alerts',
      '/api/alerts/{id}',
      '/api/credit/summary',
      '/api/kpis',
      '/api/system/dead-letters',
      '/api/test/echo',
    ]);
    // who may call each route, as the guard enforces it
    expect(doc.paths['/api/system/dead-letters']!.get!.description).toMatch(/Roles: admin, risk_monitor; any other gets 403\.$/);
    expect(doc.paths['/api/accounts/{id}']!.get!.description).toMatch(/Roles: admin, risk_monitor, compliance_officer, compliance_supervisor, auditor;/);
    // a route every role may call never answers 403, and does not say it does
    expect(doc.paths['/api/alerts/{id}']!.get!.description).toMatch(/Every role\.$/);
    expect(Object.keys(doc.paths['/api/alerts/{id}']!.get!.responses).sort()).toEqual(['200', '400', '401', '404', '503']);
    expect(Object.keys(doc.paths['/api/system/dead-letters']!.get!.responses)).toContain('403');
    expect(doc.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'rs_session' }),
      csrf: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-csrf-token' }),
    });
    expect(doc.security).toEqual([{ session: [] }]);
    expect(doc.paths['/api/test/echo']!.post!.security).toEqual([{ session: [], csrf: [] }]);
    const alerts = doc.paths['/api/alerts']!.get!;
    expect(alerts.parameters!.map((p) => `${p.in}.${p.name}`).sort()).toEqual(['query.cursor', 'query.domain', 'query.limit', 'query.segment', 'query.severity', 'query.since', 'query.typology']);
    // every role may read the feed, yet a credit officer asking for another domain gets 403
    expect(Object.keys(alerts.responses).sort()).toEqual(['200', '400', '401', '403', '503']);
    expect(alerts.description).toMatch(/another domain gets 403\. Every role\.$/);
    // operation ids for generated clients: the handlers' names, one per operation
    const ids = Object.entries(doc.paths)
      .filter(([path]) => path !== '/api/test/echo') // the test's own route: an anonymous handler
      .flatMap(([, ops]) => Object.values(ops).map((op) => (op as { operationId?: string }).operationId));
    expect(ids).not.toContain(undefined);
    expect(new Set(ids).size).toBe(ids.length);
    expect((alerts as { operationId?: string }).operationId).toBe('alertFeed');
  });

  it('openapi - shapes used in several places are named components (Alert, Decision, ErrorAnswer, …), every $ref resolves', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/docs/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    const text = JSON.stringify(doc);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      ['AccountAnswer', 'Alert', 'AlertDetailAnswer', 'AlertPageAnswer', 'CreditCounts', 'CreditSummaryAnswer', 'DeadLettersAnswer', 'Decision', 'ErrorAnswer', 'FieldError', 'KpiHistoryAnswer', 'NetworkAnswer', 'Party', 'Reason', 'TimelineEntry'],
    );
    const json = (path: string, status: string) => doc.paths[path]!.get!.responses[status]!.content!['application/json']!.schema;
    expect(json('/api/alerts', '200')).toEqual({ $ref: '#/components/schemas/AlertPageAnswer' });
    expect(json('/api/alerts', '400')).toEqual({ $ref: '#/components/schemas/ErrorAnswer' });
    expect(doc.components.schemas.AlertPageAnswer!.properties!.alerts).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Alert' } });
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas, name).toHaveProperty(name);
    // no named shape left inline
    expect(JSON.stringify(doc.paths)).not.toMatch(/"title"/);
  });

  it('openapi - Swagger UI is served from the package, with nothing from the internet', async () => {
    const page = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // and, like every HTML answer, no framing and no sniffing
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const bundle = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    const init = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(init.body).toContain('validatorUrl: null');
  });
});

// Property-based test of the dashboard's data API through fastify inject(), real chDB behind it:
// every route with mutated path parameters and query strings (wrong types, numbers out of range or
// not integers, repeated keys, unknown keys, odd Unicode, bytes that are not UTF-8, long values).
// Never a 5xx: every answer is a 200 or a 4xx in our error shape naming the parameter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, RiskstreamError, createLogger, createMetrics } from '../../../core/index.js';
import { createClickHouse, migrate, type ClickHouse } from '../../../storage/index.js';
import { NOW, seedDataReads } from '../../../storage/read-models/data-fixtures.js';
import { fuzzParams } from '../../../test/event-mutations.js';
import { combineChecks } from '../health.js';
import type { SessionUser, UserRole } from '../protocol.js';
import { buildServer } from '../server.js';
import '../auth/fastify-augment.js';
import { dataApiPlugin, type RoleGuard } from './index.js';

const database = `t_data_api_fuzz_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;
let app: FastifyInstance;

/** Admits a user holding one of the roles, as the auth plugin's requireRoles does. */
const guard: RoleGuard = (roles) => {
  const check: preHandlerHookHandler = (request, _reply, done) => {
    if (!request.user) return done(new RiskstreamError('RS_ERR_UNAUTHENTICATED'));
    if (!request.user.roles.some((r) => roles.includes(r))) return done(new RiskstreamError('RS_ERR_FORBIDDEN'));
    done();
  };
  return check;
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-data-api-fuzz-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 30 });
  await seedDataReads(ch.client, database);
  app = await buildServer({
    logger: createLogger('silent', 'data-api-fuzz'),
    metrics: createMetrics(),
    health: combineChecks({}),
    plugins: [
      async (a) => {
        a.decorateRequest('user', null);
        a.addHook('onRequest', async (request) => {
          const roles = request.headers['x-test-roles'];
          if (typeof roles === 'string') request.user = { username: 'fuzz', displayName: 'Fuzz', roles: roles.split(',') as UserRole[], totpEnabled: false, locale: 'en' } satisfies SessionUser;
        });
      },
      async (a) => void (await a.register(dataApiPlugin, { client: ch.client, database, guard, now: () => NOW })),
    ],
  });
});

afterAll(async () => {
  await app?.close();
  await ch?.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The routes, their path with `{id}` for the parameter, and the query parameters each takes. */
const ROUTES = [
  { path: '/api/alerts', query: ['domain', 'severity', 'typology', 'segment', 'since', 'limit', 'cursor'] },
  { path: '/api/alerts/{id}', query: ['since'] },
  { path: '/api/accounts/{id}', query: ['limit', 'before', 'since'] },
  { path: '/api/accounts/{id}/network', query: ['hops', 'limit', 'since'] },
  { path: '/api/kpis', query: ['minutes', 'kind', 'channel', 'country'] },
  { path: '/api/credit/summary', query: ['minutes'] },
  { path: '/api/system/dead-letters', query: ['limit', 'since'] },
] as const;

/** A value as it appears in a URL: percent-encoded text, or raw escapes (%00, %FF, a lone %). */
const oddParam = fc.oneof(
  fc.constantFrom('1', '0', '-1', '1e3', '1.5', '01', '+1', ' 1', '0x10', 'NaN', 'Infinity', '', '9'.repeat(30), String(NOW), String(NOW - 3_600_000), '946684800000', '4102444800000'),
  fc.constantFrom('aml', 'fraud', 'credit', 'high', 'vip', 'payment', 'mobile', 'US', 'us', 'ACC-1', 'C-1', 'ACC-1\u0000', 'x'.repeat(600), '../../etc', "a'b", 'a"b', '\\', 'é', '😀'),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
  fc.constantFrom('%00', '%FF', '%C3%28', '%', '%zz', '%E0%80%80', '%2F', '%2e%2e', '%0A', '%20'),
).map((v) => (/%/.test(v) ? v : encodeURIComponent(v)));

const request = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    oddParam,
    fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'since', 'cursor', 'minutes', 'hops', 'before', 'kind', 'country', 'domain'), fc.constantFrom('unknown', '__proto__', 'constructor', 'limit[]', '')), oddParam), { maxLength: 4 }),
    fc.constantFrom<readonly UserRole[] | null>(['admin'], ['risk_monitor'], ['credit_officer'], ['auditor'], ['compliance_officer'], null),
  )
  .map(([route, id, query, roles]) => {
    const path = route.path.replace('{id}', id);
    const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
    return { url: search ? `${path}?${search}` : path, roles };
  });

describe('data API fuzz - query parameters and path parameters', () => {
  it('answers every mutated request with a 200 or a documented 4xx in our error shape, never a 5xx', async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ url, roles }) => {
        const response = await app.inject({ method: 'GET', url, headers: roles ? { 'x-test-roles': roles.join(',') } : {} });
        expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
        const answer = response.json();
        if (response.statusCode === 200) {
          ok++;
          return;
        }
        expect(answer.error, url).toBeDefined();
        expect(ERRORS[answer.error.code as keyof typeof ERRORS]?.status, `${url}: ${answer.error.code}`).toBe(response.statusCode);
        expect(answer.error.message.length).toBeGreaterThan(0);
        if (answer.error.code === 'RS_ERR_BAD_REQUEST' && answer.error.details?.errors) {
          for (const e of answer.error.details.errors) expect(e.path, `${url}: ${JSON.stringify(e)}`).toMatch(/^(query|params|path)(\.|$)/);
        }
      }),
      fuzzParams(120),
    );
    expect(ok).toBeGreaterThan(20);
  });
});

// Property-based test of the auth and user-admin routes through fastify inject(), against the real
// NATS KV and Redis: mutated sign-in, new-user and user-change bodies (wrong types, missing and
// extra fields, `__proto__`, fields named twice, long and odd strings, broken JSON) under several
// content types. Never a 5xx: every answer is a success or a 4xx in our error shape.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, createLogger, createMetrics } from '../../../core/index.js';
import { fuzzParams, mutatedText, type Json } from '../../../test/event-mutations.js';
import { createHarness, type Harness } from '../../../test/harness.js';
import { combineChecks } from '../health.js';
import type { LoginAnswer } from '../protocol.js';
import { buildServer } from '../server.js';
import { authPlugin, createSecretBox, createSessionStore, createUserStore } from './index.js';

const ADMIN_PASSWORD = 'fuzz admin password 1';
const CHANGER_PASSWORD = 'changer password 001';
let h: Harness;
let app: FastifyInstance;
let admin: { cookie: string; csrf: string };
let changer: { cookie: string; csrf: string };
let nextAddress = 1;

beforeAll(async () => {
  h = await createHarness();
  const users = await createUserStore(h.bus, { scrypt: { ln: 10, r: 8, p: 1 }, secrets: createSecretBox(randomBytes(32), 'fuzz key') });
  await users.create({ username: 'admin', password: ADMIN_PASSWORD, roles: ['admin'] });
  await users.create({ username: 'target', password: 'target password 01', roles: ['auditor'] });
  await users.create({ username: 'changer', password: CHANGER_PASSWORD, roles: ['risk_monitor'] });
  app = await buildServer({
    logger: createLogger('silent', 'auth-fuzz'),
    metrics: createMetrics(),
    health: combineChecks({}),
    plugins: [async (a) => void (await a.register(authPlugin, { users, sessions: createSessionStore(h.redis, h.names.redisPrefix), redis: h.redis, prefix: h.names.redisPrefix, secureCookies: 'auto' }))],
  });
  const signedIn = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: { username: 'admin', password: ADMIN_PASSWORD } });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  admin = { cookie: `rs_session=${signedIn.cookies.find((c) => c.name === 'rs_session')!.value}`, csrf: signedIn.json<LoginAnswer>().csrfToken };
  const changerIn = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: { username: 'changer', password: CHANGER_PASSWORD } });
  expect(changerIn.statusCode, changerIn.body).toBe(200);
  changer = { cookie: `rs_session=${changerIn.cookies.find((c) => c.name === 'rs_session')!.value}`, csrf: changerIn.json<LoginAnswer>().csrfToken };
});

afterAll(async () => {
  await app?.close();
  await h?.cleanup();
});

/** A fresh client address per request, so that the per-address sign-in limit does not answer them all. */
function address(): string {
  return `10.1.${Math.floor(nextAddress / 250) % 250}.${(nextAddress++ % 250) + 1}`;
}

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '');
const body = (valid: Json) =>
  fc.tuple(mutatedText(fc.constant(null).map(() => structuredClone(valid))), fc.constantFrom('as is', 'as is', 'as is', 'oversized', 'array', 'empty')).map(([m, how]) => {
    if (how === 'oversized') return `{"pad":"${'x'.repeat(70 * 1024)}",${m.text.slice(1)}`;
    if (how === 'array') return `[${m.text}]`;
    if (how === 'empty') return '';
    return m.text;
  });

/** A success, or a 4xx in our error shape whose code has that status; a bad body names a field under body. */
function expectAnswer(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
  if (response.statusCode < 400) return;
  const answer = response.json<{ error: { code: keyof typeof ERRORS; message: string; details?: { errors?: Array<{ path: string }> } } }>();
  expect(ERRORS[answer.error.code]?.status, `${what}: ${answer.error.code}`).toBe(response.statusCode);
  expect(answer.error.message.length).toBeGreaterThan(0);
  for (const e of answer.error.details?.errors ?? []) expect(e.path, what).toMatch(/^(body|params|query|headers|path)/);
}

describe('auth fuzz - request bodies', () => {
  it('answers every mutated sign-in with a success or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body({ username: 'target', password: 'wrong password 001', totp: '123456' }), contentType, async (payload, type) => {
        const response = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload, headers: type ? { 'content-type': type } : {} });
        expectAnswer(response, `login ${type} ${payload.slice(0, 200)}`);
      }),
      fuzzParams(200),
    );
  });

  it('answers every mutated new user and user change from an admin with a success or a 4xx, never a 5xx', async () => {
    let n = 0;
    let accepted = 0;
    const created = body({ username: 'fuzzuser', displayName: 'Fuzz', password: 'fuzz user password 1', roles: ['auditor'], locale: 'en' });
    const patched = body({ roles: ['auditor', 'risk_monitor'], disabled: false, password: 'target password 02', resetTotp: true, unlock: true });
    const username = fc.constantFrom('target', 'Target ', 'nobody', 'a', '%00', '%FF', 'x'.repeat(200), '__proto__', 'admin%2F..');
    await fc.assert(
      fc.asyncProperty(created, patched, username, contentType, async (create, patch, name, type) => {
        const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, ...(type ? { 'content-type': type } : {}) };
        // a fresh name per case, so that a valid body creates a user rather than meeting the last one
        const fresh = create.split('"fuzzuser"').join(`"fuzzuser${++n}"`);
        const made = await app.inject({ method: 'POST', url: '/api/users', payload: fresh, headers });
        expectAnswer(made, `create ${type} ${fresh.slice(0, 200)}`);
        if (made.statusCode < 300) accepted++;
        expectAnswer(await app.inject({ method: 'PATCH', url: `/api/users/${name}`, payload: patch, headers }), `patch ${name} ${type} ${patch.slice(0, 200)}`);
      }),
      fuzzParams(100),
    );
    expect(accepted).toBeGreaterThan(2); // valid bodies among the mutated ones, or the property says little
  });

  it('answers every mutated second-factor confirmation and password change of a signed-in user with a success or a 4xx, never a 5xx', async () => {
    const confirm = body({ code: '123456' });
    // a valid change rotates the password (and may end the session): later cases then answer 401, as they should
    const change = body({ currentPassword: CHANGER_PASSWORD, newPassword: 'changer password 002' });
    await fc.assert(
      fc.asyncProperty(confirm, change, contentType, async (code, password, type) => {
        const headers = { cookie: changer.cookie, 'x-csrf-token': changer.csrf, ...(type ? { 'content-type': type } : {}) };
        expectAnswer(await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', payload: code, headers }), `totp confirm ${type} ${code.slice(0, 200)}`);
        expectAnswer(await app.inject({ method: 'POST', url: '/api/auth/password', payload: password, headers }), `password ${type} ${password.slice(0, 200)}`);
      }),
      fuzzParams(60),
    );
  });
});

// The auth plugin against real NATS KV and Redis, through fastify inject().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { createLogger, createMetrics } from '../../../core/index.js';
import { createHarness, eventually, type Harness } from '../../../test/harness.js';
import { combineChecks } from '../health.js';
import { buildServer } from '../server.js';
import type { LoginAnswer } from '../protocol.js';
import { randomBytes } from 'node:crypto';
import { authPlugin, createRequestAuthenticator, createSecretBox, createSessionStore, createUserStore, requireRoles, type SessionStore, type UserStore } from './index.js';
import { sessionKeyOf } from './session-store.js';
import type { TotpEnrolAnswer, UserAnswer, UserListAnswer } from './types.js';
import { parsePasswordHash } from './password.js';

const FAST = { ln: 10, r: 8, p: 1 };
const IP_LIMIT = 8;

let h: Harness;
let app: FastifyInstance;
let users: UserStore;
let sessions: SessionStore;
const logLines: string[] = [];
/** Every secret the tests handle; none may appear in the log. */
const secrets = new Set<string>();
let nextAddress = 1;

const PASSWORDS = {
  admin: 'admin password 0001',
  monitor: 'monitor password 01',
  credit: 'credit password 001',
  totpuser: 'totp user password 1',
  lockme: 'lock me password 01',
  victim: 'victim password 001',
  rehash: 'rehash password 0001',
  disabled: 'disabled password 01',
} as const;

const SECRETS = createSecretBox(randomBytes(32), 'test key');

beforeAll(async () => {
  h = await createHarness();
  users = await createUserStore(h.bus, { scrypt: FAST, secrets: SECRETS });
  sessions = createSessionStore(h.redis, h.names.redisPrefix);
  for (const p of Object.values(PASSWORDS)) secrets.add(p);
  await users.create({ username: 'admin', password: PASSWORDS.admin, roles: ['admin'], displayName: 'The Admin' });
  await users.create({ username: 'monitor', password: PASSWORDS.monitor, roles: ['risk_monitor'] });
  await users.create({ username: 'credit', password: PASSWORDS.credit, roles: ['credit_officer'] });
  await users.create({ username: 'totpuser', password: PASSWORDS.totpuser, roles: ['compliance_officer'] });
  await users.create({ username: 'lockme', password: PASSWORDS.lockme, roles: ['auditor'] });
  await users.create({ username: 'victim', password: PASSWORDS.victim, roles: ['auditor'] });
  await users.create({ username: 'disabled', password: PASSWORDS.disabled, roles: ['auditor'] });
  await users.setDisabled('disabled', true);
  const logger = createLogger('debug', 'auth-test', { write: (line: string) => void logLines.push(line) });
  app = await buildServer({
    logger,
    metrics: createMetrics(),
    health: combineChecks({}),
    plugins: [
      async (a) =>
        void (await a.register(authPlugin, {
          users,
          sessions,
          redis: h.redis,
          prefix: h.names.redisPrefix,
          secureCookies: 'auto',
          throttle: { ipLimit: { maxAttempts: IP_LIMIT, windowMs: 60_000 } },
        })),
      // Another plugin, encapsulated as the real ones are, guarding its routes with the exported guard.
      async (a) =>
        void (await a.register(async (scoped) => {
          scoped.get('/api/test/monitor', { preHandler: requireRoles('risk_monitor') }, async (request) => ({ user: request.user!.username }));
          scoped.post('/api/test/echo', { preHandler: requireRoles() }, async () => ({ ok: true }));
        })),
    ],
  });
});

afterAll(async () => {
  await app?.close();
  await h?.cleanup();
});

/** A fresh client address per sign-in sequence, so the per-address limit only bites where a test wants it. */
function address(): string {
  return `10.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;
}

async function login(username: string, password: string, totp?: string, remoteAddress = address()): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password, ...(totp ? { totp } : {}) } });
}

type Signed = { cookie: string; csrf: string; id: string; answer: LoginAnswer };

async function signIn(username: keyof typeof PASSWORDS, totp?: string): Promise<Signed> {
  const response = await login(username, PASSWORDS[username], totp);
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'rs_session')!;
  const answer = response.json<LoginAnswer>();
  secrets.add(cookie.value);
  secrets.add(answer.csrfToken);
  return { cookie: `rs_session=${cookie.value}`, csrf: answer.csrfToken, id: cookie.value, answer };
}

function errorCode(response: LightMyRequestResponse): string {
  return response.json<{ error: { code: string } }>().error.code;
}

function call(s: Signed | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, csrf: string | null = s?.csrf ?? null) {
  return app.inject({
    method,
    url,
    headers: { ...(s ? { cookie: s.cookie } : {}), ...(csrf !== null ? { 'x-csrf-token': csrf } : {}) },
    ...(payload ? { payload } : {}),
  });
}

describe('auth - sign-in', () => {
  it('answers the user and a CSRF token, and sets an HttpOnly SameSite=Strict session cookie', async () => {
    const response = await login('Admin ', PASSWORDS.admin);
    expect(response.statusCode).toBe(200);
    const answer = response.json<LoginAnswer>();
    expect(answer.user).toEqual({ username: 'admin', displayName: 'The Admin', roles: ['admin'], totpEnabled: false, locale: 'en' });
    expect(answer.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [setCookie, setHint] = response.headers['set-cookie'] as string[];
    expect(setCookie).toMatch(/^rs_session=[A-Za-z0-9_-]{43}; Max-Age=86400; Path=\/; HttpOnly; SameSite=Strict$/);
    // the page's hint that a session may be there to restore: readable, holding nothing else
    expect(setHint).toBe('rs_signed_in=1; Max-Age=86400; Path=/; SameSite=Strict');
    const cookie = response.cookies[0]!;
    secrets.add(cookie.value);
    secrets.add(answer.csrfToken);
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `rs_session=${cookie.value}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(answer);
  });

  it('marks the cookie Secure with secureCookies on; with auto over plain HTTP it does not (forwarded headers are not trusted)', async () => {
    const secureApp = await buildServer({
      logger: createLogger('silent'),
      metrics: createMetrics(),
      health: combineChecks({}),
      plugins: [async (a) => void (await a.register(authPlugin, { users, sessions, redis: h.redis, prefix: h.names.redisPrefix, secureCookies: true }))],
    });
    const secure = await secureApp.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: { username: 'monitor', password: PASSWORDS.monitor } });
    await secureApp.close();
    expect(secure.statusCode).toBe(200);
    secrets.add(secure.cookies[0]!.value);
    for (const cookie of secure.headers['set-cookie'] as string[]) expect(cookie).toMatch(/; Secure(;|$)/);
    const auto = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: address(),
      headers: { 'x-forwarded-proto': 'https' },
      payload: { username: 'monitor', password: PASSWORDS.monitor },
    });
    secrets.add(auto.cookies[0]!.value);
    expect(String(auto.headers['set-cookie'])).not.toContain('Secure');
  });

  it('gives the same answer for an unknown user, a wrong password and a disabled user', async () => {
    const unknown = await login('nobody', 'whatever password');
    const wrong = await login('monitor', 'not the password!!');
    const disabled = await login('disabled', PASSWORDS.disabled);
    for (const r of [unknown, wrong, disabled]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: { code: 'RS_ERR_LOGIN_FAILED', message: 'the user name or password is wrong', retryable: false } });
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('spends a password hash on an unknown user too, so the answer takes about as long', async () => {
    const slow = await createUserStore(h.bus, { scrypt: { ln: 14, r: 8, p: 1 }, secrets: SECRETS });
    await slow.create({ username: 'timing', password: 'timing password 01', roles: ['auditor'] });
    const slowApp = await buildServer({
      logger: createLogger('silent'),
      metrics: createMetrics(),
      health: combineChecks({}),
      plugins: [async (a) => void (await a.register(authPlugin, { users: slow, sessions, redis: h.redis, prefix: `${h.names.redisPrefix}timing:` }))],
    });
    const time = async (username: string): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const r = await slowApp.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: { username, password: 'wrong password 1' } });
        samples.push(performance.now() - started);
        expect(r.statusCode).toBe(401);
      }
      return samples.sort((a, b) => a - b)[1]!;
    };
    await time('warm-up-name');
    const known = await time('timing');
    const unknown = await time('nobody-at-all');
    await slowApp.close();
    // Without the dummy hash the unknown name answers in about a millisecond against tens for a real one.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it('refuses a malformed body with 400 naming the field', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: { username: 'admin' } });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('RS_ERR_BAD_REQUEST');
    expect(response.json<{ error: { message: string } }>().error.message).toContain('password');
    // in the shape the data API and ingest use
    expect(response.json<{ error: { details: { errors: unknown[] } } }>().error.details.errors).toContainEqual({ path: 'body.password', rule: 'required', message: "must have required property 'password'" });
  });

  it('refuses a body that is not JSON as a bad request of the dashboard, not as an ingest error', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), payload: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('RS_ERR_BAD_REQUEST');
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/^the body is not valid JSON/);
  });

  it('takes the login only as JSON, so a cross-site form cannot sign a browser in (login CSRF)', async () => {
    const asText = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: address(),
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ username: 'monitor', password: PASSWORDS.monitor }),
    });
    expect(asText.statusCode).toBe(415);
    expect(asText.json()).toMatchObject({ error: { code: 'RS_ERR_MEDIA_TYPE' } });
    expect(asText.headers['set-cookie']).toBeUndefined();
    const asForm = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: address(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=monitor&password=${encodeURIComponent(PASSWORDS.monitor)}`,
    });
    expect(asForm.statusCode).toBe(415);
  });

  it('re-hashes a password stored under weaker scrypt parameters at sign-in', async () => {
    const weak = await createUserStore(h.bus, { scrypt: { ln: 8, r: 8, p: 1 }, secrets: SECRETS });
    await weak.create({ username: 'rehash', password: PASSWORDS.rehash, roles: ['auditor'] });
    expect(parsePasswordHash((await users.get('rehash'))!.passwordHash)!.params.ln).toBe(8);
    await signIn('rehash');
    expect(parsePasswordHash((await users.get('rehash'))!.passwordHash)!.params).toEqual(FAST);
    await signIn('rehash');
  });
});

describe('auth - lock-out and limits', () => {
  it('locks a user name for 15 minutes after 5 failures, even for the right password, until an admin unlocks it', async () => {
    for (let i = 1; i <= 5; i++) {
      const r = await login('lockme', `wrong password #${i}`);
      expect(errorCode(r)).toBe('RS_ERR_LOGIN_FAILED');
      if (i === 5) expect(r.headers['retry-after']).toBe('900');
    }
    const locked = await login('lockme', PASSWORDS.lockme);
    expect(locked.statusCode).toBe(429);
    expect(logLines.map((l) => JSON.parse(l) as { msg: string; username?: string }).filter((l) => l.msg === 'sign-in refused: the name is locked').at(-1)).toMatchObject({ username: 'lockme' });
    expect(errorCode(locked)).toBe('RS_ERR_LOGIN_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(890);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    // Another user is not affected.
    await signIn('victim');

    const admin = await signIn('admin');
    const listed = (await call(admin, 'GET', '/api/users')).json<UserListAnswer>();
    expect(listed.users.find((u) => u.username === 'lockme')!.lockedUntil).toBeGreaterThan(Date.now() + 14 * 60_000);
    const unlocked = await call(admin, 'PATCH', '/api/users/lockme', { unlock: true });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json<UserAnswer>().user.lockedUntil).toBeNull();
    await signIn('lockme');
  });

  it('locks unknown names the same way, so a lock does not tell which names exist', async () => {
    for (let i = 0; i < 5; i++) await login('ghost', 'wrong password!!');
    expect(errorCode(await login('ghost', 'wrong password!!'))).toBe('RS_ERR_LOGIN_LOCKED');
    // on the record, without writing a name no user has (it may be a password typed in the wrong field)
    const refused = logLines.map((l) => JSON.parse(l) as { msg: string; username?: string }).filter((l) => l.msg === 'sign-in refused: the name is locked');
    expect(refused.at(-1)).toMatchObject({ username: '(unknown)' });
  });

  it('lets a burst of concurrent wrong passwords try no more than the limit, and the right one sent with them gets no session', async () => {
    const password = 'burst password 0001';
    secrets.add(password);
    await users.create({ username: 'burst', password, roles: ['auditor'] });
    const answers = await Promise.all([...Array.from({ length: 12 }, (_, i) => login('burst', `wrong password ${i}!!`)), login('burst', password)]);
    const codes = answers.map((a) => (a.statusCode === 200 ? 'ok' : errorCode(a)));
    expect(codes.filter((c) => c === 'RS_ERR_LOGIN_FAILED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RS_ERR_LOGIN_LOCKED')).toHaveLength(8);
    expect(answers.every((a) => a.cookies.every((c) => c.name !== 'rs_session'))).toBe(true);
    for (const a of answers.filter((a) => a.statusCode === 429)) expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // and the name is locked now, for the right password too
    expect(errorCode(await login('burst', password))).toBe('RS_ERR_LOGIN_LOCKED');
  });

  it('lets a burst of concurrent wrong TOTP codes behind the right password try no more than the limit', async () => {
    const password = 'burst totp password 1';
    secrets.add(password);
    await users.create({ username: 'bursttotp', password, roles: ['auditor'] });
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    await users.setPendingTotp('bursttotp', secret);
    await users.enableTotp('bursttotp', 1);
    const now = Math.floor(Date.now() / 1000);
    const valid = new Set(await Promise.all([-30, 0, 30].map((d) => generate({ secret, epoch: now + d }))));
    const wrong = Array.from({ length: 1000 }, (_, i) => String(i).padStart(6, '0')).filter((c) => !valid.has(c)).slice(0, 12);
    const answers = await Promise.all([...wrong.map((code) => login('bursttotp', password, code)), login('bursttotp', password, await generate({ secret, epoch: now }))]);
    const codes = answers.map((a) => (a.statusCode === 200 ? 'ok' : errorCode(a)));
    expect(codes.filter((c) => c === 'RS_ERR_TOTP_INVALID')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RS_ERR_LOGIN_LOCKED')).toHaveLength(8);
    expect(answers.every((a) => a.cookies.every((c) => c.name !== 'rs_session'))).toBe(true);
  });

  it('issues no session when the name was locked while the password was being checked', async () => {
    // a hash under the default (slow) parameters: the check takes a good part of a second
    const slow = await createUserStore(h.bus, { secrets: SECRETS });
    const password = 'slow hash password 1';
    secrets.add(password);
    await slow.create({ username: 'slowhash', password, roles: ['auditor'] });
    const answer = login('slowhash', password);
    const inFlight = `${h.names.redisPrefix}auth:inflight:slowhash`;
    await eventually(async () => ((await h.redis.zcard(inFlight)) > 0 ? true : undefined), 5000, 'the attempt to be reserved');
    await h.redis.set(`${h.names.redisPrefix}auth:lock:slowhash`, '1', 'PX', 60_000);
    const refused = await answer;
    expect(errorCode(refused)).toBe('RS_ERR_LOGIN_LOCKED');
    expect(refused.cookies.some((c) => c.name === 'rs_session')).toBe(false);
    expect(await h.redis.zcard(inFlight)).toBe(0);
  });

  it('limits sign-in attempts per client address', async () => {
    const from = address();
    // A different name each time, so that no name reaches its own lock-out first.
    for (let i = 0; i < IP_LIMIT; i++) expect(errorCode(await login(`spray${i}`, 'wrong password!!', undefined, from))).toBe('RS_ERR_LOGIN_FAILED');
    const limited = await login('monitor', PASSWORDS.monitor, undefined, from);
    expect(limited.statusCode).toBe(429);
    expect(errorCode(limited)).toBe('RS_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(errorCode(await login('monitor', PASSWORDS.monitor, undefined, from))).toBe('RS_ERR_RATE_LIMITED');
    // on the record once a minute per address, not once per refused attempt
    const limitedLines = logLines.map((l) => JSON.parse(l) as { msg: string; ip?: string }).filter((l) => l.msg === 'sign-in refused: too many attempts from this address' && l.ip === from);
    expect(limitedLines).toHaveLength(1);
    // The same user from another address still gets in.
    await signIn('monitor');
  });
});

describe('auth - TOTP', () => {
  it('refuses with RS_ERR_TOTP_UNAVAILABLE, never letting the password alone in, when the secret was sealed with another key', async () => {
    const otherKey = await createUserStore(h.bus, { scrypt: FAST, secrets: createSecretBox(randomBytes(32), 'lost key') });
    const password = 'lost key password 1';
    secrets.add(password);
    await otherKey.create({ username: 'lostkey', password, roles: ['auditor'] });
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    await otherKey.setPendingTotp('lostkey', secret);
    await otherKey.enableTotp('lostkey', 1);
    expect(errorCode(await login('lostkey', password))).toBe('RS_ERR_TOTP_REQUIRED');
    const refused = await login('lostkey', password, await generate({ secret }));
    expect(refused.statusCode).toBe(503);
    expect(errorCode(refused)).toBe('RS_ERR_TOTP_UNAVAILABLE');
    expect(refused.headers['set-cookie']).toBeUndefined();
  });

  it('enrols with a QR code, confirms with a code, then demands a fresh code at every sign-in', async () => {
    const s = await signIn('totpuser');
    const enrol = await call(s, 'POST', '/api/auth/totp/enrol');
    expect(enrol.statusCode, enrol.body).toBe(200);
    const { secret, otpauthUrl, qrSvg } = enrol.json<TotpEnrolAnswer>();
    secrets.add(secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/riskstream:totpuser\?/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Pending only: signing in still needs no code.
    expect((await users.get('totpuser'))!.totp).toBeNull();

    const wrongConfirm = await call(s, 'POST', '/api/auth/totp/confirm', { code: '000000' === (await generate({ secret })) ? '111111' : '000000' });
    expect(errorCode(wrongConfirm)).toBe('RS_ERR_TOTP_INVALID');
    const now = Math.floor(Date.now() / 1000);
    const confirmCode = await generate({ secret, epoch: now });
    const confirmed = await call(s, 'POST', '/api/auth/totp/confirm', { code: confirmCode });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json<LoginAnswer>().user.totpEnabled).toBe(true);

    expect(errorCode(await login('totpuser', PASSWORDS.totpuser))).toBe('RS_ERR_TOTP_REQUIRED');
    // The code that confirmed the enrolment is spent.
    expect(errorCode(await login('totpuser', PASSWORDS.totpuser, confirmCode))).toBe('RS_ERR_TOTP_INVALID');
    // The next step's code is inside the tolerance window and not yet spent.
    const nextCode = await generate({ secret, epoch: now + 30 });
    const ok = await signIn('totpuser', nextCode);
    expect(ok.answer.user.totpEnabled).toBe(true);
    // ...once.
    const replay = await login('totpuser', PASSWORDS.totpuser, nextCode);
    expect(replay.statusCode).toBe(401);
    expect(errorCode(replay)).toBe('RS_ERR_TOTP_INVALID');
    expect(errorCode(await login('totpuser', 'wrong password!!', nextCode))).toBe('RS_ERR_LOGIN_FAILED');
    expect(errorCode(await login('totpuser', PASSWORDS.totpuser, 'abcdef'))).toBe('RS_ERR_TOTP_INVALID');

    // Enrolling again while a factor is active is refused; an admin resets it.
    expect(errorCode(await call(ok, 'POST', '/api/auth/totp/enrol'))).toBe('RS_ERR_CONFLICT');
    const admin = await signIn('admin');
    const reset = await call(admin, 'PATCH', '/api/users/totpuser', { resetTotp: true });
    expect(reset.json<UserAnswer>().user.totpEnabled).toBe(false);
    // The reset ended the user's sessions.
    expect((await call(ok, 'GET', '/api/auth/me')).statusCode).toBe(401);
    await signIn('totpuser');
  });

  it('lets only one of two sign-ins racing with the same code through', async () => {
    const s = await signIn('victim');
    const { secret } = (await call(s, 'POST', '/api/auth/totp/enrol')).json<TotpEnrolAnswer>();
    secrets.add(secret);
    const now = Math.floor(Date.now() / 1000);
    expect((await call(s, 'POST', '/api/auth/totp/confirm', { code: await generate({ secret, epoch: now - 30 }) })).statusCode).toBe(200);
    const code = await generate({ secret, epoch: now });
    const answers = await Promise.all([login('victim', PASSWORDS.victim, code), login('victim', PASSWORDS.victim, code)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
    for (const a of answers) for (const c of a.cookies) if (c.name === 'rs_session') secrets.add(c.value);
  });
});

describe('auth - CSRF', () => {
  it('refuses a state-changing API call without the session token or with a wrong one', async () => {
    const s = await signIn('monitor');
    const other = await signIn('credit');
    const missing = await call(s, 'POST', '/api/test/echo', {}, null);
    expect(missing.statusCode).toBe(403);
    expect(errorCode(missing)).toBe('RS_ERR_CSRF');
    expect(errorCode(await call(s, 'POST', '/api/test/echo', {}, 'x'.repeat(43)))).toBe('RS_ERR_CSRF');
    // Another session's token is no good either.
    expect(errorCode(await call(s, 'POST', '/api/test/echo', {}, other.csrf))).toBe('RS_ERR_CSRF');
    expect(errorCode(await call(s, 'POST', '/api/auth/logout', undefined, null))).toBe('RS_ERR_CSRF');
    // a percent-encoded path reaches the same route, and the same check
    const encoded = await call(s, 'POST', '/%61pi/test/echo', {}, null);
    expect(encoded.statusCode).toBe(403);
    expect(errorCode(encoded)).toBe('RS_ERR_CSRF');
    expect(errorCode(await call(s, 'POST', '/%61pi/auth/logout', undefined, null))).toBe('RS_ERR_CSRF');
    const ok = await call(s, 'POST', '/api/test/echo', {});
    expect(ok.statusCode).toBe(200);
    // Reads need no token.
    expect((await call(s, 'GET', '/api/auth/me', undefined, null)).statusCode).toBe(200);
    // A method no route takes changes nothing: its 404, not a CSRF refusal.
    expect((await call(s, 'POST', '/api/auth/me', {}, null)).statusCode).toBe(404);
    expect((await call(s, 'PATCH', '/api/nowhere', {}, null)).statusCode).toBe(404);
  });
});

describe('auth - role guard', () => {
  it('answers 401 without a session, 403 without the role, and lets the role and admin through', async () => {
    const anonymous = await call(null, 'GET', '/api/test/monitor');
    expect(anonymous.statusCode).toBe(401);
    expect(errorCode(anonymous)).toBe('RS_ERR_UNAUTHENTICATED');
    const forged = await app.inject({ method: 'GET', url: '/api/test/monitor', headers: { cookie: `rs_session=${'A'.repeat(43)}` } });
    expect(errorCode(forged)).toBe('RS_ERR_UNAUTHENTICATED');
    const credit = await signIn('credit');
    const forbidden = await call(credit, 'GET', '/api/test/monitor');
    expect(forbidden.statusCode).toBe(403);
    expect(errorCode(forbidden)).toBe('RS_ERR_FORBIDDEN');
    expect((await call(await signIn('monitor'), 'GET', '/api/test/monitor')).json()).toEqual({ user: 'monitor' });
    expect((await call(await signIn('admin'), 'GET', '/api/test/monitor')).statusCode).toBe(200);
    expect(errorCode(await call(credit, 'GET', '/api/users'))).toBe('RS_ERR_FORBIDDEN');
    expect(errorCode(await call(null, 'GET', '/api/auth/me'))).toBe('RS_ERR_UNAUTHENTICATED');
  });

  it('authenticates a raw request (the WebSocket upgrade) by its cookie header', async () => {
    const s = await signIn('monitor');
    expect(await app.authenticateRequest({ headers: { cookie: `theme=dark; ${s.cookie}` } })).toEqual(s.answer.user);
    expect(await app.authenticateRequest({ headers: {} })).toBeNull();
    expect(await app.authenticateRequest({ headers: { cookie: 'rs_session=not-a-session' } })).toBeNull();
  });
});

describe('auth - sessions', () => {
  it('ends the session at logout and clears the cookie', async () => {
    const s = await signIn('monitor');
    const out = await call(s, 'POST', '/api/auth/logout');
    expect(out.statusCode).toBe(204);
    const [clearSession, clearHint] = out.headers['set-cookie'] as string[];
    expect(clearSession).toMatch(/^rs_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
    expect(clearHint).toMatch(/^rs_signed_in=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict$/);
    expect((await call(s, 'GET', '/api/auth/me')).statusCode).toBe(401);
  });

  it('signs out a fetch wrapper that sends the JSON content type with no body, and refuses a body of another type with 415', async () => {
    const s = await signIn('monitor');
    const xml = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/xml' }, payload: '<bye/>' });
    expect([xml.statusCode, xml.json<{ error: { code: string } }>().error.code]).toEqual([415, 'RS_ERR_MEDIA_TYPE']);
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, payload: '' });
    expect(out.statusCode).toBe(204);
    expect((await call(s, 'GET', '/api/auth/me')).statusCode).toBe(401);
  });

  it('stores only a hash of the session id in Redis', async () => {
    const s = await signIn('monitor');
    const keys = await h.redis.keys(`${h.names.redisPrefix}sess:*`);
    expect(keys.some((k) => k.includes(s.id))).toBe(false);
    for (const k of keys.filter((k) => !k.includes(':user:'))) expect(await h.redis.get(k)).not.toContain(s.id);
  });

  it('expires a session after its idle time, slides it on use, and ends it at the absolute limit', async () => {
    // Redis expires the keys by the wall clock: each use must come within the idle time even when a
    // loaded host runs a 300 ms timer late, so the idle time leaves room for that.
    const idleMs = 1200;
    const absoluteMs = 2400;
    const short = createSessionStore(h.redis, h.names.redisPrefix, { idleTimeoutMs: idleMs, absoluteTimeoutMs: absoluteMs });
    const idle = await short.create('monitor');
    secrets.add(idle.id);
    const cookie = { cookie: `rs_session=${idle.id}` };
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: cookie })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, idleMs + 200));
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: cookie })).statusCode).toBe(401);

    const used = await short.create('monitor');
    secrets.add(used.id);
    const createdAt = Date.now();
    // Used every 300 ms, it outlives its idle time...
    while (Date.now() - createdAt < idleMs + 300) {
      await new Promise((r) => setTimeout(r, 300));
      expect(await short.get(used.id)).not.toBeNull();
    }
    // ...but not its absolute limit.
    await new Promise((r) => setTimeout(r, Math.max(0, createdAt + absoluteMs + 100 - Date.now())));
    expect(await short.get(used.id)).toBeNull();
  });

  it('does not slide the idle timer on a look that is not activity (the hub re-checking an open socket)', async () => {
    const s = await signIn('monitor');
    const key = `${h.names.redisPrefix}sess:${sessionKeyOf(s.id)}`;
    await h.redis.pexpire(key, 5000);
    const authenticator = createRequestAuthenticator(users, sessions);
    expect(await authenticator.authenticateRequest({ headers: { cookie: s.cookie } }, { activity: false })).toEqual(s.answer.user);
    expect(await sessions.peek(s.id)).toMatchObject({ username: 'monitor' });
    expect(await h.redis.pttl(key)).toBeLessThanOrEqual(5000);
    // a request is activity: the idle timer starts again
    expect(await authenticator.authenticateRequest({ headers: { cookie: s.cookie } })).toEqual(s.answer.user);
    expect(await h.redis.pttl(key)).toBeGreaterThan(sessions.idleTimeoutMs - 60_000);
    // a peek at a session gone answers null, and does not bring it back
    await h.redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await sessions.peek(s.id)).toBeNull();
  });

  it('gives a new session id at every sign-in and ends the previous one', async () => {
    const first = await signIn('monitor');
    const second = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address(), headers: { cookie: first.cookie }, payload: { username: 'monitor', password: PASSWORDS.monitor } });
    const id = second.cookies[0]!.value;
    secrets.add(id);
    expect(id).not.toBe(first.id);
    expect((await call(first, 'GET', '/api/auth/me')).statusCode).toBe(401);
  });
});

describe('auth - admin users API', () => {
  it('creates, lists and changes users, admin only, validating bodies', async () => {
    const admin = await signIn('admin');
    const password = 'a new user pass 1';
    secrets.add(password);
    const created = await call(admin, 'POST', '/api/users', { username: 'Jane.Doe', displayName: 'Jane Doe', password, roles: ['compliance_supervisor'] });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<UserAnswer>().user).toMatchObject({ username: 'jane.doe', displayName: 'Jane Doe', roles: ['compliance_supervisor'], disabled: false, totpEnabled: false, lockedUntil: null });
    expect(created.body).not.toContain('scrypt');

    const duplicate = await call(admin, 'POST', '/api/users', { username: 'jane.doe', password, roles: ['auditor'] });
    expect(duplicate.statusCode).toBe(409);
    expect(errorCode(duplicate)).toBe('RS_ERR_CONFLICT');

    for (const [body, field] of [
      [{ username: 'shorty', password: 'short', roles: ['auditor'] }, 'password'],
      [{ username: 'badrole', password, roles: ['root'] }, 'roles'],
      [{ username: 'noroles', password, roles: [] }, 'roles'],
      [{ username: 'bad name!', password, roles: ['auditor'] }, 'username'],
      [{ password, roles: ['auditor'] }, 'username'],
      // taken as sent: no field dropped, no type converted
      [{ username: 'extra', password, roles: ['auditor'], admin: true }, 'body.admin'],
      [{ username: 'onerole', password, roles: 'auditor' }, 'body.roles'],
      [{ username: 'numpass', password: 123456789012345, roles: ['auditor'] }, 'body.password'],
    ] as const) {
      const r = await call(admin, 'POST', '/api/users', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json<{ error: { code: string; message: string } }>().error.message).toContain(field);
    }
    expect((await call(admin, 'GET', '/api/users')).json<UserListAnswer>().users.map((u) => u.username)).not.toContain('extra');

    const list = (await call(admin, 'GET', '/api/users')).json<UserListAnswer>();
    expect(list.users.map((u) => u.username)).toContain('jane.doe');
    expect(JSON.stringify(list)).not.toMatch(/scrypt|passwordHash|secret/);

    const jane = await (async () => {
      const r = await login('jane.doe', password);
      secrets.add(r.cookies[0]!.value);
      return { cookie: `rs_session=${r.cookies[0]!.value}`, csrf: r.json<LoginAnswer>().csrfToken } as Signed;
    })();
    expect(errorCode(await call(jane, 'GET', '/api/test/monitor'))).toBe('RS_ERR_FORBIDDEN');
    expect(errorCode(await call(jane, 'POST', '/api/users', { username: 'x1', password, roles: ['admin'] }))).toBe('RS_ERR_FORBIDDEN');
    // without the role, a bad body is refused for the role first: the caller learns nothing of the shape
    expect(errorCode(await call(jane, 'POST', '/api/users', { foo: 1 }))).toBe('RS_ERR_FORBIDDEN');
    expect(errorCode(await call(null, 'PATCH', '/api/users/jane.doe', { foo: 1 }))).toBe('RS_ERR_UNAUTHENTICATED');
    // before the body is even read: broken JSON gets the same answers
    const broken = { 'content-type': 'application/json' };
    expect(errorCode(await app.inject({ method: 'POST', url: '/api/users', headers: broken, payload: '{"x":' }))).toBe('RS_ERR_UNAUTHENTICATED');
    expect(errorCode(await app.inject({ method: 'POST', url: '/api/users', headers: { ...broken, cookie: jane.cookie, 'x-csrf-token': jane.csrf }, payload: '{"x":' }))).toBe('RS_ERR_FORBIDDEN');

    // A role change applies at the user's next request.
    const promoted = await call(admin, 'PATCH', '/api/users/jane.doe', { roles: ['risk_monitor', 'compliance_supervisor'] });
    expect(promoted.json<UserAnswer>().user.roles).toEqual(['risk_monitor', 'compliance_supervisor']);
    expect((await call(jane, 'GET', '/api/test/monitor')).statusCode).toBe(200);

    expect((await call(admin, 'PATCH', '/api/users/jane.doe', { password: 'short' })).statusCode).toBe(400);
    expect((await call(admin, 'PATCH', '/api/users/jane.doe', {})).statusCode).toBe(400);
    // a misspelt field is named, not dropped (a 200 that changed nothing); a type is not converted
    const misspelt = await call(admin, 'PATCH', '/api/users/jane.doe', { disable: true });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json<{ error: { details: { errors: unknown[] } } }>().error.details.errors).toEqual([
      { path: 'body.disable', rule: 'additionalProperties', message: 'is not a field of this request' },
    ]);
    expect((await call(admin, 'PATCH', '/api/users/jane.doe', { disabled: 'true' })).statusCode).toBe(400);
    expect((await call(admin, 'PATCH', '/api/users/nobody', { disabled: true })).statusCode).toBe(404);
    expect(errorCode(await call(admin, 'PATCH', '/api/users/admin', { disabled: true }))).toBe('RS_ERR_BAD_REQUEST');

    // A new password ends the user's sessions; the old password stops working.
    const newPassword = 'jane second pass 2';
    secrets.add(newPassword);
    expect((await call(admin, 'PATCH', '/api/users/jane.doe', { password: newPassword })).statusCode).toBe(200);
    expect((await call(jane, 'GET', '/api/auth/me')).statusCode).toBe(401);
    expect(errorCode(await login('jane.doe', password))).toBe('RS_ERR_LOGIN_FAILED');
    const again = await login('jane.doe', newPassword);
    expect(again.statusCode).toBe(200);
    secrets.add(again.cookies[0]!.value);

    // Disabling ends the sessions and refuses sign-in.
    expect((await call(admin, 'PATCH', '/api/users/jane.doe', { disabled: true })).json<UserAnswer>().user.disabled).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `rs_session=${again.cookies[0]!.value}` } })).statusCode).toBe(401);
    expect(errorCode(await login('jane.doe', newPassword))).toBe('RS_ERR_LOGIN_FAILED');
  });

  it('lets a user change their own password with the current one', async () => {
    const s = await signIn('credit');
    const wrong = await call(s, 'POST', '/api/auth/password', { currentPassword: 'not it at all', newPassword: 'credit password 002' });
    expect(errorCode(wrong)).toBe('RS_ERR_LOGIN_FAILED');
    // Wrong current passwords count towards the lock-out like failed sign-ins.
    expect(await h.redis.zcard(`${h.names.redisPrefix}auth:fail:credit`)).toBe(1);
    secrets.add('credit password 002');
    const changed = await call(s, 'POST', '/api/auth/password', { currentPassword: PASSWORDS.credit, newPassword: 'credit password 002' });
    expect(changed.statusCode, changed.body).toBe(200);
    secrets.add(changed.cookies[0]!.value);
    secrets.add(changed.json<LoginAnswer>().csrfToken);
    expect((await call(s, 'GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `rs_session=${changed.cookies[0]!.value}` } })).statusCode).toBe(200);
    await users.setPassword('credit', PASSWORDS.credit);
  });
});

describe('auth - logs', () => {
  it('logs sign-ins and admin changes without passwords, session ids, CSRF tokens or TOTP secrets', () => {
    const text = logLines.join('');
    expect(text).toContain('"msg":"signed in"');
    expect(text).toContain('"msg":"sign-in failed"');
    expect(text).toContain('"msg":"user changed"');
    expect(secrets.size).toBeGreaterThan(20);
    for (const secret of secrets) expect(text, `a secret of ${secret.length} characters is in the log`).not.toContain(secret);
    // Unknown names are not logged (they are often passwords typed into the wrong field).
    expect(text).not.toContain('nobody');
  });
});

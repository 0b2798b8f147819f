// The auth plugin: reads the session cookie on every request (request.user), enforces the CSRF token
// on state-changing API calls, and serves sign-in, sign-out, /me, TOTP enrolment and the admin users
// API. Registered once at the root: its hook and decorations must reach every other plugin's routes.
import type { IncomingHttpHeaders } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RiskstreamError, type Logger, type Redis } from '../../../core/index.js';
import type { LoginAnswer, SessionUser } from '../protocol.js';
import { CSRF_HEADER, csrfApplies, csrfTokenMatches } from './csrf.js';
import { requireRoles, signedInUser } from './guards.js';
import { createLoginThrottle, retryAfterSeconds, type LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { LoginAnswerSchema, LoginBody, NoContent, PasswordChangeBody, SignedInAnswerSchema, TotpConfirmBody, TotpEnrolAnswerSchema, authErrors } from './schemas.js';
import { SESSION_COOKIE, SIGNED_IN_COOKIE, cookieIsSecure, sessionCookieOptions, signedInCookieOptions, sessionIdFromHeaders, type SecureCookies } from './session-cookie.js';
import type { Session, SessionStore } from './session-store.js';
import { createTotpEnrolment, verifyTotpCode } from './totp.js';
import { sessionUserOf, type UserRecord } from './types.js';
import { UNREADABLE_SECRET, type UserStore } from './user-store.js';
import { normaliseUsername } from './username.js';
import { usersRoutes } from './users-routes.js';
import './fastify-augment.js';

export type AuthPluginOptions = {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly redis: Redis;
  /** The namespace's Redis key prefix (names.redisPrefix). */
  readonly prefix: string;
  /** Secure cookie attribute: true, false, or 'auto' (when the request came over HTTPS). Default 'auto'. */
  readonly secureCookies?: SecureCookies;
  /** Where sign-in events go; defaults to the request logger. */
  readonly logger?: Logger;
  /** Lock-out and per-address limits (tests shorten them). */
  readonly throttle?: LoginThrottleOptions;
};

export type Authenticated = { readonly user: SessionUser; readonly session: Session; readonly record: UserRecord };

/** How a session is looked up: as the user's activity (the default: it slides the idle timer) or not (a periodic re-check). */
export type LookupOptions = { readonly activity?: boolean };

/** Resolves a session cookie id to its live session and current user; null when either is gone or the user is disabled. */
export function createRequestAuthenticator(users: UserStore, sessions: SessionStore) {
  async function resolve(sessionId: string | null, options: LookupOptions = {}): Promise<Authenticated | null> {
    if (!sessionId) return null;
    const session = options.activity === false ? await sessions.peek(sessionId) : await sessions.get(sessionId);
    if (!session) return null;
    // The user is read on every request so that a role change or disabling takes effect at once.
    const record = await users.get(session.username);
    if (!record || record.disabled) return null;
    return { user: sessionUserOf(record), session, record };
  }
  return {
    resolve,
    /**
     * The signed-in user of a raw request's cookie header (the WebSocket upgrade, and the hub's
     * re-checks of an open socket with `{ activity: false }`, which leave the idle timer alone).
     */
    async authenticateRequest(rawRequest: { readonly headers: IncomingHttpHeaders }, options?: LookupOptions): Promise<SessionUser | null> {
      return (await resolve(sessionIdFromHeaders(rawRequest.headers), options))?.user ?? null;
    },
  };
}

const authPluginImpl: FastifyPluginAsync<AuthPluginOptions> = async (app, opts) => {
  const { users, sessions } = opts;
  const secureSetting = opts.secureCookies ?? 'auto';
  const throttle = createLoginThrottle(opts.redis, opts.prefix, opts.throttle);
  const authenticator = createRequestAuthenticator(users, sessions);

  if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
  app.decorateRequest('user', null);
  app.decorateRequest('authSession', null);
  app.decorate('authenticateRequest', authenticator.authenticateRequest);

  app.addHook('onRequest', async function loadSession(request) {
    const id = request.cookies[SESSION_COOKIE];
    if (id) {
      const found = await authenticator.resolve(id);
      if (found) {
        request.user = found.user;
        request.authSession = found.session;
      }
    }
    // Without a session a request carries no authority to forge; the route's guard answers 401.
    // The path the router matched (`/%61pi/users` is routed to /api/users: the raw URL would let
    // an encoded path skip the check). A request no route matched changes nothing: it gets its
    // 404 (a POST to a read-only route is not a forgery to refuse).
    const path = request.routeOptions.url;
    if (request.authSession && path !== undefined && csrfApplies(request.method, path, request.routeOptions.config?.csrf === false)) {
      if (!csrfTokenMatches(request.authSession.csrfToken, request.headers[CSRF_HEADER])) throw new RiskstreamError('RS_ERR_CSRF');
    }
  });

  function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, maxAgeMs: number): void {
    const secure = cookieIsSecure(secureSetting, request.protocol);
    reply.setCookie(SESSION_COOKIE, id, sessionCookieOptions(secure, maxAgeMs));
    reply.setCookie(SIGNED_IN_COOKIE, '1', signedInCookieOptions(secure, maxAgeMs));
  }

  function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
    const secure = cookieIsSecure(secureSetting, request.protocol);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(secure, 0));
    reply.clearCookie(SIGNED_IN_COOKIE, signedInCookieOptions(secure, 0));
  }

  function log(request: FastifyRequest): Logger {
    return (opts.logger ?? (request.log as unknown as Logger)).child({ component: 'auth' });
  }

  const rateLimitedLog = oncePerMinute();

  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    { schema: { summary: 'Sign in', body: LoginBody, response: { 200: SignedInAnswerSchema, ...authErrors(400, 401, 413, 415, 429, 503) } }, config: { csrf: false } },
    async function login(request, reply): Promise<LoginAnswer> {
      const ipWait = await throttle.takeIpAttempt(request.ip);
      if (ipWait > 0) {
        // on the record, once a minute per address (a flood must not flood the log)
        if (rateLimitedLog.due(request.ip)) log(request).warn({ ip: request.ip, retryInMs: ipWait }, 'sign-in refused: too many attempts from this address');
        reply.header('retry-after', retryAfterSeconds(ipWait));
        throw new RiskstreamError('RS_ERR_RATE_LIMITED', 'too many sign-in attempts from this address; try again later');
      }
      const username = normaliseUsername(request.body.username);
      // The attempt's place is reserved before the password is hashed (about 0.4 s): a burst of
      // concurrent guesses gets no more tries than the lock-out allows.
      const attempt = await throttle.beginAttempt(username);
      if (!attempt.ok) return refuseLocked(request, reply, username, attempt.waitMs, attempt.locked);
      const settled = { done: false };
      try {
        const record = await users.get(username);
        // An unknown name costs one hash too, so that the answer's timing does not tell names apart.
        const passwordOk = await verifyPassword(request.body.password, record?.passwordHash ?? (await dummyPasswordHash(users.scrypt)));
        if (!record || !passwordOk || record.disabled) {
          await failSignIn(request, reply, username, attempt.ticket, settled, record !== null, 'password');
          throw new RiskstreamError('RS_ERR_LOGIN_FAILED');
        }
        if (record.totp) {
          const code = request.body.totp;
          if (!code) {
            // the password is right: not told while the name is locked (another attempt may have locked it meanwhile)
            const lockedFor = await throttle.lockedFor(username);
            if (lockedFor > 0) return refuseLocked(request, reply, username, lockedFor, true);
            throw new RiskstreamError('RS_ERR_TOTP_REQUIRED');
          }
          if (record.totp.secret === UNREADABLE_SECRET) {
            log(request).error(
              { username },
              'the TOTP secret of this user does not open with the secrets key (RISKSTREAM_SECRETS_KEY or <data dir>/secrets.key): restore the key it was sealed with, or reset the second factor with `riskstream users reset-totp`',
            );
            throw new RiskstreamError('RS_ERR_TOTP_UNAVAILABLE');
          }
          const step = await verifyTotpCode(record.totp.secret, code, record.totp.lastTimeStep);
          // spendTotpStep is a compare-and-set: of two sign-ins racing with one code, one wins.
          if (step === null || !(await users.spendTotpStep(username, step))) {
            await failSignIn(request, reply, username, attempt.ticket, settled, true, 'totp');
            throw new RiskstreamError('RS_ERR_TOTP_INVALID');
          }
        }
        // The lock is looked at again, in the same step that forgets the failures: a name locked
        // while this attempt was being checked gets no session.
        settled.done = true;
        const lockedNow = await throttle.succeedAttempt(username, attempt.ticket);
        if (lockedNow > 0) return refuseLocked(request, reply, username, lockedNow, true);
        if (needsRehash(record.passwordHash, users.scrypt)) {
          const stronger = await hashPassword(request.body.password, users.scrypt);
          await users.replacePasswordHash(username, record.passwordHash, stronger);
        }
        // A fresh id at every sign-in (no fixation); the session the browser held before ends.
        const previous = request.cookies[SESSION_COOKIE];
        if (previous) await sessions.destroy(previous);
        const { id, session } = await sessions.create(username);
        setSessionCookie(request, reply, id, sessions.absoluteTimeoutMs);
        log(request).info({ username, ip: request.ip, totp: record.totp !== null }, 'signed in');
        return { user: sessionUserOf(record), csrfToken: session.csrfToken };
      } finally {
        // neither failed nor succeeded (a code to ask for, an unreadable secret, an error): the place is given back
        if (!settled.done) await throttle.releaseAttempt(username, attempt.ticket).catch(() => undefined);
      }
    },
  );

  /** Refuses an attempt on a locked name (or one with as many attempts in flight as it may fail), on the record like a failed one. */
  async function refuseLocked(request: FastifyRequest, reply: FastifyReply, username: string, waitMs: number, locked: boolean): Promise<never> {
    // an unknown name is not written: it may be a password typed in the wrong field
    const known = (await users.get(username).catch(() => null)) !== null;
    const who = { username: known ? username : '(unknown)', ip: request.ip };
    if (locked) log(request).warn({ ...who, lockedForMs: waitMs }, 'sign-in refused: the name is locked');
    else log(request).warn(who, 'sign-in refused: as many attempts on the name are being checked as it may fail');
    reply.header('retry-after', retryAfterSeconds(waitMs));
    throw locked ? new RiskstreamError('RS_ERR_LOGIN_LOCKED') : new RiskstreamError('RS_ERR_LOGIN_LOCKED', 'too many sign-in attempts on this name at once; try again in a moment');
  }

  async function failSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    username: string,
    ticket: string,
    settled: { done: boolean },
    known: boolean,
    factor: 'password' | 'totp',
  ): Promise<void> {
    settled.done = true;
    const lockedNow = await throttle.failAttempt(username, ticket);
    // An unknown name is not logged: it is often a password typed into the wrong field.
    log(request).warn({ username: known ? username : '(unknown)', ip: request.ip, factor, locked: lockedNow > 0 }, 'sign-in failed');
    if (lockedNow > 0) reply.header('retry-after', retryAfterSeconds(lockedNow));
  }

  app.post('/api/auth/logout', { schema: { summary: 'Sign out', response: { 204: NoContent, ...authErrors(400, 403, 413, 415, 503) } } }, async function logout(request, reply) {
    const id = request.cookies[SESSION_COOKIE];
    if (id) await sessions.destroy(id);
    if (request.user) log(request).info({ username: request.user.username }, 'signed out');
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/auth/me', { schema: { summary: 'The signed-in user and the CSRF token', response: { 200: LoginAnswerSchema, ...authErrors(401, 503) } } }, async function me(request): Promise<LoginAnswer> {
    const user = signedInUser(request);
    return { user, csrfToken: request.authSession!.csrfToken };
  });

  app.post('/api/auth/totp/enrol', { preHandler: requireRoles(), schema: { summary: 'Start enrolling a second factor (TOTP)', response: { 200: TotpEnrolAnswerSchema, ...authErrors(400, 401, 403, 409, 413, 415, 503) } } }, async function enrolTotp(request) {
    const user = signedInUser(request);
    const enrolment = await createTotpEnrolment(user.username);
    await users.setPendingTotp(user.username, enrolment.secret);
    log(request).info({ username: user.username }, 'TOTP enrolment started');
    return enrolment;
  });

  app.post<{ Body: TotpConfirmBody }>(
    '/api/auth/totp/confirm',
    { onRequest: requireRoles(), schema: { summary: 'Confirm the second factor with a code', body: TotpConfirmBody, response: { 200: LoginAnswerSchema, ...authErrors(400, 401, 403, 409, 413, 415, 503) } } },
    async function confirmTotp(request): Promise<LoginAnswer> {
      const user = signedInUser(request);
      const record = await users.get(user.username);
      if (!record?.totpPending) throw new RiskstreamError('RS_ERR_CONFLICT', 'no enrolment is pending; start one with /api/auth/totp/enrol');
      const step = await verifyTotpCode(record.totpPending.secret, request.body.code, null);
      if (step === null) throw new RiskstreamError('RS_ERR_TOTP_INVALID');
      const updated = await users.enableTotp(user.username, step);
      log(request).info({ username: user.username }, 'TOTP enabled');
      return { user: sessionUserOf(updated), csrfToken: request.authSession!.csrfToken };
    },
  );

  app.post<{ Body: PasswordChangeBody }>(
    '/api/auth/password',
    { onRequest: requireRoles(), schema: { summary: 'Change your own password', body: PasswordChangeBody, response: { 200: SignedInAnswerSchema, ...authErrors(400, 401, 403, 413, 415, 429, 503) } } },
    async function changeOwnPassword(request, reply): Promise<LoginAnswer> {
      const user = signedInUser(request);
      // The current password is guessable through a stolen session too: the same lock-out applies,
      // with the same reservation before the hash.
      const attempt = await throttle.beginAttempt(user.username);
      if (!attempt.ok) return refuseLocked(request, reply, user.username, attempt.waitMs, attempt.locked);
      const settled = { done: false };
      try {
        const record = await users.get(user.username);
        if (!record || !(await verifyPassword(request.body.currentPassword, record.passwordHash))) {
          await failSignIn(request, reply, user.username, attempt.ticket, settled, true, 'password');
          throw new RiskstreamError('RS_ERR_LOGIN_FAILED', 'the current password is wrong');
        }
        settled.done = true;
        const lockedNow = await throttle.succeedAttempt(user.username, attempt.ticket);
        if (lockedNow > 0) return refuseLocked(request, reply, user.username, lockedNow, true);
      } finally {
        if (!settled.done) await throttle.releaseAttempt(user.username, attempt.ticket).catch(() => undefined);
      }
      await users.setPassword(user.username, request.body.newPassword);
      // Every other session of the user ends; this one is replaced by a fresh one.
      await sessions.destroyAllForUser(user.username);
      const { id, session } = await sessions.create(user.username);
      setSessionCookie(request, reply, id, sessions.absoluteTimeoutMs);
      log(request).info({ username: user.username }, 'password changed');
      return { user, csrfToken: session.csrfToken };
    },
  );

  await usersRoutes(app, { users, sessions, throttle, log });
};

// Registered with app.register(), a plugin gets its own encapsulated context; this flag (what the
// fastify-plugin package sets) keeps the hook and the request decorations on the parent instead, so that
// every route of every plugin sees request.user.
Object.assign(authPluginImpl, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'riskstream-auth' });

export const authPlugin: FastifyPluginAsync<AuthPluginOptions> = authPluginImpl;


/** Says when a key (a client address) is due to be logged again: at most once a minute each. */
function oncePerMinute(): { due(key: string): boolean } {
  const last = new Map<string, number>();
  return {
    due(key) {
      const now = Date.now();
      if (now - (last.get(key) ?? 0) < 60_000) return false;
      // bounded: a scan over many addresses forgets the oldest first
      if (last.size >= 10_000) last.delete(last.keys().next().value!);
      last.set(key, now);
      return true;
    },
  };
}

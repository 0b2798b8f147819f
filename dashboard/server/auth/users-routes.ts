// The admin users API: list, create, and change users (roles, disabling, password, TOTP reset, unlock).
// Admin only; every change is logged without its secrets.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RiskstreamError, type Logger } from '../../../core/index.js';
import { requireRoles } from './guards.js';
import type { LoginThrottle } from './login-throttle.js';
import { CreateUserBody, PatchUserBody, UserAnswerSchema, UserListAnswerSchema, UsernameParams, authErrors } from './schemas.js';
import type { SessionStore } from './session-store.js';
import { adminViewOf, type UserAdminView, type UserAnswer, type UserListAnswer, type UserRecord } from './types.js';
import type { UserStore } from './user-store.js';
import { normaliseUsername } from './username.js';

export type UsersRoutesContext = {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly log: (request: FastifyRequest) => Logger;
};

export async function usersRoutes(app: FastifyInstance, ctx: UsersRoutesContext): Promise<void> {
  const { users, sessions, throttle } = ctx;
  const adminOnly = requireRoles('admin');

  async function view(record: UserRecord): Promise<UserAdminView> {
    const lockedFor = await throttle.lockedFor(record.username);
    return adminViewOf(record, lockedFor > 0 ? Date.now() + lockedFor : null);
  }

  app.get('/api/users', { onRequest: adminOnly, schema: { summary: 'List the dashboard users', response: { 200: UserListAnswerSchema, ...authErrors(401, 403, 503) } } }, async function listUsers(): Promise<UserListAnswer> {
    return { users: await Promise.all((await users.list()).map(view)) };
  });

  app.post<{ Body: CreateUserBody }>(
    '/api/users',
    { onRequest: adminOnly, schema: { summary: 'Create a user', body: CreateUserBody, response: { 201: UserAnswerSchema, ...authErrors(400, 401, 403, 409, 413, 415, 503) } } },
    async function createUser(request, reply): Promise<UserAnswer> {
      const record = await users.create(request.body);
      ctx.log(request).info({ by: request.user?.username, username: record.username, roles: record.roles }, 'user created');
      reply.code(201);
      return { user: await view(record) };
    },
  );

  app.patch<{ Params: UsernameParams; Body: PatchUserBody }>(
    '/api/users/:username',
    { onRequest: adminOnly, schema: { summary: 'Change a user: roles, disabled, password, second factor, lock-out', params: UsernameParams, body: PatchUserBody, response: { 200: UserAnswerSchema, ...authErrors(400, 401, 403, 404, 409, 413, 415, 503) } } },
    async function patchUser(request): Promise<UserAnswer> {
      const username = normaliseUsername(request.params.username);
      const body = request.body;
      const by = request.user!.username;
      if (username === by && (body.disabled === true || (body.roles && !body.roles.includes('admin')))) {
        // The last way back in would otherwise be the command line.
        const field = body.disabled ? 'body.disabled' : 'body.roles';
        const message = 'an admin cannot disable or demote themselves';
        throw new RiskstreamError('RS_ERR_BAD_REQUEST', `${field} ${message}`, { errors: [{ path: field, rule: 'self', message }] });
      }
      let record = await users.get(username);
      if (!record) throw new RiskstreamError('RS_ERR_NOT_FOUND', `no user ${username}`);
      const changed: string[] = [];
      if (body.roles) {
        record = await users.updateRoles(username, body.roles);
        changed.push('roles');
      }
      if (body.password !== undefined) {
        record = await users.setPassword(username, body.password);
        changed.push('password');
      }
      if (body.resetTotp) {
        record = await users.resetTotp(username);
        changed.push('totp');
      }
      if (body.disabled !== undefined) {
        record = await users.setDisabled(username, body.disabled);
        changed.push(body.disabled ? 'disabled' : 'enabled');
      }
      // A new password or a disabled account ends the user's sessions; a role change applies at the next request anyway.
      if (body.password !== undefined || body.disabled === true || body.resetTotp) await sessions.destroyAllForUser(username);
      if (body.unlock) {
        await throttle.unlock(username);
        changed.push('unlocked');
      }
      ctx.log(request).info({ by, username, changed, roles: record.roles }, 'user changed');
      return { user: await view(record) };
    },
  );
}

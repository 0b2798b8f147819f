// Route guards other plugins put in front of their handlers: `preHandler: requireRoles('auditor')`,
// or `onRequest` where the route has a body.
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { RiskstreamError } from '../../../core/index.js';
import type { SessionUser, UserRole } from '../protocol.js';
import './fastify-augment.js';

/** Whether the user holds one of the roles; admin holds every role. An empty list admits anyone signed in. */
export function userHasRole(user: SessionUser, roles: readonly UserRole[]): boolean {
  if (roles.length === 0 || user.roles.includes('admin')) return true;
  return roles.some((role) => user.roles.includes(role));
}

/** The signed-in user, or RS_ERR_UNAUTHENTICATED. */
export function signedInUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw new RiskstreamError('RS_ERR_UNAUTHENTICATED');
  return request.user;
}

/**
 * A hook admitting signed-in users with one of the roles (admin always passes): 401
 * RS_ERR_UNAUTHENTICATED without a session, 403 RS_ERR_FORBIDDEN without a role. With no roles, any
 * signed-in user passes. Put it as `onRequest` on routes with a body, so that a caller without
 * the role is refused before the body is judged (and learns nothing from the shape of a 400).
 */
export function requireRoles(...roles: UserRole[]): preHandlerAsyncHookHandler {
  return async function roleGuard(request) {
    const user = signedInUser(request);
    if (!userHasRole(user, roles)) throw new RiskstreamError('RS_ERR_FORBIDDEN', `this needs one of the roles: ${roles.join(', ')}`);
  };
}

// What the auth plugin adds to fastify's types: request.user, request.authSession, app.authenticateRequest
// and the per-route `csrf: false` opt-out.
import type { IncomingHttpHeaders } from 'node:http';
import type { SessionUser } from '../protocol.js';
import type { Session } from './session-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, filled from the session cookie before any handler runs; null without a valid session. */
    user: SessionUser | null;
    /** The session behind request.user (its CSRF token and expiry). */
    authSession: Session | null;
  }
  interface FastifyInstance {
    /** The user of a raw request's session cookie (the WebSocket upgrade), or null; `activity: false` does not slide the idle timer. */
    authenticateRequest(rawRequest: { readonly headers: IncomingHttpHeaders }, options?: { readonly activity?: boolean }): Promise<SessionUser | null>;
  }
  interface FastifyContextConfig {
    /** false exempts a state-changing /api route from the x-csrf-token check (the login itself). */
    csrf?: boolean;
  }
}

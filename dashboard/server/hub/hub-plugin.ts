// GET /ws: the dashboard's WebSocket. The session is checked before the upgrade (no session: an
// HTTP 401 and no socket), and so is the Origin (a page of another site may not open a socket with
// the user's cookie: 403). An admitted socket is handed to the hub with the protocol version it
// stated (`/ws?protocol=2`; protocol-version.ts).
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { RiskstreamError, type Bus, type Logger, type Metrics } from '../../../core/index.js';
import { LIVE_PROTOCOL_PARAM, type SessionUser } from '../protocol.js';
import { MAX_CLIENT_MESSAGE_BYTES } from './client-message.js';
import { createHub, type Hub } from './hub.js';
import type { HubLimits, WsRefusalReason } from './hub-policy.js';
import { statedProtocol } from './protocol-version.js';

/**
 * Resolves the session of a request's cookie. The hub calls it with `{ activity: false }` for its
 * periodic re-checks of an open socket: those must not slide the session's idle timer (an
 * unattended tab would otherwise keep its session alive until the absolute limit).
 */
export type HubAuthenticate = (request: { readonly headers: IncomingHttpHeaders }, options?: { readonly activity?: boolean }) => Promise<SessionUser | null>;

export type HubPluginOptions = {
  readonly bus: Bus;
  /** Resolves the session of the upgrade request (the cookie); null when there is none. */
  readonly authenticate: HubAuthenticate;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly limits?: Partial<HubLimits>;
  /** The id of the web app this process serves, told in every hello (web-app.ts: webAppBuild); ignored with `hub`. */
  readonly build?: () => string | null;
  /** RISKSTREAM_RETENTION_DAYS: alerts on events past it are not pushed (HubOptions.retentionDays); ignored with `hub`. */
  readonly retentionDays?: number;
  /** A hub made by the caller (to read its stats); without one the plugin makes one. Either way it is closed with the server. */
  readonly hub?: Hub;
  /** Origins allowed besides the server's own (e.g. a development front end on another port), as "http://host:port". */
  readonly allowedOrigins?: readonly string[];
};

/**
 * True when a browser's Origin names the host it connects to (or an allowed origin). A request
 * without an Origin does not come from a browser page (k6, Node, curl) and cannot ride on a
 * victim's cookie, so it is let through to the session check.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowedOrigins: readonly string[] = []): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  const host = headers.host;
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false; // "null" and other opaque origins
  }
}

/** A re-check of an open socket's session is not the user's activity. */
const RECHECK = { activity: false } as const;

export const hubPlugin: FastifyPluginAsync<HubPluginOptions> = async (app, opts) => {
  const hub =
    opts.hub ??
    createHub({ bus: opts.bus, logger: opts.logger, ...(opts.metrics ? { metrics: opts.metrics } : {}), ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.build ? { build: opts.build } : {}), ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}) });
  const users = new WeakMap<FastifyRequest, SessionUser>();

  // Before @fastify/websocket's own preClose (which closes sockets with 1000): shutting down is 1001.
  app.addHook('preClose', async function closeHubSockets() {
    await hub.close();
  });
  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false } });
  }

  /** An upgrade refused before it opened a socket counts (rs_ws_refused_total); a plain GET /ws does not. */
  function countRefusedUpgrade(request: FastifyRequest, reason: WsRefusalReason): void {
    if (request.ws) opts.metrics?.wsRefused.inc({ reason });
  }

  async function admitUpgrade(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!originAllowed(request.headers, opts.allowedOrigins)) {
      countRefusedUpgrade(request, 'origin');
      request.log.info({ origin: request.headers.origin }, 'cross-site WebSocket upgrade refused');
      await reply.code(403).send(new RiskstreamError('RS_ERR_FORBIDDEN', 'this origin may not open the dashboard socket').toJSON());
      return reply;
    }
    const user = await opts.authenticate(request);
    if (!user) {
      countRefusedUpgrade(request, 'unauthenticated');
      await reply.code(401).send(new RiskstreamError('RS_ERR_UNAUTHENTICATED').toJSON());
      return reply;
    }
    users.set(request, user);
  }

  app.route({
    method: 'GET',
    url: '/ws',
    preValidation: admitUpgrade,
    handler: async function wsOverHttp(_request, reply) {
      return reply.code(426).header('upgrade', 'websocket').send(new RiskstreamError('RS_ERR_BAD_REQUEST', 'GET /ws is a WebSocket: send an upgrade request').toJSON());
    },
    wsHandler: function wsConnection(socket, request) {
      const user = users.get(request);
      if (!user) {
        opts.metrics?.wsRefused.inc({ reason: 'unauthenticated' });
        socket.close(1008, 'not authenticated');
        return;
      }
      // The upgrade's headers (its cookie) let the hub look the session up again while the socket lives.
      const headers = request.headers;
      const protocol = statedProtocol((request.query as Record<string, unknown> | undefined)?.[LIVE_PROTOCOL_PARAM]);
      hub.attach(socket, user, { reauthenticate: () => opts.authenticate({ headers }, RECHECK), protocol });
    },
  });
};

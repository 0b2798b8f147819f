// The OpenAPI 3.1 document of the dashboard's /api routes, generated from their JSON schemas by
// @fastify/swagger, served at GET /api/docs/openapi.json, with Swagger UI at GET /api/docs (its
// assets come from the package; nothing is fetched from the internet). Register it at the root
// before any /api route: fastify-swagger only sees routes added after it.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, RouteOptions } from 'fastify';
import { SESSION_COOKIE, CSRF_HEADER } from '../auth/index.js';
import { hoistNamedSchemas, type OpenApiDocument } from './openapi-components.js';

export type OpenApiOptions = {
  /** The version shown in the document (the package version). */
  readonly version?: string;
};

export const OPENAPI_JSON_PATH = '/api/docs/openapi.json';
export const DOCS_PREFIX = '/api/docs';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Swagger UI is our own origin's script and styles only (its inline style attributes need 'unsafe-inline'). */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

type TransformInput = { schema: Record<string, unknown> | undefined; url: string; route: RouteOptions };

/**
 * Only /api routes are documented (ingest has its own API-key docs in docs/events.md). A
 * state-changing route needs the CSRF header besides the session, unless it opted out of the
 * check (the sign-in, which needs neither).
 */
export function documentApiRoute({ schema, url, route }: TransformInput): { schema: Record<string, unknown>; url: string } {
  const documented: Record<string, unknown> = { ...(schema ?? {}) };
  if (!url.startsWith('/api/') || url.startsWith(`${DOCS_PREFIX}`)) return { schema: { ...documented, hide: true }, url };
  // a generated client's method names: the handler's own (alertFeed, createUser, …), unique by design
  const handlerName = typeof route.handler === 'function' ? route.handler.name : '';
  if (documented.operationId === undefined && /^[A-Za-z][A-Za-z0-9]*$/.test(handlerName)) documented.operationId = handlerName;
  if (documented.security === undefined) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const csrfOptOut = (route.config as { csrf?: boolean } | undefined)?.csrf === false;
    if (csrfOptOut) documented.security = [];
    else if (methods.some((m) => STATE_CHANGING.has(String(m).toUpperCase()))) documented.security = [{ session: [], csrf: [] }];
  }
  return { schema: documented, url };
}

const openApiPluginImpl: FastifyPluginAsync<OpenApiOptions> = async (app, opts) => {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'riskstream dashboard API',
        description:
          'The REST API of the riskstream dashboard. Sign in with POST /api/auth/login; the answer sets the ' +
          `\`${SESSION_COOKIE}\` session cookie and gives the CSRF token to send as \`${CSRF_HEADER}\` on every ` +
          'state-changing request. Errors are `{ error: { code, message, retryable, details? } }` with the codes of docs/errors.md.',
        version: opts.version ?? '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The HttpOnly session cookie set by POST /api/auth/login.' },
          csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER, description: 'The csrfToken of the login answer (or GET /api/auth/me); required on POST, PUT, PATCH and DELETE.' },
        },
      },
      servers: [{ url: '/', description: 'This riskstream process (the api role).' }],
      security: [{ session: [] }],
      tags: [
        { name: 'alerts', description: 'The alert feed and drill-down' },
        { name: 'accounts', description: 'Account view and counterparty network' },
        { name: 'kpis', description: 'Per-minute KPI history' },
        { name: 'credit', description: 'Credit decisions' },
        { name: 'system', description: 'Operations' },
      ],
    },
    transform: documentApiRoute as never,
    // titled schemas become components.schemas, referenced where they are used (openapi-components.ts)
    transformObject: (document) =>
      ('openapiObject' in document ? hoistNamedSchemas(structuredClone(document.openapiObject) as OpenApiDocument) : document.swaggerObject) as never,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true, validatorUrl: null },
    staticCSP: DOCS_CSP,
  });
  app.get(OPENAPI_JSON_PATH, { schema: { hide: true } }, async function openApiDocument() {
    return app.swagger();
  });
};

// Registered without encapsulation (what fastify-plugin does), so that the swagger decorator and its
// route collection live at the level it is registered on, normally the root.
export const openApiPlugin: FastifyPluginAsync<OpenApiOptions> = Object.assign(openApiPluginImpl, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'riskstream-openapi',
});

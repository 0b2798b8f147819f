// Composes the HTTP server from plugins. buildServer() returns the app; only the CLI listens,
// so tests use inject() without a port.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fieldErrorsOf } from './api/bad-request.js';
import { RiskstreamError, isRedisUnavailable, type Logger, type Metrics, type MetricsSnapshot } from '../../core/index.js';
import { healthPlugin, type HealthCheck } from './health.js';
import { createValidatorCompiler } from './request-validators.js';
import { PAGE_HEADERS, registerWebApp, type WebAppOptions } from './web-app.js';

export type ServerOptions = {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: HealthCheck;
  /** Metrics of the process's other threads, served merged at /metrics. */
  readonly threadMetrics?: () => readonly MetricsSnapshot[];
  /** Plugins of the roles this process runs (ingest, api, …), registered in order. */
  readonly plugins: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
  /** Serve the dashboard app at `/` from this folder (the api role). */
  readonly webApp?: WebAppOptions;
  /** Time and connection limits (tests shorten them; the defaults are for production). */
  readonly connectionLimits?: Partial<ConnectionLimits>;
};

export type ConnectionLimits = {
  /**
   * A request's headers and body must have arrived within this long of its first byte, or it is
   * answered 408 and its connection closed (a body trickled a byte at a time must not hold a
   * connection for ever). Waiting for the answer does not count (?wait=decision), nor does a
   * WebSocket once upgraded.
   */
  readonly requestTimeoutMs: number;
  /** The headers alone (and a new connection's first request) within this long. At most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** How often open connections are checked against the two timeouts (so a request is cut within timeout + this). */
  readonly checkIntervalMs: number;
  /** Connections open at once (WebSockets included); more are closed as they arrive. */
  readonly maxConnections: number;
  /**
   * A connection on which nothing moves for this long is destroyed: a client that stops reading
   * an answer (its socket buffer full) must not hold the connection and the answer's memory for
   * ever. Longer than any handler takes (ClickHouse queries give up after 60 s); an upgraded
   * WebSocket is not concerned (ws clears its socket's timeout).
   */
  readonly idleTimeoutMs: number;
};

/**
 * 60 s for a whole request fits the largest body (an 8 MiB batch on /v1/events:batch) at about
 * 1.1 Mbit/s; 20 s for headers, which are a few hundred bytes. 10,000 connections leave room for
 * the hub's 5,000 sockets besides HTTP clients, and keep the process well under its descriptor limit.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { requestTimeoutMs: 60_000, headersTimeoutMs: 20_000, checkIntervalMs: 5_000, maxConnections: 10_000, idleTimeoutMs: 120_000 };

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const app: FastifyInstance = Fastify({
    // Node applies requestTimeout only when headersTimeout is not longer, so both are set here, at creation.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // ids in paths: event ids of 128 characters percent-encoded, account ids of 128 characters of any script
    routerOptions: { maxParamLength: 2048 },
    trustProxy: false,
    // refused in our shape instead (refuseWhileClosing below): Fastify's own 503 has another body
    return503OnClosing: false,
    // what Node refuses before a request exists (too slow, headers too large, not HTTP), answered
    // in our shape where there is an answer to give
    clientErrorHandler: function clientError(error: Error & { code?: string }, socket) {
      if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const answer =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawAnswer(408, 'Request Timeout', new RiskstreamError('RS_ERR_REQUEST_TIMEOUT', `the request did not arrive whole within ${limits.requestTimeoutMs / 1000} s (its headers within ${Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 1000} s); send it again over a faster link or in smaller parts`))
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? rawAnswer(431, 'Request Header Fields Too Large', new RiskstreamError('RS_ERR_BAD_REQUEST', 'the request headers are too large'))
            : rawAnswer(400, 'Bad Request', new RiskstreamError('RS_ERR_BAD_REQUEST', 'the request is not valid HTTP/1.1'));
      socket.end(answer);
    },
    // the router's own refusals (a path that does not decode, a segment too long) in our shape
    frameworkErrors: function routerError(error, _request, reply) {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is longer than 2,048 characters' : 'the path is not valid percent-encoded UTF-8';
      const answer = new RiskstreamError('RS_ERR_BAD_REQUEST', message, { errors: [{ path: 'path', rule: 'url', message }] });
      void (reply as unknown as FastifyReply).code(answer.status).send(answer.toJSON());
    },
  });
  app.setValidatorCompiler(createValidatorCompiler());
  jsonBodiesOnly(app);
  let closing = false;
  app.addHook('preClose', function markClosing(done) {
    closing = true;
    done();
  });
  // A request that arrives while the server closes (on a kept-alive connection) is told to go
  // elsewhere, in the shape of every other error.
  app.addHook('onRequest', function refuseWhileClosing(_request, reply, done) {
    if (!closing) return done();
    void reply
      .code(503)
      .header('connection', 'close')
      .send(new RiskstreamError('RS_ERR_SHUTTING_DOWN', 'this riskstream process is shutting down; send the request again (to another instance, or once it is back)').toJSON());
  });
  app.server.maxConnections = limits.maxConnections;
  let lastDropLogged = 0;
  app.server.on('drop', function connectionDropped() {
    // once a minute: a flood of connections must not flood the log
    if (Date.now() - lastDropLogged < 60_000) return;
    lastDropLogged = Date.now();
    app.log.warn({ maxConnections: limits.maxConnections }, 'connection refused: too many open connections');
  });

  app.setErrorHandler(function handleError(error: FastifyError | RiskstreamError, request, reply) {
    if (error instanceof RiskstreamError) {
      if (error.status >= 500) request.log.warn({ code: error.code, detail: error.message }, 'request failed');
      return reply.code(error.status).send(error.toJSON());
    }
    if (isRedisUnavailable(error)) {
      request.log.warn({ detail: error.message }, 'request failed: Redis is not reachable');
      return reply.code(503).send(new RiskstreamError('RS_ERR_REDIS_UNAVAILABLE', `Redis did not answer (${error.message}); try again shortly`).toJSON());
    }
    const ingest = request.url.startsWith('/v1/events');
    const mapped = mapFastifyError(error, ingest, request.routeOptions.bodyLimit);
    // events refused before the gateway saw them (a body over the limit) count among the rejected too
    if (ingest && mapped.code === 'RS_ERR_INGEST_TOO_LARGE') options.metrics.eventsRejected.inc({ code: mapped.code });
    if (mapped.status >= 500) request.log.error({ err: error }, 'unexpected error');
    return reply.code(mapped.status).send(mapped.toJSON());
  });
  app.addHook('onSend', securityHeaders);
  await app.register(healthPlugin, { health: options.health, metrics: options.metrics, threadMetrics: options.threadMetrics });
  for (const plugin of options.plugins) await plugin(app);
  if (options.webApp) {
    app.setNotFoundHandler(await registerWebApp(app, options.webApp));
  } else {
    app.setNotFoundHandler(function notFound(request, reply) {
      return reply.code(404).send(new RiskstreamError('RS_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON());
    });
  }
  return app;
}

/** A whole HTTP/1.1 answer written straight to a socket (no request, so no Fastify reply), closing it. */
function rawAnswer(status: number, reason: string, error: RiskstreamError): string {
  const body = JSON.stringify(error.toJSON());
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

const PAGE_HEADERS_LIST = Object.entries(PAGE_HEADERS);

/**
 * On every answer: no content sniffing. On every HTML answer, however reached: the page's policy
 * (PAGE_HEADERS), where the route set none of its own. On JSON answers (alerts, accounts and decisions hold personal data) that set no
 * caching of their own: no-store, so that no browser or proxy cache keeps them.
 */
function securityHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  reply.header('x-content-type-options', 'nosniff');
  const type = reply.getHeader('content-type');
  if (typeof type === 'string') {
    if (type.startsWith('text/html')) {
      // a page with a policy of its own (Swagger UI at /api/docs) keeps it
      for (const [name, value] of PAGE_HEADERS_LIST) if (!reply.hasHeader(name)) reply.header(name, value);
    }
    else if (type.startsWith('application/json') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  }
  done(null, payload);
}

/** Fastify's own refusals as ours; broken JSON is an ingest error on the ingest routes (/v1/…), a bad request elsewhere (the dashboard's /api). */
/**
 * The body parsers of every route outside ingest (which has its own): JSON only, so that a
 * text/plain body is refused with 415 like any other type rather than handed to the route as a
 * string, and an empty JSON body reads as none, for the bodiless POSTs (sign-out, enrolment) that
 * a fetch wrapper sends with the JSON content type anyway. A route that needs a body says so in
 * its schema.
 */
function jsonBodiesOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function jsonOrNothing(request, body, done) {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

function mapFastifyError(error: FastifyError, ingest: boolean, bodyLimit: number | undefined): RiskstreamError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = bodyLimit === undefined ? 'the limit' : `${bodyLimit.toLocaleString('en-US')} bytes`;
      const errors = [{ path: 'body', rule: 'maxBytes', message: `must be at most ${limit}` }];
      return ingest
        ? new RiskstreamError('RS_ERR_INGEST_TOO_LARGE', `the body is larger than this route takes (${limit}); split a batch, or send one event per request`, { errors })
        : new RiskstreamError('RS_ERR_BODY_TOO_LARGE', `the body is larger than this route takes (${limit})`, { errors });
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ingest ? new RiskstreamError('RS_ERR_INGEST_MEDIA_TYPE') : new RiskstreamError('RS_ERR_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ingest
        ? new RiskstreamError('RS_ERR_INGEST_JSON', error.message)
        : new RiskstreamError('RS_ERR_BAD_REQUEST', `the body is not valid JSON: ${error.message}`, { errors: [{ path: 'body', rule: 'json', message: error.message }] });
    default:
      // a route's schema refused the request (the auth routes): the fields named as the data API names them
      if (error.validation) {
        const errors = fieldErrorsOf(error.validation, error.validationContext ?? 'body');
        const first = errors[0];
        return new RiskstreamError('RS_ERR_BAD_REQUEST', first ? `${first.path} ${first.message}` : error.message, { errors });
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return new RiskstreamError('RS_ERR_BAD_REQUEST', error.message);
      }
      return new RiskstreamError('RS_ERR_INTERNAL');
  }
}

// The HTTP ingest gateway: POST /v1/events, POST /v1/events:batch, GET /v1/decisions/:eventId.
// Every answer is JSON; every refusal names the field and the rule.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  EventId,
  RiskstreamError,
  jsonTextErrors,
  jsonTextErrorsByItem,
  validateEvent,
  type DecisionWire,
  type FieldError,
  type Metrics,
  type ValidatedEvent,
} from '../core/index.js';
import { RETRY_AFTER_SECONDS } from './backlog-gate.js';
import { INGEST_OPENAPI_PATH, ingestOpenApi } from './openapi.js';
import { DECIDED_BEFORE, type DecisionWaiters, type EventPublisher, type PublishResult } from './publisher.js';

/** What the gateway needs to answer GET /v1/decisions/:eventId. */
export interface DecisionReader {
  getDecision(eventId: string): Promise<DecisionWire | null>;
}

export type IngestPluginOptions = {
  /** The accepted ingest keys (one, or several while a key is rotated). */
  readonly apiKey: string | readonly string[];
  readonly publisher: EventPublisher;
  readonly waiters: DecisionWaiters;
  /** Answers duplicates sent with ?wait=decision from storage; absent when no role here reads it. */
  readonly decisions: DecisionReader | undefined;
  readonly metrics: Metrics;
  /** Admission: refuses new events while a stream holds too much unread (BacklogGate). */
  readonly gate?: { check(): void };
  /** Largest single event body, bytes. */
  readonly maxEventBytes?: number;
  /** Largest batch body, bytes, and most events in one batch. */
  readonly maxBatchBytes?: number;
  readonly maxBatchEvents?: number;
  /** The version the OpenAPI document at /v1/openapi.json shows (the package's). */
  readonly version?: string;
};

const DEFAULT_WAIT_MS = 200;

/**
 * Checks the x-api-key header against every accepted key (several while one is rotated), each in
 * constant time and all of them every time; throws RS_ERR_AUTH_API_KEY when none matches.
 */
export function apiKeyGuard(apiKeys: string | readonly string[]): (request: FastifyRequest) => void {
  const expected = (typeof apiKeys === 'string' ? [apiKeys] : apiKeys).map((k) => Buffer.from(k));
  if (expected.length === 0) throw new RangeError('apiKeyGuard needs at least one key');
  return function checkKey(request) {
    const given = request.headers['x-api-key'];
    const key = Buffer.from(typeof given === 'string' ? given : '');
    let match = false;
    for (const candidate of expected) {
      if (key.length === candidate.length && timingSafeEqual(key, candidate)) match = true;
    }
    if (!match) throw new RiskstreamError('RS_ERR_AUTH_API_KEY');
  };
}
const MAX_WAIT_MS = 5000;

export type BatchLine =
  | { line: number; id: string; status: 'accepted' | 'duplicate'; seq: number }
  | { line: number; id?: string; status: 'rejected'; code: string; errors: readonly FieldError[] };

export const ingestPlugin: FastifyPluginAsync<IngestPluginOptions> = async (app, opts) => {
  const maxEventBytes = opts.maxEventBytes ?? 64 * 1024;
  const maxBatchBytes = opts.maxBatchBytes ?? 8 * 1024 * 1024;
  const maxBatchEvents = opts.maxBatchEvents ?? 10_000;
  const guard = apiKeyGuard(opts.apiKey);
  // describes the API, holds no data: no key needed to read it
  const document = ingestOpenApi({ version: opts.version ?? '0.0.0', maxEventBytes, maxBatchBytes, maxBatchEvents, maxWaitMs: MAX_WAIT_MS });
  app.get(INGEST_OPENAPI_PATH, async function ingestOpenApiDocument() {
    return document;
  });
  /** Refused keys count among the rejected events, so that producers left behind by a key rotation show. */
  function checkKey(request: FastifyRequest): void {
    try {
      guard(request);
    } catch (error) {
      opts.metrics.eventsRejected.inc({ code: 'RS_ERR_AUTH_API_KEY' });
      throw error;
    }
  }

  /** Refuses the request while the gate is shut: 503 with Retry-After, before its events are parsed. */
  function admit(reply: FastifyReply): void {
    try {
      opts.gate?.check();
    } catch (error) {
      opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_BACKLOG' });
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      throw error;
    }
  }

  /**
   * Before the body is read: the key, the gate, and what the body says it is. A request without a
   * valid key never has its body read, and a compressed or non-UTF-8 body is refused by name
   * rather than parsed as garbage.
   */
  async function screen(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    checkKey(request);
    admit(reply);
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== '' && encoding !== 'identity') {
      opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_MEDIA_TYPE' });
      throw new RiskstreamError('RS_ERR_INGEST_MEDIA_TYPE', `content-encoding ${encoding} is not accepted: send the body uncompressed`);
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(request.headers['content-type'] ?? ''))?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_MEDIA_TYPE' });
      throw new RiskstreamError('RS_ERR_INGEST_MEDIA_TYPE', `charset ${charset} is not accepted: send UTF-8`);
    }
  }

  // Bodies arrive as bytes: we decode (strictly: broken UTF-8 is refused, not replaced) and parse
  // them ourselves, to answer broken input with our own error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson', 'application/ndjson', 'text/plain'],
    { parseAs: 'buffer', bodyLimit: maxBatchBytes },
    (_req, body, done) => {
      try {
        done(null, strictUtf8.decode(body as Buffer));
      } catch {
        opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_JSON' });
        done(
          new RiskstreamError('RS_ERR_INGEST_JSON', 'the body is not valid UTF-8', { errors: [{ path: '', rule: 'utf8', message: 'the body is not valid UTF-8' }] }),
          undefined,
        );
      }
    },
  );
  app.addContentTypeParser('*', (_req, _payload, done) => {
    opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_MEDIA_TYPE' });
    done(new RiskstreamError('RS_ERR_INGEST_MEDIA_TYPE', 'send application/json (one event or an array) or application/x-ndjson'), undefined);
  });

  function reject(code: 'RS_ERR_INGEST_SCHEMA' | 'RS_ERR_INGEST_JSON', errors: readonly FieldError[]): never {
    opts.metrics.eventsRejected.inc({ code });
    throw new RiskstreamError(code, describeErrors(errors), { errors });
  }

  /** A request refused for its query string: its events are refused too, and counted so. */
  function refuseQuery(message: string, errors: readonly FieldError[]): never {
    opts.metrics.eventsRejected.inc({ code: 'RS_ERR_BAD_REQUEST' });
    throw new RiskstreamError('RS_ERR_BAD_REQUEST', message, { errors });
  }

  async function publishOrFail(event: ValidatedEvent, replyTo?: string): Promise<PublishResult> {
    try {
      return await opts.publisher.publish(event, 'http', replyTo);
    } catch (error) {
      opts.metrics.eventsRejected.inc({ code: 'RS_ERR_BUS_UNAVAILABLE' });
      throw new RiskstreamError('RS_ERR_BUS_UNAVAILABLE', `the event bus did not acknowledge the event: ${(error as Error).message}`);
    }
  }

  app.post<{ Querystring: { wait?: string; timeoutMs?: string } }>(
    '/v1/events',
    { bodyLimit: maxEventBytes, onRequest: screen },
    async function postEvent(request, reply) {
      const value = parseJson(request.body, reject);
      const result = validateEvent(value, randomUUID);
      const textErrors = jsonTextErrors(request.body as string, value);
      if (!result.ok || textErrors.length > 0) return reject('RS_ERR_INGEST_SCHEMA', [...textErrors, ...(result.ok ? [] : result.errors)]);
      const event = result.event;
      // a misspelt parameter (?wiat=decision) would otherwise be an answer without the wait asked for
      const unknown = Object.keys((request.query ?? {}) as Record<string, unknown>).filter((name) => name !== 'wait' && name !== 'timeoutMs');
      if (unknown.length > 0) {
        refuseQuery(
          `query.${unknown[0]} is not a parameter of POST /v1/events (it takes wait=decision and timeoutMs)`,
          unknown.map((name) => ({ path: `query.${name}`, rule: 'unknown_parameter', message: 'POST /v1/events takes wait and timeoutMs only' })),
        );
      }
      const wait = request.query.wait;
      if (wait !== undefined && wait !== 'decision') {
        refuseQuery('wait must be "decision"', [{ path: 'query.wait', rule: 'enum', message: 'must be decision' }]);
      }
      const timeoutMs = parseTimeout(request.query.timeoutMs, refuseQuery);
      if (wait !== 'decision') {
        if (request.query.timeoutMs !== undefined) {
          refuseQuery('timeoutMs is for wait=decision', [{ path: 'query.timeoutMs', rule: 'dependency', message: 'only with wait=decision' }]);
        }
        const published = await publishOrFail(event);
        return reply.code(202).send({ id: published.id, status: published.duplicate ? 'duplicate' : 'accepted', seq: published.seq });
      }
      const deadline = performance.now() + timeoutMs;
      const waiter = opts.waiters.wait(timeoutMs);
      let published: PublishResult;
      try {
        published = await publishOrFail(event, waiter.replyTo);
      } catch (error) {
        waiter.cancel();
        throw error;
      }
      let decision: DecisionWire | null = null;
      // JetStream recognises a copy sent within its duplicate window, the processor one sent
      // later (within the feature store's marker TTL): either way the first copy's decision is
      // (or will be) stored, and the event is not decided twice.
      let duplicate = published.duplicate;
      if (duplicate) {
        waiter.cancel();
      } else {
        const answer = await waiter.decision;
        if (answer === DECIDED_BEFORE) duplicate = true;
        else decision = answer;
      }
      // a copy's decision is read from storage, which may hold it only a moment later
      if (duplicate) decision = await storedDecision(opts.decisions, published.id, deadline);
      if (decision) return reply.code(200).send({ id: published.id, status: 'decided', duplicate, decision });
      return reply
        .code(202)
        .header('location', `/v1/decisions/${encodeURIComponent(published.id)}`)
        .send({ id: published.id, status: duplicate ? 'duplicate' : 'accepted', seq: published.seq, decision: null });
    },
  );

  app.post('/v1/events:batch', { bodyLimit: maxBatchBytes, onRequest: screen }, async function postBatch(request, reply) {
    // a batch takes no parameter: ?wait=decision here would be a wait that never happens
    const parameters = Object.keys((request.query ?? {}) as Record<string, unknown>);
    if (parameters.length > 0) {
      refuseQuery(
        `query.${parameters[0]} is not a parameter of the batch route (wait=decision is for POST /v1/events)`,
        parameters.map((name) => ({ path: `query.${name}`, rule: 'unknown_parameter', message: 'the batch route takes no query parameters' })),
      );
    }
    const contentType = String(request.headers['content-type'] ?? '');
    const items = splitBatch(String(request.body ?? ''), contentType, maxBatchEvents, reject);
    if (items.length === 0) throw new RiskstreamError('RS_ERR_INGEST_BATCH_EMPTY');
    if (items.length > maxBatchEvents) {
      throw new RiskstreamError('RS_ERR_INGEST_BATCH_TOO_MANY', `the batch holds ${items.length} events; at most ${maxBatchEvents} are allowed`);
    }
    const lines: BatchLine[] = new Array(items.length);
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const line = item.line;
      if (item.error) {
        opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_JSON' });
        lines[i] = { line, status: 'rejected', code: 'RS_ERR_INGEST_JSON', errors: [item.error] };
        continue;
      }
      const result = validateEvent(item.value, randomUUID);
      if (!result.ok || item.textErrors.length > 0) {
        opts.metrics.eventsRejected.inc({ code: 'RS_ERR_INGEST_SCHEMA' });
        const id = (item.value as { id?: unknown } | null)?.id;
        const errors = [...item.textErrors, ...(result.ok ? [] : result.errors)];
        lines[i] = { line, ...(typeof id === 'string' ? { id } : {}), status: 'rejected', code: 'RS_ERR_INGEST_SCHEMA', errors };
        continue;
      }
      const event = result.event;
      pending.push(
        opts.publisher.publish(event, 'http').then(
          (published) => {
            lines[i] = { line, id: published.id, status: published.duplicate ? 'duplicate' : 'accepted', seq: published.seq };
          },
          (error: unknown) => {
            opts.metrics.eventsRejected.inc({ code: 'RS_ERR_BUS_UNAVAILABLE' });
            lines[i] = {
              line,
              id: event.id,
              status: 'rejected',
              code: 'RS_ERR_BUS_UNAVAILABLE',
              errors: [{ path: '', rule: 'bus', message: `not acknowledged by the bus: ${(error as Error).message}; send it again` }],
            };
          },
        ),
      );
    }
    await Promise.all(pending);
    const accepted = lines.filter((l) => l.status !== 'rejected').length;
    return reply.code(batchStatus(lines, accepted)).send({ accepted, rejected: lines.length - accepted, results: lines });
  });

};

/**
 * The batch answer's status: 202 all accepted, 207 some; with none accepted, 400 only when every
 * line was the sender's fault — when the bus refused any, 503, so that a client does not take a
 * NATS outage for bad input and drop the batch.
 */
export function batchStatus(lines: readonly BatchLine[], accepted: number): 202 | 207 | 400 | 503 {
  if (accepted === lines.length) return 202;
  if (accepted > 0) return 207;
  return lines.some((l) => l.status === 'rejected' && l.code === 'RS_ERR_BUS_UNAVAILABLE') ? 503 : 400;
}


/** Strict: a body that is not UTF-8 is refused instead of having its bad bytes replaced. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** How often a duplicate's waiting caller looks for the first copy's decision in storage. */
const STORED_DECISION_POLL_MS = 100;

/**
 * The stored decision of an event, looked for until the deadline (performance.now() ms): a copy
 * sent while the first was being decided finds it once storage has it. Null when none by then,
 * or when no role here reads storage.
 */
async function storedDecision(reader: DecisionReader | undefined, eventId: string, deadline: number): Promise<DecisionWire | null> {
  if (!reader) return null;
  for (;;) {
    const decision = await reader.getDecision(eventId).catch(() => null);
    const left = deadline - performance.now();
    if (decision || left <= 0) return decision;
    await new Promise((resolve) => setTimeout(resolve, Math.min(STORED_DECISION_POLL_MS, left)));
  }
}

function parseTimeout(raw: string | undefined, refuse: (message: string, errors: readonly FieldError[]) => never): number {
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const value = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_WAIT_MS) {
    refuse(`timeoutMs must be an integer from 1 to ${MAX_WAIT_MS}`, [{ path: 'query.timeoutMs', rule: 'range', message: `must be 1..${MAX_WAIT_MS}` }]);
  }
  return value;
}

function parseJson(body: unknown, reject: (code: 'RS_ERR_INGEST_JSON', errors: readonly FieldError[]) => never): unknown {
  if (typeof body !== 'string' || body.length === 0) {
    return reject('RS_ERR_INGEST_JSON', [{ path: '', rule: 'json', message: 'the body is empty; send one event as a JSON object' }]);
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    return reject('RS_ERR_INGEST_JSON', [{ path: '', rule: 'json', message: (error as Error).message }]);
  }
}

const NO_FIELD_ERRORS: readonly FieldError[] = Object.freeze([]);
const EVENT_ID = new RegExp(EventId.pattern!);

/** A batch's event as parsed, with what its text holds that the parsed value hides (jsonTextErrors); or why it is not JSON. */
type BatchItem = { line: number; value: unknown; textErrors: readonly FieldError[]; error?: undefined } | { line: number; value?: undefined; error: FieldError };

/** A JSON array, or NDJSON (one event per line; blank lines ignored). */
function splitBatch(
  body: string,
  contentType: string,
  maxEvents: number,
  reject: (code: 'RS_ERR_INGEST_JSON', errors: readonly FieldError[]) => never,
): BatchItem[] {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  // the declared type decides; text/plain (or none) is read as an array when it starts like one
  const ndjson = type === 'application/x-ndjson' || type === 'application/ndjson';
  if (type === 'application/json' || (!ndjson && body.trimStart().startsWith('['))) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      return reject('RS_ERR_INGEST_JSON', [{ path: '', rule: 'json', message: (error as Error).message }]);
    }
    if (!Array.isArray(value)) {
      return reject('RS_ERR_INGEST_JSON', [{ path: '', rule: 'type', message: 'a JSON batch must be an array of events (or send application/x-ndjson)' }]);
    }
    // counted before the text is looked into: an oversized batch is refused as cheaply as before
    if (value.length > maxEvents) throw new RiskstreamError('RS_ERR_INGEST_BATCH_TOO_MANY', `the batch holds ${value.length} events; at most ${maxEvents} are allowed`);
    const textErrors = jsonTextErrorsByItem(body, value);
    return value.map((v: unknown, i: number) => ({ line: i + 1, value: v, textErrors: textErrors.get(i) ?? NO_FIELD_ERRORS }));
  }
  const items: BatchItem[] = [];
  const texts = body.split('\n');
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (text.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(text);
      items.push({ line: i + 1, value, textErrors: jsonTextErrors(text, value) });
    } catch (error) {
      items.push({ line: i + 1, error: { path: '', rule: 'json', message: (error as Error).message } });
    }
  }
  return items;
}

function describeErrors(errors: readonly FieldError[]): string {
  const first = errors[0];
  if (!first) return 'the event is not valid';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.path || 'body'}: ${first.message}${more}`;
}

export type { FastifyInstance, FastifyReply };

/**
 * GET /v1/decisions/:eventId in a process with the ingest role and not the api role: decisions are
 * read from storage, which only the api role reads. Answered 404 as any unknown path, but saying
 * where to ask, since this process's own 202s point there (`location`) and its OpenAPI lists it.
 */
export const decisionsElsewherePlugin: FastifyPluginAsync = async (app) => {
  app.get('/v1/decisions/:eventId', async function decisionsElsewhere(_request, reply) {
    return reply
      .code(404)
      .send(
        new RiskstreamError(
          'RS_ERR_NOT_FOUND',
          'this process has the ingest role and not the api role: decisions are read at the address of a riskstream process with the api role (GET /v1/decisions/:eventId there, with a key it accepts)',
        ).toJSON(),
      );
  });
};

/** GET /v1/decisions/:eventId, served by the api role. */
/** `retentionDays`: RISKSTREAM_RETENTION_DAYS, named in the 404 (events older than it are decided, not stored). */
export const decisionsPlugin: FastifyPluginAsync<{ apiKey: string | readonly string[]; decisions: DecisionReader; retentionDays?: number }> = async (app, opts) => {
  const notStored = opts.retentionDays === undefined ? '' : `; events whose time is more than ${opts.retentionDays} days old (RISKSTREAM_RETENTION_DAYS) are decided but never stored`;
  const checkKey = apiKeyGuard(opts.apiKey);
  app.get<{ Params: { eventId: string } }>('/v1/decisions/:eventId', async function getDecision(request, reply) {
    checkKey(request);
    // an id no event can have is a mistake to fix, not a decision to wait for (404 says retry)
    const id = request.params.eventId;
    if (!EVENT_ID.test(id) || id.length > EventId.maxLength!) {
      throw new RiskstreamError('RS_ERR_BAD_REQUEST', `params.eventId is not an event id: ${EventId.maxLength} characters at most, letters, digits and . _ : @ -, starting with a letter or digit`, {
        errors: [{ path: 'params.eventId', rule: 'pattern', message: 'must be an event id' }],
      });
    }
    let decision: DecisionWire | null;
    try {
      decision = await opts.decisions.getDecision(request.params.eventId);
    } catch (error) {
      throw new RiskstreamError('RS_ERR_STORAGE_UNAVAILABLE', `storage did not answer: ${(error as Error).message}`);
    }
    if (!decision) throw new RiskstreamError('RS_ERR_DECISION_NOT_FOUND', `no decision is stored for event ${request.params.eventId} (yet: a decision is stored about a second after it is made${notStored})`);
    return reply.send(decision);
  });
};

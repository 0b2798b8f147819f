// The OpenAPI 3.1 document of the ingest API (POST /v1/events, POST /v1/events:batch, GET
// /v1/decisions/:eventId), served at GET /v1/openapi.json, so that a bank can generate its client.
// Built from the same sources as the server: the event contracts' JSON schemas, the decision's field
// table (core/contracts/message-docs.ts) and the error codes (core/errors.ts). The ingest routes read
// their bodies themselves (strict UTF-8, NDJSON, duplicate keys), so the document is assembled here
// rather than generated from route schemas.
import { ACTIONS, ERRORS, EVENT_KINDS, EVENT_SCHEMAS, SEGMENTS, type ErrorCode, type EventKind } from '../core/index.js';
import { DECISION_FIELDS, DECISION_LATENCY_FIELDS, REASON_FIELDS, type MessageFieldDoc } from '../core/contracts/message-docs.js';

export const INGEST_OPENAPI_PATH = '/v1/openapi.json';

export type IngestOpenApiOptions = {
  readonly version: string;
  readonly maxEventBytes: number;
  readonly maxBatchBytes: number;
  readonly maxBatchEvents: number;
  /** The longest `?wait=decision` (timeoutMs), in ms. */
  readonly maxWaitMs: number;
};

type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The codes an ingest route can answer besides RS_ERR_INGEST_* (docs/errors.md). */
const ALSO_ANSWERED: readonly ErrorCode[] = [
  'RS_ERR_AUTH_API_KEY',
  'RS_ERR_BUS_UNAVAILABLE',
  'RS_ERR_DECISION_NOT_FOUND',
  'RS_ERR_STORAGE_UNAVAILABLE',
  'RS_ERR_REDIS_UNAVAILABLE',
  'RS_ERR_BAD_REQUEST',
  'RS_ERR_REQUEST_TIMEOUT',
  'RS_ERR_SHUTTING_DOWN',
  'RS_ERR_NOT_FOUND',
  'RS_ERR_INTERNAL',
];

/** `loan.missed_payment` → `LoanMissedPaymentEvent`. */
export function eventSchemaName(kind: EventKind): string {
  return `${kind.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Event`;
}

/** A field table's type words as JSON Schema. */
function fieldSchema(doc: MessageFieldDoc): JsonSchema {
  const words = doc.type.replace(' (optional)', '');
  const base: JsonSchema =
    words === 'Reason[]'
      ? { type: 'array', items: ref('Reason') }
      : words === 'integer or null'
        ? { type: ['integer', 'null'] }
        : { type: words };
  return { ...base, description: doc.description };
}

function objectOf(fields: Readonly<Record<string, MessageFieldDoc>>, description: string, overrides: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, doc] of Object.entries(fields)) {
    properties[name] = overrides[name] ?? fieldSchema(doc);
    if (!doc.type.includes('(optional)') && !doc.description.startsWith('Optional')) required.push(name);
  }
  return { type: 'object', description, properties, required };
}

const FIELD_ERROR: JsonSchema = {
  type: 'object',
  description: 'One problem, named by its place.',
  properties: {
    path: { type: 'string', description: 'JSON pointer into the event (`/debtor/accountId`), or `query.<name>`, `params.<name>`, `body`.' },
    rule: { type: 'string', description: 'The rule broken: `required`, `unknown_field`, `duplicate_key`, `type`, `enum`, `amount_scale`, … (docs/events.md).' },
    message: { type: 'string', description: 'The problem in words.' },
  },
  required: ['path', 'rule', 'message'],
};

function errorAnswer(codes: readonly string[]): JsonSchema {
  return {
    type: 'object',
    description: 'An error answer (docs/errors.md).',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: [...codes] },
          message: { type: 'string' },
          retryable: { type: 'boolean', description: 'Whether sending the same request again later can succeed.' },
          details: { type: 'object', properties: { errors: { type: 'array', items: ref('FieldError') } }, additionalProperties: true },
        },
        required: ['code', 'message', 'retryable'],
      },
    },
    required: ['error'],
  };
}

const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const RETRY_AFTER = { 'retry-after': { description: 'Seconds to wait before sending again (when riskstream is far behind).', schema: { type: 'integer', minimum: 1 } } };
/** What every route may answer besides its own: a request too slow to arrive. */
const ANY_ROUTE = {
  '408': error('The request did not arrive whole within 60 s (headers within 20 s); the connection is closed.'),
};

/** The document; the same object for the life of the process. */
export function ingestOpenApi(options: IngestOpenApiOptions): JsonSchema {
  const kinds: Record<string, JsonSchema> = {};
  const mapping: Record<string, string> = {};
  for (const kind of EVENT_KINDS) {
    // the TypeBox schema as plain JSON (its symbols dropped)
    kinds[eventSchemaName(kind)] = JSON.parse(JSON.stringify(EVENT_SCHEMAS[kind])) as JsonSchema;
    mapping[kind] = `#/components/schemas/${eventSchemaName(kind)}`;
  }
  const seq = { type: 'integer', description: 'The stream sequence of the message that carries the event (shared by the events of one envelope; the first copy’s for a duplicate).' };
  const accepted: JsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'The id you sent, or the UUID assigned when you sent none.' },
      status: { type: 'string', enum: ['accepted', 'duplicate'] },
      seq,
      decision: { type: 'null', description: 'With ?wait=decision only: the decision did not come within timeoutMs; read it at the `location` header.' },
    },
    required: ['id', 'status', 'seq'],
  };
  const decided: JsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      status: { const: 'decided' },
      duplicate: { type: 'boolean', description: 'The event was sent before: this is the first copy’s decision.' },
      decision: ref('Decision'),
    },
    required: ['id', 'status', 'duplicate', 'decision'],
  };
  const batchLine: JsonSchema = {
    oneOf: [
      { type: 'object', properties: { line: { type: 'integer' }, id: { type: 'string' }, status: { type: 'string', enum: ['accepted', 'duplicate'] }, seq }, required: ['line', 'id', 'status', 'seq'] },
      {
        type: 'object',
        properties: {
          line: { type: 'integer', description: 'The NDJSON line, or the place in the array, counted from 1.' },
          id: { type: 'string' },
          status: { const: 'rejected' },
          code: { type: 'string', enum: ['RS_ERR_INGEST_JSON', 'RS_ERR_INGEST_SCHEMA', 'RS_ERR_BUS_UNAVAILABLE'] },
          errors: { type: 'array', items: ref('FieldError') },
        },
        required: ['line', 'status', 'code', 'errors'],
      },
    ],
  };
  const batchAnswer: JsonSchema = {
    type: 'object',
    description: 'One result per event, in the order sent.',
    properties: { accepted: { type: 'integer' }, rejected: { type: 'integer' }, results: { type: 'array', items: ref('BatchLine') } },
    required: ['accepted', 'rejected', 'results'],
  };
  const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;

  return {
    openapi: '3.1.0',
    info: {
      title: 'riskstream ingest API',
      version: options.version,
      description:
        'Send payment, customer, loan and collateral events; get decisions. Every request carries the ingest key in `x-api-key`. ' +
        'Event fields: docs/events.md; errors and retries: docs/errors.md. `GET /v1/decisions/{eventId}` is served by processes with the api role.',
    },
    servers: [{ url: '/', description: 'This riskstream process.' }],
    security: [{ apiKey: [] }],
    paths: {
      '/v1/events': {
        post: {
          operationId: 'postEvent',
          summary: 'Send one event',
          description: `One event as a JSON object (at most ${kb(options.maxEventBytes)}). Answered once JetStream has stored it; with ?wait=decision, with its decision when it comes within timeoutMs.`,
          parameters: [
            { name: 'wait', in: 'query', required: false, schema: { type: 'string', enum: ['decision'] }, description: 'Wait for the decision (for callers that authorise payments in line).' },
            { name: 'timeoutMs', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: options.maxWaitMs, default: 200 }, description: 'How long to wait for the decision; only with wait=decision.' },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref('Event') } } },
          responses: {
            '200': json(decided, 'Decided within timeoutMs (wait=decision).'),
            '202': {
              ...json(accepted, 'Stored on the bus (and, with wait=decision, not decided within timeoutMs: a `location` header points to the decision).'),
              headers: { location: { description: 'With wait=decision and no decision yet: where to read it (`/v1/decisions/{eventId}`).', schema: { type: 'string' } } },
            },
            '400': error('Not JSON, or the event breaks its contract (details.errors names every field), or a bad query.'),
            '401': error('The x-api-key header is missing or wrong.'),
            '413': error(`The body is over ${kb(options.maxEventBytes)}.`),
            '415': error('Not application/json in UTF-8, or compressed.'),
            '503': { ...error('The bus did not acknowledge the event, riskstream is far behind (Retry-After), or the process is shutting down; send it again with the same id.'), headers: RETRY_AFTER },
            ...ANY_ROUTE,
          },
        },
      },
      '/v1/events:batch': {
        post: {
          operationId: 'postEventBatch',
          summary: 'Send a batch of events',
          description: `A JSON array or NDJSON (one event per line), at most ${options.maxBatchEvents.toLocaleString('en-US')} events and ${kb(options.maxBatchBytes)}. Answered line by line. No query parameters.`,
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { type: 'array', items: ref('Event'), maxItems: options.maxBatchEvents } },
              'application/x-ndjson': { schema: { type: 'string', description: 'One event per line; blank lines are skipped.' } },
            },
          },
          responses: {
            '202': json(ref('BatchAnswer'), 'Every event accepted (or a duplicate).'),
            '207': json(ref('BatchAnswer'), 'Some events accepted; `results` says why the others were refused.'),
            '400': { description: 'No event accepted (every refusal the sender’s), or the body is not a batch.', content: { 'application/json': { schema: { oneOf: [ref('BatchAnswer'), ref('Error')] } } } },
            '401': error('The x-api-key header is missing or wrong.'),
            '413': error(`More than ${options.maxBatchEvents.toLocaleString('en-US')} events, or over ${kb(options.maxBatchBytes)}.`),
            '415': error('Not application/json or application/x-ndjson in UTF-8, or compressed.'),
            '503': {
              description: 'The bus acknowledged none (send the batch again: ids make it safe), riskstream is far behind (Retry-After), or the process is shutting down.',
              content: { 'application/json': { schema: { oneOf: [ref('BatchAnswer'), ref('Error')] } } },
              headers: RETRY_AFTER,
            },
            ...ANY_ROUTE,
          },
        },
      },
      '/v1/decisions/{eventId}': {
        get: {
          operationId: 'getDecision',
          summary: 'The stored decision of an event',
          parameters: [{ name: 'eventId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$' } }],
          responses: {
            '200': json(ref('Decision'), 'The decision.'),
            '400': error('Not an event id.'),
            '401': error('The x-api-key header is missing or wrong.'),
            '404': error('No decision stored for the id (yet: storage has it about a second after it is made); retryable.'),
            '503': error('Storage did not answer, or the process is shutting down; retryable.'),
            ...ANY_ROUTE,
          },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The ingest key (RISKSTREAM_API_KEY; in demo mode generated and printed).' } },
      schemas: {
        Event: { oneOf: EVENT_KINDS.map((kind) => ref(eventSchemaName(kind))), discriminator: { propertyName: 'kind', mapping } },
        ...kinds,
        Decision: objectOf(DECISION_FIELDS, 'A decision (docs/events.md, Decisions).', {
          // the closed sets as the dashboard's DecisionView has them, so that one client type serves both
          v: { ...fieldSchema(DECISION_FIELDS.v), const: 1 },
          eventKind: { ...fieldSchema(DECISION_FIELDS.eventKind), enum: [...EVENT_KINDS] },
          segment: { ...fieldSchema(DECISION_FIELDS.segment), enum: [...SEGMENTS] },
          action: { ...fieldSchema(DECISION_FIELDS.action), enum: [...ACTIONS] },
          score: { ...fieldSchema(DECISION_FIELDS.score), minimum: 0, maximum: 1000 },
          latencyMs: objectOf(DECISION_LATENCY_FIELDS, 'How long this decision took, in milliseconds.'),
        }),
        Reason: objectOf(REASON_FIELDS, 'Why the score is what it is: one rule or model finding.'),
        BatchAnswer: batchAnswer,
        BatchLine: batchLine,
        FieldError: FIELD_ERROR,
        Error: errorAnswer(Object.keys(ERRORS).filter((code) => code.startsWith('RS_ERR_INGEST_') || ALSO_ANSWERED.includes(code as ErrorCode))),
      },
    },
  };
}

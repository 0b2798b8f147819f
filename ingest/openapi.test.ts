// The ingest API's OpenAPI document: every reference resolves, every event kind is there, and the
// documented schemas take what the server takes and gives (the docs' example events, a decision).
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../core/index.js';
import { EVENT_EXAMPLES } from '../core/contracts/examples.js';
import { decision } from '../storage/test-fixtures.js';
import { eventSchemaName, ingestOpenApi } from './openapi.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
const doc = ingestOpenApi({ version: '1.2.3', maxEventBytes: 65_536, maxBatchBytes: 8_388_608, maxBatchEvents: 10_000, maxWaitMs: 5000 });
type Doc = { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
const typed = doc as unknown as Doc;

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('ingest OpenAPI document', () => {
  it('describes the three routes with operation ids, and every $ref resolves', () => {
    expect(Object.keys(typed.paths)).toEqual(['/v1/events', '/v1/events:batch', '/v1/decisions/{eventId}']);
    const ids = Object.values(typed.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids).toEqual(['postEvent', 'postEventBatch', 'getDecision']);
    for (const target of refsIn(doc)) {
      expect(target.startsWith('#/components/schemas/'), target).toBe(true);
      expect(typed.components.schemas[target.slice('#/components/schemas/'.length)], target).toBeDefined();
    }
    for (const kind of EVENT_KINDS) expect(typed.components.schemas[eventSchemaName(kind)]).toBeDefined();
    expect(eventSchemaName('loan.missed_payment')).toBe('LoanMissedPaymentEvent');
  });

  it('takes the example events of docs/events.md and refuses a float amount; a decision fits its schema', () => {
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    ajv.addSchema({ $id: 'ingest', ...doc });
    const event = ajv.getSchema('ingest#/components/schemas/Event')!;
    for (const kind of EVENT_KINDS) {
      for (const example of EVENT_EXAMPLES[kind]) expect(event(example.event), `${kind}: ${JSON.stringify(event.errors)}`).toBe(true);
    }
    expect(event({ ...EVENT_EXAMPLES.payment[0]!.event, amount: 12.5 })).toBe(false);
    const decisionSchema = ajv.getSchema('ingest#/components/schemas/Decision')!;
    const sample = decision({ latencyMs: { processing: 2, total: 7 } }); // the runner rounds processing to whole ms
    expect(decisionSchema(sample), JSON.stringify(decisionSchema.errors)).toBe(true);
    expect(decisionSchema({ ...sample, score: 'high' })).toBe(false);
  });
});

// Property-based tests of the HTTP ingest gateway (Fastify inject, the real NATS): mutated events
// of every kind (test/event-mutations.ts) in single requests and in batches mixing good and bad
// lines, under every content type. Every answer is an acceptance or a documented 4xx in our error
// shape naming the field; accepted events are on the stream exactly once.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, splitEnvelopeText, type DecisionWire } from '../core/index.js';
import { brokenEventText, eventText, fuzzParams, type EventText } from '../test/event-mutations.js';
import { createHarness, type Harness } from '../test/harness.js';
import { decisionsPlugin } from './http.js';
import type { DecisionWaiters } from './publisher.js';
import { ingestTestApp } from './test-fixtures.js';

let h: Harness;
let app: FastifyInstance;
let waiters: DecisionWaiters;
const MAX_EVENT_BYTES = 16 * 1024;
const MAX_BATCH_EVENTS = 20;

/** Every id the gateway answered "accepted" for, and how often "duplicate". */
const accepted = new Map<string, number>();
const duplicates = new Set<string>();

// Every property runs twice: one bus message per event, and events grouped into envelopes (the default).
describe.each([
  ['one message per event', 1],
  ['events grouped', 64],
])('ingest fuzz, %s', (_mode, maxRecords) => {
  beforeAll(async () => {
    h = await createHarness();
    accepted.clear();
    duplicates.clear();
    // storage that holds one decision and fails for one id: the route's answers, not storage, are under test
    const storage = async (a: FastifyInstance) =>
      void (await a.register(decisionsPlugin, {
        apiKey: h.config.apiKey,
        decisions: {
          async getDecision(id: string) {
            if (id === 'storage-down') throw new Error('connection refused');
            return id === 'pay-0001' ? ({ eventId: id } as unknown as DecisionWire) : null;
          },
        },
        retentionDays: 30,
      }));
    ({ app, waiters } = await ingestTestApp(h, maxRecords, { maxEventBytes: MAX_EVENT_BYTES, maxBatchEvents: MAX_BATCH_EVENTS, more: [storage] }));
  });

  afterAll(async () => {
    waiters?.close();
    await app?.close();
    await h?.cleanup();
  });

  /** Content types a producer may send, with the status class each must lead to. */
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/JSON;charset="UTF-8"',
    'text/plain',
    'application/x-ndjson',
    'application/json; charset=latin1',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  );

  /** The body as sent: the event's text, sometimes grown past the limit or with bytes that are not UTF-8. */
  const body = fc.tuple(eventText, fc.constantFrom('as is', 'as is', 'as is', 'oversized', 'bad utf-8', 'bom')).map(([event, how]) => {
    const bytes = Buffer.from(event.text, 'utf8');
    if (how === 'oversized') return { event, how, payload: Buffer.concat([bytes, Buffer.from(' '.repeat(MAX_EVENT_BYTES))]) };
    if (how === 'bad utf-8') return { event, how, payload: Buffer.concat([bytes.subarray(0, 10), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(10)]) };
    if (how === 'bom') return { event, how, payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) };
    return { event, how, payload: bytes };
  });

  type ErrorAnswer = { error: { code: keyof typeof ERRORS; message: string; retryable: boolean; details?: { errors?: Array<{ path: string; rule: string; message: string }> } } };

  /** The answer is our error shape with a registered code whose status it has, and field errors (if any) are complete. */
  function expectErrorAnswer(status: number, answer: ErrorAnswer, allowed: readonly number[]): void {
    expect(allowed).toContain(status);
    expect(answer.error).toBeDefined();
    expect(ERRORS[answer.error.code]?.status).toBe(status);
    expect(answer.error.message).toEqual(expect.any(String));
    expect(answer.error.message.length).toBeGreaterThan(0);
    for (const e of answer.error.details?.errors ?? []) {
      expect(e).toEqual({ path: expect.any(String), rule: expect.any(String), message: expect.any(String) });
      expect(e.rule).not.toBe('');
    }
  }

  function noteAccepted(id: string, status: string): void {
    if (status === 'accepted') accepted.set(id, (accepted.get(id) ?? 0) + 1);
    else duplicates.add(id);
  }

  /** Query strings of POST /v1/events: none mostly, else right and wrong uses of wait and timeoutMs (short waits: nothing decides here). */
  const query = fc.oneof(
    { arbitrary: fc.constant(''), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        '?wait=decision&timeoutMs=1', '?wait=decision&timeoutMs=0', '?wait=decision&timeoutMs=5001', '?wait=decision&timeoutMs=1e3', '?wait=decision&timeoutMs=-1',
        '?wait=decision&timeoutMs=', '?wait=Decision', '?wait=', '?timeoutMs=5', '?wait=decision&wait=decision&timeoutMs=1', '?wait=decision&timeoutMs=1&timeoutMs=2',
        '?wait[]=decision', '?__proto__=x', '?wait=%FF', '?wait=decision&timeoutMs=%00',
      ),
      weight: 1,
    },
  );

  describe('ingest fuzz - single events', () => {
    it('answers every mutated request with 202 or a documented 4xx naming the field, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(body, contentType, query, async ({ event, how, payload }, type, search) => {
          const response = await app.inject({
            method: 'POST',
            url: `/v1/events${search}`,
            payload,
            headers: { 'x-api-key': h.config.apiKey, ...(type === '' ? {} : { 'content-type': type }) },
          });
          const answer = response.json();
          if (response.statusCode === 202) {
            expect(answer).toMatchObject({ id: expect.any(String), status: expect.stringMatching(/^(accepted|duplicate)$/), seq: expect.any(Number) });
            expect(search === '' || /^\?wait=decision&timeoutMs=1$/.test(search), `accepted with ${search}`).toBe(true);
            expect(how === 'as is' || how === 'bom').toBe(true);
            noteAccepted(answer.id, answer.status);
            return;
          }
          expectErrorAnswer(response.statusCode, answer, [400, 413, 415]);
          if (answer.error.code === 'RS_ERR_INGEST_SCHEMA') {
            // the message names the first field and its rule's text
            const first = answer.error.details!.errors![0]!;
            expect(answer.error.message.startsWith(`${first.path || 'body'}: ${first.message}`)).toBe(true);
          }
          if (how === 'oversized' && response.statusCode !== 415) expect(answer.error.code).toBe('RS_ERR_INGEST_TOO_LARGE');
          if (how === 'bad utf-8' && response.statusCode === 400) expect(answer.error.code).toBe('RS_ERR_INGEST_JSON');
        }),
        fuzzParams(150),
      );
    });

    it('refuses every event broken on purpose with a 400 that names the broken field', async () => {
      await fc.assert(
        fc.asyncProperty(brokenEventText, async (event: EventText) => {
          const response = await app.inject({ method: 'POST', url: '/v1/events', payload: event.text, headers: { 'x-api-key': h.config.apiKey, 'content-type': 'application/json' } });
          const oversized = Buffer.byteLength(event.text) > MAX_EVENT_BYTES;
          expect(response.statusCode).toBe(oversized ? 413 : 400);
          expectErrorAnswer(response.statusCode, response.json(), [400, 413]);
        }),
        fuzzParams(100),
      );
    });
  });

  describe('ingest fuzz - decisions', () => {
    const eventId = fc.oneof(
      fc.constantFrom('pay-0001', 'nobody', 'storage-down', 'a'.repeat(128), 'a'.repeat(129), '', '%00', '%FF', '%C3%28', '%2F', '..', 'a%20b', '-a', 'é', '%F0%9F%98%80'),
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
    );

    it('answers every event id with the decision or a documented 4xx or 503, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(eventId, fc.constantFrom('', '?x=1', '?wait=decision'), fc.boolean(), async (id, search, keyed) => {
          const response = await app.inject({ method: 'GET', url: `/v1/decisions/${id}${search}`, headers: keyed ? { 'x-api-key': h.config.apiKey } : {} });
          if (response.statusCode === 200) {
            expect(id).toBe('pay-0001');
            return;
          }
          expectErrorAnswer(response.statusCode, response.json(), [400, 401, 404, 503]);
          if (response.statusCode === 503) expect(response.json().error.code).toBe('RS_ERR_STORAGE_UNAVAILABLE');
        }),
        fuzzParams(100),
      );
    });
  });

  describe('ingest fuzz - batches', () => {
    const lines = fc.array(fc.oneof(eventText, brokenEventText), { minLength: 1, maxLength: MAX_BATCH_EVENTS });

    it('accounts for every line of an NDJSON batch mixing good and bad lines, in order', async () => {
      await fc.assert(
        fc.asyncProperty(lines, fc.constantFrom('\n', '\r\n'), async (events, newline) => {
          const texts = events.map((e) => e.text.replace(/[\r\n]/g, ' '));
          const response = await app.inject({
            method: 'POST',
            url: '/v1/events:batch',
            payload: texts.join(newline),
            headers: { 'x-api-key': h.config.apiKey, 'content-type': 'application/x-ndjson' },
          });
          const sent = texts.map((t, i) => ({ t, line: i + 1 })).filter(({ t }) => t.trim() !== '');
          if (sent.length === 0) {
            expectErrorAnswer(response.statusCode, response.json(), [400]);
            return;
          }
          expect([202, 207, 400]).toContain(response.statusCode);
          const answer = response.json() as { accepted: number; rejected: number; results: Array<{ line: number; id?: string; status: string; code?: string; errors?: unknown[] }> };
          expect(answer.results.map((r) => r.line)).toEqual(sent.map((s) => s.line));
          expect(answer.accepted + answer.rejected).toBe(sent.length);
          expect(answer.results.filter((r) => r.status !== 'rejected').length).toBe(answer.accepted);
          for (const result of answer.results) {
            if (result.status === 'rejected') {
              expect(['RS_ERR_INGEST_JSON', 'RS_ERR_INGEST_SCHEMA']).toContain(result.code);
              expect(result.errors!.length).toBeGreaterThan(0);
            } else noteAccepted(result.id!, result.status);
          }
          expect(response.statusCode).toBe(answer.accepted === sent.length ? 202 : answer.accepted > 0 ? 207 : 400);
        }),
        fuzzParams(40),
      );
    });

    it('accounts for every element of a JSON array batch, or refuses the array as a whole when it is no JSON', async () => {
      await fc.assert(
        fc.asyncProperty(lines, async (events) => {
          const text = `[${events.map((e) => e.text).join(',')}]`;
          const response = await app.inject({ method: 'POST', url: '/v1/events:batch', payload: text, headers: { 'x-api-key': h.config.apiKey, 'content-type': 'application/json' } });
          let parsed: unknown[] | undefined;
          try {
            parsed = JSON.parse(text) as unknown[];
          } catch {
            parsed = undefined;
          }
          if (parsed === undefined) {
            expectErrorAnswer(response.statusCode, response.json(), [400]);
            expect(response.json().error.code).toBe('RS_ERR_INGEST_JSON');
            return;
          }
          if (parsed.length === 0) {
            expect(response.json().error.code).toBe('RS_ERR_INGEST_BATCH_EMPTY');
            return;
          }
          if (parsed.length > MAX_BATCH_EVENTS) {
            expect(response.json().error.code).toBe('RS_ERR_INGEST_BATCH_TOO_MANY');
            return;
          }
          expect([202, 207, 400]).toContain(response.statusCode);
          const answer = response.json() as { accepted: number; results: Array<{ line: number; id?: string; status: string }> };
          expect(answer.results.map((r) => r.line)).toEqual(parsed.map((_, i) => i + 1));
          for (const result of answer.results) if (result.status !== 'rejected') noteAccepted(result.id!, result.status);
        }),
        fuzzParams(40),
      );
    });
  });

  describe('ingest fuzz - the stream', () => {
    it('holds every accepted event exactly once, and nothing else', async () => {
      expect(accepted.size).toBeGreaterThan(5); // the properties above must have accepted some, or this says nothing
      for (const [id, times] of accepted) expect(times, `"accepted" ${times} times: ${id}`).toBe(1);
      for (const id of duplicates) expect(accepted.has(id), `a duplicate of an event never accepted: ${id}`).toBe(true);
      const info = await h.bus.jsm.streams.info(h.names.streams.events);
      const ids: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq });
        if (message) for (const record of splitEnvelopeText(message.string())) ids.push((JSON.parse(record) as { id: string }).id);
      }
      expect(ids.length).toBe(accepted.size);
      expect(new Set(ids)).toEqual(new Set(accepted.keys()));
    });
  });
});

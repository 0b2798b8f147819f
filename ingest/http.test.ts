import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { DUPLICATE_REPLY, HEADER_REPLY } from '../core/index.js';
import { createHarness, payment, type Harness } from '../test/harness.js';
import { apiKeyGuard, batchStatus, decisionsElsewherePlugin, type BatchLine } from './http.js';
import type { DecisionWaiters } from './publisher.js';
import { ingestTestApp } from './test-fixtures.js';

let h: Harness;
let app: FastifyInstance;
let waiters: DecisionWaiters;

// Every test runs twice: one bus message per event, and events grouped into envelopes (the default).
describe.each([
  ['one message per event', 1],
  ['events grouped', 64],
])('ingest over HTTP, %s', (_mode, maxRecords) => {
  beforeAll(async () => {
    h = await createHarness();
    ({ app, waiters } = await ingestTestApp(h, maxRecords, { maxBatchEvents: 50 }));
  });

  afterAll(async () => {
    waiters?.close();
    await app?.close();
    await h?.cleanup();
  });

  function post(url: string, body: string, headers: Record<string, string> = {}) {
    return app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey, ...headers },
    });
  }

  async function streamMessages(): Promise<number> {
    const info = await h.bus.jsm.streams.info(h.names.streams.events);
    return info.state.messages;
  }

  describe('ingest - single events', () => {
    it('answers 202 once JetStream stored the event, on the subject of its kind and partition', async () => {
      const before = await streamMessages();
      const response = await post('/v1/events', JSON.stringify(payment('http-1')));
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ id: 'http-1', status: 'accepted' });
      expect(await streamMessages()).toBe(before + 1);
      const stored = (await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq: response.json().seq }))!;
      expect(stored.subject).toMatch(new RegExp(`^${h.namespace}\\.ev\\.payment\\.[0-3]$`));
      expect(stored.json<Record<string, unknown>>()).toMatchObject({ id: 'http-1', amount: '1250.00' });
      expect(stored.header.get('Rs-Ingest-Ts')).toMatch(/^\d+$/);
    });

    it('never creates a second event for a re-sent id', async () => {
      await post('/v1/events', JSON.stringify(payment('http-dup')));
      const before = await streamMessages();
      const again = await post('/v1/events', JSON.stringify(payment('http-dup')));
      expect(again.statusCode).toBe(202);
      expect(again.json().status).toBe('duplicate');
      expect(await streamMessages()).toBe(before);
    });

    it('assigns an id when the client gave none', async () => {
      const event = payment('x');
      delete event.id;
      const response = await post('/v1/events', JSON.stringify(event));
      expect(response.statusCode).toBe(202);
      expect(response.json().id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 202 with a location when no decision arrives in time', async () => {
      const response = await post('/v1/events?wait=decision&timeoutMs=50', JSON.stringify(payment('http-wait')));
      expect(response.statusCode).toBe(202);
      expect(response.headers.location).toBe('/v1/decisions/http-wait');
      expect(response.json()).toMatchObject({ status: 'accepted', decision: null });
    });

    it('answers "duplicate" when the processor recognises a copy of an event it decided earlier (re-sent after JetStream\'s window)', async () => {
      // Stands in for the processor: answers every waiting caller that the event was decided before.
      const sub = h.bus.nc.subscribe(`${h.namespace}.ev.>`, {
        callback: (_error, message) => {
          const replyTo = message.headers?.get(HEADER_REPLY);
          if (replyTo) h.bus.nc.publish(replyTo, DUPLICATE_REPLY);
        },
      });
      try {
        await h.bus.nc.flush();
        const response = await post('/v1/events?wait=decision&timeoutMs=5000', JSON.stringify(payment('http-decided-before')));
        expect(response.statusCode).toBe(202);
        expect(response.headers.location).toBe('/v1/decisions/http-decided-before');
        expect(response.json()).toMatchObject({ id: 'http-decided-before', status: 'duplicate', decision: null });
      } finally {
        sub.unsubscribe();
      }
    });

    const bad: Array<[string, string, Record<string, string>, number, string, string?]> = [
      ['broken JSON', '{"v":1,', {}, 400, 'RS_ERR_INGEST_JSON'],
      ['an empty body', '', {}, 400, 'RS_ERR_INGEST_JSON'],
      ['a float amount', JSON.stringify(payment('b1', { amount: 12.5 })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/amount'],
      ['a negative amount', JSON.stringify(payment('b2', { amount: '-1.00' })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/amount'],
      ['an unknown currency', JSON.stringify(payment('b3', { currency: 'ABC' })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/currency'],
      ['an unknown kind', JSON.stringify(payment('b4', { kind: 'refund' })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/kind'],
      ['a missing field', JSON.stringify(payment('b5', { creditor: undefined })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/creditor'],
      ['a wrong type', JSON.stringify(payment('b6', { debtor: 'ACC-1' })), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/debtor'],
      ['a field named twice', JSON.stringify(payment('b15')).replace('"accountId":', '"accountId":"ACC-X","accountId":'), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/debtor/accountId'],
      ['JSON nested deeper than any event', `{"v":1,"kind":"payment","x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, {}, 400, 'RS_ERR_INGEST_SCHEMA', ''],
      ['a lone surrogate', JSON.stringify(payment('b16')).replace('"accountId":"', '"accountId":"\\ud800'), {}, 400, 'RS_ERR_INGEST_SCHEMA', '/debtor/accountId'],
      ['an oversized body', JSON.stringify(payment('b7', { reference: 'x'.repeat(70_000) })), {}, 413, 'RS_ERR_INGEST_TOO_LARGE'],
      ['an unsupported media type', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'RS_ERR_INGEST_MEDIA_TYPE'],
      ['a missing API key', JSON.stringify(payment('b8')), { 'x-api-key': '' }, 401, 'RS_ERR_AUTH_API_KEY'],
      ['a wrong API key', JSON.stringify(payment('b9')), { 'x-api-key': 'not-the-key-at-all' }, 401, 'RS_ERR_AUTH_API_KEY'],
      ['a bad wait value', JSON.stringify(payment('b10')), {}, 400, 'RS_ERR_BAD_REQUEST'],
      ['a compressed body', JSON.stringify(payment('b12')), { 'content-encoding': 'gzip' }, 415, 'RS_ERR_INGEST_MEDIA_TYPE'],
      ['a charset other than UTF-8', JSON.stringify(payment('b13')), { 'content-type': 'application/json; charset=latin1' }, 415, 'RS_ERR_INGEST_MEDIA_TYPE'],
      ['a missing API key, before the body is read', JSON.stringify(payment('b14', { reference: 'x'.repeat(70_000) })), { 'x-api-key': '' }, 401, 'RS_ERR_AUTH_API_KEY'],
      ['a missing API key, before the media type is looked at', 'a=b', { 'x-api-key': '', 'content-type': 'application/x-www-form-urlencoded' }, 401, 'RS_ERR_AUTH_API_KEY'],
    ];
    it.each(bad)('refuses %s with a clear error', async (name, body, headers, status, code, path) => {
      const url = name === 'a bad wait value' ? '/v1/events?wait=forever' : '/v1/events';
      const response = await post(url, body, headers);
      expect(response.statusCode).toBe(status);
      const answer = response.json();
      expect(answer.error.code).toBe(code);
      expect(answer.error.message.length).toBeGreaterThan(5);
      if (path) {
        expect(answer.error.details.errors.map((e: { path: string }) => e.path)).toContain(path);
        expect(answer.error.message).toContain(path);
      }
      // a body over the limit is told the limit
      if (status === 413) expect(answer.error.message).toMatch(/larger than this route takes \(\d{2},\d{3} bytes\); split a batch/);
    });

    it('refuses a body that is not valid UTF-8 instead of replacing its bytes', async () => {
      const text = JSON.stringify(payment('b15', { debtor: { accountId: 'ACC-1', name: 'Ann LEE', country: 'US' } }));
      const bytes = Buffer.from(text);
      const at = bytes.indexOf('LEE');
      bytes[at] = 0xff;
      bytes[at + 1] = 0xfe;
      const response = await app.inject({ method: 'POST', url: '/v1/events', payload: bytes, headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'RS_ERR_INGEST_JSON', details: { errors: [{ rule: 'utf8' }] } });
    });

    it.each([['1e3'], ['0x10'], ['1.5'], [' 100'], ['0'], ['5001']])('refuses timeoutMs=%s: an integer from 1 to 5000 only', async (value) => {
      const response = await post(`/v1/events?wait=decision&timeoutMs=${encodeURIComponent(value)}`, JSON.stringify(payment('b16')));
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.errors[0]).toMatchObject({ path: 'query.timeoutMs', rule: 'range' });
    });

    it('refuses timeoutMs without wait=decision rather than ignoring it', async () => {
      const response = await post('/v1/events?timeoutMs=100', JSON.stringify(payment('b17')));
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.errors[0]).toMatchObject({ path: 'query.timeoutMs', rule: 'dependency' });
    });

    it('refuses a query parameter it does not take (a misspelt wait) rather than answering without the wait', async () => {
      const before = await streamMessages();
      for (const query of ['wiat=decision', 'wait[]=decision']) {
        const response = await post(`/v1/events?${query}`, JSON.stringify(payment(`b17-${query.length}`)));
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'RS_ERR_BAD_REQUEST', details: { errors: [{ path: `query.${query.split('=')[0]}`, rule: 'unknown_parameter' }] } });
      }
      expect(await streamMessages()).toBe(before);
    });

    it('counts the media types and sizes it refuses among the rejected events', async () => {
      const refused = async (code: string): Promise<number> => {
        const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        return Number(new RegExp(`^rs_events_rejected_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      };
      const before = await refused('RS_ERR_INGEST_MEDIA_TYPE');
      expect((await post('/v1/events', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(415);
      expect((await post('/v1/events', JSON.stringify(payment('b18')), { 'content-encoding': 'br' })).statusCode).toBe(415);
      expect(await refused('RS_ERR_INGEST_MEDIA_TYPE')).toBe(before + 2);
      const large = await refused('RS_ERR_INGEST_TOO_LARGE');
      expect((await post('/v1/events', JSON.stringify(payment('b19', { reference: 'x'.repeat(70_000) })))).statusCode).toBe(413);
      expect(await refused('RS_ERR_INGEST_TOO_LARGE')).toBe(large + 1);
      // refused for its query string: its event is refused too
      const query = await refused('RS_ERR_BAD_REQUEST');
      for (const [path, body] of [['/v1/events?wiat=decision', JSON.stringify(payment('b20'))], ['/v1/events?wait=decision&timeoutMs=0', JSON.stringify(payment('b21'))], ['/v1/events?timeoutMs=5', JSON.stringify(payment('b22'))], ['/v1/events:batch?wait=decision', JSON.stringify([payment('b23')])]] as const) {
        expect((await post(path, body)).statusCode, path).toBe(400);
      }
      expect(await refused('RS_ERR_BAD_REQUEST')).toBe(query + 4);
    });

    it('counts refused keys among the rejected events', async () => {
      const refused = async (): Promise<number> => {
        const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        return Number(/^rs_events_rejected_total\{code="RS_ERR_AUTH_API_KEY"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      };
      const before = await refused();
      expect((await post('/v1/events', JSON.stringify(payment('b11')), { 'x-api-key': 'a-key-left-behind-0001' })).statusCode).toBe(401);
      expect(await refused()).toBe(before + 1);
    });

        it('keeps serving after bad input', async () => {
      await post('/v1/events', '{{{{');
      const response = await post('/v1/events', JSON.stringify(payment('http-after-bad')));
      expect(response.statusCode).toBe(202);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/nothing' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('RS_ERR_NOT_FOUND');
    });
  });

  describe('ingest - its OpenAPI document', () => {
    it('serves GET /v1/openapi.json without a key (it describes the API, it holds no data)', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ openapi: '3.1.0', paths: { '/v1/events': { post: { operationId: 'postEvent' } } } });
    });
  });

  describe('ingest - batches', () => {
    it('accepts NDJSON and answers line by line, naming why refused lines were refused', async () => {
      const lines = [
        JSON.stringify(payment('batch-1')),
        '',
        JSON.stringify(payment('batch-2', { amount: '1.234' })),
        'not json',
        JSON.stringify(payment('batch-1')),
        JSON.stringify(payment('batch-3')),
      ].join('\n');
      const response = await post('/v1/events:batch', lines, { 'content-type': 'application/x-ndjson' });
      expect(response.statusCode).toBe(207);
      const body = response.json();
      expect(body.accepted).toBe(3);
      expect(body.rejected).toBe(2);
      expect(body.results).toEqual([
        expect.objectContaining({ line: 1, id: 'batch-1', status: expect.stringMatching(/accepted|duplicate/) }),
        expect.objectContaining({ line: 3, id: 'batch-2', status: 'rejected', code: 'RS_ERR_INGEST_SCHEMA', errors: [expect.objectContaining({ path: '/amount' })] }),
        expect.objectContaining({ line: 4, status: 'rejected', code: 'RS_ERR_INGEST_JSON' }),
        expect.objectContaining({ line: 5, id: 'batch-1', status: expect.stringMatching(/accepted|duplicate/) }),
        expect.objectContaining({ line: 6, id: 'batch-3', status: 'accepted' }),
      ]);
      const statuses = body.results.filter((r: { id?: string }) => r.id === 'batch-1').map((r: { status: string }) => r.status).sort();
      expect(statuses).toEqual(['accepted', 'duplicate']);
    });

    it('accepts a JSON array and answers 202 when every event was accepted', async () => {
      const response = await post('/v1/events:batch', JSON.stringify([payment('arr-1'), payment('arr-2')]));
      expect(response.statusCode).toBe(202);
      expect(response.json().accepted).toBe(2);
    });

    it('refuses the events of a batch that name a field twice, each with its own path (array and NDJSON)', async () => {
      const twice = (id: string) => JSON.stringify(payment(id)).replace('"amount":', '"amount":"99999.00","amount":');
      const array = await post('/v1/events:batch', `[${JSON.stringify(payment('dup-ok-1'))},${twice('dup-1')}]`);
      expect(array.statusCode).toBe(207);
      expect(array.json().results).toEqual([
        expect.objectContaining({ line: 1, id: 'dup-ok-1', status: 'accepted' }),
        expect.objectContaining({ line: 2, id: 'dup-1', status: 'rejected', code: 'RS_ERR_INGEST_SCHEMA', errors: [expect.objectContaining({ path: '/amount', rule: 'duplicate_key' })] }),
      ]);
      const ndjson = await post('/v1/events:batch', [twice('dup-2'), JSON.stringify(payment('dup-ok-2'))].join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(ndjson.json().results).toEqual([
        expect.objectContaining({ line: 1, id: 'dup-2', status: 'rejected', errors: [expect.objectContaining({ path: '/amount', rule: 'duplicate_key' })] }),
        expect.objectContaining({ line: 2, id: 'dup-ok-2', status: 'accepted' }),
      ]);
    });

    it('refuses query parameters, which a batch does not take (no wait for its decisions)', async () => {
      const response = await post('/v1/events:batch?wait=decision', JSON.stringify([payment('q-1')]));
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.errors).toEqual([expect.objectContaining({ path: 'query.wait', rule: 'unknown_parameter' })]);
    });

    it('answers 400 when no event of the batch was accepted', async () => {
      const response = await post('/v1/events:batch', JSON.stringify([payment('arr-x', { currency: 'usd' })]));
      expect(response.statusCode).toBe(400);
      expect(response.json().results[0].errors[0].path).toBe('/currency');
    });

    it('reads the declared type whatever its case, and NDJSON line by line even when a line starts like an array', async () => {
      const single = await post('/v1/events:batch', JSON.stringify(payment('case-1')), { 'content-type': 'Application/JSON' });
      expect(single.statusCode).toBe(400);
      expect(single.json().error.details.errors[0].rule).toBe('type');
      const lines = ['[garbage', JSON.stringify(payment('case-2'))].join('\n');
      const ndjson = await post('/v1/events:batch', lines, { 'content-type': 'application/x-ndjson' });
      expect(ndjson.statusCode).toBe(207);
      expect(ndjson.json().results).toEqual([
        expect.objectContaining({ line: 1, status: 'rejected', code: 'RS_ERR_INGEST_JSON' }),
        expect.objectContaining({ line: 2, id: 'case-2', status: 'accepted' }),
      ]);
    });

    it('refuses batches with too many events, empty batches, and non-array JSON', async () => {
      const many = Array.from({ length: 51 }, (_, i) => JSON.stringify(payment(`many-${i}`))).join('\n');
      expect((await post('/v1/events:batch', many, { 'content-type': 'application/x-ndjson' })).json().error.code).toBe('RS_ERR_INGEST_BATCH_TOO_MANY');
      expect((await post('/v1/events:batch', '\n\n', { 'content-type': 'application/x-ndjson' })).json().error.code).toBe('RS_ERR_INGEST_BATCH_EMPTY');
      expect((await post('/v1/events:batch', '{"v":1}')).statusCode).toBe(400);
    });
  });

  describe('ingest - health and metrics', () => {
    it('serves /healthz and /metrics', async () => {
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok', checks: { nats: { ok: true } } });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('rs_events_in_total{kind="payment",via="http"}');
      expect(metrics.body).toContain('rs_events_rejected_total{code="RS_ERR_INGEST_SCHEMA"}');
      // Grouped, the gateway reports how many events each bus message carried.
      if (maxRecords > 1) expect(metrics.body).toMatch(/rs_ingest_message_events_count [1-9]\d*/);
    });
  });
});

describe('ingest - the batch answer status', () => {
  const ok: BatchLine = { line: 1, id: 'a', status: 'accepted', seq: 1 };
  const bad: BatchLine = { line: 2, status: 'rejected', code: 'RS_ERR_INGEST_SCHEMA', errors: [] };
  const refused: BatchLine = { line: 3, id: 'c', status: 'rejected', code: 'RS_ERR_BUS_UNAVAILABLE', errors: [] };
  const status = (lines: BatchLine[]) => batchStatus(lines, lines.filter((l) => l.status !== 'rejected').length);

  it('is 202 when all are accepted, 207 when some are', () => {
    expect(status([ok, { ...ok, status: 'duplicate' }])).toBe(202);
    expect(status([ok, bad])).toBe(207);
    expect(status([ok, refused])).toBe(207);
  });

  it('is 400 only when every rejection is the sender’s to fix; 503 when the bus refused any', () => {
    expect(status([bad, bad])).toBe(400);
    expect(status([refused, refused])).toBe(503);
    expect(status([bad, refused])).toBe(503);
  });
});

describe('ingest - API keys', () => {
  const request = (key?: string) => ({ headers: key === undefined ? {} : { 'x-api-key': key } }) as unknown as FastifyRequest;

  it('accepts any of several keys while one is rotated, and nothing else', () => {
    const check = apiKeyGuard(['new-key-0000000000001', 'old-key-0000000000002']);
    expect(() => check(request('new-key-0000000000001'))).not.toThrow();
    expect(() => check(request('old-key-0000000000002'))).not.toThrow();
    for (const wrong of ['old-key-0000000000003', 'new-key-000000000000', '', undefined]) {
      expect(() => check(request(wrong))).toThrow(expect.objectContaining({ code: 'RS_ERR_AUTH_API_KEY' }));
    }
  });

  it('takes one key as before', () => {
    expect(() => apiKeyGuard('only-key-000000000001')(request('only-key-000000000001'))).not.toThrow();
    expect(() => apiKeyGuard([])).toThrow(RangeError);
  });
});

describe('ingest - decisions asked of a process without the api role', () => {
  it('answers 404 RS_ERR_NOT_FOUND saying that a process with the api role serves them', async () => {
    const app = Fastify();
    await app.register(decisionsElsewherePlugin);
    const res = await app.inject({ method: 'GET', url: '/v1/decisions/pay-0001' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RS_ERR_NOT_FOUND');
    // before: 'no route GET /v1/decisions/pay-0001', which read as a mistyped path
    expect(res.json().error.message).toMatch(/has the ingest role and not the api role: decisions are read at the address of a riskstream process with the api role/);
    await app.close();
  });
});

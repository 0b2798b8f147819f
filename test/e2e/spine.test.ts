// End to end: start the whole system as a process, send events over HTTP, check the decisions,
// the stored rows, the refusal of a second embedded-chDB process, and a clean stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, deleteKeysWithPrefix, deleteNamespace, names as namesOf, type ProcessHealthWire } from '../../core/index.js';
import { createClickHouse } from '../../storage/index.js';
import { childEnv, createHarness, eventually, payment, uniqueNamespace, type Harness } from '../harness.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

let h: Harness;
let system: RiskstreamProcess | undefined;


/** The streams and KV buckets a namespace has on the server. */
async function streamsOf(namespace: string): Promise<string[]> {
  const found: string[] = [];
  for await (const name of h.bus.jsm.streams.names()) if (name.startsWith(`${namespace.toUpperCase()}_`) || name.startsWith(`KV_${namespace}_`)) found.push(name);
  return found;
}

function post(path: string, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${system!.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-api-key': h.config.apiKey },
    body,
  });
}

beforeAll(async () => {
  h = await createHarness();
  system = await startRiskstream(childEnv(h));
}, 60_000);

afterAll(async () => {
  await system?.kill();
  await h?.cleanup();
});

describe('spine - end to end', () => {
  const batchIds = Array.from({ length: 300 }, (_, i) => `e2e-b-${i}`);

  it('answers /healthz with every dependency reachable', async () => {
    const response = await fetch(`${system!.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { checks: Record<string, { ok: boolean }> };
    expect(Object.keys(body.checks).sort()).toEqual(['clickhouse', 'jetstream', 'nats', 'processors', 'redis', 'writer']);
  });

  it('documents the sign-in and users routes\' answers in its OpenAPI document', async () => {
    const doc = (await (await fetch(`${system!.baseUrl}/api/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown; headers?: Record<string, unknown> }> }>> };
    expect(Object.keys(doc.paths['/api/auth/login']!.post!.responses).sort()).toEqual(['200', '400', '401', '413', '415', '429', '503']);
    expect(doc.paths['/api/auth/login']!.post!.responses['200']!.content).toBeDefined();
    // the headers a client needs: the cookie a sign-in sets, when to try again after a 429
    expect(Object.keys(doc.paths['/api/auth/login']!.post!.responses['200']!.headers ?? {})).toEqual(['set-cookie']);
    expect(Object.keys(doc.paths['/api/auth/login']!.post!.responses['429']!.headers ?? {})).toEqual(['retry-after']);
    expect(Object.keys(doc.paths['/api/auth/logout']!.post!.responses)).toContain('204');
    expect(Object.keys(doc.paths['/api/users']!.post!.responses).sort()).toEqual(['201', '400', '401', '403', '409', '413', '415', '503']);
    // a second factor already active: 409 RS_ERR_CONFLICT (auth-plugin.test.ts)
    expect(Object.keys(doc.paths['/api/auth/totp/enrol']!.post!.responses)).toContain('409');
    // named shapes for generated clients, each defined once (dashboard/server/api/openapi-components.ts)
    const schemaOf = (path: string, method: string, status: string) =>
      (doc.paths[path]![method]!.responses[status]!.content as Record<string, { schema: unknown }>)['application/json']!.schema;
    expect(schemaOf('/api/auth/login', 'post', '200')).toEqual({ $ref: '#/components/schemas/LoginAnswer' });
    expect(schemaOf('/api/auth/login', 'post', '429')).toEqual({ $ref: '#/components/schemas/ErrorAnswer' });
    expect(schemaOf('/api/users', 'post', '201')).toEqual({ $ref: '#/components/schemas/UserAnswer' });
    expect(schemaOf('/api/alerts', 'get', '200')).toEqual({ $ref: '#/components/schemas/AlertPageAnswer' });
    const login = doc.paths['/api/auth/login']!.post! as unknown as { requestBody: { content: Record<string, { schema: unknown }> } };
    expect(login.requestBody.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/LoginBody' });
    const components = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['Alert', 'Decision', 'ErrorAnswer', 'LoginAnswer', 'SessionUser', 'User', 'UserAnswer', 'UserListAnswer', 'TotpEnrolAnswer', 'CreateUserBody', 'PatchUserBody']));
    for (const [, name] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(components, name).toHaveProperty(name!);
  });

  it('decides a payment in line with ?wait=decision', async () => {
    const response = await post('/v1/events?wait=decision&timeoutMs=5000', JSON.stringify(payment('e2e-wait-1')));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; decision: Record<string, unknown> };
    expect(body.status).toBe('decided');
    expect(body.decision).toMatchObject({
      eventId: 'e2e-wait-1',
      eventKind: 'payment',
      accountId: 'ACC-1',
      amountMinor: 125000,
      currency: 'USD',
      action: expect.stringMatching(/^(allow|review|block)$/),
    });
    expect(body.decision.score).toBeGreaterThanOrEqual(0);
    expect(body.decision.score).toBeLessThanOrEqual(1000);
    expect(Object.keys(body.decision.models as object)).toContain('fraud_rules');
    expect((body.decision.latencyMs as { total: number }).total).toBeGreaterThanOrEqual(0);
  });

  it('blocks a burst that the velocity rules were made for', async () => {
    let last: { decision: { action: string; reasons: Array<{ code: string }> } } | undefined;
    for (let i = 0; i < 25; i++) {
      const response = await post(
        '/v1/events?wait=decision&timeoutMs=5000',
        JSON.stringify(payment(`e2e-burst-${i}`, {
          amount: '4900.00',
          debtor: { accountId: 'ACC-BURST', customerId: 'C-BURST', country: 'US' },
          creditor: { accountId: `ACC-NEW-${i}`, country: 'US' },
          device: { id: `dev-new-${i}`, ip: '198.51.100.9' },
        })),
      );
      last = (await response.json()) as typeof last;
    }
    expect(last!.decision.action).not.toBe('allow');
    expect(last!.decision.reasons.length).toBeGreaterThan(0);
  });

  it('accepts a batch and stores a decision for every event', async () => {
    const lines = batchIds.map((id, i) =>
      JSON.stringify(payment(id, { amount: `${10 + i}.50`, debtor: { accountId: `ACC-${i % 40}`, country: 'US' } })),
    );
    const messagesBefore = (await h.bus.jsm.streams.info(h.names.streams.events)).state.messages;
    const response = await post('/v1/events:batch', lines.join('\n'), 'application/x-ndjson');
    expect(response.status).toBe(202);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(batchIds.length);
    // The gateway puts the batch's events on the bus in envelopes of up to 64, not one message each.
    expect((await h.bus.jsm.streams.info(h.names.streams.events)).state.messages - messagesBefore).toBe(5);
    for (const id of [batchIds[0]!, batchIds[150]!, batchIds[299]!]) {
      const decision = await eventually(async () => {
        const r = await fetch(`${system!.baseUrl}/v1/decisions/${id}`, { headers: { 'x-api-key': h.config.apiKey } });
        return r.status === 200 ? ((await r.json()) as { eventId: string }) : undefined;
      }, 20_000, `the stored decision of ${id}`);
      expect(decision.eventId).toBe(id);
    }
  });

  it('answers concurrent in-line callers each with its own decision, their events travelling together', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `e2e-many-${i}`);
    const answers = await Promise.all(
      ids.map(async (id, i) => {
        const response = await post('/v1/events?wait=decision&timeoutMs=5000', JSON.stringify(payment(id, { amount: `${20 + i}.00`, debtor: { accountId: `ACC-MANY-${i}`, country: 'US' } })));
        return { status: response.status, body: (await response.json()) as { status: string; decision: { eventId: string; amountMinor: number } } };
      }),
    );
    for (let i = 0; i < ids.length; i++) {
      expect(answers[i]).toMatchObject({ status: 200, body: { status: 'decided', decision: { eventId: ids[i], amountMinor: (20 + i) * 100 } } });
    }
  });

  it('never decides a re-sent event twice', async () => {
    const response = await post('/v1/events?wait=decision&timeoutMs=2000', JSON.stringify(payment('e2e-wait-1')));
    const body = (await response.json()) as { status: string; duplicate: boolean };
    expect(body.duplicate).toBe(true);
  });

  it('answers copies of an event sent at the same moment each with the decision, once storage has it', async () => {
    const id = 'e2e-copies-1';
    const body = JSON.stringify(payment(id, { debtor: { accountId: 'ACC-COPIES', country: 'US' } }));
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const response = await post('/v1/events?wait=decision&timeoutMs=5000', body);
        return { status: response.status, body: (await response.json()) as { status: string; duplicate: boolean; decision: { eventId: string; decidedAt: string } | null } };
      }),
    );
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { status: 'decided', decision: { eventId: id } } });
    expect(answers.filter((a) => !a.body.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.decision!.decidedAt)).size).toBe(1);
  });

  it('serves the decision of an event whose id is as long as ids may be', async () => {
    const id = `e2e:long@${'x'.repeat(119)}`;
    expect(id).toHaveLength(128);
    const sent = await post('/v1/events?wait=decision&timeoutMs=5000', JSON.stringify(payment(id)));
    expect(sent.status).toBe(200);
    const location = sent.headers.get('location') ?? `/v1/decisions/${encodeURIComponent(id)}`;
    const decision = await eventually(async () => {
      const r = await fetch(`${system!.baseUrl}${location}`, { headers: { 'x-api-key': h.config.apiKey } });
      return r.status === 200 ? ((await r.json()) as { eventId: string }) : undefined;
    }, 20_000, 'the stored decision of the long id');
    expect(decision.eventId).toBe(id);
  });

  it('answers 404 for an unknown decision and 401 without a key', async () => {
    const missing = await fetch(`${system!.baseUrl}/v1/decisions/never-sent`, { headers: { 'x-api-key': h.config.apiKey } });
    expect(missing.status).toBe(404);
    // retryable, and saying why it may never come: events older than the retention are not stored
    expect(((await missing.json()) as { error: { retryable: boolean; message: string } }).error).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/^no decision is stored for event never-sent \(yet: .*more than \d+ days old \(RISKSTREAM_RETENTION_DAYS\) are decided but never stored\)$/),
    });
    const anonymous = await fetch(`${system!.baseUrl}/v1/decisions/e2e-wait-1`);
    expect(anonymous.status).toBe(401);
    // an id no event can have: a 400 to fix, not a 404 to retry
    for (const bad of ['has%20space', 'x'.repeat(129), '%F0%9F%98%80', '-leading']) {
      const refused = await fetch(`${system!.baseUrl}/v1/decisions/${bad}`, { headers: { 'x-api-key': h.config.apiKey } });
      expect(refused.status, bad).toBe(400);
      expect(((await refused.json()) as { error: { details: { errors: Array<{ path: string }> } } }).error.details.errors[0]!.path).toBe('params.eventId');
    }
  });

  it('exposes the pipeline in /metrics, the processors thread included', async () => {
    // The processors run in their own thread here (every role in one process) and report each second.
    const text = await eventually(async () => {
      const body = await (await fetch(`${system!.baseUrl}/metrics`)).text();
      return /rs_decisions_total\{kind="payment",action="\w+"\} \d+/.test(body) ? body : undefined;
    }, 10_000, 'decisions in /metrics');
    expect(text.match(/^rs_process_cpu_seconds_total /gm)?.length, 'process metrics once, not once per thread').toBe(1);
    expect(text).toContain('rs_stage_latency_seconds_bucket{le="0.025",stage="ingest_to_decision"}');
    expect(text).toContain('rs_writer_rows_total');
    // the series alerts are written on exist at 0 before their first count (Prometheus's increase() misses a series born at 1)
    expect(text).toMatch(/^rs_dead_lettered_total\{source="processors",code="RS_ERR_BUS_SCHEMA"\} 0$/m);
    expect(text).toMatch(/^rs_dead_lettered_total\{source="writer",code="RS_ERR_STORAGE_ROW"\} 0$/m);
    expect(text).toMatch(/^rs_duplicate_events_total\{kind="collateral.valuation"\} 0$/m);
    expect(text).toMatch(/^rs_writer_insert_failures_total\{table="events"\} 0$/m);
  });

  it('reports its health on the bus, with the processors thread\'s counters', async () => {
    const beats: ProcessHealthWire[] = [];
    const sub = h.bus.nc.subscribe(h.names.subjects.healthAll, { callback: (_e, m) => void beats.push(m.json<ProcessHealthWire>()) });
    try {
      const beat = await eventually(() => beats.find((b) => b.counters.decisions > 0), 10_000, 'a heartbeat with decisions');
      expect(beat.roles).toEqual(expect.arrayContaining(['ingest', 'processors', 'writer', 'api']));
      expect(beat.counters.rowsWritten).toBeGreaterThan(0);
      expect(beat.stages.batch_total ?? beat.stages.ingest_to_decision).toBeDefined();
    } finally {
      sub.unsubscribe();
    }
  });

  it('refuses a second process on the same embedded chDB folder, saying why', async () => {
    const second = await startRiskstream({ ...childEnv(h), PORT: '0' }, ['start', '--roles', 'writer'], false);
    const code = await new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(second.output()).toMatch(/CLICKHOUSE_URL/);
  });

  it('refused for the data folder, a start leaves nothing in its namespace (no streams reserving storage, no Redis keys)', async () => {
    const other = uniqueNamespace('spine');
    const otherNames = namesOf(other);
    const second = await startRiskstream({ ...childEnv(h), RISKSTREAM_NAMESPACE: other, PORT: '0' }, ['start'], false);
    const code = await new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    const otherBus = await connectBus(h.config.natsUrl, otherNames, 'test:spine-refused');
    try {
      expect(code).toBe(1);
      expect(second.output()).toMatch(/owned by process/);
      expect(await streamsOf(other)).toEqual([]);
      expect(await h.redis.keys(`${otherNames.redisPrefix}*`)).toEqual([]);
    } finally {
      await deleteNamespace(otherBus);
      await deleteKeysWithPrefix(h.redis, otherNames.redisPrefix);
      await otherBus.nc.close();
    }
  });

  it('stops cleanly on SIGTERM and leaves every row stored', async () => {
    expect(await system!.stop()).toBe(0);
    system = undefined;
    const ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database });
    try {
      const count = async (sql: string): Promise<number> => {
        const result = await ch.client.query({ query: sql, format: 'JSONEachRow' });
        const rows = (await result.json()) as Array<{ n: string | number }>;
        return Number(rows[0]?.n ?? 0);
      };
      const expected = batchIds.length + 1 + 25 + 40 + 2; // the batch, the in-line one, the burst, the concurrent callers, the copies and the long id
      expect(await count(`SELECT uniqExact(id) AS n FROM \`${h.names.database}\`.events`)).toBe(expected);
      expect(await count(`SELECT uniqExact(event_id) AS n FROM \`${h.names.database}\`.decisions`)).toBe(expected);
      expect(await count(`SELECT count() AS n FROM \`${h.names.database}\`.decisions FINAL`)).toBe(expected);
    } finally {
      await ch.close();
    }
  });
});

describe('spine - start-up failures', () => {
  // Its connection attempts give up after 3 s. The rest is the start of the process (and of its
  // processors thread), which a loaded 2-core host stretched to 12–14 s; one that went on retrying
  // would never stop, and is killed here rather than left behind.
  const STOPS_WITHIN_MS = 30_000;
  it.each([
    ['NATS', { NATS_URL: 'nats://127.0.0.1:1' }, /NATS is not reachable at nats:\/\/127\.0\.0\.1:1.*nats-server/s, ['start']],
    ['Redis', { REDIS_URL: 'redis://127.0.0.1:1' }, /Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*redis-server/s, ['start']],
    ['NATS (and Redis: both named)', { NATS_URL: 'nats://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' }, /NATS is not reachable at nats:\/\/127\.0\.0\.1:1.*nats-server.*\n.*Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*redis-server/s, ['start']],
    // the processors in a thread of their own (which connects to Redis itself): the main thread asks
    // Redis first, before it makes streams (how the thread's own failure crosses to the main thread:
    // processors/thread/processor-thread-host.test.ts)
    ['Redis (processors in a thread of their own)', { REDIS_URL: 'redis://127.0.0.1:1' }, /^riskstream: Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*redis-server/m, ['start', '--roles', 'processors,writer']],
    ['NATS and Redis (processors in a thread of their own: both named)', { NATS_URL: 'nats://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' }, /NATS is not reachable at nats:\/\/127\.0\.0\.1:1.*nats-server.*\n.*Redis is not reachable at redis:\/\/127\.0\.0\.1:1.*redis-server/s, ['start', '--roles', 'processors,writer']],
  ])('stops within seconds when %s is not reachable, naming it and how to start it', { timeout: 60_000 }, async (_name, override, message, args) => {
    // a data folder of each case's own: the system above holds the harness's until its last test
    // stops it, and a start opens ClickHouse first (so a run filtered with -t would fail on its lock)
    const own = mkdtempSync(join(tmpdir(), 'riskstream-spine-failure-'));
    try {
      const child = await startRiskstream({ ...childEnv(h), RISKSTREAM_DATA_DIR: own, ...override }, args, false);
      const exited = new Promise<number | null>((resolve) => child.child.once('exit', resolve));
      let timer: NodeJS.Timeout | undefined;
      const stillRunning = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), STOPS_WITHIN_MS)));
      const code = await Promise.race([exited, stillRunning]);
      clearTimeout(timer);
      if (code === 'still running') await child.kill();
      expect(code, child.output()).toBe(1);
      expect(child.output()).toMatch(message);
      expect(child.output()).not.toMatch(/\n\s+at /);
    } finally {
      // a failed run must not leave its data folder behind either
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('creates nothing in its namespace when Redis is not reachable, with the processors in a thread of their own (which connect to it themselves)', { timeout: 60_000 }, async () => {
    const other = uniqueNamespace('spine');
    const own = `${tmpdir()}/riskstream-spine-nothing-${process.pid}`;
    const child = await startRiskstream({ ...childEnv(h), RISKSTREAM_NAMESPACE: other, RISKSTREAM_DATA_DIR: own, REDIS_URL: 'redis://127.0.0.1:1' }, ['start', '--roles', 'processors,writer'], false);
    const code = await new Promise<number | null>((resolve) => child.child.once('exit', resolve));
    const otherBus = await connectBus(h.config.natsUrl, namesOf(other), 'test:spine-no-redis');
    try {
      expect(code, child.output()).toBe(1);
      expect(child.output()).toMatch(/^riskstream: Redis is not reachable at redis:\/\/127\.0\.0\.1:1/m);
      expect(await streamsOf(other)).toEqual([]);
    } finally {
      await deleteNamespace(otherBus);
      await otherBus.nc.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});

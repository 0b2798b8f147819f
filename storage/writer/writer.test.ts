// The writer against real NATS and chDB: storing, idempotence on re-delivery, dead letters, back-off, lag.
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, messageHeaders, type EventKind, type Metrics } from '../../core/index.js';
import { createHarness, deleteConsumer, eventually, payment, type Harness } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { createReadModels, type ReadModels } from '../read-models/index.js';
import { migrate } from '../schema/migrate.js';
import { numberOf, selectRows, type SqlClient } from '../sql.js';
import { alert, decision } from '../test-fixtures.js';
import { createWriter, writerProblem, type Writer, type WriterOptions, type WriterStatus } from './writer.js';

let h: Harness;
let ch: ClickHouse;
let reads: ReadModels;
let writer: Writer | undefined;
let metrics: Metrics;
const logger = createLogger('silent');
let republish = 0;

function startWriter(overrides: Partial<WriterOptions> = {}): Writer {
  const w = createWriter({ bus: h.bus, client: ch.client, names: h.names, metrics, logger, maxWaitMs: 100, lagPollMs: 100, retentionDays: 30, ...overrides });
  return w;
}

beforeAll(async () => {
  h = await createHarness();
  ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database });
  await migrate(ch.client, { database: h.names.database, retentionDays: 30 });
  reads = createReadModels(ch.client, h.names.database);
  metrics = createMetrics();
  writer = startWriter();
  await writer.start();
});

afterAll(async () => {
  await writer?.drain();
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${h.names.database}\`` });
  await ch.close();
  await h.cleanup();
});

/** Publishes with a fresh Nats-Msg-Id each time, so that JetStream's own dedup does not hide a re-publish. */
async function publish(subject: string, body: unknown, ingestTs?: number): Promise<void> {
  republish++;
  await h.bus.js.publish(subject, typeof body === 'string' ? body : JSON.stringify(body), {
    msgID: `test-${republish}`,
    headers: messageHeaders(ingestTs),
  });
}

const eventSubject = (kind: EventKind = 'payment') => h.names.eventSubject(kind, 0);

async function one(sql: string): Promise<Record<string, unknown>> {
  const rows = await selectRows<Record<string, unknown>>(ch.client, sql.replaceAll('{db}', `\`${h.names.database}\``));
  return rows[0] ?? {};
}

async function totals(): Promise<Record<string, number | string>> {
  const events = await one('SELECT count() AS n FROM {db}.events');
  const decisions = await one('SELECT count() AS n FROM {db}.decisions');
  const alerts = await one('SELECT count() AS n FROM {db}.alerts');
  const em = await one('SELECT sum(events) AS n, toDecimalString(sum(amount_usd), 2) AS usd FROM {db}.events_minute');
  const dm = await one('SELECT sum(decisions) AS n, sum(blocked) AS blocked, toDecimalString(sum(blocked_amount_usd), 2) AS blocked_usd FROM {db}.decisions_minute');
  const am = await one('SELECT sum(alerts) AS n FROM {db}.alerts_minute');
  return {
    events: numberOf(events.n),
    decisions: numberOf(decisions.n),
    alerts: numberOf(alerts.n),
    eventsMinute: numberOf(em.n),
    eventsUsd: String(em.usd),
    decisionsMinute: numberOf(dm.n),
    blocked: numberOf(dm.blocked),
    blockedUsd: String(dm.blocked_usd),
    alertsMinute: numberOf(am.n),
  };
}

const now = Date.now();
const EVENTS = ['w-1', 'w-2', 'w-3'].map((id, i) => payment(id, { amount: `${100 + i}.25`, ts: new Date(now - 1000 * i).toISOString() }));
const CUSTOMER = { v: 1, kind: 'customer', id: 'w-c1', ts: new Date(now).toISOString(), customerId: 'C-1', type: 'individual', name: 'Ann Lee', segment: 'vip', riskRating: 'low', pep: false, country: 'DE' };
const DECISIONS = [
  decision({ eventId: 'w-1', eventTs: now, decidedAt: now + 5, action: 'allow', amountMinor: 10025, currency: 'USD' }),
  decision({ eventId: 'w-2', eventTs: now, decidedAt: now + 5, action: 'block', amountMinor: 10125, currency: 'USD' }),
  decision({ eventId: 'w-3', eventTs: now, decidedAt: now + 5, action: 'block', amountMinor: 10225, currency: 'USD' }),
];
const ALERT = alert({ id: 'w-al-1', eventId: 'w-2', ts: now, createdAt: now + 6 });

async function publishAll(): Promise<void> {
  for (const event of EVENTS) await publish(eventSubject(), event, now + 1);
  await publish(eventSubject('customer'), CUSTOMER);
  for (const d of DECISIONS) await publish(h.names.decisionSubject('payment'), d);
  await publish(h.names.alertSubject('aml'), ALERT);
}

const EXPECTED = {
  events: 4,
  decisions: 3,
  alerts: 1,
  eventsMinute: 4,
  eventsUsd: '303.75',
  decisionsMinute: 3,
  blocked: 2,
  blockedUsd: '203.50',
  alertsMinute: 1,
};

describe('writer', () => {
  it('writer - stores the events, decisions and alerts published on the streams, and their minute aggregates', async () => {
    await publishAll();
    await eventually(async () => ((await totals()).alertsMinute === 1 && (await totals()).events === 4 && (await totals()).decisions === 3 ? true : undefined), 20_000, 'rows stored');
    expect(await totals()).toEqual(EXPECTED);
    const row = await one("SELECT toString(amount) AS amount, amount_minor, currency, toUnixTimestamp64Milli(ingest_ts) AS ingest, channel, debtor_country FROM {db}.events WHERE id = 'w-2'");
    expect(row).toMatchObject({ amount: '101.25', currency: 'USD', channel: 'mobile', debtor_country: 'US' });
    expect(numberOf(row.ingest)).toBe(now + 1);
    expect(await reads.getDecision('w-2')).toEqual(DECISIONS[1]);
  });

  it('writer - a re-published event, decision or alert adds no row and no count', async () => {
    await publishAll(); // all of it again, with new message ids
    await publish(eventSubject(), payment('w-marker', { amount: '1.00' }));
    await eventually(async () => ((await totals()).events === 5 ? true : undefined), 20_000, 'the marker event');
    await eventually(() => (writer!.status().tables.find((t) => t.table === 'alerts')!.duplicatesSkipped >= 1 ? true : undefined), 20_000, 'the duplicate alert');
    await eventually(() => (writer!.status().tables.find((t) => t.table === 'decisions')!.duplicatesSkipped >= 3 ? true : undefined), 20_000, 'the duplicate decisions');
    expect(await totals()).toEqual({ ...EXPECTED, events: 5, eventsMinute: 5, eventsUsd: '304.75' });
    expect(writer!.status().tables.find((t) => t.table === 'events')!.duplicatesSkipped).toBeGreaterThanOrEqual(4);
  });

  it('writer - after a restart that delivers every message again, nothing is stored twice', async () => {
    await writer!.drain();
    const { streams, consumers } = h.names;
    // Deleting the durable consumers makes the next writer start from the first message of each stream.
    await deleteConsumer(h.bus, streams.events, consumers.writerEvents);
    await deleteConsumer(h.bus, streams.decisions, consumers.writerDecisions);
    await deleteConsumer(h.bus, streams.alerts, consumers.writerAlerts);
    writer = startWriter();
    await writer.start();
    await eventually(() => {
      const tables = writer!.status().tables;
      const done = (t: string, n: number) => tables.find((s) => s.table === t)!.duplicatesSkipped >= n;
      return done('events', 9) && done('decisions', 6) && done('alerts', 2) ? true : undefined;
    }, 20_000, 'the re-delivered messages');
    expect(await totals()).toEqual({ ...EXPECTED, events: 5, eventsMinute: 5, eventsUsd: '304.75' });
    expect(writer.status().tables.map((t) => t.rowsInserted)).toEqual([0, 0, 0, 0]);
  });

  it('writer - a message that cannot be stored lands in dead_letters with its reason, and is not retried', async () => {
    await publish(eventSubject(), '{"v":1,"kind":"payment"');
    await publish(eventSubject(), payment('w-bad', { amount: 12.5 }));
    await publish(h.names.decisionSubject('payment'), decision({ eventId: 'w-bad-2', score: 5000 }));
    await publish(h.names.dlqSubject('processors'), 'not a dead letter'); // dropped, never re-published
    const rows = await eventually(async () => {
      const found = await selectRows<{ code: string; reason: string; source: string; subject: string; payload: string }>(
        ch.client,
        `SELECT code, reason, source, subject, payload FROM \`${h.names.database}\`.dead_letters ORDER BY subject, code`,
      );
      return found.length >= 3 ? found : undefined;
    }, 20_000, 'three dead letters');
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.source === 'writer')).toBe(true);
    const decisionLetter = rows.find((r) => r.subject === h.names.decisionSubject('payment'));
    expect(decisionLetter).toMatchObject({ code: 'RS_ERR_BUS_SCHEMA' });
    expect(decisionLetter!.reason).toMatch(/^\/score must be an integer from 0 to 1000/);
    const events = rows.filter((r) => r.subject === eventSubject());
    expect(events.map((r) => r.code).sort()).toEqual(['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA']);
    expect(events.find((r) => r.code === 'RS_ERR_BUS_JSON')!.payload).toBe('{"v":1,"kind":"payment"');
    expect(events.find((r) => r.code === 'RS_ERR_BUS_SCHEMA')!.reason).toMatch(/\/amount/);
    await eventually(() => (writer!.status().tables.find((t) => t.table === 'dead_letters')!.dropped === 1 ? true : undefined), 10_000, 'the bad dead letter dropped');
    const status = writer!.status();
    expect(status.tables.find((t) => t.table === 'events')!.deadLettered).toBe(2);
    expect(status.tables.find((t) => t.table === 'decisions')!.deadLettered).toBe(1);
  });

  it('writer - reports no lag once everything is stored', async () => {
    const status = await eventually(() => {
      const s = writer!.status();
      return s.tables.every((t) => t.lagMessages === 0 && t.lagSeconds === 0) ? s : undefined;
    }, 15_000, 'zero lag');
    expect(status.running).toBe(true);
    const gauge = await metrics.writerLagMessages.get();
    expect(gauge.values.map((v) => [v.labels.table, v.value]).sort()).toEqual([['alerts', 0], ['dead_letters', 0], ['decisions', 0], ['events', 0]]);
  });

  it('writer - when ClickHouse fails it naks, backs off, and stores the batch once ClickHouse answers again', async () => {
    await writer!.drain();
    let failuresLeft = 3;
    const real = ch.client;
    const flaky: SqlClient = {
      query: real.query.bind(real),
      command: real.command.bind(real),
      insert: (async (params: Parameters<ClickHouseClient['insert']>[0]) => {
        if (failuresLeft-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
        return real.insert(params);
      }) as ClickHouseClient['insert'],
    };
    writer = startWriter({ client: flaky, backoff: { initialMs: 50, maxMs: 400 } });
    await writer.start();
    await publish(eventSubject(), payment('w-after-outage', { amount: '2.00' }));
    await eventually(async () => ((await totals()).events === 6 ? true : undefined), 20_000, 'the event stored after the outage');
    const events = writer.status().tables.find((t) => t.table === 'events')!;
    expect(events.failures).toBe(3);
    expect(events.lastError).toMatch(/ECONNREFUSED/);
    expect(events.backoffMs).toBe(0);
    expect(events.rowsInserted).toBe(1);
    expect((await totals()).eventsMinute).toBe(6);
  });

  it('writer - while ClickHouse answers but refuses every insert, it says since when and why, and clears once an insert succeeds', async () => {
    // A real refusal: with parts_to_throw_insert at 1, chDB refuses inserts into a table that
    // already holds a part (TOO_MANY_PARTS), as it does when merges fall behind or the disk fills.
    const events = `\`${h.names.database}\`.events`;
    await ch.client.command({ query: `ALTER TABLE ${events} MODIFY SETTING parts_to_throw_insert = 1` });
    try {
      const failuresBefore = await counterValue('rs_writer_insert_failures_total', 'events');
      const before = Date.now();
      await publish(eventSubject(), payment('w-refused', { amount: '3.00' }));
      const failing = await eventually(() => {
        const t = writer!.status().tables.find((s) => s.table === 'events')!;
        return t.failingSinceMs !== null ? t : undefined;
      }, 20_000, 'the refused insert');
      expect(failing.failingSinceMs!).toBeGreaterThanOrEqual(before);
      expect(failing.lastError).toMatch(/TOO_MANY_PARTS/);
      expect(await counterValue('rs_writer_insert_failures_total', 'events')).toBeGreaterThan(failuresBefore);
      // The other tables still insert, and the health check waits for more than a blip.
      expect(writer!.status().tables.filter((t) => t.failingSinceMs !== null).map((t) => t.table)).toEqual(['events']);
      expect(writerProblem(writer!.status(), Date.now())).toBeNull();
      const problem = writerProblem(writer!.status(), failing.failingSinceMs! + 45_000);
      expect(problem).toMatch(/^inserts into events failing for 45 s; rows wait on the streams; last error: .*TOO_MANY_PARTS/);
      await eventually(async () => ((await gaugeValue('rs_writer_failing_seconds', 'events')) > 0 ? true : undefined), 10_000, 'the failing gauge');
    } finally {
      await ch.client.command({ query: `ALTER TABLE ${events} RESET SETTING parts_to_throw_insert` });
    }
    const stored = async () => numberOf((await one("SELECT count() AS n FROM {db}.events WHERE id = 'w-refused'")).n);
    await eventually(async () => ((await stored()) === 1 ? true : undefined), 30_000, 'the refused event stored once inserts are allowed');
    // the row can be read a moment before the sink, back from its insert, clears its status
    await eventually(() => (writer!.status().tables.find((s) => s.table === 'events')!.failingSinceMs === null ? true : undefined), 5_000, 'the failing state cleared');
    expect(writerProblem(writer!.status(), Date.now() + 3_600_000)).toBeNull();
    await eventually(async () => ((await gaugeValue('rs_writer_failing_seconds', 'events')) === 0 ? true : undefined), 10_000, 'the failing gauge back at 0');
  });

  it('writer - a row already past the retention is acknowledged and not stored, nor counted in the minutes', async () => {
    const before = await totals();
    const events = () => writer!.status().tables.find((t) => t.table === 'events')!;
    const expiredBefore = events().expired;
    const old = new Date(now - 31 * 86_400_000).toISOString();
    const edge = new Date(now - 29 * 86_400_000).toISOString();
    await publish(eventSubject(), payment('w-expired', { amount: '7.00', ts: old }));
    await publish(h.names.decisionSubject('payment'), decision({ eventId: 'w-expired', eventTs: Date.parse(old), decidedAt: now, action: 'allow', amountMinor: 700, currency: 'USD' }));
    await publish(eventSubject(), payment('w-kept', { amount: '8.00', ts: edge }));
    await eventually(async () => ((await totals()).events === (before.events as number) + 1 ? true : undefined), 20_000, 'the event within the retention stored');
    await eventually(() => (events().expired === expiredBefore + 1 ? true : undefined), 10_000, 'the expired event counted');
    await eventually(() => (writer!.status().tables.find((t) => t.table === 'decisions')!.expired >= 1 ? true : undefined), 10_000, 'the expired decision counted');
    const after = await totals();
    expect(after.decisions).toBe(before.decisions);
    expect(after.eventsMinute).toBe((before.eventsMinute as number) + 1);
    expect(numberOf((await one("SELECT count() AS n FROM {db}.events WHERE id = 'w-expired'")).n)).toBe(0);
    // Acknowledged: nothing waits on the streams.
    await eventually(() => (writer!.status().tables.every((t) => t.lagMessages === 0) ? true : undefined), 10_000, 'no lag');
    expect(await counterValue('rs_writer_rows_expired_total', 'events')).toBeGreaterThanOrEqual(1);
  });
});

async function counterValue(name: string, table: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => v.labels.table === table)?.value ?? 0;
}

const gaugeValue = counterValue;

describe('writerProblem', () => {
  const status = (tables: Array<Partial<WriterStatus['tables'][number]> & { table: WriterStatus['tables'][number]['table'] }>): WriterStatus => ({
    type: 'writer_status',
    running: true,
    tables: tables.map((t) => ({
      lagSeconds: 0, lagMessages: 0, rowsInserted: 0, duplicatesSkipped: 0, expired: 0, deadLettered: 0, dropped: 0, failures: 0, backoffMs: 0, lastError: null, failingSinceMs: null,
      ...t,
    })),
  });

  it('writerProblem - nothing while every table inserts, or has failed for less than the grace', () => {
    expect(writerProblem(status([{ table: 'events' }, { table: 'decisions' }]), 100_000)).toBeNull();
    expect(writerProblem(status([{ table: 'events', failingSinceMs: 80_000, lastError: 'x' }]), 100_000)).toBeNull();
  });

  it('writerProblem - names every table failing past the grace, the longest time, and the last error on one line', () => {
    const problem = writerProblem(
      status([
        { table: 'events', failingSinceMs: 10_000, lastError: 'Code: 243. DB::Exception: Cannot reserve 1.00 MiB,\n not enough space. (NOT_ENOUGH_SPACE)' },
        { table: 'decisions', failingSinceMs: 40_000, lastError: 'Code: 243. (NOT_ENOUGH_SPACE)' },
        { table: 'alerts', failingSinceMs: 90_000, lastError: 'brief' },
      ]),
      100_000,
    );
    expect(problem).toBe(
      "inserts into events, decisions failing for 90 s; rows wait on the streams; ClickHouse's disk is full: free space on it (with embedded chDB, the data folder's), and what waits is stored; " +
        'last error: Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)',
    );
  });

  it('writerProblem - cuts a long error short', () => {
    const problem = writerProblem(status([{ table: 'events', failingSinceMs: 0, lastError: 'x'.repeat(1000) }]), 60_000)!;
    expect(problem.length).toBeLessThan(400);
    expect(problem.endsWith('…')).toBe(true);
  });
});

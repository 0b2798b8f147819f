// Migration 004 against real chDB: a database as version 3 left it (raw tables ordered by id, with
// rows and minute aggregates) is rebuilt by event minute in place — every row kept, no aggregate
// counted twice, the views fed by the new tables — ends up as a fresh database does (keys, skip
// indexes, views), and an interrupted rebuild resumes from either side of the swap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payment } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { dateTime64Text, numberOf, selectRows } from '../sql.js';
import { TS, alert, decision } from '../test-fixtures.js';
import { minuteOfTimeText, insertRows, storedKeys, type BatchTarget } from '../writer/batch-insert.js';
import { alertRow } from '../writer/rows/alert-row.js';
import { deadLetterRow } from '../writer/rows/dead-letter-row.js';
import { decisionRow, type DecisionRow } from '../writer/rows/decision-row.js';
import { eventRow } from '../writer/rows/event-row.js';
import type { RowOutcome, WireMessage } from '../writer/rows/row-outcome.js';
import { createDatabase, createTable, type DdlContext } from './ddl.js';
import { MIGRATIONS_SPEC, migrate } from './migrate.js';
import { RAW_TABLE_SPECS } from './migrations/001_raw_tables.js';
import { columnNames, minuteSortedSpec, minuteSortingKey } from './migrations/004_minute_sorted_raw_tables.js';
import { MIGRATIONS } from './migrations/index.js';
import { KEY_COLUMN, RAW_TABLES, type RawTable } from './tables.js';

const upgraded = `t_rebuild_${process.pid}`;
const fresh = `t_rebuild_fresh_${process.pid}`;
const resumed = `t_rebuild_resume_${process.pid}`;
const HOUR = 3_600_000;
const enc = new TextEncoder();
let dataDir: string;
let ch: ClickHouse;

type Stored = { key: string; minute: number };

/** Maps wire messages and inserts them as the writer does; returns each row's key and minute. */
async function store<R>(database: string, table: RawTable, map: (m: WireMessage) => RowOutcome<R>, time: (row: R) => string, values: readonly unknown[]): Promise<Stored[]> {
  const target: BatchTarget = { client: ch.client, database, table, insertSettings: undefined };
  const rows = values.map((value) => {
    const outcome = map({ subject: 't.ev.payment.0', data: enc.encode(JSON.stringify(value)), ingestTs: null });
    if (!outcome.ok) throw new Error(outcome.reason);
    return { key: outcome.key, row: outcome.row, partition: '0', minute: minuteOfTimeText(time(outcome.row)) };
  });
  expect(await insertRows(target, rows)).toEqual([]);
  return rows.map((r) => ({ key: r.key, minute: r.minute }));
}

/** A decision as a writer of version 3 stored it: without the scenario id 005 added. */
function version3DecisionRow(message: WireMessage): RowOutcome<Omit<DecisionRow, 'label_scenario_id'>> {
  const outcome = decisionRow(message);
  if (!outcome.ok) return outcome;
  const { label_scenario_id: _, ...row } = outcome.row;
  return { ...outcome, row };
}

/** Events, decisions, alerts and dead letters over three hours, `n` of each kind per hour. */
async function fill(database: string, prefix: string, n: number): Promise<Record<RawTable, Stored[]>> {
  const hours = [0, 1, 2];
  const at = (h: number, i: number): number => TS - h * HOUR + i * 1000;
  const each = <T>(make: (h: number, i: number) => T): T[] => hours.flatMap((h) => Array.from({ length: n }, (_, i) => make(h, i)));
  return {
    events: await store(database, 'events', (m) => eventRow(m), (r) => r.ts, each((h, i) => payment(`${prefix}e-${h}-${i}`, { ts: new Date(at(h, i)).toISOString() }))),
    decisions: await store(database, 'decisions', version3DecisionRow, (r) => r.event_ts, each((h, i) => decision({ eventId: `${prefix}e-${h}-${i}`, eventTs: at(h, i), decidedAt: at(h, i) + 9, ingestTs: at(h, i) + 2 }))),
    alerts: await store(database, 'alerts', alertRow, (r) => r.ts, each((h, i) => alert({ id: `${prefix}a-${h}-${i}`, eventId: `${prefix}e-${h}-${i}`, ts: at(h, i), createdAt: at(h, i) + 10 }))),
    dead_letters: await store(database, 'dead_letters', deadLetterRow, (r) => r.at, each((h, i) => ({ v: 1, source: 'processors', subject: `x.${prefix}${h}.${i}`, streamSeq: i, code: 'RS_ERR_BUS_SCHEMA', reason: 'bad', at: at(h, i), payload: '{}' }))),
  };
}

/** A database as version 3 left it: its statements applied and recorded. */
async function atVersion3(database: string): Promise<void> {
  const ctx: DdlContext = { database, retentionDays: 30 };
  await ch.client.command({ query: createDatabase(ctx) });
  for (const statement of createTable(ctx, MIGRATIONS_SPEC)) await ch.client.command({ query: statement });
  for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) {
    for (const statement of migration.statements(ctx)) await ch.client.command({ query: statement });
    await ch.client.insert({
      table: `\`${database}\`.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, applied_at: dateTime64Text(Date.now()) }],
      format: 'JSONEachRow',
    });
  }
}

/** Every row of a raw table, all columns, in key order: compared before and after a rebuild. */
async function rowsOf(database: string, table: RawTable): Promise<unknown[]> {
  return selectRows(ch.client, `SELECT * FROM \`${database}\`.\`${table}\` ORDER BY ${KEY_COLUMN[table]}`);
}

/** The minute aggregates' totals: a view fed twice would double them. */
async function aggregates(database: string): Promise<Record<string, number>> {
  const [row] = await selectRows<Record<string, unknown>>(
    ch.client,
    `SELECT (SELECT sum(events) FROM \`${database}\`.events_minute) AS events,
            (SELECT toFloat64(sum(amount_usd)) FROM \`${database}\`.events_minute) AS events_usd,
            (SELECT sum(decisions) FROM \`${database}\`.decisions_minute) AS decisions,
            (SELECT sum(blocked) + sum(reviewed) FROM \`${database}\`.decisions_minute) AS flagged,
            (SELECT sum(alerts) FROM \`${database}\`.alerts_minute) AS alerts`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, numberOf(v)]));
}

async function tablesOf(database: string): Promise<Array<{ name: string; sorting_key: string; query: string }>> {
  const rows = await selectRows<{ name: string; sorting_key: string; create_table_query: string }>(
    ch.client,
    'SELECT name, sorting_key, create_table_query FROM system.tables WHERE database = {db:String} ORDER BY name',
    { db: database },
  );
  return rows.map((r) => ({ name: r.name, sorting_key: r.sorting_key, query: r.create_table_query.replaceAll(database, '<db>') }));
}

/** Every skip index of the database's tables, as ClickHouse reports them. */
async function skipIndexesOf(database: string): Promise<Array<{ table: string; name: string; expr: string; type_full: string; granularity: string }>> {
  return selectRows(
    ch.client,
    'SELECT table, name, expr, type_full, toString(granularity) AS granularity FROM system.data_skipping_indices WHERE database = {db:String} ORDER BY table, name',
    { db: database },
  );
}

async function count(database: string, table: string): Promise<number> {
  return numberOf((await selectRows<{ n: unknown }>(ch.client, `SELECT count() AS n FROM \`${database}\`.\`${table}\``))[0]?.n);
}

let before: Record<RawTable, unknown[]>;
let stored: Record<RawTable, Stored[]>;
let aggregatesBefore: Record<string, number>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-rebuild-'));
  ch = await createClickHouse({ dataDir, database: upgraded });
  await atVersion3(upgraded);
  stored = await fill(upgraded, '', 4);
  before = Object.fromEntries(await Promise.all(RAW_TABLES.map(async (t) => [t, await rowsOf(upgraded, t)] as const))) as Record<RawTable, unknown[]>;
  aggregatesBefore = await aggregates(upgraded);
  await migrate(ch.client, { database: fresh, retentionDays: 30 });
});

afterAll(async () => {
  for (const database of [upgraded, fresh, resumed]) await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('migrate - 004 rebuilds the raw tables by minute', () => {
  it('rebuild - an upgrade keeps every row and every aggregate, and sorts by minute then id', async () => {
    expect(aggregatesBefore).toEqual({ events: 12, events_usd: expect.any(Number), decisions: 12, flagged: 12, alerts: 12 });
    const result = await migrate(ch.client, { database: upgraded, retentionDays: 30 });
    expect(result.applied).toEqual(['004_minute_sorted_raw_tables', '005_decision_scenario']);
    // 005 after it adds the decisions' scenario id, '' for the rows stored before
    for (const table of RAW_TABLES) {
      const expected = table === 'decisions' ? before[table].map((row) => ({ ...(row as object), label_scenario_id: '' })) : before[table];
      expect(await rowsOf(upgraded, table)).toEqual(expected);
    }
    expect(await aggregates(upgraded)).toEqual(aggregatesBefore);
    const tables = await tablesOf(upgraded);
    for (const table of RAW_TABLES) expect(tables.find((t) => t.name === table)?.sorting_key).toBe(minuteSortingKey(table));
    expect(tables.map((t) => t.name).filter((n) => n.includes('__v4'))).toEqual([]);
  });

  it('rebuild - the views are fed by the new tables, once per row', async () => {
    const added = await fill(upgraded, 'n', 1);
    expect(await aggregates(upgraded)).toEqual({
      events: 15,
      events_usd: expect.any(Number),
      decisions: 15,
      flagged: 15,
      alerts: 15,
    });
    // Old and new rows are found by the writer's lookup under their minutes.
    for (const table of RAW_TABLES) {
      const probes = [...stored[table], ...added[table]];
      expect((await storedKeys({ client: ch.client, database: upgraded, table, insertSettings: undefined }, probes)).size).toBe(probes.length);
    }
  });

  it('rebuild - a fresh database and an upgraded one have the same tables, keys and views', async () => {
    const [a, b] = [await tablesOf(upgraded), await tablesOf(fresh)];
    expect(a.map((t) => t.name)).toEqual(b.map((t) => t.name));
    expect(a).toEqual(b);
    for (const table of RAW_TABLES) expect(b.find((t) => t.name === table)?.query).toContain(`ORDER BY (${minuteSortingKey(table)})`);
    // The same skip indexes, among them the counterparty index the account and network reads use.
    const [indexesA, indexesB] = [await skipIndexesOf(upgraded), await skipIndexesOf(fresh)];
    expect(indexesA).toEqual(indexesB);
    expect(indexesB.filter((i) => i.name === 'idx_counterparty')).toEqual([
      { table: 'events', name: 'idx_counterparty', expr: 'counterparty_account', type_full: 'bloom_filter(0.01)', granularity: '4' },
    ]);
    expect(indexesB.filter((i) => i.table === 'events').map((i) => i.name)).toEqual(['idx_counterparty', 'idx_customer', 'idx_id', 'idx_partition_key', 'idx_ts']);
  });

  it('rebuild - running again changes nothing, recorded or not', async () => {
    const rows = await Promise.all(RAW_TABLES.map((t) => rowsOf(upgraded, t)));
    const totals = await aggregates(upgraded);
    expect(await migrate(ch.client, { database: upgraded, retentionDays: 30 })).toEqual({ applied: [], retentionUpdated: [] });
    await ch.client.command({ query: `TRUNCATE TABLE \`${upgraded}\`.schema_migrations` });
    expect((await migrate(ch.client, { database: upgraded, retentionDays: 30 })).applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await Promise.all(RAW_TABLES.map((t) => rowsOf(upgraded, t)))).toEqual(rows);
    expect(await aggregates(upgraded)).toEqual(totals);
  });

  it('rebuild - interrupted before the swap: a partial copy is thrown away and the copy done again', async () => {
    await atVersion3(resumed);
    await fill(resumed, '', 2);
    const events = await rowsOf(resumed, 'events');
    const totals = await aggregates(resumed);
    const ctx: DdlContext = { database: resumed, retentionDays: 30 };
    // What a crash part-way through the copy leaves: the build table with some rows, and one row
    // the live table does not have (so that keeping it would show).
    for (const statement of createTable(ctx, { ...minuteSortedSpec(ctx, 'events'), name: 'events__v4' })) await ch.client.command({ query: statement });
    await ch.client.command({ query: `INSERT INTO \`${resumed}\`.events__v4 SELECT * FROM \`${resumed}\`.events LIMIT 3` });
    await store(resumed, 'events__v4' as RawTable, (m) => eventRow(m), (r) => r.ts, [payment('phantom', { ts: new Date(TS).toISOString() })]);
    expect((await migrate(ch.client, { database: resumed, retentionDays: 30 })).applied).toEqual(['004_minute_sorted_raw_tables', '005_decision_scenario']);
    expect(await rowsOf(resumed, 'events')).toEqual(events);
    expect(await aggregates(resumed)).toEqual(totals);
    expect((await tablesOf(resumed)).map((t) => t.name).filter((n) => n.includes('__v4'))).toEqual([]);
  });

  it('rebuild - interrupted after the swap: the old table is dropped, and a row it alone holds is copied first', async () => {
    const ctx: DdlContext = { database: resumed, retentionDays: 30 };
    const events = await count(resumed, 'events');
    // What a crash between the swap and the drop leaves: the old table (ordered by id) under the
    // build name, holding the rows plus one a writer of the old version stored during the swap.
    for (const statement of createTable(ctx, { ...RAW_TABLE_SPECS.events(ctx), name: 'events__v4' })) await ch.client.command({ query: statement });
    const columns = columnNames(RAW_TABLE_SPECS.events(ctx)).join(', ');
    await ch.client.command({ query: `INSERT INTO \`${resumed}\`.events__v4 (${columns}) SELECT ${columns} FROM \`${resumed}\`.events` });
    await store(resumed, 'events__v4' as RawTable, (m) => eventRow(m), (r) => r.ts, [payment('straggler', { ts: new Date(TS).toISOString() })]);
    await ch.client.command({ query: `ALTER TABLE \`${resumed}\`.schema_migrations DELETE WHERE version = 4 SETTINGS mutations_sync = 1` });
    expect((await migrate(ch.client, { database: resumed, retentionDays: 30 })).applied).toEqual(['004_minute_sorted_raw_tables']);
    expect(await count(resumed, 'events')).toBe(events + 1);
    expect(await selectRows(ch.client, `SELECT id FROM \`${resumed}\`.events WHERE id = 'straggler'`)).toEqual([{ id: 'straggler' }]);
    expect((await tablesOf(resumed)).map((t) => t.name).filter((n) => n.includes('__v4'))).toEqual([]);
  });
});

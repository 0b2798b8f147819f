// Upgrading a database that version 2 of the schema left behind (decisions without channel and
// country, decisions_minute cut by kind and segment only) to the current one, with data in it:
// nothing stored is lost, new decisions land in the new cuts, and running again changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionWire } from '../../core/index.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { createReadModels, type ReadModels } from '../read-models/index.js';
import { dateTime64Text, selectRows } from '../sql.js';
import { TS, decision } from '../test-fixtures.js';
import { insertRows } from '../writer/batch-insert.js';
import { decisionRow, type DecisionRow } from '../writer/rows/decision-row.js';
import { createDatabase, createTable, type DdlContext } from './ddl.js';
import { MIGRATIONS_SPEC, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

const database = `t_upgrade_${process.pid}`;
const ctx: DdlContext = { database, retentionDays: 30 };
const MINUTE = Math.floor(TS / 60_000) * 60_000;
const NEW_COLUMNS = ['channel', 'payment_type', 'country', 'counterparty_country', 'label_scenario_id'] as const;
let dataDir: string;
let ch: ClickHouse;
let reads: ReadModels;

function rowOf(wire: DecisionWire): DecisionRow {
  const outcome = decisionRow({ subject: 't.dec.payment', data: new TextEncoder().encode(JSON.stringify(wire)), ingestTs: null });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.row;
}

async function storeNew(...wires: DecisionWire[]): Promise<void> {
  const target = { client: ch.client, database, table: 'decisions' as const, insertSettings: undefined };
  expect(await insertRows(target, wires.map((w) => ({ key: w.eventId, row: rowOf(w), partition: '0' })))).toEqual([]);
}

async function schemaOf(name: string): Promise<{ sorting_key: string; create_table_query: string }> {
  const rows = await selectRows<{ sorting_key: string; create_table_query: string }>(
    ch.client,
    'SELECT sorting_key, create_table_query FROM system.tables WHERE database = {db:String} AND name = {name:String}',
    { db: database, name },
  );
  return rows[0]!;
}

async function channelCounts(): Promise<Record<string, number>> {
  const [kpi] = await reads.minuteKpis({ since: MINUTE, until: MINUTE + 60_000 });
  return Object.fromEntries(Object.entries(kpi?.decisionsBy.channel ?? {}).map(([channel, k]) => [channel, k.decisions]));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-upgrade-'));
  ch = await createClickHouse({ dataDir, database });
  reads = createReadModels(ch.client, database);
  // The database as version 2 left it: its statements applied and recorded, and one decision
  // stored by that version's writer (no channel or country columns yet).
  await ch.client.command({ query: createDatabase(ctx) });
  for (const statement of createTable(ctx, MIGRATIONS_SPEC)) await ch.client.command({ query: statement });
  for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) {
    for (const statement of migration.statements(ctx)) await ch.client.command({ query: statement });
    await ch.client.insert({
      table: `\`${database}\`.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, applied_at: dateTime64Text(Date.now()) }],
      format: 'JSONEachRow',
    });
  }
  const oldRow: Record<string, unknown> = { ...rowOf(decision({ eventId: 'old-1', action: 'block', score: 900 })) };
  for (const column of NEW_COLUMNS) delete oldRow[column];
  await ch.client.insert({ table: `\`${database}\`.decisions`, values: [oldRow], format: 'JSONEachRow' });
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('migrate - upgrade from version 2', () => {
  it('upgrade - applies only what is new, and keeps the decisions and aggregates already stored', async () => {
    // Read models assume the current schema, so the version-2 aggregates are checked in SQL.
    const stored = await selectRows<{ n: unknown }>(ch.client, `SELECT sum(decisions) AS n FROM \`${database}\`.decisions_minute`);
    expect(Number(stored[0]?.n)).toBe(1);
    const result = await migrate(ch.client, { database, retentionDays: 30 });
    expect(result.applied).toEqual(MIGRATIONS.filter((m) => m.version > 2).map((m) => m.name));
    expect(await reads.getDecision('old-1')).toEqual({
      ...decision({ eventId: 'old-1', action: 'block', score: 900 }),
      channel: '',
      paymentType: '',
      country: '',
      counterpartyCountry: '',
      // stored before 005: no scenario id
      labels: { patterns: ['ato'], fraud: true },
    });
    const [kpi] = await reads.minuteKpis({ since: MINUTE, until: MINUTE + 60_000 });
    expect(kpi).toMatchObject({ decisions: 1, blocked: 1, decisionsBy: { channel: { '': { decisions: 1 } }, country: { '': { decisions: 1 } } } });
    // 004 on the way: the raw tables sorted by minute, events with the counterparty index.
    expect((await schemaOf('decisions')).sorting_key).toBe('toStartOfMinute(event_ts), event_id');
    expect((await schemaOf('events')).create_table_query).toContain('INDEX idx_counterparty counterparty_account TYPE bloom_filter(0.01) GRANULARITY 4');
  });

  it('upgrade - the decision minute table is keyed and fed by channel and country', async () => {
    expect((await schemaOf('decisions_minute')).sorting_key).toBe('minute, kind, segment, channel, country');
    expect((await schemaOf('decisions_minute_mv')).create_table_query).toContain('d.channel AS channel, d.country AS country');
    await storeNew(
      decision({ eventId: 'new-1', channel: 'mobile', country: 'US', action: 'allow', score: 100 }),
      decision({ eventId: 'new-2', channel: 'online', country: 'DE', action: 'review', score: 500 }),
      decision({ eventId: 'new-3', channel: 'online', country: 'DE', action: 'review', score: 700 }),
    );
    expect(await channelCounts()).toEqual({ '': 1, mobile: 1, online: 2 });
    const [kpi] = await reads.minuteKpis({ since: MINUTE, until: MINUTE + 60_000 });
    expect(kpi!.decisions).toBe(4);
    expect(kpi!.decisionsBy.country).toMatchObject({ '': { decisions: 1, blocked: 1 }, US: { decisions: 1, allowed: 1 }, DE: { decisions: 2, reviewed: 2 } });
    expect((await reads.getDecision('new-2'))?.channel).toBe('online');
  });

  it('upgrade - running it again changes nothing, recorded or not', async () => {
    const before = await reads.minuteKpis({ since: MINUTE });
    expect(await migrate(ch.client, { database, retentionDays: 30 })).toEqual({ applied: [], retentionUpdated: [] });
    // Lost records: every version runs again over the upgraded tables, and must be accepted.
    await ch.client.command({ query: `TRUNCATE TABLE \`${database}\`.schema_migrations` });
    expect((await migrate(ch.client, { database, retentionDays: 30 })).applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await reads.minuteKpis({ since: MINUTE })).toEqual(before);
    expect((await schemaOf('decisions_minute')).sorting_key).toBe('minute, kind, segment, channel, country');
    // The view still writes the new cuts after the re-run.
    await storeNew(decision({ eventId: 'new-4', channel: 'atm', country: 'FR' }));
    expect(await channelCounts()).toEqual({ '': 1, mobile: 1, online: 2, atm: 1 });
  });
});

// The writer's dedup lookup scales with the batch, not the table: against real chDB, ClickHouse's
// own estimate of the rows it reads (EXPLAIN ESTIMATE, after primary-key and partition pruning) for
// the exact lookup the writer issues stays within the batch's hours, and does not grow when the
// table does. Not timed: the figures are rows, which do not depend on the machine's load.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { createTable } from '../schema/ddl.js';
import { RAW_TABLE_SPECS } from '../schema/migrations/001_raw_tables.js';
import { HOUR_COLUMN, KEY_COLUMN, RAW_TABLES, type RawTable } from '../schema/tables.js';
import { numberOf, selectRows } from '../sql.js';
import { dedupLookups, storedKeys, type BatchTarget, type KeyProbe } from './batch-insert.js';

const database = `t_dedup_${process.pid}`;
/** Rows per hour: not a multiple of the granule, so that hours share granules at their edges. */
const PER_HOUR = 20_000;
const GRANULE = 8192;
/** 2026-01-01T00:00Z: whole hours, far from the test's own clock. */
const START = Date.UTC(2026, 0, 1) / 1000;
let dataDir: string;
let ch: ClickHouse;

function target(table: RawTable): BatchTarget {
  return { client: ch.client, database, table, insertSettings: undefined };
}

/**
 * Fills hours [from, from + hours) with PER_HOUR rows each, spread evenly over the hour, keyed by
 * random-looking ids (as real ids are: no order to exploit). Other columns take their defaults.
 */
async function fill(table: RawTable, from: number, hours: number): Promise<void> {
  const key = KEY_COLUMN[table];
  const time = HOUR_COLUMN[table];
  await ch.client.command({
    query:
      `INSERT INTO \`${database}\`.\`${table}\` (${key}, ${time})\n` +
      `SELECT lower(hex(cityHash64(number + ${from * PER_HOUR}))), toDateTime64(${START} + (${from} + intDiv(number, ${PER_HOUR})) * 3600 + (number % ${PER_HOUR}) * 3600 / ${PER_HOUR}, 3, 'UTC')\n` +
      `FROM numbers(${hours * PER_HOUR})`,
  });
  // One part per day, as merges leave it in time: the bound below counts one edge granule per part.
  await ch.client.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${table}\` FINAL` });
}

/**
 * A batch as the writer would look it up: `n` stored ids of the given hour (index from START),
 * picked at random as a real batch's are, plus `n` new ones.
 */
async function batchOf(table: RawTable, hour: number, n: number): Promise<KeyProbe[]> {
  const key = KEY_COLUMN[table];
  const start = START + hour * 3600;
  const rows = await selectRows<{ k: string }>(
    ch.client,
    `SELECT ${key} AS k FROM \`${database}\`.\`${table}\` WHERE toStartOfHour(${HOUR_COLUMN[table]}) = toDateTime({h:UInt32}, 'UTC') ORDER BY sipHash64(${key}) LIMIT {n:UInt32}`,
    { h: start, n },
  );
  expect(rows).toHaveLength(n);
  return [...rows.map((r) => ({ key: r.k, hour: start })), ...Array.from({ length: n }, () => ({ key: randomUUID(), hour: start }))];
}

/** ClickHouse's estimate of the rows the writer's lookup reads, after index analysis. */
async function rowsRead(table: RawTable, probes: readonly KeyProbe[]): Promise<number> {
  let total = 0;
  for (const lookup of dedupLookups({ database, table }, probes)) {
    const rows = await selectRows<{ rows: unknown }>(ch.client, `EXPLAIN ESTIMATE ${lookup.query}`, lookup.query_params);
    total += rows.reduce((sum, r) => sum + numberOf(r.rows), 0);
  }
  return total;
}

/**
 * The lookup as it was before 004 (`<key> IN {keys}`) on the table as 001 made it (ORDER BY the
 * id), holding the same rows: for contrast, it reads nearly the whole table.
 */
async function rowsReadBefore004(table: RawTable, probes: readonly KeyProbe[]): Promise<number> {
  const key = KEY_COLUMN[table];
  const ctx = { database, retentionDays: 3650 };
  for (const statement of createTable(ctx, { ...RAW_TABLE_SPECS[table](ctx), name: `${table}_by_id` })) await ch.client.command({ query: statement });
  await ch.client.command({ query: `TRUNCATE TABLE \`${database}\`.\`${table}_by_id\`` });
  await ch.client.command({ query: `INSERT INTO \`${database}\`.\`${table}_by_id\` (${key}, ${HOUR_COLUMN[table]}) SELECT ${key}, ${HOUR_COLUMN[table]} FROM \`${database}\`.\`${table}\`` });
  await ch.client.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${table}_by_id\` FINAL` });
  const rows = await selectRows<{ rows: unknown }>(ch.client, `EXPLAIN ESTIMATE SELECT ${key} FROM \`${database}\`.\`${table}_by_id\` WHERE ${key} IN {keys:Array(String)}`, {
    keys: probes.map((p) => p.key),
  });
  return rows.reduce((sum, r) => sum + numberOf(r.rows), 0);
}

/** Whole granules covering `hours` hours of PER_HOUR rows, plus one where each hour shares a granule with its neighbour. */
function bound(hours: number): number {
  return hours * (Math.ceil(PER_HOUR / GRANULE) + 1) * GRANULE;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-dedup-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 3650 });
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dedup lookup', () => {
  it('dedup - a batch of one hour reads that hour, and no more when the table grows', async () => {
    await fill('events', 0, 12);
    const batch = await batchOf('events', 7, 500);
    const small = await rowsRead('events', batch);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThanOrEqual(bound(1));
    // Before 004 the same lookup read (nearly) the whole table.
    expect(await rowsReadBefore004('events', batch)).toBeGreaterThanOrEqual(0.9 * 12 * PER_HOUR);

    await fill('events', 12, 24);
    expect(await rowsRead('events', batch)).toBe(small);
    expect(await rowsReadBefore004('events', batch)).toBeGreaterThanOrEqual(0.9 * 36 * PER_HOUR);
    // And it finds exactly the stored half of the batch.
    expect((await storedKeys(target('events'), batch)).size).toBe(500);
  });

  it('dedup - a batch spanning hours reads those hours only, on every raw table', async () => {
    for (const table of RAW_TABLES) {
      if (table !== 'events') await fill(table, 0, 8);
      const batch = [...(await batchOf(table, 3, 200)), ...(await batchOf(table, 4, 200)), ...(await batchOf(table, 6, 200))];
      const read = await rowsRead(table, batch);
      expect(read, table).toBeGreaterThan(0);
      expect(read, table).toBeLessThanOrEqual(bound(3));
      expect((await storedKeys(target(table), batch)).size, table).toBe(600);
    }
  });
});

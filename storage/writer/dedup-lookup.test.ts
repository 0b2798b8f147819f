// The writer's dedup lookup scales with the batch, not the table: against real chDB, ClickHouse's
// own estimate of the rows it reads (EXPLAIN ESTIMATE, after primary-key, partition and skip-index
// pruning) for the exact lookup the writer issues stays within the batch's minutes, and does not
// grow when the table gains minutes, hours or days. The same lookup with its minute condition cut
// out reads (nearly) the whole table, so the bound below is what the condition buys. Not timed:
// the figures are rows, which do not depend on the machine's load.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { KEY_COLUMN, MINUTE_COLUMN, RAW_TABLES, type RawTable } from '../schema/tables.js';
import { numberOf, selectRows } from '../sql.js';
import { dedupLookups, storedKeys, type BatchTarget, type DedupLookup, type KeyProbe } from './batch-insert.js';

const database = `t_dedup_${process.pid}`;
/** Rows per minute: not a multiple of the granule, so that minutes share granules at their edges. */
const PER_MINUTE = 10_000;
const GRANULE = 8192;
/** 2026-01-02T00:00Z: whole minutes, far from the test's own clock, with a day before it. */
const START = Date.UTC(2026, 0, 2) / 1000;
const DAY_MINUTES = 1440;
let dataDir: string;
let ch: ClickHouse;

function target(table: RawTable): BatchTarget {
  return { client: ch.client, database, table, insertSettings: undefined };
}

/**
 * Fills minutes [from, from + minutes) after START with PER_MINUTE rows each, spread evenly over
 * the minute, keyed by random-looking ids (as real ids are: no order to exploit). Other columns
 * take their defaults.
 */
async function fill(table: RawTable, from: number, minutes: number): Promise<void> {
  const key = KEY_COLUMN[table];
  const time = MINUTE_COLUMN[table];
  await ch.client.command({
    query:
      `INSERT INTO \`${database}\`.\`${table}\` (${key}, ${time})\n` +
      `SELECT lower(hex(cityHash64(${from}, number))), toDateTime64(${START} + (${from} + intDiv(number, ${PER_MINUTE})) * 60 + (number % ${PER_MINUTE}) * 60 / ${PER_MINUTE}, 3, 'UTC')\n` +
      `FROM numbers(${minutes * PER_MINUTE})`,
  });
  // One part per day, as merges leave it in time: the bound below counts one edge granule per part.
  await ch.client.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${table}\` FINAL` });
}

async function tableRows(table: RawTable): Promise<number> {
  return numberOf((await selectRows<{ n: unknown }>(ch.client, `SELECT count() AS n FROM \`${database}\`.\`${table}\``))[0]?.n);
}

/**
 * A batch as the writer would look it up: `n` stored ids of the given minute (index from START),
 * picked at random as a real batch's are, plus `n` new ones.
 */
async function batchOf(table: RawTable, minute: number, n: number): Promise<KeyProbe[]> {
  const key = KEY_COLUMN[table];
  const start = START + minute * 60;
  const rows = await selectRows<{ k: string }>(
    ch.client,
    `SELECT ${key} AS k FROM \`${database}\`.\`${table}\` WHERE toStartOfMinute(${MINUTE_COLUMN[table]}) = toDateTime({m:UInt32}, 'UTC') ORDER BY sipHash64(${key}) LIMIT {n:UInt32}`,
    { m: start, n },
  );
  expect(rows).toHaveLength(n);
  return [...rows.map((r) => ({ key: r.k, minute: start })), ...Array.from({ length: n }, () => ({ key: randomUUID(), minute: start }))];
}

async function estimate(lookup: DedupLookup): Promise<number> {
  const rows = await selectRows<{ rows: unknown }>(ch.client, `EXPLAIN ESTIMATE ${lookup.query}`, lookup.query_params);
  return rows.reduce((sum, r) => sum + numberOf(r.rows), 0);
}

/** ClickHouse's estimate of the rows the writer's lookup reads, after index analysis. */
async function rowsRead(table: RawTable, probes: readonly KeyProbe[]): Promise<number> {
  let total = 0;
  for (const lookup of dedupLookups({ database, table }, probes)) total += await estimate(lookup);
  return total;
}

/** The writer's lookup with its minute condition cut out (id IN {keys} alone), on the same table. */
async function rowsReadWithoutMinutes(table: RawTable, probes: readonly KeyProbe[]): Promise<number> {
  const condition = `toStartOfMinute(${MINUTE_COLUMN[table]}) IN {minutes:Array(DateTime('UTC'))} AND `;
  let total = 0;
  for (const lookup of dedupLookups({ database, table }, probes)) {
    // Fails if the writer's query no longer carries the condition in this form: then this
    // contrast would prove nothing.
    expect(lookup.query).toContain(condition);
    total += await estimate({ query: lookup.query.replace(condition, ''), query_params: lookup.query_params });
  }
  return total;
}

/** Whole granules covering `minutes` minutes of PER_MINUTE rows, plus one where each minute shares a granule with its neighbour. */
function bound(minutes: number): number {
  return minutes * (Math.ceil(PER_MINUTE / GRANULE) + 1) * GRANULE;
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
  it('dedup - a batch of one minute reads that minute plus one granule, and no more when the table grows', async () => {
    await fill('events', 0, 12);
    const batch = await batchOf('events', 7, 500);
    const small = await rowsRead('events', batch);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThanOrEqual(bound(1));
    // Without the minute condition the same lookup reads (nearly) the whole table: the id's bloom
    // filter cannot skip a block for a thousand keys, and the id is not the key's first column.
    expect(await rowsReadWithoutMinutes('events', batch)).toBeGreaterThanOrEqual(0.9 * (await tableRows('events')));

    // More minutes of the same hour, minutes of a later hour, and a day before.
    await fill('events', 12, 24);
    await fill('events', 180, 12);
    await fill('events', -DAY_MINUTES, 12);
    expect(await tableRows('events')).toBe(60 * PER_MINUTE);
    expect(await rowsRead('events', batch)).toBe(small);
    expect(await rowsReadWithoutMinutes('events', batch)).toBeGreaterThanOrEqual(0.9 * 60 * PER_MINUTE);
    // And it finds exactly the stored half of the batch.
    expect((await storedKeys(target('events'), batch)).size).toBe(500);
  });

  it('dedup - a batch spanning minutes reads those minutes only, on every raw table', async () => {
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

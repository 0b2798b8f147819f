// The dedup lookup's cost before and after migration 004, on `events` tables of ~1.5 million rows
// (a measurement, not a pass/fail bar): run with
//   RS_BENCH=1 npx vitest run storage/writer/dedup-lookup-bench
// (RS_BENCH_ROWS=<n> to change the size). Skipped otherwise. Each layout gets the same rows
// (INSERT … SELECT FROM numbers(), merged to one part per day as time would leave them) and the
// same batches of 5,000 ids — half stored, half new, random as real ids are — looked up the way the
// writer does with that layout; it prints ClickHouse's estimate of the rows read and the median
// wall time of several runs. Two shapes: rows spread over 48 hours (the table grows by hours), and
// rows at 3,000 events/s (the measured capacity), where a whole table is under an hour old.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { createTable, type DdlContext } from '../schema/ddl.js';
import { RAW_TABLE_SPECS } from '../schema/migrations/001_raw_tables.js';
import { hourSortedSpec } from '../schema/migrations/004_hour_sorted_raw_tables.js';
import { numberOf, selectRows } from '../sql.js';
import { dedupLookups, type KeyProbe } from './batch-insert.js';

const ROWS = Number(process.env.RS_BENCH_ROWS ?? 1_500_000);
const BATCH = 5000;
const RUNS = 7;
const START = Date.UTC(2026, 0, 1) / 1000;
const database = `t_dedup_bench_${process.pid}`;
const ctx: DdlContext = { database, retentionDays: 3650 };

type Layout = {
  readonly name: string;
  readonly table: string;
  /** The writer's lookup for this layout: SQL and parameters for one batch. */
  readonly lookup: (batch: readonly Probe[]) => { query: string; query_params: Record<string, unknown> };
};

/** A batch's key with its event hour (the writer's probe) and minute (the minute variant's). */
type Probe = KeyProbe & { readonly minute: number };

const LAYOUTS: readonly Layout[] = [
  {
    name: 'before 004: ORDER BY id, lookup id IN {keys}',
    table: 'events_by_id',
    lookup: (batch) => ({
      query: `SELECT id AS k FROM \`${database}\`.events_by_id WHERE id IN {keys:Array(String)}`,
      query_params: { keys: batch.map((p) => p.key) },
    }),
  },
  {
    name: 'after 004: ORDER BY (toStartOfHour(ts), id), the writer\'s lookup',
    table: 'events',
    lookup: (batch) => {
      const [only] = dedupLookups({ database, table: 'events' }, batch);
      return { query: only!.query, query_params: only!.query_params };
    },
  },
  {
    name: 'variant: ORDER BY (toStartOfMinute(ts), id), lookup by minutes and ids',
    table: 'events_by_minute',
    lookup: (batch) => ({
      query: `SELECT id AS k FROM \`${database}\`.events_by_minute WHERE toStartOfMinute(ts) IN {m:Array(DateTime('UTC'))} AND id IN {keys:Array(String)}`,
      query_params: { keys: batch.map((p) => p.key), m: [...new Set(batch.map((p) => p.minute))] },
    }),
  },
];

let dataDir: string;
let ch: ClickHouse;

function log(line: string): void {
  process.stdout.write(`[dedup bench] ${line}\n`);
}

/** Fills every layout's table with the same `ROWS` rows, `perSecond` apart in event time, ending at `end`. */
async function fill(seconds: number): Promise<void> {
  for (const layout of LAYOUTS) {
    const started = performance.now();
    await ch.client.command({ query: `TRUNCATE TABLE \`${database}\`.\`${layout.table}\`` });
    await ch.client.command({
      query:
        `INSERT INTO \`${database}\`.\`${layout.table}\` (id, ts, kind, partition_key)\n` +
        `SELECT lower(hex(cityHash64(number))), toDateTime64(${START} + number * ${seconds} / ${ROWS}, 3, 'UTC'), 'payment', concat('ACC-', toString(number % 50000))\n` +
        `FROM numbers(${ROWS}) SETTINGS max_threads = 1, max_insert_threads = 1`,
    });
    await ch.client.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${layout.table}\` FINAL` });
    log(`  filled ${layout.table}: ${ROWS.toLocaleString('en')} rows over ${(seconds / 3600).toFixed(2)} h in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** A batch as the writer sees it at the newest end of the table: 2,500 stored ids of the last `span` seconds and 2,500 new ones. */
async function newestBatch(seconds: number): Promise<Probe[]> {
  // The newest stored rows, as many as a batch holds; the new half shares the newest minute.
  const rows = await selectRows<{ k: string; h: unknown; m: unknown }>(
    ch.client,
    `SELECT id AS k, toUnixTimestamp(toStartOfHour(ts)) AS h, toUnixTimestamp(toStartOfMinute(ts)) AS m FROM \`${database}\`.events ORDER BY ts DESC LIMIT {n:UInt32}`,
    { n: BATCH / 2 },
  );
  const [newest] = rows;
  const fresh = Array.from({ length: BATCH / 2 }, () => ({ key: randomUUID(), hour: numberOf(newest?.h), minute: numberOf(newest?.m) }));
  return [...rows.map((r) => ({ key: r.k, hour: numberOf(r.h), minute: numberOf(r.m) })), ...fresh].sort(() => Math.random() - 0.5);
}

async function measure(layout: Layout, batch: readonly Probe[]): Promise<{ rows: number; medianMs: number; found: number }> {
  const { query, query_params } = layout.lookup(batch);
  const estimate = await selectRows<{ rows: unknown }>(ch.client, `EXPLAIN ESTIMATE ${query}`, query_params);
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    found = (await selectRows<{ k: string }>(ch.client, query, query_params)).length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { rows: estimate.reduce((sum, r) => sum + numberOf(r.rows), 0), medianMs: times[Math.floor(RUNS / 2)]!, found };
}

async function compare(shape: string, seconds: number): Promise<void> {
  log(`${shape}: filling`);
  await fill(seconds);
  const batch = await newestBatch(seconds);
  for (const layout of LAYOUTS) {
    const r = await measure(layout, batch);
    log(`  ${layout.name}: reads ~${r.rows.toLocaleString('en')} rows, median ${r.medianMs.toFixed(1)} ms over ${RUNS} runs (found ${r.found} of ${batch.length})`);
    expect(r.found).toBe(BATCH / 2);
  }
}

describe.skipIf(!process.env.RS_BENCH)('dedup lookup bench', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-dedup-bench-'));
    ch = await createClickHouse({ dataDir, database });
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` });
    for (const statement of createTable(ctx, { ...RAW_TABLE_SPECS.events(ctx), name: 'events_by_id' })) await ch.client.command({ query: statement });
    for (const statement of createTable(ctx, hourSortedSpec(ctx, 'events'))) await ch.client.command({ query: statement });
    for (const statement of createTable(ctx, { ...hourSortedSpec(ctx, 'events'), name: 'events_by_minute', orderBy: '(toStartOfMinute(ts), id)' })) await ch.client.command({ query: statement });
  });

  afterAll(async () => {
    await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bench - rows spread over 48 hours; a batch of the newest rows', async () => {
    await compare('48 hours', 48 * 3600);
  }, 600_000);

  it('bench - rows at 3,000 events/s (one hour bucket); a batch of the newest seconds', async () => {
    await compare('3,000/s', Math.round(ROWS / 3000));
  }, 600_000);
});

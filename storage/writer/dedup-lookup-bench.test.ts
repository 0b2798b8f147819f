// The dedup lookup's cost before migration 004 and with it, on `events` tables of ~1.5 million rows
// (a measurement, not a pass/fail bar): run with
//   RS_BENCH=1 npx vitest run storage/writer/dedup-lookup-bench
// (RS_BENCH_ROWS=<n> to change the size, RS_BENCH_RUNS=<n> the timed runs). Skipped otherwise.
// Each layout gets the same rows (INSERT … SELECT FROM numbers(), merged to one part per day as
// time would leave them) and the same batch of 5,000 ids — half the newest stored rows, half new,
// in random order as real ids are — looked up the way the writer of that layout does. It prints
// ClickHouse's estimate of the rows read and the median wall time of several runs; the runs of the
// layouts alternate, so that the machine's load falls on each alike. A third line is the fixed
// cost: the 004 lookup with `AND 0`, which reads nothing (parsing and building the 5,000-key set,
// the round trip). Two shapes, each ending at a whole minute (the newest minute complete: the
// worst moment for the 004 lookup): rows spread over 48 hours (the table grows by hours), and
// rows at 3,000 events/s (the measured capacity), where the whole table is 8⅓ minutes old.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { createTable, type DdlContext } from '../schema/ddl.js';
import { RAW_TABLE_SPECS } from '../schema/migrations/001_raw_tables.js';
import { minuteSortedSpec } from '../schema/migrations/004_minute_sorted_raw_tables.js';
import { numberOf, selectRows } from '../sql.js';
import { dedupLookups, type KeyProbe } from './batch-insert.js';

const ROWS = Number(process.env.RS_BENCH_ROWS ?? 1_500_000);
const RUNS = Number(process.env.RS_BENCH_RUNS ?? 9);
const BATCH = 5000;
/** 2026-01-01T00:00Z; each shape's rows end at a whole minute after it. */
const END = Date.UTC(2026, 0, 1) / 1000 + 3 * 86_400;
const database = `t_dedup_bench_${process.pid}`;
const ctx: DdlContext = { database, retentionDays: 3650 };

type Lookup = { query: string; query_params: Record<string, unknown> };

type Layout = {
  readonly name: string;
  readonly table: string | null;
  /** The writer's lookup for this layout: SQL and parameters for one batch. */
  readonly lookup: (batch: readonly KeyProbe[]) => Lookup;
  /** How many of the batch it must find (the stored half, or none for the fixed-cost probe). */
  readonly finds: number;
};

/** The lookup the writer issues since 004; a batch of the newest rows needs one query. */
function writerLookup(batch: readonly KeyProbe[]): Lookup {
  const lookups = dedupLookups({ database, table: 'events' }, batch);
  expect(lookups).toHaveLength(1);
  return { query: lookups[0]!.query, query_params: lookups[0]!.query_params };
}

const LAYOUTS: readonly Layout[] = [
  {
    name: 'before 004: ORDER BY id, lookup id IN {keys}',
    table: 'events_by_id',
    lookup: (batch) => ({
      query: `SELECT id AS k FROM \`${database}\`.events_by_id WHERE id IN {keys:Array(String)}`,
      query_params: { keys: batch.map((p) => p.key) },
    }),
    finds: BATCH / 2,
  },
  {
    name: "004: ORDER BY (toStartOfMinute(ts), id), the writer's lookup",
    table: 'events',
    lookup: writerLookup,
    finds: BATCH / 2,
  },
  {
    name: "fixed cost: the writer's lookup AND 0 (reads nothing)",
    table: null,
    lookup: (batch) => {
      const { query, query_params } = writerLookup(batch);
      return { query: `${query} AND 0`, query_params };
    },
    finds: 0,
  },
];

let dataDir: string;
let ch: ClickHouse;

function log(line: string): void {
  process.stdout.write(`[dedup bench] ${line}\n`);
}

/** Fills every layout's table with the same `ROWS` rows, evenly spread over the `seconds` before END. */
async function fill(seconds: number): Promise<void> {
  for (const layout of LAYOUTS) {
    if (layout.table === null) continue;
    const started = performance.now();
    await ch.client.command({ query: `TRUNCATE TABLE \`${database}\`.\`${layout.table}\`` });
    await ch.client.command({
      query:
        `INSERT INTO \`${database}\`.\`${layout.table}\` (id, ts, kind, partition_key)\n` +
        `SELECT lower(hex(cityHash64(number))), toDateTime64(${END - seconds} + number * ${seconds} / ${ROWS}, 3, 'UTC'), 'payment', concat('ACC-', toString(number % 50000))\n` +
        `FROM numbers(${ROWS}) SETTINGS max_threads = 1, max_insert_threads = 1`,
    });
    await ch.client.command({ query: `OPTIMIZE TABLE \`${database}\`.\`${layout.table}\` FINAL` });
    log(`  filled ${layout.table}: ${ROWS.toLocaleString('en')} rows over ${(seconds / 3600).toFixed(2)} h in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** A batch as the writer sees it at the newest end of the table: 2,500 of the newest stored ids and 2,500 new ones in the newest minute. */
async function newestBatch(): Promise<KeyProbe[]> {
  const rows = await selectRows<{ k: string; m: unknown }>(
    ch.client,
    `SELECT id AS k, toUnixTimestamp(toStartOfMinute(ts)) AS m FROM \`${database}\`.events ORDER BY ts DESC LIMIT {n:UInt32}`,
    { n: BATCH / 2 },
  );
  const newest = numberOf(rows[0]?.m);
  const fresh = Array.from({ length: BATCH / 2 }, () => ({ key: randomUUID(), minute: newest }));
  return [...rows.map((r) => ({ key: r.k, minute: numberOf(r.m) })), ...fresh].sort(() => Math.random() - 0.5);
}

async function estimate({ query, query_params }: Lookup): Promise<number> {
  const rows = await selectRows<{ rows: unknown }>(ch.client, `EXPLAIN ESTIMATE ${query}`, query_params);
  return rows.reduce((sum, r) => sum + numberOf(r.rows), 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function compare(shape: string, seconds: number): Promise<void> {
  log(`${shape}: filling`);
  await fill(seconds);
  const batch = await newestBatch();
  const lookups = LAYOUTS.map((layout) => layout.lookup(batch));
  const times: number[][] = LAYOUTS.map(() => []);
  // One untimed run each (first-touch of the marks and the set), then the timed runs, alternating.
  for (let run = -1; run < RUNS; run++) {
    for (const [i, layout] of LAYOUTS.entries()) {
      const started = performance.now();
      const found = (await selectRows<{ k: string }>(ch.client, lookups[i]!.query, lookups[i]!.query_params)).length;
      if (run >= 0) times[i]!.push(performance.now() - started);
      expect(found, layout.name).toBe(layout.finds);
    }
  }
  const minutes = new Set(batch.map((p) => p.minute)).size;
  log(`  batch: ${batch.length} ids over ${minutes} minute(s)`);
  for (const [i, layout] of LAYOUTS.entries()) {
    const rows = await estimate(lookups[i]!);
    const sorted = [...times[i]!].sort((a, b) => a - b);
    log(
      `  ${layout.name}: reads ~${rows.toLocaleString('en')} rows, median ${median(sorted).toFixed(1)} ms over ${RUNS} runs ` +
        `(min ${sorted[0]!.toFixed(1)}, max ${sorted[sorted.length - 1]!.toFixed(1)})`,
    );
  }
}

describe.skipIf(!process.env.RS_BENCH)('dedup lookup bench', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-dedup-bench-'));
    ch = await createClickHouse({ dataDir, database });
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` });
    for (const statement of createTable(ctx, { ...RAW_TABLE_SPECS.events(ctx), name: 'events_by_id' })) await ch.client.command({ query: statement });
    for (const statement of createTable(ctx, minuteSortedSpec(ctx, 'events'))) await ch.client.command({ query: statement });
    log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  });

  afterAll(async () => {
    log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bench - rows spread over 48 hours; a batch of the newest rows', async () => {
    await compare('48 hours', 48 * 3600);
  }, 600_000);

  it('bench - rows at 3,000 events/s (8⅓ minutes); a batch of the newest second', async () => {
    await compare('3,000/s', Math.round(ROWS / 3000));
  }, 600_000);
});

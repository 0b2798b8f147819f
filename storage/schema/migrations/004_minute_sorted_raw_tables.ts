// Migration 004: the raw tables rebuilt with a sorting key that starts with the event minute,
// ORDER BY (toStartOfMinute(<time>), <id>), so that the writer's dedup lookup — restricted to the
// batch's minutes — reads those minutes' granules only, instead of nearly every granule of the
// table as it did under ORDER BY <id> with random ids (docs/decisions/0002-throughput-budget.md).
// A minute, not an hour: within an hour bucket random ids still spread a batch over every granule
// of the hour (10.8 M rows at 3,000 events/s); a minute holds 180,000 at that rate. The events
// table also gets a bloom filter on counterparty_account, which the account view and the network
// graph filter by (payments into an account).
//
// ClickHouse cannot put a column in front of an existing sorting key, so each table is rebuilt:
// a new table `<t>__v4` with the new key, the rows copied into it by INSERT … SELECT, then the two
// swapped by EXCHANGE TABLES (atomic) and the old one dropped. No materialized view is recreated:
// a view resolves its source by name, so until the swap the copy goes into a table no view reads
// (nothing is counted twice), and from the swap on the views are fed by the new table (tested in
// migrate-rebuild.test.ts). Dropping and recreating them instead would leave a moment where an
// insert reaches no view.
//
// Unlike 001–003 this version looks at the database before acting, so that it resumes wherever an
// interrupted run stopped and does nothing on tables already rebuilt (a fresh database runs it too:
// 001 creates the tables by id, this rebuilds them while they are empty, so fresh and upgraded
// databases end up the same). It must be applied by one process at a time: start one riskstream
// process on the new version first, then the others.
import type { Logger } from '../../../core/index.js';
import { copyRows, createTable, dropTable, exchangeTables, storageTableName, type DdlContext, type TableSpec } from '../ddl.js';
import { KEY_COLUMN, MINUTE_COLUMN, RAW_TABLES, type RawTable } from '../tables.js';
import { dateTime64Text, numberOf, qualified, selectRows, type SqlClient } from '../../sql.js';
import { RAW_TABLE_SPECS } from './001_raw_tables.js';

const LC = 'LowCardinality(String)';
const BUILD_SUFFIX = '__v4';

/** The decision columns 003 added after counterparty_id, in the same place, so that fresh and upgraded tables agree. */
const DECISION_DIMENSIONS = [`channel ${LC} DEFAULT ''`, `payment_type ${LC} DEFAULT ''`, `country ${LC} DEFAULT ''`, `counterparty_country ${LC} DEFAULT ''`];

/** Rows written by a writer of an older version while the copy runs are caught up from this long before it started (clock skew). */
const CATCH_UP_MARGIN_MS = 60_000;

/** Payments into an account: the account view and the counterparty network filter events by it. */
export const COUNTERPARTY_INDEX = 'INDEX idx_counterparty counterparty_account TYPE bloom_filter(0.01) GRANULARITY 4';

/** The new sorting key, as ClickHouse reports it in system.tables.sorting_key. */
export function minuteSortingKey(table: RawTable): string {
  return `toStartOfMinute(${MINUTE_COLUMN[table]}), ${KEY_COLUMN[table]}`;
}

/**
 * The table as 004 leaves it: 001's definition with 003's columns, the minute-first key, an id
 * skip index, and (events) a counterparty skip index.
 */
export function minuteSortedSpec(ctx: DdlContext, table: RawTable): TableSpec {
  const base = RAW_TABLE_SPECS[table](ctx);
  const key = KEY_COLUMN[table];
  let columns = [...base.columns];
  if (table === 'decisions') {
    const at = columns.indexOf('counterparty_id String') + 1;
    if (at === 0) throw new Error('004: decisions has no counterparty_id column to place the 003 columns after');
    columns = [...columns.slice(0, at), ...DECISION_DIMENSIONS, ...columns.slice(at)];
  }
  // A read by id alone (getDecision) is no longer a primary-key search; the bloom filter lets it
  // skip most granules. The dead letters are never read by id.
  if (table !== 'dead_letters') columns.push(`INDEX idx_${key} ${key} TYPE bloom_filter(0.01) GRANULARITY 4`);
  // Payments into an account (account view, network graph) filter by the creditor account; without
  // an index that reads the column over the whole window. decisions.counterparty_id is only
  // returned, never filtered by, so it gets none.
  if (table === 'events') columns.push(COUNTERPARTY_INDEX);
  return { ...base, columns, orderBy: `(${minuteSortingKey(table)})` };
}

/** Column names of a spec (its definitions minus indexes and projections), in order. */
export function columnNames(spec: TableSpec): string[] {
  return spec.columns.filter((c) => !/^(INDEX|PROJECTION|CONSTRAINT) /.test(c)).map((c) => c.split(' ', 1)[0]!);
}

export type RebuildPlan = {
  /** Drops a build table left by an interrupted run (it may hold part of a copy), then creates it. */
  readonly create: readonly string[];
  /** Copies every row into the build table (no view reads it yet). */
  readonly copy: string;
  /** Copies the rows of `from` stored since `{since}` that `to` lacks: parameterised by `since`. */
  readonly catchUp: (from: string, to: string) => string;
  /** Counts those rows (same parameter). */
  readonly countMissing: (from: string, to: string) => string;
  readonly exchange: string;
  /** Drops the old table, which after the exchange carries the build name. */
  readonly dropOld: readonly string[];
};

export function rebuildPlan(ctx: DdlContext, table: RawTable): RebuildPlan {
  const build = `${table}${BUILD_SUFFIX}`;
  const spec = minuteSortedSpec(ctx, table);
  const columns = columnNames(spec);
  const key = KEY_COLUMN[table];
  const since = "{since:DateTime64(3, 'UTC')}";
  // GLOBAL: on a cluster the subquery reads the Distributed table once, not once per shard.
  const missingFrom = (to: string): string =>
    `stored_at >= ${since} AND ${key} GLOBAL NOT IN (SELECT ${key} FROM ${qualified(ctx.database, to)} WHERE stored_at >= ${since})`;
  return {
    create: [...dropTable(ctx, build), ...createTable(ctx, { ...spec, name: build })],
    copy: copyRows(ctx, { from: table, to: build, columns }),
    catchUp: (from, to) => copyRows(ctx, { from, to, columns, where: missingFrom(to) }),
    countMissing: (from, to) => `SELECT count() AS n FROM ${qualified(ctx.database, from)}\nWHERE ${missingFrom(to)}`,
    exchange: exchangeTables(ctx, table, build),
    dropOld: dropTable(ctx, build),
  };
}

/** The whole rebuild of every raw table as text, in the order a first run issues it (cluster DDL tests, docs). */
export function minuteSortedRawTables(ctx: DdlContext): string[] {
  return RAW_TABLES.flatMap((table) => {
    const plan = rebuildPlan(ctx, table);
    return [...plan.create, plan.copy, plan.catchUp(table, `${table}${BUILD_SUFFIX}`), plan.exchange, ...plan.dropOld];
  });
}

async function sortingKeyOf(client: SqlClient, ctx: DdlContext, table: string): Promise<string | null> {
  const rows = await selectRows<{ sorting_key: string }>(client, 'SELECT sorting_key FROM system.tables WHERE database = {database:String} AND name = {name:String}', {
    database: ctx.database,
    name: storageTableName(ctx, table),
  });
  return rows[0]?.sorting_key ?? null;
}

async function serverNowMs(client: SqlClient): Promise<number> {
  const rows = await selectRows<{ ms: unknown }>(client, 'SELECT toUnixTimestamp64Milli(now64(3)) AS ms');
  return numberOf(rows[0]?.ms);
}

async function countRows(client: SqlClient, ctx: DdlContext, table: string): Promise<number> {
  const rows = await selectRows<{ n: unknown }>(client, `SELECT count() AS n FROM ${qualified(ctx.database, table)}`);
  return numberOf(rows[0]?.n);
}

async function rebuild(client: SqlClient, ctx: DdlContext, table: RawTable, logger: Logger | undefined): Promise<void> {
  const plan = rebuildPlan(ctx, table);
  const build = `${table}${BUILD_SUFFIX}`;
  const newKey = minuteSortingKey(table);
  const liveKey = await sortingKeyOf(client, ctx, table);
  if (liveKey === null) throw new Error(`004: the raw table ${table} does not exist (001 creates it)`);
  let since: number;
  if (liveKey !== newKey) {
    for (const statement of plan.create) await client.command({ query: statement });
    since = (await serverNowMs(client)) - CATCH_UP_MARGIN_MS;
    await client.command({ query: plan.copy });
    // Rows a writer of an older version stored while the copy ran: copied before the swap, so
    // that no view sees them a second time.
    await client.command({ query: plan.catchUp(table, build), query_params: { since: dateTime64Text(since) } });
    await client.command({ query: plan.exchange });
    logger?.info({ table, rows: await countRows(client, ctx, table) }, '004: raw table rebuilt with the minute-first sorting key');
  } else {
    // Already swapped (a fresh re-run, or a run interrupted after the swap): only a leftover to drop.
    since = (await serverNowMs(client)) - 3_600_000;
  }
  const leftoverKey = await sortingKeyOf(client, ctx, build);
  if (leftoverKey === null) return;
  if (leftoverKey === newKey) {
    // Only another process rebuilding at the same time leaves a new-key table under this name.
    logger?.warn({ table, leftover: build }, '004: a rebuild table with the new key is present; left in place (is another process migrating?)');
    return;
  }
  // Rows stored into the old table between the catch-up and the swap. Copying them into the live
  // table feeds the minute views a second time for them; losing the raw rows would be worse.
  const params = { since: dateTime64Text(since) };
  const stragglers = numberOf((await selectRows<{ n: unknown }>(client, plan.countMissing(build, table), params))[0]?.n);
  if (stragglers > 0) {
    await client.command({ query: plan.catchUp(build, table), query_params: params });
    logger?.warn({ table, rows: stragglers }, '004: rows stored into the old table during the swap were copied; their minute aggregates may count twice');
  }
  for (const statement of plan.dropOld) await client.command({ query: statement });
}

export async function applyMinuteSortedRawTables(client: SqlClient, ctx: DdlContext, logger?: Logger): Promise<void> {
  for (const table of RAW_TABLES) await rebuild(client, ctx, table, logger);
  for (const table of RAW_TABLES) {
    const key = await sortingKeyOf(client, ctx, table);
    // Not recorded unless every table carries the new key: the next start tries again.
    if (key !== minuteSortingKey(table)) throw new Error(`004: ${table} is sorted by (${key}) after the rebuild, not (${minuteSortingKey(table)})`);
  }
}

// Minute aggregates that disagree with their raw table after an unclean stop, found and rebuilt
// before the writer starts.
//
// An insert into a raw table commits the raw rows and the rows its materialized view makes as
// separate parts. A process killed between the two (SIGKILL, a crash, power lost) leaves one
// without the other, and the redelivered messages cannot mend it: the writer finds the raw rows
// stored and skips them (the aggregate misses them for good), or stores them and the view counts
// them a second time. Measured: 8 SIGKILLs under 3,000 events/s left 8 events out of
// events_minute (docs/decisions/0005-outages.md).
//
// Only the last inserts before a stop can be torn, so only their minutes are compared — a few
// small queries at start-up when all is well. They are found two ways:
// - the minutes of the rows in the raw table's newest parts (a raw part committed without its view's);
// - the minutes the writer recorded in the data folder before each insert (inflight-minutes.ts).
//   Without them a batch whose view part alone committed went unseen when nothing else wrote its
//   minute lately (late events, quiet traffic): no raw part names it, the redelivered rows were
//   then stored, and the view counted them twice for good.
// A minute whose row count differs is deleted from the aggregate and recomputed from the raw rows
// with the view's own query. The record is removed only once every aggregate is checked: a stop
// or a failure during the repair leaves it, and a minute missing or partial, for the next start.
import type { Logger } from '../../core/index.js';
import { CURRENT_MINUTE_VIEWS } from '../schema/migrations/index.js';
import { MINUTE_COLUMN, MINUTE_RETENTION_DAYS, type MinuteTable, type RawTable } from '../schema/tables.js';
import { numberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { clearInflightMinutes, readInflightMinutes } from './inflight-minutes.js';

/** Each aggregate, the raw table its view reads, and the measure that counts the raw rows. */
const AGGREGATES: ReadonlyArray<{ readonly table: MinuteTable; readonly raw: RawTable; readonly count: string }> = [
  { table: 'events_minute', raw: 'events', count: 'events' },
  { table: 'decisions_minute', raw: 'decisions', count: 'decisions' },
  { table: 'alerts_minute', raw: 'alerts', count: 'alerts' },
];

/** The raw tables a minute aggregate's view reads: the writer records the minutes of their inserts. */
export const AGGREGATED_RAW_TABLES: readonly RawTable[] = AGGREGATES.map((a) => a.raw);

/** Parts written this long before the newest one are compared too: every insert that could have been in flight. */
const RECENT_PARTS_SECONDS = 120;

export type RepairOptions = {
  readonly client: SqlClient;
  readonly database: string;
  /** The raw tables' retention: older minutes have lost raw rows to the TTL on purpose, and are left alone. */
  readonly retentionDays: number;
  readonly logger: Logger;
  /**
   * The data folder whose record names the minutes of the inserts the writer was making
   * (inflight-minutes.ts); they are compared too, and the record removed once all is checked.
   * Unset: only the newest parts' minutes.
   */
  readonly dataDir?: string;
};

/**
 * How close to its expiry a minute may be and still be compared: a TTL merge could drop some of
 * its rows and not yet others while the repair reads them (rows expire by the second, parts merge
 * one at a time), and the minute would be "repaired" down to a part of its rows.
 */
const EXPIRY_MARGIN_SECONDS = 3600;

/**
 * How far back (seconds) a minute is compared: within both retentions, less the margin above. Older
 * raw rows may be gone on purpose; older aggregate rows are (MINUTE_RETENTION_DAYS), so a minute
 * rebuilt there would be dropped again and "repaired" at every start (raw retention of 3,650 days,
 * for historical data sets: up to 16 s of a start, before 2026-12-06). Until 2026-12-07 the margin
 * was a whole day: a minute torn in the retention's last day (backdated events: the demo's history,
 * a replay) kept its wrong count in the aggregate for the 400 days it is kept.
 */
export function checkedSeconds(options: Pick<RepairOptions, 'retentionDays'>): number {
  return Math.max(0, Math.min(options.retentionDays, MINUTE_RETENTION_DAYS) * 86_400 - EXPIRY_MARGIN_SECONDS);
}

export type AggregateRepair = { readonly table: MinuteTable; readonly checked: number; readonly rebuilt: number };

/** Compares the recent minutes of every aggregate with its raw table and rebuilds those that differ. */
export async function repairMinuteAggregates(options: RepairOptions): Promise<AggregateRepair[]> {
  const repairs: AggregateRepair[] = [];
  const { dataDir } = options;
  // Within the retention, as for the parts: older minutes may have lost raw rows to the TTL on purpose.
  const oldest = Math.floor(Date.now() / 1000) - checkedSeconds(options);
  for (const aggregate of AGGREGATES) {
    const recorded = dataDir === undefined ? [] : readInflightMinutes(dataDir, options.database, aggregate.raw, options.logger);
    const minutes = [...new Set([...(await recentMinutes(options, aggregate.raw)), ...recorded.filter((m) => m >= oldest)])].sort((a, b) => a - b);
    const torn = minutes.length === 0 ? [] : await differingMinutes(options, aggregate, minutes);
    if (torn.length > 0) await rebuild(options, aggregate, torn);
    repairs.push({ table: aggregate.table, checked: minutes.length, rebuilt: torn.length });
    if (torn.length > 0) {
      options.logger.warn(
        { table: aggregate.table, minutes: torn.length, first: new Date(torn[0]! * 1000).toISOString() },
        'minute aggregates disagreed with the stored rows after an unclean stop or failed inserts; rebuilt those minutes from them',
      );
    }
  }
  if (dataDir !== undefined) {
    try {
      clearInflightMinutes(dataDir, options.database, AGGREGATED_RAW_TABLES);
    } catch (error) {
      // Left in place, its minutes are only compared once more at the next start.
      options.logger.warn({ err: error, dataDir }, 'could not remove the record of the minutes of the last inserts');
    }
  }
  return repairs;
}

/**
 * Compares the given minutes of the aggregate fed by `raw` with the raw rows, and rebuilds those
 * that differ; returns the minutes rebuilt. For the running writer, between two of its batches into
 * `raw` (nothing else inserts into it on chDB), after inserts that failed part-way: their raw part
 * may be stored without its view's or the reverse, and the retry cannot mend it (the rows are found
 * stored and skipped, or the view counts them again). Minutes past the retention are left alone.
 */
export async function repairAggregateMinutes(options: Omit<RepairOptions, 'dataDir'>, raw: RawTable, minutes: readonly number[]): Promise<number[]> {
  const aggregate = AGGREGATES.find((a) => a.raw === raw);
  if (aggregate === undefined) return [];
  const oldest = Math.floor(Date.now() / 1000) - checkedSeconds(options);
  const within = [...new Set(minutes)].filter((m) => m >= oldest).sort((a, b) => a - b);
  const torn = within.length === 0 ? [] : await differingMinutes(options, aggregate, within);
  if (torn.length > 0) await rebuild(options, aggregate, torn);
  return torn;
}

/** Minutes (epoch seconds) of the rows in the raw table's newest parts, within the retention. */
async function recentMinutes(options: RepairOptions, raw: RawTable): Promise<number[]> {
  const time = MINUTE_COLUMN[raw];
  const rows = await selectRows<{ m: unknown }>(
    options.client,
    `SELECT DISTINCT toUnixTimestamp(toStartOfMinute(${time})) AS m FROM ${qualified(options.database, raw)}\n` +
      `WHERE _part IN (\n` +
      `  SELECT name FROM system.parts WHERE database = {db:String} AND table = {raw:String} AND active\n` +
      `    AND modification_time >= (SELECT max(modification_time) FROM system.parts WHERE database = {db:String} AND table = {raw:String} AND active) - {recent:UInt32}\n` +
      `) AND ${time} >= now() - INTERVAL {seconds:UInt32} SECOND\n` +
      `ORDER BY m`,
    { db: options.database, raw, recent: RECENT_PARTS_SECONDS, seconds: checkedSeconds(options) },
  );
  return rows.map((r) => numberOf(r.m));
}

/** The minutes whose raw rows (one per key, as the table keeps them) and aggregate counts differ. */
async function differingMinutes(options: RepairOptions, aggregate: (typeof AGGREGATES)[number], minutes: readonly number[]): Promise<number[]> {
  const time = MINUTE_COLUMN[aggregate.raw];
  const params = { minutes };
  const stored = await selectRows<{ m: unknown; n: unknown }>(
    options.client,
    `SELECT toUnixTimestamp(toStartOfMinute(${time})) AS m, count() AS n FROM ${qualified(options.database, aggregate.raw)} FINAL\n` +
      `WHERE toStartOfMinute(${time}) IN {minutes:Array(DateTime('UTC'))} GROUP BY m`,
    params,
  );
  const counted = await selectRows<{ m: unknown; n: unknown }>(
    options.client,
    `SELECT toUnixTimestamp(minute) AS m, sum(${aggregate.count}) AS n FROM ${qualified(options.database, aggregate.table)}\n` +
      `WHERE minute IN {minutes:Array(DateTime('UTC'))} GROUP BY m`,
    params,
  );
  const byMinute = new Map<number, number>(counted.map((r) => [numberOf(r.m), numberOf(r.n)]));
  const differ: number[] = [];
  for (const row of stored) {
    const minute = numberOf(row.m);
    if ((byMinute.get(minute) ?? 0) !== numberOf(row.n)) differ.push(minute);
    byMinute.delete(minute);
  }
  // Counted with no raw row left: the raw insert was the one lost.
  for (const [minute, n] of byMinute) if (n !== 0) differ.push(minute);
  return differ.sort((a, b) => a - b);
}

/** Deletes the minutes from the aggregate and computes them again from the raw rows with the view's query. */
async function rebuild(options: RepairOptions, aggregate: (typeof AGGREGATES)[number], minutes: readonly number[]): Promise<void> {
  const view = CURRENT_MINUTE_VIEWS[aggregate.table];
  const target = qualified(options.database, aggregate.table);
  const time = MINUTE_COLUMN[aggregate.raw];
  const source = `(SELECT * FROM ${qualified(options.database, aggregate.raw)} FINAL WHERE toStartOfMinute(${time}) IN {minutes:Array(DateTime('UTC'))})`;
  const params = { minutes };
  // By name: INSERT … SELECT maps columns by position, a view by name.
  const columns = (
    await selectRows<{ name: string }>(
      options.client,
      'SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position',
      { db: options.database, table: aggregate.table },
    )
  ).map((c) => `\`${c.name}\``);
  await options.client.command({ query: `DELETE FROM ${target} WHERE minute IN {minutes:Array(DateTime('UTC'))}`, query_params: params });
  await options.client.command({
    query: `INSERT INTO ${target} (${columns.join(', ')})\nSELECT ${columns.join(', ')} FROM (\n${view.select(source)}\n)`,
    query_params: params,
  });
}

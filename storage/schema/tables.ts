// The tables storage owns, by role, and the columns that key them: one place for names that the
// migrations, the writer and the read models must agree on.

/** Raw tables: one row per message, deduplicated by their key column. */
export const RAW_TABLES = ['events', 'decisions', 'alerts', 'dead_letters'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

/** Per-minute AggregatingMergeTree tables, filled by materialized views from the raw tables. */
export const MINUTE_TABLES = ['events_minute', 'decisions_minute', 'alerts_minute'] as const;
export type MinuteTable = (typeof MINUTE_TABLES)[number];

export const MIGRATIONS_TABLE = 'schema_migrations';

/** The column that identifies a row of a raw table; the writer's dedup check reads it. */
export const KEY_COLUMN = {
  events: 'id',
  decisions: 'event_id',
  alerts: 'id',
  dead_letters: 'id',
} as const satisfies Record<RawTable, string>;

/** The time column whose age decides when a raw row expires (RISKSTREAM_RETENTION_DAYS). */
export const RETENTION_COLUMN = {
  events: 'ts',
  decisions: 'event_ts',
  alerts: 'ts',
  dead_letters: 'at',
} as const satisfies Record<RawTable, string>;

/**
 * The event-time column whose minute leads a raw table's sorting key (since 004): ORDER BY
 * (toStartOfMinute(<column>), <key>). The writer restricts its dedup lookup to the batch's minutes
 * of this column, so that the lookup reads only those minutes' granules however large the table
 * grows.
 */
export const MINUTE_COLUMN = RETENTION_COLUMN;

/** Minute aggregates are small; they outlive the raw rows so that trends stay visible. */
export const MINUTE_RETENTION_DAYS = 400;

/** Quantile levels kept in the score and latency states; the dashboard merges with the same list. */
export const QUANTILE_LEVELS = [0.5, 0.9, 0.99] as const;

/** Decimal types: every ISO 4217 currency has at most 4 minor digits; reporting sums are USD cents. */
export const AMOUNT_TYPE = 'Decimal(38, 4)';
export const USD_TYPE = 'Decimal(38, 2)';

export function isRawTable(value: string): value is RawTable {
  return (RAW_TABLES as readonly string[]).includes(value);
}

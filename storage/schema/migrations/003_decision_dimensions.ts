// Migration 003: decisions gained channel, payment type, country and counterparty country on the
// wire; store them, and cut the decision minute aggregates by channel and country too.
//
// Altered in place rather than through a new target table and view: the minute table keeps its
// name and up to 400 days of aggregates (the rows written before this version read as channel
// '' and country '', i.e. unknown), readers need no union of an old and a new table, and there is
// no moment where a decision reaches both views or neither. Every statement is idempotent: ADD
// COLUMN IF NOT EXISTS, a sorting key already in place, and the same view query again are all
// accepted (tested against chDB in migrate.test.ts).
import { addColumns, modifyViewQuery, type DdlContext, type ViewSpec } from '../ddl.js';
import { QUANTILE_LEVELS } from '../tables.js';

const LC = 'LowCardinality(String)';
const LEVELS = QUANTILE_LEVELS.join(', ');

const DECISION_COLUMNS = [
  // DEFAULT '': rows stored before this version, and decisions from an older processor, have none.
  `channel ${LC} DEFAULT '' AFTER counterparty_id`,
  `payment_type ${LC} DEFAULT '' AFTER channel`,
  `country ${LC} DEFAULT '' AFTER payment_type`,
  `counterparty_country ${LC} DEFAULT '' AFTER country`,
];

const MINUTE_COLUMNS = [
  // No DEFAULT clause: ClickHouse refuses a column with a default expression in an extended
  // sorting key. The type's own default is '' anyway, which is what existing rows read as.
  `channel ${LC} AFTER segment`,
  `country ${LC} AFTER channel`,
];

// The aggregation key of an AggregatingMergeTree is its sorting key: the new dimensions must be in
// it, or rows of different channels of one minute would be merged together. Only appending is
// allowed, hence segment before them; the primary index stays (minute, kind, segment).
const MINUTE_ORDER_BY = '(minute, kind, segment, channel, country)';

/** The view of 002_minute_aggregates with the two new dimensions; the measures are unchanged. */
export const DECISIONS_MINUTE_VIEW: ViewSpec = {
  name: 'decisions_minute_mv',
  to: 'decisions_minute',
  from: 'decisions',
  // Source columns are qualified (d.) because several aliases reuse their names.
  select: (source) =>
    `SELECT toStartOfMinute(d.event_ts) AS minute, d.event_kind AS kind, d.segment AS segment, d.channel AS channel, d.country AS country,\n` +
    `       count() AS decisions,\n` +
    `       countIf(d.action = 'allow') AS allowed, countIf(d.action = 'review') AS reviewed, countIf(d.action = 'block') AS blocked,\n` +
    `       sum(d.amount_usd) AS amount_usd,\n` +
    `       sumIf(d.amount_usd, d.action = 'review') AS reviewed_amount_usd, sumIf(d.amount_usd, d.action = 'block') AS blocked_amount_usd,\n` +
    `       quantilesState(${LEVELS})(d.score) AS score_quantiles,\n` +
    `       quantilesTDigestState(${LEVELS})(d.latency_processing_ms) AS latency_processing_ms,\n` +
    // Total latency is unknown when the ingest time is; those rows stay out of its quantiles.
    `       quantilesTDigestStateIf(${LEVELS})(ifNull(d.latency_total_ms, 0), isNotNull(d.latency_total_ms)) AS latency_total_ms\n` +
    `FROM ${source} AS d\nGROUP BY minute, kind, segment, channel, country`,
};

export function decisionDimensions(ctx: DdlContext): string[] {
  return [
    // Source columns first: the new view query reads them.
    ...addColumns(ctx, { table: 'decisions', columns: DECISION_COLUMNS }),
    ...addColumns(ctx, { table: 'decisions_minute', columns: MINUTE_COLUMNS, orderBy: MINUTE_ORDER_BY }),
    modifyViewQuery(ctx, DECISIONS_MINUTE_VIEW),
  ];
}

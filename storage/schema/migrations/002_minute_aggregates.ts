// Migration 002: per-minute aggregates the dashboard reads, kept by materialized views from the raw
// tables. Counts and sums are SimpleAggregateFunction (read with sum()); quantiles are states
// (read with quantilesMerge / quantilesTDigestMerge and the same levels). Minutes are event time.
import { createMaterializedView, createTable, type DdlContext, type TableSpec, type ViewSpec } from '../ddl.js';
import { MINUTE_RETENTION_DAYS, QUANTILE_LEVELS, USD_TYPE } from '../tables.js';

const LC = 'LowCardinality(String)';
const COUNT = 'SimpleAggregateFunction(sum, UInt64)';
const USD_SUM = `SimpleAggregateFunction(sum, ${USD_TYPE})`;
const LEVELS = QUANTILE_LEVELS.join(', ');
const MINUTE_TTL = `minute + INTERVAL ${MINUTE_RETENTION_DAYS} DAY`;

function minuteTable(name: string, dimensions: readonly string[], measures: readonly string[]): TableSpec {
  return {
    name,
    columns: ["minute DateTime('UTC')", ...dimensions.map((d) => `${d} ${LC}`), ...measures],
    engine: 'AggregatingMergeTree',
    partitionBy: 'toYYYYMM(minute)',
    orderBy: `(minute, ${dimensions.join(', ')})`,
    ttl: MINUTE_TTL,
  };
}

const EVENTS_MINUTE = minuteTable('events_minute', ['kind', 'channel', 'country'], [`events ${COUNT}`, `amount_usd ${USD_SUM}`]);

const DECISIONS_MINUTE = minuteTable(
  'decisions_minute',
  // Decisions carry no channel or country on the wire; events_minute has those cuts.
  ['kind', 'segment'],
  [
    `decisions ${COUNT}`,
    `allowed ${COUNT}`,
    `reviewed ${COUNT}`,
    `blocked ${COUNT}`,
    `amount_usd ${USD_SUM}`,
    `reviewed_amount_usd ${USD_SUM}`,
    `blocked_amount_usd ${USD_SUM}`,
    `score_quantiles AggregateFunction(quantiles(${LEVELS}), UInt16)`,
    `latency_processing_ms AggregateFunction(quantilesTDigest(${LEVELS}), Float64)`,
    `latency_total_ms AggregateFunction(quantilesTDigest(${LEVELS}), Float64)`,
  ],
);

const ALERTS_MINUTE = minuteTable('alerts_minute', ['domain', 'typology', 'severity'], [`alerts ${COUNT}`, `amount_usd ${USD_SUM}`]);

/** The views as 002 creates them (003 changes decisions_minute_mv's query). */
export const VIEWS: readonly ViewSpec[] = [
  {
    name: 'events_minute_mv',
    to: 'events_minute',
    from: 'events',
    select: (source) =>
      `SELECT toStartOfMinute(e.ts) AS minute, e.kind AS kind, e.channel AS channel, e.debtor_country AS country,\n` +
      `       count() AS events, sum(e.amount_usd) AS amount_usd\n` +
      `FROM ${source} AS e\nGROUP BY minute, kind, channel, country`,
  },
  {
    name: 'decisions_minute_mv',
    to: 'decisions_minute',
    from: 'decisions',
    // Source columns are qualified (d.) because several aliases reuse their names.
    select: (source) =>
      `SELECT toStartOfMinute(d.event_ts) AS minute, d.event_kind AS kind, d.segment AS segment,\n` +
      `       count() AS decisions,\n` +
      `       countIf(d.action = 'allow') AS allowed, countIf(d.action = 'review') AS reviewed, countIf(d.action = 'block') AS blocked,\n` +
      `       sum(d.amount_usd) AS amount_usd,\n` +
      `       sumIf(d.amount_usd, d.action = 'review') AS reviewed_amount_usd, sumIf(d.amount_usd, d.action = 'block') AS blocked_amount_usd,\n` +
      `       quantilesState(${LEVELS})(d.score) AS score_quantiles,\n` +
      `       quantilesTDigestState(${LEVELS})(d.latency_processing_ms) AS latency_processing_ms,\n` +
      // Total latency is unknown when the ingest time is; those rows stay out of its quantiles.
      `       quantilesTDigestStateIf(${LEVELS})(ifNull(d.latency_total_ms, 0), isNotNull(d.latency_total_ms)) AS latency_total_ms\n` +
      `FROM ${source} AS d\nGROUP BY minute, kind, segment`,
  },
  {
    name: 'alerts_minute_mv',
    to: 'alerts_minute',
    from: 'alerts',
    select: (source) =>
      `SELECT toStartOfMinute(a.ts) AS minute, a.domain AS domain, a.typology AS typology, a.severity AS severity,\n` +
      `       count() AS alerts, sum(a.amount_usd) AS amount_usd\n` +
      `FROM ${source} AS a\nGROUP BY minute, domain, typology, severity`,
  },
];

export function minuteAggregates(ctx: DdlContext): string[] {
  return [
    ...[EVENTS_MINUTE, DECISIONS_MINUTE, ALERTS_MINUTE].flatMap((spec) => createTable(ctx, spec)),
    ...VIEWS.map((view) => createMaterializedView(ctx, view)),
  ];
}

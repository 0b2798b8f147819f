// The decision half of the minute KPIs, merged from decisions_minute: per minute in total and per
// cut (event kind, payment channel, payer country), in one round trip. Every cut reads the same
// measures, so the dashboard gets counts, amounts and quantiles for any channel or country.
import { QUANTILE_LEVELS } from '../schema/tables.js';
import { qualified, selectRows, type SqlClient, type SqlParams } from '../sql.js';

export type Quantiles = { readonly p50: number; readonly p90: number; readonly p99: number };

/** What decisions_minute knows of one minute, overall or for one cut. */
export type DecisionKpi = {
  readonly decisions: number;
  readonly allowed: number;
  readonly reviewed: number;
  readonly blocked: number;
  /** Sums in USD at the indicative rates, exact decimal text with 2 decimals. */
  readonly decidedAmountUsd: string;
  readonly reviewedAmountUsd: string;
  readonly blockedAmountUsd: string;
  readonly score: Quantiles | null;
  readonly latencyProcessingMs: Quantiles | null;
  readonly latencyTotalMs: Quantiles | null;
};

/** The dimensions decisions_minute is cut by, named as its columns (interpolated from this list only). */
export const DECISION_CUTS = ['kind', 'channel', 'country'] as const;
export type DecisionCut = (typeof DECISION_CUTS)[number];

/** Per cut, the value ('' = none or unknown) to its measures. */
export type DecisionCuts = { readonly [C in DecisionCut]: Readonly<Record<string, DecisionKpi>> };

export type MinuteDecisions = { total: DecisionKpi; readonly by: { readonly [C in DecisionCut]: Record<string, DecisionKpi> } };

const LEVELS = QUANTILE_LEVELS.join(', ');

// Aliases differ from column names: an alias equal to a column would shadow it (see alerts.ts).
const MEASURES = `sum(decisions) AS n_decisions,
       sum(allowed) AS n_allowed, sum(reviewed) AS n_reviewed, sum(blocked) AS n_blocked,
       toDecimalString(sum(amount_usd), 2) AS usd,
       toDecimalString(sum(reviewed_amount_usd), 2) AS reviewed_usd,
       toDecimalString(sum(blocked_amount_usd), 2) AS blocked_usd,
       quantilesMerge(${LEVELS})(score_quantiles) AS score,
       quantilesTDigestMerge(${LEVELS})(latency_processing_ms) AS latency_processing,
       quantilesTDigestMerge(${LEVELS})(latency_total_ms) AS latency_total`;

type DecisionCells = {
  m: unknown;
  /** '' for the minute's total, else the cut's column name. */
  cut: string;
  value: string;
  n_decisions: unknown;
  n_allowed: unknown;
  n_reviewed: unknown;
  n_blocked: unknown;
  usd: string;
  reviewed_usd: string;
  blocked_usd: string;
  score: unknown;
  latency_processing: unknown;
  latency_total: unknown;
};

/** Decisions by minute (epoch ms of its start), for the minutes `where` selects (bound by `params`). */
export async function decisionKpis(client: SqlClient, database: string, where: string, params: SqlParams): Promise<Map<number, MinuteDecisions>> {
  const table = qualified(database, 'decisions_minute');
  // One SELECT per grouping, glued with UNION ALL: quantile states must be merged per cut on the
  // server, and one round trip keeps it cheap. Only `where` (a fixed fragment of the caller) and
  // the names of DECISION_CUTS enter the text; every value is a bound parameter.
  const select = (cut: string, value: string, groupBy: string): string =>
    `SELECT toUnixTimestamp(minute) AS m, '${cut}' AS cut, ${value} AS value, ${MEASURES}\n FROM ${table} WHERE ${where} GROUP BY ${groupBy}`;
  const query = [select('', "''", 'm'), ...DECISION_CUTS.map((cut) => select(cut, cut, 'm, value'))].join('\nUNION ALL\n');
  const byMinute = new Map<number, MinuteDecisions>();
  for (const row of await selectRows<DecisionCells>(client, query, params)) {
    const minute = Number(row.m) * 1000;
    let entry = byMinute.get(minute);
    if (!entry) byMinute.set(minute, (entry = { total: EMPTY_DECISIONS, by: { kind: {}, channel: {}, country: {} } }));
    if (row.cut === '') entry.total = decisionKpiOf(row);
    else if (isCut(row.cut)) entry.by[row.cut][row.value] = decisionKpiOf(row);
  }
  return byMinute;
}

export const EMPTY_DECISIONS: DecisionKpi = {
  decisions: 0,
  allowed: 0,
  reviewed: 0,
  blocked: 0,
  decidedAmountUsd: '0.00',
  reviewedAmountUsd: '0.00',
  blockedAmountUsd: '0.00',
  score: null,
  latencyProcessingMs: null,
  latencyTotalMs: null,
};

function isCut(value: string): value is DecisionCut {
  return (DECISION_CUTS as readonly string[]).includes(value);
}

function decisionKpiOf(row: DecisionCells): DecisionKpi {
  return {
    decisions: Number(row.n_decisions),
    allowed: Number(row.n_allowed),
    reviewed: Number(row.n_reviewed),
    blocked: Number(row.n_blocked),
    decidedAmountUsd: row.usd,
    reviewedAmountUsd: row.reviewed_usd,
    blockedAmountUsd: row.blocked_usd,
    score: quantilesOf(row.score),
    latencyProcessingMs: quantilesOf(row.latency_processing),
    latencyTotalMs: quantilesOf(row.latency_total),
  };
}

/** A merged quantiles array; null when the state held no values (ClickHouse answers nan). */
function quantilesOf(cell: unknown): Quantiles | null {
  if (!Array.isArray(cell) || cell.length !== QUANTILE_LEVELS.length) return null;
  const [p50, p90, p99] = cell.map((v) => (v === null ? Number.NaN : Number(v)));
  if (!Number.isFinite(p50) || !Number.isFinite(p90) || !Number.isFinite(p99)) return null;
  return { p50: p50!, p90: p90!, p99: p99! };
}

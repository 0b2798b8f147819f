// Per-minute KPIs for the dashboard, merged from the three minute aggregates: throughput and
// amounts, decisions by action and blocked amounts, score and latency quantiles, alerts.
import { QUANTILE_LEVELS } from '../schema/tables.js';
import { qualified, selectRows, type SqlClient } from '../sql.js';

export type Quantiles = { readonly p50: number; readonly p90: number; readonly p99: number };

export type MinuteKpi = {
  /** Start of the minute (event time), epoch ms. */
  readonly minute: number;
  readonly events: number;
  /** Sums in USD at the indicative rates, exact decimal text with 2 decimals. */
  readonly eventAmountUsd: string;
  readonly decisions: number;
  readonly allowed: number;
  readonly reviewed: number;
  readonly blocked: number;
  readonly decidedAmountUsd: string;
  readonly reviewedAmountUsd: string;
  readonly blockedAmountUsd: string;
  readonly score: Quantiles | null;
  readonly latencyProcessingMs: Quantiles | null;
  readonly latencyTotalMs: Quantiles | null;
  readonly alerts: number;
  readonly alertsByDomain: Readonly<Record<string, number>>;
  /** Keyed `<domain>/<typology>`. */
  readonly alertsByTypology: Readonly<Record<string, number>>;
};

export type KpiQuery = {
  /** Minutes starting at or after this time (epoch ms). */
  readonly since: number;
  /** Minutes starting before this time (epoch ms); default: no end. */
  readonly until?: number;
};

const LEVELS = QUANTILE_LEVELS.join(', ');
const RANGE = "minute >= toDateTime({since:Int64}, 'UTC') AND minute < toDateTime({until:Int64}, 'UTC')";
// Far enough ahead for any minute the tables can hold.
const NO_END_SECONDS = Date.UTC(2100, 0, 1) / 1000;

// Aliases differ from column names: an alias equal to a column would shadow it (see alerts.ts).
type EventCells = { m: unknown; n_events: unknown; usd: string };
type DecisionCells = {
  m: unknown;
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
type AlertCells = { m: unknown; domain: string; typology: string; n_alerts: unknown };

export async function minuteKpis(client: SqlClient, database: string, query: KpiQuery): Promise<MinuteKpi[]> {
  const params = { since: Math.floor(query.since / 1000), until: query.until === undefined ? NO_END_SECONDS : Math.ceil(query.until / 1000) };
  const [events, decisions, alerts] = await Promise.all([
    selectRows<EventCells>(
      client,
      `SELECT toUnixTimestamp(minute) AS m, sum(events) AS n_events, toDecimalString(sum(amount_usd), 2) AS usd
       FROM ${qualified(database, 'events_minute')} WHERE ${RANGE} GROUP BY m`,
      params,
    ),
    selectRows<DecisionCells>(
      client,
      `SELECT toUnixTimestamp(minute) AS m, sum(decisions) AS n_decisions,
              sum(allowed) AS n_allowed, sum(reviewed) AS n_reviewed, sum(blocked) AS n_blocked,
              toDecimalString(sum(amount_usd), 2) AS usd,
              toDecimalString(sum(reviewed_amount_usd), 2) AS reviewed_usd,
              toDecimalString(sum(blocked_amount_usd), 2) AS blocked_usd,
              quantilesMerge(${LEVELS})(score_quantiles) AS score,
              quantilesTDigestMerge(${LEVELS})(latency_processing_ms) AS latency_processing,
              quantilesTDigestMerge(${LEVELS})(latency_total_ms) AS latency_total
       FROM ${qualified(database, 'decisions_minute')} WHERE ${RANGE} GROUP BY m`,
      params,
    ),
    selectRows<AlertCells>(
      client,
      `SELECT toUnixTimestamp(minute) AS m, domain, typology, sum(alerts) AS n_alerts
       FROM ${qualified(database, 'alerts_minute')} WHERE ${RANGE} GROUP BY m, domain, typology`,
      params,
    ),
  ]);

  const byMinute = new Map<number, MutableKpi>();
  const at = (cell: unknown): MutableKpi => {
    const minute = Number(cell) * 1000;
    let kpi = byMinute.get(minute);
    if (!kpi) byMinute.set(minute, (kpi = emptyKpi(minute)));
    return kpi;
  };
  for (const row of events) {
    const kpi = at(row.m);
    kpi.events = Number(row.n_events);
    kpi.eventAmountUsd = row.usd;
  }
  for (const row of decisions) {
    const kpi = at(row.m);
    kpi.decisions = Number(row.n_decisions);
    kpi.allowed = Number(row.n_allowed);
    kpi.reviewed = Number(row.n_reviewed);
    kpi.blocked = Number(row.n_blocked);
    kpi.decidedAmountUsd = row.usd;
    kpi.reviewedAmountUsd = row.reviewed_usd;
    kpi.blockedAmountUsd = row.blocked_usd;
    kpi.score = quantilesOf(row.score);
    kpi.latencyProcessingMs = quantilesOf(row.latency_processing);
    kpi.latencyTotalMs = quantilesOf(row.latency_total);
  }
  for (const row of alerts) {
    const kpi = at(row.m);
    const count = Number(row.n_alerts);
    kpi.alerts += count;
    kpi.alertsByDomain[row.domain] = (kpi.alertsByDomain[row.domain] ?? 0) + count;
    kpi.alertsByTypology[`${row.domain}/${row.typology}`] = count;
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

type MutableKpi = { -readonly [K in keyof MinuteKpi]: MinuteKpi[K] } & {
  alertsByDomain: Record<string, number>;
  alertsByTypology: Record<string, number>;
};

function emptyKpi(minute: number): MutableKpi {
  return {
    minute,
    events: 0,
    eventAmountUsd: '0.00',
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
    alerts: 0,
    alertsByDomain: {},
    alertsByTypology: {},
  };
}

/** A merged quantiles array; null when the state held no values (ClickHouse answers nan). */
function quantilesOf(cell: unknown): Quantiles | null {
  if (!Array.isArray(cell) || cell.length !== QUANTILE_LEVELS.length) return null;
  const [p50, p90, p99] = cell.map((v) => (v === null ? Number.NaN : Number(v)));
  if (!Number.isFinite(p50) || !Number.isFinite(p90) || !Number.isFinite(p99)) return null;
  return { p50: p50!, p90: p90!, p99: p99! };
}

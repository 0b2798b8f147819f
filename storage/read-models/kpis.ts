// Per-minute KPIs for the dashboard, merged from the three minute aggregates: throughput and
// amounts, decisions by action and blocked amounts, score and latency quantiles (also by event
// kind, payment channel and payer country), alerts.
import { qualified, selectRows, type SqlClient } from '../sql.js';
import { EMPTY_DECISIONS, decisionKpis, type DecisionCuts, type DecisionKpi } from './decision-kpis.js';

export type { DecisionCut, DecisionCuts, DecisionKpi, Quantiles } from './decision-kpis.js';

export type MinuteKpi = DecisionKpi & {
  /** Start of the minute (event time), epoch ms. */
  readonly minute: number;
  readonly events: number;
  /** Sum in USD at the indicative rates, exact decimal text with 2 decimals. */
  readonly eventAmountUsd: string;
  /**
   * The decision measures again, cut by event kind, payment channel and payer country. The key ''
   * is "none or unknown": kinds without a channel, and decisions stored before migration 003.
   * Alerts are not cut: alerts_minute has neither channel nor country.
   */
  readonly decisionsBy: DecisionCuts;
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

const RANGE = "minute >= toDateTime({since:Int64}, 'UTC') AND minute < toDateTime({until:Int64}, 'UTC')";
// Far enough ahead for any minute the tables can hold.
const NO_END_SECONDS = Date.UTC(2100, 0, 1) / 1000;

// Aliases differ from column names: an alias equal to a column would shadow it (see alerts.ts).
type EventCells = { m: unknown; n_events: unknown; usd: string };
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
    decisionKpis(client, database, RANGE, params),
    selectRows<AlertCells>(
      client,
      `SELECT toUnixTimestamp(minute) AS m, domain, typology, sum(alerts) AS n_alerts
       FROM ${qualified(database, 'alerts_minute')} WHERE ${RANGE} GROUP BY m, domain, typology`,
      params,
    ),
  ]);

  const byMinute = new Map<number, MutableKpi>();
  const at = (minute: number): MutableKpi => {
    let kpi = byMinute.get(minute);
    if (!kpi) byMinute.set(minute, (kpi = emptyKpi(minute)));
    return kpi;
  };
  for (const row of events) {
    const kpi = at(Number(row.m) * 1000);
    kpi.events = Number(row.n_events);
    kpi.eventAmountUsd = row.usd;
  }
  for (const [minute, { total, by }] of decisions) Object.assign(at(minute), total, { decisionsBy: by });
  for (const row of alerts) {
    const kpi = at(Number(row.m) * 1000);
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
    ...EMPTY_DECISIONS,
    decisionsBy: { kind: {}, channel: {}, country: {} },
    alerts: 0,
    alertsByDomain: {},
    alertsByTypology: {},
  };
}

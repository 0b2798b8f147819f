// Per-minute KPI history for the overview charts, from the minute aggregates: the last N minutes,
// oldest first, every minute present (empty ones as zeros, so charts need no gap logic), and
// optionally only the decisions of one event kind, payment channel and/or payer country.
import { RiskstreamError } from '../../core/index.js';
import { qualified, selectRows, type SqlClient, type SqlParams } from '../sql.js';
import { EMPTY_DECISIONS, decisionKpis } from './decision-kpis.js';
import { pageSize } from './time-window.js';

export type KpiMinute = {
  /** Start of the minute (event time), epoch ms. */
  readonly minute: number;
  readonly decisions: number;
  readonly allowed: number;
  readonly reviewed: number;
  readonly blocked: number;
  /** USD at the indicative rates, exact decimal text with 2 decimals. */
  readonly decidedAmountUsd: string;
  readonly blockedAmountUsd: string;
  /** Ingest-to-decision latency (null when no decision of the minute knew its ingest time). */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly scoreP50: number | null;
  /**
   * Alerts of the minute. alerts_minute is cut by domain, typology and severity only, so this is
   * every alert of the minute even when the decisions are cut by kind, channel or country.
   */
  readonly alerts: number;
};

export type KpiHistory = { readonly minutes: readonly KpiMinute[] };

export type KpiHistoryQuery = {
  /** How many minutes back, 1–1440 (the current minute included). */
  readonly minutes: number;
  readonly kind?: string;
  readonly channel?: string;
  readonly country?: string;
};

export const MAX_KPI_MINUTES = 1440;

// Each optional cut is a fixed fragment with a bound parameter.
const CUTS = {
  kind: 'kind = {kind:String}',
  channel: 'channel = {channel:String}',
  country: 'country = {country:String}',
} as const;

const RANGE = "minute >= toDateTime({since:Int64}, 'UTC') AND minute < toDateTime({until:Int64}, 'UTC')";

export async function kpiHistory(client: SqlClient, database: string, query: KpiHistoryQuery, now: number): Promise<KpiHistory> {
  const count = pageSize(query.minutes, 60, MAX_KPI_MINUTES, 'minutes');
  const last = Math.floor(now / 60_000) * 60_000;
  const first = last - (count - 1) * 60_000;
  const params: SqlParams = { since: first / 1000, until: (last + 60_000) / 1000 };
  const where = [RANGE];
  for (const cut of Object.keys(CUTS) as Array<keyof typeof CUTS>) {
    const value = query[cut];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > 64) throw new RiskstreamError('RS_ERR_BAD_REQUEST', `${cut} must be a short text`);
    where.push(CUTS[cut]);
    params[cut] = value;
  }
  const [decisions, alerts] = await Promise.all([
    decisionKpis(client, database, where.join(' AND '), params),
    selectRows<{ m: unknown; n: unknown }>(
      client,
      `SELECT toUnixTimestamp(minute) AS m, sum(alerts) AS n FROM ${qualified(database, 'alerts_minute')} WHERE ${RANGE} GROUP BY m`,
      params,
    ),
  ]);
  const alertsAt = new Map(alerts.map((r) => [Number(r.m) * 1000, Number(r.n)]));
  const minutes: KpiMinute[] = [];
  for (let minute = first; minute <= last; minute += 60_000) {
    const total = decisions.get(minute)?.total ?? EMPTY_DECISIONS;
    minutes.push({
      minute,
      decisions: total.decisions,
      allowed: total.allowed,
      reviewed: total.reviewed,
      blocked: total.blocked,
      decidedAmountUsd: total.decidedAmountUsd,
      blockedAmountUsd: total.blockedAmountUsd,
      latencyP50Ms: total.latencyTotalMs?.p50 ?? null,
      latencyP99Ms: total.latencyTotalMs?.p99 ?? null,
      scoreP50: total.score?.p50 ?? null,
      alerts: alertsAt.get(minute) ?? 0,
    });
  }
  return { minutes };
}

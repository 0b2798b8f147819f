// What a KPI subscriber gets first: the held seconds it lacks, as one kpi-history. The newest
// second goes as a whole KpiTick (the tiles and the window charts read it); the older ones go as a
// trail, column by column, with only the figures a chart or sparkline draws from them. Every tick
// in full cost about 5.6 KB a second at full load (corridors, typologies, kinds), 5 MB for the
// 15 minutes, sent again at every reconnect. Pure: ticks in, message out.
import type { KpiTick, KpiTrail, ServerMessage } from '../protocol.js';

/**
 * A subscriber that says which second it holds last (`since`) is also sent the seconds this much
 * before it: a processor's snapshot that came late amends a second after its tick went out
 * (usually by a second or two), and the tab may have been away when it was.
 */
export const KPI_RESEND_OVERLAP_MS = 10_000;

type KpiHistory = Extract<ServerMessage, { type: 'kpi-history' }>;

/**
 * The kpi-history for a subscriber: every held tick, or with `since` those from
 * `since − KPI_RESEND_OVERLAP_MS` on; the newest held tick always (a tab that holds it already
 * learns the hub is there). `ticks` are one per second without gaps, oldest first.
 */
export function kpiHistoryFor(ticks: readonly KpiTick[], since?: number): KpiHistory {
  return kpiHistoryFrom(ticks, kpiHistoryStart(ticks, since));
}

/** The index of the first tick a subscriber with `since` (or none) is sent: subscribers with the same one get the same message. */
export function kpiHistoryStart(ticks: readonly KpiTick[], since?: number): number {
  const first = ticks[0];
  if (first === undefined || since === undefined) return 0;
  const start = Math.ceil((since - KPI_RESEND_OVERLAP_MS - first.at) / 1000);
  return Math.min(Math.max(start, 0), ticks.length - 1);
}

/** The kpi-history of the ticks from index `start` on (kpiHistoryStart). */
export function kpiHistoryFrom(ticks: readonly KpiTick[], start: number): KpiHistory {
  const newest = ticks[ticks.length - 1];
  if (newest === undefined) return { type: 'kpi-history', ticks: [] };
  if (start >= ticks.length - 1) return { type: 'kpi-history', ticks: [newest] };
  return { type: 'kpi-history', ticks: [newest], trail: kpiTrail(ticks.slice(start, -1)) };
}

/** The trail of consecutive ticks (at least one): the per-second figures the charts draw, by column. */
export function kpiTrail(ticks: readonly KpiTick[]): KpiTrail {
  const loan = (tick: KpiTick) => tick.byKind['loan.application'];
  return {
    from: ticks[0]!.at,
    since: ticks[0]!.since,
    decisionsPerSecond: ticks.map((tick) => tick.decisionsPerSecond),
    latencyP50Ms: ticks.map((tick) => tick.latencyP50Ms),
    latencyP99Ms: ticks.map((tick) => tick.latencyP99Ms),
    alertsPerMinute: ticks.map((tick) => tick.alertsPerMinute),
    fraudRate: ticks.map((tick) => tick.fraudRate),
    blockedUsdLastMinute: ticks.map((tick) => tick.blockedUsdLastMinute),
    loanApplications: {
      allow: ticks.map((tick) => loan(tick)?.allow ?? 0),
      review: ticks.map((tick) => loan(tick)?.review ?? 0),
      block: ticks.map((tick) => loan(tick)?.block ?? 0),
    },
  };
}

// Turns KPI ticks (per second, live) and the per-minute history (REST) into the series the overview
// charts draw. Pure functions.
import type { KpiHistoryAnswer, KpiTick, KpiTrail, ServerMessage } from '../../../server/protocol.js';

export const LIVE_WINDOW_MS = 15 * 60_000;

type ActionCounts = { readonly allow: number; readonly review: number; readonly block: number };

/** A second of a kpi-history's trail: only the figures the charts and sparklines draw from older seconds. */
export type TrailSecond = Pick<KpiTick, 'at' | 'since' | 'decisionsPerSecond' | 'latencyP50Ms' | 'latencyP99Ms' | 'alertsPerMinute' | 'fraudRate' | 'blockedUsdLastMinute'> & {
  readonly loanApplications: ActionCounts;
  readonly trail: true;
};

/** A second a page holds: a whole tick (pushed live, or a kpi-history's newest) or a second of a trail. */
export type HeldSecond = KpiTick | TrailSecond;

/** The seconds of a kpi-history, oldest first: its trail's, then its ticks. */
export function historySeconds(message: Extract<ServerMessage, { type: 'kpi-history' }>): HeldSecond[] {
  const trail = message.trail;
  return trail === undefined ? [...message.ticks] : [...trailSeconds(trail), ...message.ticks];
}

function trailSeconds(trail: KpiTrail): TrailSecond[] {
  return trail.decisionsPerSecond.map((decisionsPerSecond, i) => ({
    at: trail.from + i * 1000,
    since: trail.since,
    decisionsPerSecond,
    latencyP50Ms: trail.latencyP50Ms[i] ?? null,
    latencyP99Ms: trail.latencyP99Ms[i] ?? null,
    alertsPerMinute: trail.alertsPerMinute[i] ?? 0,
    fraudRate: trail.fraudRate[i] ?? 0,
    blockedUsdLastMinute: trail.blockedUsdLastMinute[i] ?? '0.00',
    loanApplications: { allow: trail.loanApplications.allow[i] ?? 0, review: trail.loanApplications.review[i] ?? 0, block: trail.loanApplications.block[i] ?? 0 },
    trail: true,
  }));
}

/** The newest whole tick held (the tiles and window charts read it), or null. */
export function latestTick(held: readonly HeldSecond[]): KpiTick | null {
  for (let i = held.length - 1; i >= 0; i -= 1) {
    const second = held[i]!;
    if (!('trail' in second)) return second;
  }
  return null;
}

/** Loan applications decided over the 60 s to this second, by action. */
export function loanApplicationsOf(second: HeldSecond): ActionCounts {
  if ('trail' in second) return second.loanApplications;
  return second.byKind['loan.application'] ?? { allow: 0, review: 0, block: 0 };
}

export type SeriesPoint = { readonly t: number; readonly v: number | null };
export type KpiSeries = {
  readonly eventsPerSecond: readonly SeriesPoint[];
  readonly p50: readonly SeriesPoint[];
  readonly p99: readonly SeriesPoint[];
};

/** Adds ticks (history or live) to the held ones: one per second, oldest first, the last 15 minutes. */
export function mergeTicks<T extends { readonly at: number }>(held: readonly T[], incoming: readonly T[], windowMs = LIVE_WINDOW_MS): T[] {
  if (incoming.length === 0) return held as T[];
  const last = held[held.length - 1];
  // The common case: one newer tick appended.
  if (incoming.length === 1 && (last === undefined || incoming[0]!.at > last.at)) {
    const next = [...held, incoming[0]!];
    return trim(next, windowMs);
  }
  const byAt = new Map<number, T>();
  for (const tick of held) byAt.set(tick.at, tick);
  for (const tick of incoming) byAt.set(tick.at, tick);
  return trim([...byAt.values()].sort((a, b) => a.at - b.at), windowMs);
}

function trim<T extends { readonly at: number }>(ticks: T[], windowMs: number): T[] {
  const newest = ticks[ticks.length - 1];
  if (newest === undefined) return ticks;
  const from = newest.at - windowMs;
  let start = 0;
  while (start < ticks.length && ticks[start]!.at <= from) start += 1;
  return start === 0 ? ticks : ticks.slice(start);
}

type MinuteRow = KpiHistoryAnswer['minutes'][number];

/**
 * Per-second series of the live ticks. The hub holds seconds only from its start: after a restart
 * the 15 minutes before the newest tick begin with nothing. The stored minutes (`minutes`, from
 * GET /api/kpis) that ended before the first held second fill that part, each second of a minute
 * at the minute's figures (events/s = its mean, latency its p50/p99), so the chart is not empty until new
 * seconds have come; `storedMinutesBefore` says whether any did.
 */
export function secondSeries(ticks: readonly HeldSecond[], minutes: readonly MinuteRow[] = []): KpiSeries {
  const stored = storedMinutesBefore(ticks, minutes);
  return {
    eventsPerSecond: [...minuteSteps(stored, (row) => row.decisions / 60), ...ticks.map((tick) => ({ t: tick.at, v: tick.decisionsPerSecond }))],
    p50: [...minuteSteps(stored, (row) => row.latencyP50Ms), ...ticks.map((tick) => ({ t: tick.at, v: tick.latencyP50Ms }))],
    p99: [...minuteSteps(stored, (row) => row.latencyP99Ms), ...ticks.map((tick) => ({ t: tick.at, v: tick.latencyP99Ms }))],
  };
}

/**
 * Stored minutes as per-second points: each second of a minute at the minute's `value` (a step).
 * One point a minute would not draw: the chart breaks its line where points are further apart
 * than a few of its usual steps (rs-time-series withGaps), and its usual step is a second.
 */
export function minuteSteps<R extends { readonly minute: number }>(rows: readonly R[], value: (row: R) => number | null): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const row of rows) {
    const v = value(row);
    for (let t = row.minute; t < row.minute + 60_000; t += 1000) points.push({ t, v });
  }
  return points;
}

/**
 * When the first held second is from a hub that started within the 15 minutes before the newest
 * tick: the stored minutes in those 15 minutes that ended before it. Otherwise none.
 */
export function storedMinutesBefore<R extends { readonly minute: number }>(ticks: readonly HeldSecond[], minutes: readonly R[]): R[] {
  const first = ticks[0];
  const newest = ticks[ticks.length - 1];
  if (first === undefined || newest === undefined) return [];
  const from = newest.at - LIVE_WINDOW_MS;
  if (first.since <= from) return [];
  return minutes.filter((row) => row.minute + 60_000 <= first.at && row.minute >= from);
}

/** How long after a minute ends its stored figures are taken as whole: the writer inserts about once a second. */
export const STORED_MINUTE_SETTLE_MS = 5_000;

/**
 * Per-minute series: the stored minutes, then minutes built from live ticks newer than the last
 * stored one (events/s = mean over the minute's ticks; latency = the worst tick, as a p99 cannot be
 * averaged).
 */
export function minuteSeries(minutes: readonly MinuteRow[], ticks: readonly HeldSecond[], readAt: number = Date.now()): KpiSeries {
  // A stored minute that had not ended when the minutes were read (`readAt`), or had ended only
  // moments before (the writer stores about a second behind), holds part of its decisions: divided
  // by 60 it would draw a drop at the right edge. The live ticks give that minute's rate instead.
  // Judged by when the minutes were read, not by the clock: the minute current at the read is
  // complete by the clock a minute later, and was then drawn from its partial count (45/s of 50).
  const complete = minutes.filter((row) => row.minute + 60_000 + STORED_MINUTE_SETTLE_MS <= readAt);
  const rows = complete.map((row) => ({ t: row.minute, eps: row.decisions / 60, p50: row.latencyP50Ms, p99: row.latencyP99Ms }));
  const lastStored = complete.length > 0 ? complete[complete.length - 1]!.minute : -Infinity;
  const fromTicks = new Map<number, { sum: number; n: number; p50: number | null; p99: number | null }>();
  for (const tick of ticks) {
    const minute = Math.floor(tick.at / 60_000) * 60_000;
    if (minute <= lastStored) continue;
    const bucket = fromTicks.get(minute) ?? { sum: 0, n: 0, p50: null, p99: null };
    bucket.sum += tick.decisionsPerSecond;
    bucket.n += 1;
    bucket.p50 = maxOf(bucket.p50, tick.latencyP50Ms);
    bucket.p99 = maxOf(bucket.p99, tick.latencyP99Ms);
    fromTicks.set(minute, bucket);
  }
  for (const [minute, bucket] of [...fromTicks.entries()].sort((a, b) => a[0] - b[0])) {
    rows.push({ t: minute, eps: bucket.sum / bucket.n, p50: bucket.p50, p99: bucket.p99 });
  }
  return {
    eventsPerSecond: rows.map((row) => ({ t: row.t, v: row.eps })),
    p50: rows.map((row) => ({ t: row.t, v: row.p50 })),
    p99: rows.map((row) => ({ t: row.t, v: row.p99 })),
  };
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

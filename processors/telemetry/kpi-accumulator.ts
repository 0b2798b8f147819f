// Per-second KPI snapshots of what one processor decided: counts, money, latency and score
// histograms, alerts and country corridors. Pure and cheap (a few increments per decision), so the
// dashboard's live overview costs the hot path almost nothing and scales with the processors.
import {
  KPI_LATENCY_BOUNDS_MS,
  KPI_LATENCY_LONG_BOUNDS_MS,
  KPI_MAX_CORRIDORS,
  KPI_SCORE_BUCKETS,
  toReportingMinor,
  type Action,
  type AlertWire,
  type CorridorSecond,
  type DecisionWire,
  type EventKind,
  type KindSecond,
  type KpiSecondWire,
} from '../../core/index.js';

type MutableKind = { count: number; byAction: Record<Action, number>; amountUsdCents: number; blockedUsdCents: number };
type MutableCorridor = { from: string; to: string; count: number; amountUsdCents: number; alerts: number };

class SecondBuilder {
  readonly second: number;
  decisions = 0;
  readonly byAction: Record<Action, number> = { allow: 0, review: 0, block: 0 };
  readonly byKind = new Map<EventKind, MutableKind>();
  amountUsdCents = 0;
  blockedUsdCents = 0;
  readonly latency = new Array<number>(KPI_LATENCY_BOUNDS_MS.length + 1).fill(0);
  /** The last bucket of `latency` (above 5 s) split by KPI_LATENCY_LONG_BOUNDS_MS. */
  readonly latencyLong = new Array<number>(KPI_LATENCY_LONG_BOUNDS_MS.length + 1).fill(0);
  readonly scores = new Array<number>(KPI_SCORE_BUCKETS).fill(0);
  alerts = 0;
  readonly alertsByDomain: Record<string, number> = {};
  readonly alertsBySeverity: Record<string, number> = {};
  readonly alertsByTypology: Record<string, number> = {};
  readonly corridors = new Map<string, MutableCorridor>();

  constructor(second: number) {
    this.second = second;
  }
}

/** Index of the first bound the value does not exceed (binary search; the last index is "above all"). */
export function latencyBucketOf(ms: number, bounds: readonly number[] = KPI_LATENCY_BOUNDS_MS): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function scoreBucketOf(score: number): number {
  const width = 1000 / KPI_SCORE_BUCKETS;
  return Math.min(KPI_SCORE_BUCKETS - 1, Math.max(0, Math.floor(score / width)));
}

export class KpiAccumulator {
  private readonly _procId: string;
  private readonly _open = new Map<number, SecondBuilder>();

  constructor(procId: string) {
    this._procId = procId;
  }

  /** Counts one decision and the alerts raised with it, in the second of its decision time. */
  record(decision: DecisionWire, alerts: readonly AlertWire[]): void {
    const second = decision.decidedAt - (decision.decidedAt % 1000);
    let s = this._open.get(second);
    if (!s) {
      s = new SecondBuilder(second);
      this._open.set(second, s);
    }
    const usd = decision.amountMinor > 0 ? toReportingMinor(decision.amountMinor, decision.currency) : 0;
    const blocked = decision.action === 'block' ? usd : 0;
    s.decisions++;
    s.byAction[decision.action]++;
    s.amountUsdCents += usd;
    s.blockedUsdCents += blocked;
    let kind = s.byKind.get(decision.eventKind);
    if (!kind) {
      kind = { count: 0, byAction: { allow: 0, review: 0, block: 0 }, amountUsdCents: 0, blockedUsdCents: 0 };
      s.byKind.set(decision.eventKind, kind);
    }
    kind.count++;
    kind.byAction[decision.action]++;
    kind.amountUsdCents += usd;
    kind.blockedUsdCents += blocked;
    const total = decision.latencyMs.total;
    if (total !== null) {
      const bucket = latencyBucketOf(total);
      s.latency[bucket]!++;
      if (bucket === KPI_LATENCY_BOUNDS_MS.length) s.latencyLong[latencyBucketOf(total, KPI_LATENCY_LONG_BOUNDS_MS)]!++;
    }
    s.scores[scoreBucketOf(decision.score)]!++;
    for (const alert of alerts) {
      s.alerts++;
      s.alertsByDomain[alert.domain] = (s.alertsByDomain[alert.domain] ?? 0) + 1;
      s.alertsBySeverity[alert.severity] = (s.alertsBySeverity[alert.severity] ?? 0) + 1;
      s.alertsByTypology[alert.typology] = (s.alertsByTypology[alert.typology] ?? 0) + 1;
    }
    if (decision.eventKind === 'payment' && decision.country && decision.counterpartyCountry) {
      const key = `${decision.country}>${decision.counterpartyCountry}`;
      let corridor = s.corridors.get(key);
      if (!corridor) {
        corridor = { from: decision.country, to: decision.counterpartyCountry, count: 0, amountUsdCents: 0, alerts: 0 };
        s.corridors.set(key, corridor);
      }
      corridor.count++;
      corridor.amountUsdCents += usd;
      corridor.alerts += alerts.length;
    }
  }

  /** Takes the seconds that started before `before` (epoch ms), oldest first. */
  takeCompleted(before: number): KpiSecondWire[] {
    const done: KpiSecondWire[] = [];
    for (const [second, builder] of this._open) {
      if (second + 1000 > before) continue;
      done.push(this._toWire(builder));
      this._open.delete(second);
    }
    return done.sort((a, b) => a.second - b.second);
  }

  private _toWire(s: SecondBuilder): KpiSecondWire {
    const byKind: Partial<Record<EventKind, KindSecond>> = {};
    for (const [kind, k] of s.byKind) byKind[kind] = k;
    return {
      v: 1,
      procId: this._procId,
      second: s.second,
      decisions: s.decisions,
      byAction: s.byAction,
      byKind,
      amountUsdCents: s.amountUsdCents,
      blockedUsdCents: s.blockedUsdCents,
      latencyTotalMs: s.latency,
      latencyTotalLongMs: s.latencyLong,
      scores: s.scores,
      alerts: s.alerts,
      alertsByDomain: s.alertsByDomain,
      alertsBySeverity: s.alertsBySeverity,
      alertsByTypology: s.alertsByTypology,
      corridors: topCorridors([...s.corridors.values()]),
    };
  }
}

/** The KPI_MAX_CORRIDORS largest corridors by count; the rest summed into one row from '' to ''. */
export function topCorridors(all: readonly CorridorSecond[]): CorridorSecond[] {
  if (all.length <= KPI_MAX_CORRIDORS) return [...all];
  const sorted = [...all].sort((a, b) => b.count - a.count);
  const kept = sorted.slice(0, KPI_MAX_CORRIDORS - 1);
  const rest = sorted.slice(KPI_MAX_CORRIDORS - 1);
  kept.push({
    from: '',
    to: '',
    count: rest.reduce((n, c) => n + c.count, 0),
    amountUsdCents: rest.reduce((n, c) => n + c.amountUsdCents, 0),
    alerts: rest.reduce((n, c) => n + c.alerts, 0),
  });
  return kept;
}

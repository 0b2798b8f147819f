// Merges the per-second KPI snapshots of every processor (KpiSecondWire on core NATS) into the
// KpiTick the dashboard shows: one tick per second, with sliding windows of 10 s, 60 s, 5 min and
// 15 min computed from the merged seconds. Pure: input in, tick out; the hub owns timers and I/O.
import {
  ACTIONS,
  DOMAINS,
  EVENT_KINDS,
  KPI_LATENCY_BOUNDS_MS,
  KPI_LATENCY_LONG_BOUNDS_MS,
  KPI_MAX_CORRIDORS,
  KPI_SCORE_BUCKETS,
  formatMinor,
  type EventKind,
  type KpiSecondWire,
} from '../../../core/index.js';
import type { KpiTick } from '../protocol.js';

/** How far back each figure of a tick looks, in seconds (the tick's own second included). */
export const KPI_WINDOWS = { latency: 10, minute: 60, corridors: 300, typologies: 900 } as const;
/** Merged seconds and ticks are kept this long: the longest window, and the kpi-history a client gets. */
export const KPI_RETAIN_SECONDS = 900;
/** Snapshots stamped further ahead of the hub's clock than this are refused (a skewed clock would pin them in the ring). */
const FUTURE_TOLERANCE_MS = 60_000;
/** Buckets of a snapshot's latencyTotalMs (the last: above 5 s) and of its latencyTotalLongMs (the last: above 300 s). */
const WIRE_LATENCY_BUCKETS = KPI_LATENCY_BOUNDS_MS.length + 1;
const WIRE_LONG_LATENCY_BUCKETS = KPI_LATENCY_LONG_BOUNDS_MS.length + 1;
/** Where a merged histogram counts the decisions above 5 s of a processor that did not split them (an earlier release). */
const LATENCY_ABOVE_5S_UNSPLIT = KPI_LATENCY_BOUNDS_MS.length;

/** One bucket of a merged latency histogram: above `lower` ms, at most `upper` (null: no upper bound). */
type LatencyBucket = { readonly lower: number; readonly upper: number | null };

/**
 * The buckets of a merged latency histogram, in the order a quantile walks them: those of
 * KPI_LATENCY_BOUNDS_MS up to 5 s; then the decisions above 5 s that processors of earlier releases
 * reported without saying by how much; then the buckets of KPI_LATENCY_LONG_BOUNDS_MS and the open
 * one above 300 s. The unsplit decisions are walked as if they took just over 5 s, the least they can
 * have taken. That is what reading an older processor's snapshots costs during a rolling upgrade: a
 * quantile that falls among them reads "> 5,000 ms" however long they took, and one that falls above
 * them (among an upgraded processor's) is only a floor, as some of them may have taken longer, and
 * is flagged `beyond` too. Refusing those snapshots instead would lose every figure of the older
 * processors.
 */
export const MERGED_LATENCY_BUCKETS: readonly LatencyBucket[] = bucketsOf([...KPI_LATENCY_BOUNDS_MS, null, ...KPI_LATENCY_LONG_BOUNDS_MS, null]);

/** Buckets from their upper bounds in order (null: open); a bucket's lower bound is the last upper one before it. */
function bucketsOf(uppers: readonly (number | null)[]): LatencyBucket[] {
  let lower = 0;
  return uppers.map((upper) => {
    const bucket = { lower, upper };
    if (upper !== null) lower = upper;
    return bucket;
  });
}

type KindTotals = { count: number; allow: number; review: number; block: number; amountUsdCents: number };
type CorridorTotals = { from: string; to: string; count: number; amountUsdCents: number; alerts: number };

/** Everything every processor reported for one second, summed. */
type MergedSecond = {
  readonly procIds: Set<string>;
  decisions: number;
  allow: number;
  review: number;
  block: number;
  amountUsdCents: number;
  blockedUsdCents: number;
  alerts: number;
  readonly latency: number[];
  readonly scores: number[];
  readonly byKind: Map<EventKind, KindTotals>;
  readonly alertsByDomain: Map<string, number>;
  readonly alertsByTypology: Map<string, number>;
  readonly corridors: Map<string, CorridorTotals>;
};

function emptySecond(): MergedSecond {
  return {
    procIds: new Set(),
    decisions: 0,
    allow: 0,
    review: 0,
    block: 0,
    amountUsdCents: 0,
    blockedUsdCents: 0,
    alerts: 0,
    latency: new Array<number>(MERGED_LATENCY_BUCKETS.length).fill(0),
    scores: new Array<number>(KPI_SCORE_BUCKETS).fill(0),
    byKind: new Map(),
    alertsByDomain: new Map(),
    alertsByTypology: new Map(),
    corridors: new Map(),
  };
}

function addTo<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isCountArray(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every(isCount);
}

function sumOf(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  return total;
}

/** A latencyTotalLongMs that splits the `above5s` decisions of latencyTotalMs's last bucket. */
function isLongLatencySplit(value: unknown, above5s: number): value is number[] {
  return isCountArray(value, WIRE_LONG_LATENCY_BUCKETS) && sumOf(value) === above5s;
}

function isCountRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isCount);
}

/**
 * Checks the parts of a KpiSecondWire the merge reads. The bus carries what processors of any
 * version published, so a bad snapshot is refused here rather than poisoning every later tick.
 */
export function isKpiSecondWire(value: unknown): value is KpiSecondWire {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  const byAction = w.byAction as Record<string, unknown> | undefined;
  return (
    w.v === 1 &&
    typeof w.procId === 'string' &&
    isCount(w.second) &&
    (w.second as number) % 1000 === 0 &&
    isCount(w.decisions) &&
    typeof byAction === 'object' &&
    byAction !== null &&
    ACTIONS.every((a) => isCount(byAction[a])) &&
    typeof w.byKind === 'object' &&
    w.byKind !== null &&
    isCount(w.amountUsdCents) &&
    isCount(w.blockedUsdCents) &&
    isCountArray(w.latencyTotalMs, WIRE_LATENCY_BUCKETS) &&
    // latencyTotalLongMs is not checked here: absent (processors of earlier releases) or not a split
    // this hub reads (another release's bounds), the decisions above 5 s stay unsplit (addLatency);
    // refusing the snapshot would lose all of that process's figures, not only its latency.
    isCountArray(w.scores, KPI_SCORE_BUCKETS) &&
    isCount(w.alerts) &&
    isCountRecord(w.alertsByDomain) &&
    isCountRecord(w.alertsByTypology) &&
    Array.isArray(w.corridors)
  );
}

/** A latency quantile (ms); `beyond` when it lies in a bucket with no upper bound: then it is above `ms`, that bucket's lower bound. */
export type LatencyQuantile = { readonly ms: number; readonly beyond: boolean };

/**
 * The latency at quantile q (0–1) of a merged histogram (counts per MERGED_LATENCY_BUCKETS), interpolated
 * linearly inside the bucket where the quantile falls. An open bucket (above 300 s, or above 5 s
 * unsplit) has no upper bound: a quantile there is its lower bound with `beyond`, never a figure
 * that reads as the latency (before 2026-12-07 a 30 s backlog read as "5,000 ms"). Null when the
 * histogram is empty.
 */
export function latencyQuantile(counts: readonly number[], q: number): LatencyQuantile | null {
  const total = sumOf(counts);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  // past unsplit decisions (taken as just over 5 s, maybe far more), a quantile is only a floor
  let floor = false;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && below + c >= rank) {
      const { lower, upper } = MERGED_LATENCY_BUCKETS[i]!;
      if (upper === null) return { ms: lower, beyond: true };
      const value = lower + ((rank - below) / c) * (upper - lower);
      return { ms: Math.round(value * 100) / 100, beyond: floor };
    }
    if (c > 0 && i === LATENCY_ABOVE_5S_UNSPLIT) floor = true;
    below += c;
  }
  return { ms: MERGED_LATENCY_BUCKETS[MERGED_LATENCY_BUCKETS.length - 1]!.lower, beyond: true };
}

/** Integer USD cents as decimal text ("1234.56"); money never passes through a float. */
export function usdText(cents: number): string {
  return formatMinor(cents, 'USD');
}

export class KpiMerger {
  private readonly _seconds = new Map<number, MergedSecond>();
  private _newest = 0;
  /** The newest second a tick was made for (markTicked), and the seconds up to it that got a snapshot since. */
  private _tickedThrough = 0;
  private readonly _late = new Set<number>();

  /** Seconds currently held (for tests and the hub's stats). */
  get size(): number {
    return this._seconds.size;
  }

  /**
   * Adds one processor's snapshot. Returns false (and ignores it) when it is malformed, older than
   * the retained window or from too far in the future. A second reported twice by one processor is
   * summed: processors report each second once, and a late second report carries only what it adds.
   */
  add(wire: unknown, now: number): boolean {
    if (!isKpiSecondWire(wire)) return false;
    if (wire.second <= now - KPI_RETAIN_SECONDS * 1000 || wire.second > now + FUTURE_TOLERANCE_MS) return false;
    let s = this._seconds.get(wire.second);
    if (!s) {
      s = emptySecond();
      this._seconds.set(wire.second, s);
      if (wire.second > this._newest) this._newest = wire.second;
    }
    if (wire.second <= this._tickedThrough) this._late.add(wire.second);
    s.procIds.add(wire.procId);
    s.decisions += wire.decisions;
    s.allow += wire.byAction.allow;
    s.review += wire.byAction.review;
    s.block += wire.byAction.block;
    s.amountUsdCents += wire.amountUsdCents;
    s.blockedUsdCents += wire.blockedUsdCents;
    s.alerts += wire.alerts;
    addLatency(s.latency, wire);
    for (let i = 0; i < KPI_SCORE_BUCKETS; i++) s.scores[i]! += wire.scores[i]!;
    for (const kind of EVENT_KINDS) {
      const k = wire.byKind[kind];
      if (!k || !isCount(k.count)) continue;
      let t = s.byKind.get(kind);
      if (!t) {
        t = { count: 0, allow: 0, review: 0, block: 0, amountUsdCents: 0 };
        s.byKind.set(kind, t);
      }
      t.count += k.count;
      t.allow += k.byAction?.allow ?? 0;
      t.review += k.byAction?.review ?? 0;
      t.block += k.byAction?.block ?? 0;
      t.amountUsdCents += isCount(k.amountUsdCents) ? k.amountUsdCents : 0;
    }
    for (const [domain, n] of Object.entries(wire.alertsByDomain)) addTo(s.alertsByDomain, domain, n);
    for (const [typology, n] of Object.entries(wire.alertsByTypology)) addTo(s.alertsByTypology, typology, n);
    for (const c of wire.corridors) {
      if (typeof c?.from !== 'string' || typeof c.to !== 'string' || !isCount(c.count)) continue;
      const key = `${c.from}>${c.to}`;
      let t = s.corridors.get(key);
      if (!t) {
        t = { from: c.from, to: c.to, count: 0, amountUsdCents: 0, alerts: 0 };
        s.corridors.set(key, t);
      }
      t.count += c.count;
      t.amountUsdCents += isCount(c.amountUsdCents) ? c.amountUsdCents : 0;
      t.alerts += isCount(c.alerts) ? c.alerts : 0;
    }
    return true;
  }

  /** Ticks were made up to the second `at`: a snapshot for it or an earlier second is late from now on. */
  markTicked(at: number): void {
    if (at > this._tickedThrough) this._tickedThrough = at;
  }

  /** The seconds that got a snapshot after their tick was made (oldest first), forgotten once taken. */
  takeLate(): number[] {
    if (this._late.size === 0) return [];
    const seconds = [...this._late].sort((a, b) => a - b);
    this._late.clear();
    return seconds;
  }

  /** Forgets seconds that no window ending at `at` or later can reach. */
  prune(at: number): void {
    const oldest = at - (KPI_RETAIN_SECONDS - 1) * 1000;
    for (const second of this._seconds.keys()) if (second < oldest) this._seconds.delete(second);
  }

  /** The tick for the second starting at `at` (epoch ms, a multiple of 1000), from what has been merged so far. */
  tick(at: number): Omit<KpiTick, 'since'> {
    const current = this._seconds.get(at);
    const latency = new Array<number>(MERGED_LATENCY_BUCKETS.length).fill(0);
    const scores = new Array<number>(KPI_SCORE_BUCKETS).fill(0);
    const byKind = new Map<EventKind, KindTotals>();
    const alertsByDomain = new Map<string, number>();
    const alertsByTypology = new Map<string, number>();
    const corridors = new Map<string, CorridorTotals>();
    let alertsMinute = 0;
    let decidedCents = 0;
    let blockedCents = 0;

    for (let back = 0; back < KPI_WINDOWS.typologies; back++) {
      const s = this._seconds.get(at - back * 1000);
      if (!s) continue;
      for (const [typology, n] of s.alertsByTypology) addTo(alertsByTypology, typology, n);
      if (back >= KPI_WINDOWS.corridors) continue;
      for (const [key, c] of s.corridors) {
        const t = corridors.get(key);
        if (t) {
          t.count += c.count;
          t.amountUsdCents += c.amountUsdCents;
          t.alerts += c.alerts;
        } else {
          corridors.set(key, { ...c });
        }
      }
      if (back >= KPI_WINDOWS.minute) continue;
      alertsMinute += s.alerts;
      decidedCents += s.amountUsdCents;
      blockedCents += s.blockedUsdCents;
      for (let i = 0; i < KPI_SCORE_BUCKETS; i++) scores[i]! += s.scores[i]!;
      for (const [domain, n] of s.alertsByDomain) addTo(alertsByDomain, domain, n);
      for (const [kind, k] of s.byKind) {
        const t = byKind.get(kind);
        if (t) {
          t.count += k.count;
          t.allow += k.allow;
          t.review += k.review;
          t.block += k.block;
          t.amountUsdCents += k.amountUsdCents;
        } else {
          byKind.set(kind, { ...k });
        }
      }
      if (back >= KPI_WINDOWS.latency) continue;
      for (let i = 0; i < MERGED_LATENCY_BUCKETS.length; i++) latency[i]! += s.latency[i]!;
    }

    const payments = byKind.get('payment')?.count ?? 0;
    const fraudAlerts = alertsByDomain.get('fraud') ?? 0;
    const p50 = latencyQuantile(latency, 0.5);
    const p99 = latencyQuantile(latency, 0.99);
    return {
      at,
      decisionsPerSecond: current?.decisions ?? 0,
      latencyP50Ms: p50?.ms ?? null,
      latencyP99Ms: p99?.ms ?? null,
      // only when true: a tick within the buckets is as it was
      ...(p50?.beyond ? { latencyP50Beyond: true } : {}),
      ...(p99?.beyond ? { latencyP99Beyond: true } : {}),
      byAction: { allow: current?.allow ?? 0, review: current?.review ?? 0, block: current?.block ?? 0 },
      alertsPerMinute: alertsMinute,
      fraudRate: payments === 0 ? 0 : Math.min(1, fraudAlerts / payments),
      decidedUsdLastMinute: usdText(decidedCents),
      blockedUsdLastMinute: usdText(blockedCents),
      scores,
      alertsByTypology: Object.fromEntries(alertsByTypology),
      alertsByDomain: Object.fromEntries([...alertsByDomain].sort(byDomainOrder)),
      corridors: topCorridors(corridors),
      byKind: kindRows(byKind),
      processors: current?.procIds.size ?? 0,
    };
  }
}

/** Adds a snapshot's latency to a merged histogram (MERGED_LATENCY_BUCKETS): above 5 s by its split when it sent one this hub reads. */
function addLatency(merged: number[], wire: KpiSecondWire): void {
  for (let i = 0; i < LATENCY_ABOVE_5S_UNSPLIT; i++) merged[i]! += wire.latencyTotalMs[i]!;
  const above5s = wire.latencyTotalMs[LATENCY_ABOVE_5S_UNSPLIT]!;
  const long: unknown = wire.latencyTotalLongMs;
  if (!isLongLatencySplit(long, above5s)) merged[LATENCY_ABOVE_5S_UNSPLIT]! += above5s;
  else for (let i = 0; i < WIRE_LONG_LATENCY_BUCKETS; i++) merged[WIRE_LATENCY_BUCKETS + i]! += long[i]!;
}

function kindRows(byKind: ReadonlyMap<EventKind, KindTotals>): KpiTick['byKind'] {
  const rows: Partial<Record<EventKind, { count: number; allow: number; review: number; block: number; amountUsd: string }>> = {};
  for (const kind of EVENT_KINDS) {
    const k = byKind.get(kind);
    if (k) rows[kind] = { count: k.count, allow: k.allow, review: k.review, block: k.block, amountUsd: usdText(k.amountUsdCents) };
  }
  return rows;
}

function byDomainOrder(a: [string, number], b: [string, number]): number {
  const ia = (DOMAINS as readonly string[]).indexOf(a[0]);
  const ib = (DOMAINS as readonly string[]).indexOf(b[0]);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a[0].localeCompare(b[0]);
}

/**
 * The largest corridors by count (ties by amount, then name), at most KPI_MAX_CORRIDORS rows. When
 * there are more, the smallest are summed, with what processors already summed, into one '' → '' row
 * that takes the last place.
 */
export function topCorridors(corridors: ReadonlyMap<string, CorridorTotals>): KpiTick['corridors'] {
  const rest: CorridorTotals = { from: '', to: '', count: 0, amountUsdCents: 0, alerts: 0 };
  const named: CorridorTotals[] = [];
  for (const c of corridors.values()) {
    if (c.from === '' && c.to === '') {
      rest.count += c.count;
      rest.amountUsdCents += c.amountUsdCents;
      rest.alerts += c.alerts;
    } else {
      named.push(c);
    }
  }
  named.sort((a, b) => b.count - a.count || b.amountUsdCents - a.amountUsdCents || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const hasRest = rest.count > 0 || named.length > KPI_MAX_CORRIDORS;
  const keep = hasRest ? KPI_MAX_CORRIDORS - 1 : KPI_MAX_CORRIDORS;
  for (const c of named.slice(keep)) {
    rest.count += c.count;
    rest.amountUsdCents += c.amountUsdCents;
    rest.alerts += c.alerts;
  }
  const rows = named.slice(0, keep);
  if (hasRest) rows.push(rest);
  return rows.map((c) => ({ from: c.from, to: c.to, count: c.count, amountUsd: usdText(c.amountUsdCents), alerts: c.alerts }));
}

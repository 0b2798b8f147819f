import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, KPI_LATENCY_BOUNDS_MS, KPI_SCORE_BUCKETS, type KpiSecondWire } from '../../../core/index.js';
import { encodeMessage } from './hub-client.js';
import { KPI_RESEND_OVERLAP_MS, kpiHistoryFor } from './kpi-history.js';
import { KpiTicker } from './kpi-ticker.js';

const T0 = 1_800_000_000_000;
const COUNTRIES = 'US MX GB DE FR IN CN BR NG PH AE SG HK JP KR CA AU ES IT NL PL TR ZA KE EG PK BD VN TH ID CO AR CL PE RU UA SE NO CH BE'.split(' ');
const TYPOLOGIES = 'AML-STRUCT AML-FANIN AML-FANOUT AML-PASSTHRU AML-CYCLE AML-SANCTIONS AML-PEP AML-LVT FR-CARD-TEST FR-DORMANT FR-DRAIN FR-FANOUT-1H FR-GEO-SPEED FR-MULE-PAYEE FR-NEWACCT-AMT FR-NEWCOUNTRY-AMT FR-NEWDEV-AMT FR-NEWIP-NEWDEV FR-NEWPAYEE-AMT FR-SUM-1H FR-SUM-24H FR-VEL-1H FR-VEL-1M FR-VEL-24H CR-EWS CR-DPD'.split(' ');

/** A deterministic stand-in for Math.random, so that the sizes measured are the same every run. */
function randomInts(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * below);
  };
}

/**
 * What one processor reports in a second at full load: every event kind, the 50 corridors a
 * snapshot may carry among 40 countries, alerts of 26 typologies, every score bucket in use.
 */
function busySecond(procId: string, second: number, n: (below: number) => number): KpiSecondWire {
  const byKind: Record<string, unknown> = {};
  for (const kind of EVENT_KINDS) byKind[kind] = { count: 100 + n(4000), byAction: { allow: n(4000), review: n(100), block: n(50) }, amountUsdCents: n(2e11), blockedUsdCents: n(1e9) };
  const corridors = [];
  for (let i = 0; i < 49; i++) corridors.push({ from: COUNTRIES[n(40)]!, to: COUNTRIES[n(40)]!, count: 1 + n(300), amountUsdCents: n(1e10), alerts: n(5) });
  corridors.push({ from: '', to: '', count: 1000, amountUsdCents: n(1e10), alerts: n(5) });
  return {
    v: 1,
    procId,
    second,
    decisions: 5000,
    byAction: { allow: 4800, review: 150, block: 50 },
    byKind: byKind as KpiSecondWire['byKind'],
    amountUsdCents: n(2e11),
    blockedUsdCents: n(1e9),
    latencyTotalMs: [...KPI_LATENCY_BOUNDS_MS.map(() => n(500)), n(3)],
    scores: new Array<number>(KPI_SCORE_BUCKETS).fill(0).map(() => n(2000)),
    alerts: 70,
    alertsByDomain: { fraud: 40, aml: 25, credit: 5 },
    alertsBySeverity: {},
    alertsByTypology: Object.fromEntries(TYPOLOGIES.map((t) => [t, n(10)])),
    corridors,
  };
}

/** A ticker holding the whole 15 minutes of two busy processors. */
function busyTicker(): KpiTicker {
  const n = randomInts(7);
  const ticker = new KpiTicker(T0 - 1000);
  for (let s = 0; s < 900; s++) {
    const second = T0 + s * 1000;
    for (const procId of ['proc-a', 'proc-b']) ticker.merger.add(busySecond(procId, second, n), second + 1500);
  }
  ticker.advance(T0 + 899_000);
  return ticker;
}

describe('kpi history - what a subscriber gets', () => {
  const ticker = busyTicker();
  const ticks = ticker.ticks;

  it('a first subscription at full load: the 15 minutes in well under 100 KB, where every tick in full took 5 MB', () => {
    const everyTick = encodeMessage({ type: 'kpi-history', ticks }).length;
    const history = kpiHistoryFor(ticks);
    const bytes = encodeMessage(history).length;
    expect(everyTick).toBeGreaterThan(4_500_000);
    expect(bytes).toBeLessThan(100_000);
    // The newest second in full, the 899 before it as the trail, without gaps.
    expect(history.ticks).toEqual([ticks[899]]);
    expect(history.trail!.from).toBe(T0);
    expect(history.trail!.decisionsPerSecond).toHaveLength(899);
  });

  it('the trail carries, column by column, the figures of each second the charts draw', () => {
    const trail = kpiHistoryFor(ticks).trail!;
    for (const i of [0, 450, 898]) {
      const tick = ticks[i]!;
      expect(trail.from + i * 1000).toBe(tick.at);
      expect(trail.since).toBe(tick.since);
      expect(trail.decisionsPerSecond[i]).toBe(tick.decisionsPerSecond);
      expect(trail.latencyP50Ms[i]).toBe(tick.latencyP50Ms);
      expect(trail.latencyP99Ms[i]).toBe(tick.latencyP99Ms);
      expect(trail.alertsPerMinute[i]).toBe(tick.alertsPerMinute);
      expect(trail.fraudRate[i]).toBe(tick.fraudRate);
      expect(trail.blockedUsdLastMinute[i]).toBe(tick.blockedUsdLastMinute);
      const loan = tick.byKind['loan.application']!;
      expect([trail.loanApplications.allow[i], trail.loanApplications.review[i], trail.loanApplications.block[i]]).toEqual([loan.allow, loan.review, loan.block]);
    }
  });

  it('a tab that says what it holds (a reconnect after a blip) gets the seconds since, with the overlap, in a few KB', () => {
    const since = ticks[895]!.at;
    const history = kpiHistoryFor(ticks, since);
    expect(history.ticks).toEqual([ticks[899]]);
    expect(history.trail!.from).toBe(since - KPI_RESEND_OVERLAP_MS);
    expect(history.trail!.decisionsPerSecond).toHaveLength(899 - (895 - 10));
    expect(encodeMessage(history).length).toBeLessThan(8_000);
  });

  it.each([
    ['holds the newest already', T0 + 899_000, 889],
    ['is ahead of this hub (another process, another clock)', T0 + 2_000_000, 899],
    ['holds seconds older than the window (a long outage)', T0 - 3_600_000, 0],
    ['holds seconds just before the window', T0 + 5_000, 0],
  ])('a tab that %s', (_, since, first) => {
    const history = kpiHistoryFor(ticks, since);
    expect(history.ticks).toEqual([ticks[899]]);
    if (first === 899) expect(history.trail).toBeUndefined();
    else expect(history.trail!.from).toBe(ticks[first]!.at);
  });

  it('nothing held: an empty history', () => {
    expect(kpiHistoryFor([])).toEqual({ type: 'kpi-history', ticks: [] });
    expect(kpiHistoryFor([], T0)).toEqual({ type: 'kpi-history', ticks: [] });
  });
});

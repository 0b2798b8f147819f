import { describe, expect, it } from 'vitest';
import { KPI_LATENCY_BOUNDS_MS, KPI_SCORE_BUCKETS } from '../../../core/index.js';
import { KpiTicker, tickSecondAt, unionSeconds } from './kpi-ticker.js';

const T0 = 1_800_000_000_000;

function snapshot(second: number, decisions: number) {
  return {
    v: 1,
    procId: 'p',
    second,
    decisions,
    byAction: { allow: decisions, review: 0, block: 0 },
    byKind: {},
    amountUsdCents: 0,
    blockedUsdCents: 0,
    latencyTotalMs: new Array<number>(KPI_LATENCY_BOUNDS_MS.length + 1).fill(0),
    scores: new Array<number>(KPI_SCORE_BUCKETS).fill(0),
    alerts: 0,
    alertsByDomain: {},
    alertsBySeverity: {},
    alertsByTypology: {},
    corridors: [],
  };
}

describe('kpi ticker - which second', () => {
  it.each([
    [T0 + 20, T0 - 2000],
    [T0 + 999, T0 - 2000],
    [T0 + 1000, T0 - 1000],
  ])('at %d the tick describes %d', (now, second) => {
    expect(tickSecondAt(now)).toBe(second);
  });
});

describe('kpi ticker - the ring', () => {
  it('ticks each second once, in order, and not before the hub started', () => {
    const ticker = new KpiTicker(T0 + 500);
    expect(ticker.advance(T0 - 1000)).toBe(0);
    expect(ticker.advance(T0)).toBe(1);
    expect(ticker.advance(T0)).toBe(0);
    expect(ticker.advance(T0 + 1000)).toBe(1);
    expect(ticker.ticks.map((t) => t.at)).toEqual([T0, T0 + 1000]);
  });

  it('fills the seconds nobody listened to from what was merged meanwhile', () => {
    const ticker = new KpiTicker(T0);
    ticker.advance(T0);
    for (let i = 1; i <= 5; i++) ticker.merger.add(snapshot(T0 + i * 1000, i), T0 + i * 1000);
    expect(ticker.advance(T0 + 5000)).toBe(5);
    expect(ticker.ticks.map((t) => t.decisionsPerSecond)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticker.latest?.at).toBe(T0 + 5000);
  });

  it('makes a second again when its snapshot comes after its tick, once, and only seconds it holds', () => {
    const ticker = new KpiTicker(T0);
    ticker.merger.add(snapshot(T0, 3), T0 + 200);
    ticker.advance(T0 + 1000);
    expect(ticker.amendLate()).toEqual([]);
    expect(ticker.ticks.map((t) => t.decisionsPerSecond)).toEqual([3, 0]);
    // the processor's report of T0 + 1000 arrives after that second was ticked
    ticker.merger.add(snapshot(T0 + 1000, 5), T0 + 3500);
    ticker.advance(T0 + 2000);
    const amended = ticker.amendLate();
    expect(amended.map((t) => [t.at, t.decisionsPerSecond])).toEqual([[T0 + 1000, 5]]);
    expect(ticker.ticks.map((t) => t.decisionsPerSecond)).toEqual([3, 5, 0]);
    expect(ticker.amendLate()).toEqual([]);
    // a snapshot for a second not ticked yet is not late
    ticker.merger.add(snapshot(T0 + 3000, 1), T0 + 3200);
    ticker.advance(T0 + 3000);
    expect(ticker.amendLate()).toEqual([]);
    expect(ticker.latest?.decisionsPerSecond).toBe(1);
  });

  it('gives the held ticks of the seconds asked for, as they stand now, and leaves out those not held', () => {
    const ticker = new KpiTicker(T0);
    ticker.advance(T0 + 3000);
    ticker.merger.add(snapshot(T0 + 1000, 4), T0 + 4500);
    ticker.advance(T0 + 4000);
    ticker.amendLate();
    const ticks = ticker.ticksAt([T0 - 1000, T0 + 1000, T0 + 4000, T0 + 9000]);
    expect(ticks.map((t) => [t.at, t.decisionsPerSecond])).toEqual([
      [T0 + 1000, 4],
      [T0 + 4000, 0],
    ]);
    expect(new KpiTicker(T0).ticksAt([T0])).toEqual([]);
  });

  it('holds 15 minutes at most, without gaps, after a long quiet spell', () => {
    const ticker = new KpiTicker(T0);
    ticker.advance(T0);
    ticker.advance(T0 + 3_600_000);
    const ats = ticker.ticks.map((t) => t.at);
    expect(ats).toHaveLength(900);
    expect(ats[0]).toBe(T0 + 3_600_000 - 899_000);
    expect(ats).toEqual(ats.map((_, i) => ats[0]! + i * 1000));
    ticker.advance(T0 + 3_601_000);
    expect(ticker.ticks).toHaveLength(900);
    expect(ticker.ticks[0]!.at).toBe(T0 + 3_600_000 - 898_000);
  });
});

describe('kpi ticker - the seconds a client behind is owed', () => {
  it.each([
    [[], [5], [5]],
    [[1, 3], [2, 3, 4], [1, 2, 3, 4]],
    [[1, 2], [], [1, 2]],
    [[4], [1, 5], [1, 4, 5]],
  ])('%j and %j make %j', (a, b, union) => {
    expect(unionSeconds(a, b)).toEqual(union);
  });
});

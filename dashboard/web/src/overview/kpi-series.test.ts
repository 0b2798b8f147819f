// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { corridorLayout } from './corridor-layout.js';
import { makeTick } from '../test-support/fakes.js';
import { historySeconds, latestTick, loanApplicationsOf, mergeTicks, minuteSeries, secondSeries } from './kpi-series.js';

describe('kpi series', () => {
  it('kpi series - merges history and live ticks by second, oldest first, within 15 minutes', () => {
    const history = [makeTick(1_000), makeTick(3_000), makeTick(2_000)];
    let ticks = mergeTicks([], history);
    expect(ticks.map((t) => t.at)).toEqual([1_000, 2_000, 3_000]);
    ticks = mergeTicks(ticks, [makeTick(3_000, { decisionsPerSecond: 7 })]);
    expect(ticks).toHaveLength(3);
    expect(ticks[2]!.decisionsPerSecond).toBe(7);
    ticks = mergeTicks(ticks, [makeTick(1_000 + 15 * 60_000)]);
    expect(ticks.map((t) => t.at)).toEqual([2_000, 3_000, 901_000]);
  });

  it('kpi series - a kpi-history\'s trail is held as seconds before its ticks; the tiles read the newest whole tick', () => {
    const history = {
      type: 'kpi-history' as const,
      ticks: [makeTick(4_000, { byKind: { 'loan.application': { count: 9, allow: 5, review: 3, block: 1, amountUsd: '10.00' } } })],
      trail: {
        from: 1_000,
        since: 0,
        decisionsPerSecond: [10, 20, 30],
        latencyP50Ms: [1, null, 3],
        latencyP99Ms: [9, null, 12],
        alertsPerMinute: [1, 2, 3],
        fraudRate: [0, 0.5, 0.25],
        blockedUsdLastMinute: ['0.00', '1.50', '2.00'],
        loanApplications: { allow: [1, 2, 3], review: [0, 1, 0], block: [0, 0, 1] },
      },
    };
    let held = mergeTicks([], historySeconds(history));
    expect(held.map((s) => s.at)).toEqual([1_000, 2_000, 3_000, 4_000]);
    expect(secondSeries(held).eventsPerSecond.map((p) => p.v)).toEqual([10, 20, 30, 12345]);
    expect(secondSeries(held).p99.map((p) => p.v)).toEqual([9, null, 12, 18.4]);
    expect(held.map((s) => loanApplicationsOf(s).allow)).toEqual([1, 2, 3, 5]);
    expect(latestTick(held)?.at).toBe(4_000);
    // A whole tick pushed later for a trail second replaces it.
    held = mergeTicks(held, [makeTick(3_000, { decisionsPerSecond: 31 })]);
    expect(held[2]).toMatchObject({ at: 3_000, decisionsPerSecond: 31 });
    expect(latestTick(mergeTicks([], historySeconds({ ...history, ticks: [] })))).toBeNull();
  });

  it('kpi series - per-second view: stored minutes that ended before the first held second, within 15 minutes of the newest, come first', () => {
    const row = (minute: number, decisions: number) => ({ minute, decisions, allowed: 0, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 });
    const ticks = [makeTick(1_000_000, { decisionsPerSecond: 5, since: 1_000_000 }), makeTick(1_001_000, { decisionsPerSecond: 6, since: 1_000_000 })];
    // starts before the window; in it; ends after the first tick (its seconds are live)
    const minutes = [row(1_001_000 - 15 * 60_000 - 1000, 60), row(900_000, 120), row(960_000, 600)];
    // each second of the stored minute at its mean, so that the chart draws it as a line
    expect(secondSeries(ticks, minutes).eventsPerSecond).toEqual([
      ...Array.from({ length: 60 }, (_, i) => ({ t: 900_000 + i * 1000, v: 2 })),
      { t: 1_000_000, v: 5 },
      { t: 1_001_000, v: 6 },
    ]);
    expect(secondSeries(ticks, minutes).p99[59]).toEqual({ t: 959_000, v: 9 });
    expect(secondSeries([], minutes).eventsPerSecond).toEqual([]);
    // a hub that has run for longer than the window holds its seconds: nothing from storage
    expect(secondSeries(ticks.map((t) => ({ ...t, since: 0 })), minutes).eventsPerSecond).toHaveLength(2);
  });

  it('kpi series - per-minute view continues the stored minutes with live ones', () => {
    const stored = [{ minute: 0, decisions: 600, allowed: 0, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 }];
    const ticks = [makeTick(30_000, { decisionsPerSecond: 999 }), makeTick(60_000, { decisionsPerSecond: 10, latencyP99Ms: 5 }), makeTick(61_000, { decisionsPerSecond: 30, latencyP99Ms: 12 })];
    const series = minuteSeries(stored, ticks, 120_000);
    expect(series.eventsPerSecond).toEqual([
      { t: 0, v: 10 },
      { t: 60_000, v: 20 },
    ]);
    expect(series.p99.map((p) => p.v)).toEqual([9, 12]);
  });

  it('kpi series - the stored minute that has not ended is drawn from the live ticks, not as a drop', () => {
    const row = (minute: number, decisions: number) => ({ minute, decisions, allowed: 0, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 });
    // at 60:20, the current minute holds 20 s of 50 events/s: 1,000 decisions, not 3,000
    const stored = [row(0, 3000), row(60_000, 1000)];
    const ticks = [makeTick(70_000, { decisionsPerSecond: 50 }), makeTick(80_000, { decisionsPerSecond: 50 })];
    const series = minuteSeries(stored, ticks, 80_000);
    expect(series.eventsPerSecond).toEqual([
      { t: 0, v: 50 },
      { t: 60_000, v: 50 },
    ]);
  });

  it('kpi series - a stored minute read moments after it ended, before the writer stored all of it, is drawn from the live ticks', () => {
    const row = (minute: number, decisions: number) => ({ minute, decisions, allowed: 0, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 });
    // read at 61 s: the writer had stored 2,950 of the minute's 3,000 decisions
    const ticks = [makeTick(30_000, { decisionsPerSecond: 50 }), makeTick(59_000, { decisionsPerSecond: 50 })];
    expect(minuteSeries([row(0, 2950)], ticks, 61_000).eventsPerSecond).toEqual([{ t: 0, v: 50 }]);
    // read well after it ended, the stored minute is whole
    expect(minuteSeries([row(0, 2950)], ticks, 70_000).eventsPerSecond[0]!.v).toBeCloseTo(49.17, 2);
  });

  it('kpi series - corridor bands are as thick as their share and meet their countries', () => {
    const layout = corridorLayout(
      [
        { from: 'GB', to: 'NG', count: 30, amountUsd: '1', alerts: 0 },
        { from: 'GB', to: 'US', count: 10, amountUsd: '1', alerts: 1 },
        { from: 'DE', to: 'US', count: 60, amountUsd: '1', alerts: 0 },
        { from: 'FR', to: 'US', count: 0, amountUsd: '0', alerts: 0 },
      ],
      { height: 206, left: 0, right: 100, nodeWidth: 10, gap: 6 },
    );
    expect(layout.bands).toHaveLength(3);
    expect(layout.nodes.map((n) => `${n.side}:${n.country}`)).toEqual(['from:DE', 'from:GB', 'to:US', 'to:NG']);
    const total = layout.bands.reduce((sum, b) => sum + b.width, 0);
    expect(total).toBeCloseTo(200);
    const us = layout.nodes.find((n) => n.side === 'to' && n.country === 'US')!;
    expect(us.height).toBeCloseTo(140);
  });
});

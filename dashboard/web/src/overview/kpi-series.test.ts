// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { corridorLayout } from './corridor-layout.js';
import { makeTick } from '../test-support/fakes.js';
import { mergeTicks, minuteSeries } from './kpi-series.js';

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

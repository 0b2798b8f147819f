import { describe, expect, it } from 'vitest';
import { KPI_LATENCY_BOUNDS_MS, KPI_LATENCY_LONG_BOUNDS_MS, KPI_MAX_CORRIDORS, KPI_SCORE_BUCKETS, type KpiSecondWire } from '../../../core/index.js';
import { KpiMerger, MERGED_LATENCY_BUCKETS, isKpiSecondWire, latencyQuantile, topCorridors, usdText } from './kpi-merge.js';

const T0 = 1_800_000_000_000; // a whole second
const LAT = KPI_LATENCY_BOUNDS_MS.length + 1;
const LONG = KPI_LATENCY_LONG_BOUNDS_MS.length + 1;

/** A snapshot with nothing in it, plus overrides. */
function snapshot(overrides: Partial<KpiSecondWire> & { second: number; procId?: string }): KpiSecondWire {
  return {
    v: 1,
    procId: 'p1',
    decisions: 0,
    byAction: { allow: 0, review: 0, block: 0 },
    byKind: {},
    amountUsdCents: 0,
    blockedUsdCents: 0,
    latencyTotalMs: new Array<number>(LAT).fill(0),
    scores: new Array<number>(KPI_SCORE_BUCKETS).fill(0),
    alerts: 0,
    alertsByDomain: {},
    alertsBySeverity: {},
    alertsByTypology: {},
    corridors: [],
    ...overrides,
  };
}

function latencyHistogram(counts: Readonly<Record<number, number | undefined>>, length = LAT): number[] {
  const h = new Array<number>(length).fill(0);
  for (const [index, n] of Object.entries(counts)) h[Number(index)] = n ?? 0;
  return h;
}

// A merged histogram's buckets: 0–18 up to 5 s, 19 above 5 s unsplit (older processors), 20–24 up to 10, 30, 60, 120, 300 s, 25 above 300 s.
const UNSPLIT = LAT - 1;
const TO_10S = LAT;
const TO_30S = LAT + 1;
const ABOVE_300S = LAT + LONG - 1;

describe('kpi merge - latency quantile', () => {
  it('kpi merge - the merged buckets go up to 5 s, then above 5 s unsplit, then up to 300 s and above', () => {
    expect(MERGED_LATENCY_BUCKETS.slice(UNSPLIT - 1)).toEqual([
      { lower: 2500, upper: 5000 },
      { lower: 5000, upper: null },
      { lower: 5000, upper: 10_000 },
      { lower: 10_000, upper: 30_000 },
      { lower: 30_000, upper: 60_000 },
      { lower: 60_000, upper: 120_000 },
      { lower: 120_000, upper: 300_000 },
      { lower: 300_000, upper: null },
    ]);
  });

  // Bounds: [1, 2, 3, 5, 7, 10, ...]; bucket i spans (bounds[i-1], bounds[i]].
  it.each([
    { name: 'empty histogram', counts: {}, q: 0.5, expected: null },
    { name: 'all in the first bucket, median halfway', counts: { 0: 10 }, q: 0.5, expected: { ms: 0.5, beyond: false } },
    { name: 'all in bucket 3 (3–5 ms), median halfway', counts: { 3: 4 }, q: 0.5, expected: { ms: 4, beyond: false } },
    { name: 'p99 of 100 in bucket 3', counts: { 3: 100 }, q: 0.99, expected: { ms: 4.98, beyond: false } },
    { name: 'median at the edge between two buckets', counts: { 0: 5, 1: 5 }, q: 0.5, expected: { ms: 1, beyond: false } },
    { name: 'p99 lands in the second bucket', counts: { 0: 90, 5: 10 }, q: 0.99, expected: { ms: 9.7, beyond: false } },
    { name: 'q = 1 is the top of the highest filled bucket', counts: { 2: 1, 4: 1 }, q: 1, expected: { ms: 7, beyond: false } },
    // before: everything above 5 s read as 5000, a 30 s backlog as 5 s
    { name: 'a 10–30 s backlog is measured', counts: { 0: 50, [TO_30S]: 50 }, q: 0.99, expected: { ms: 29_600, beyond: false } },
    { name: 'just over 5 s is measured too', counts: { [TO_10S]: 4 }, q: 0.5, expected: { ms: 7500, beyond: false } },
    { name: 'above 300 s is beyond 300 s', counts: { 0: 10, [ABOVE_300S]: 3 }, q: 0.99, expected: { ms: 300_000, beyond: true } },
    { name: 'above 5 s from an older processor is beyond 5 s', counts: { [UNSPLIT]: 3 }, q: 0.99, expected: { ms: 5000, beyond: true } },
    { name: 'older processors above 5 s count as just over 5 s', counts: { [UNSPLIT]: 10, [TO_30S]: 90 }, q: 0.05, expected: { ms: 5000, beyond: true } },
    // a floor: the older processors' decisions below it may have taken longer than 5 s
    { name: 'above them, the split buckets are read, as a floor', counts: { [UNSPLIT]: 10, [TO_30S]: 90 }, q: 0.55, expected: { ms: 20_000, beyond: true } },
    { name: 'below them, a figure as measured', counts: { 3: 50, [UNSPLIT]: 10, [TO_30S]: 40 }, q: 0.3, expected: { ms: 4.2, beyond: false } },
  ])('$name', ({ counts, q, expected }) => {
    expect(latencyQuantile(latencyHistogram(counts, MERGED_LATENCY_BUCKETS.length), q)).toEqual(expected);
  });
});

describe('kpi merge - money as text', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [123456, '1234.56'],
    [900_719_925_474_099, '9007199254740.99'],
  ])('%d cents is %s', (cents, text) => {
    expect(usdText(cents)).toBe(text);
  });
});

describe('kpi merge - snapshot validation', () => {
  it.each([
    ['a valid snapshot', snapshot({ second: T0 }), true],
    ['a second that is not whole', snapshot({ second: T0 + 1 }), false],
    ['a wrong version', { ...snapshot({ second: T0 }), v: 2 }, false],
    ['a short latency histogram', snapshot({ second: T0, latencyTotalMs: [1, 2] }), false],
    // before: a processor's split of its decisions above 5 s did not exist
    ['decisions above 5 s, split', snapshot({ second: T0, latencyTotalMs: latencyHistogram({ [LAT - 1]: 3 }), latencyTotalLongMs: [1, 1, 0, 0, 0, 1] }), true],
    ['decisions above 5 s, not split (a processor of an earlier release)', snapshot({ second: T0, latencyTotalMs: latencyHistogram({ [LAT - 1]: 3 }) }), true],
    // a split this hub cannot read (another release's bounds, or broken) leaves the decisions above 5 s
    // unsplit rather than losing the snapshot's other figures
    ['a split of another length', snapshot({ second: T0, latencyTotalMs: latencyHistogram({ [LAT - 1]: 3 }), latencyTotalLongMs: [1, 1, 1] }), true],
    ['a split that does not add up to the decisions above 5 s', snapshot({ second: T0, latencyTotalMs: latencyHistogram({ [LAT - 1]: 3 }), latencyTotalLongMs: [1, 1, 0, 0, 0, 0] }), true],
    ['a split with a negative count', snapshot({ second: T0, latencyTotalMs: latencyHistogram({ [LAT - 1]: 1 }), latencyTotalLongMs: [2, -1, 0, 0, 0, 0] }), true],
    ['a split that is not an array', { ...snapshot({ second: T0 }), latencyTotalLongMs: null }, true],
    ['a negative count', snapshot({ second: T0, decisions: -1 }), false],
    ['a float count', snapshot({ second: T0, amountUsdCents: 1.5 }), false],
    ['a missing action', { ...snapshot({ second: T0 }), byAction: { allow: 1, review: 0 } }, false],
    ['not an object', 'kpi', false],
  ])('%s → %s', (_name, wire, ok) => {
    expect(isKpiSecondWire(wire)).toBe(ok);
  });
});

describe('kpi merge - ticks from several processors', () => {
  it('sums the second across processors and counts who reported', () => {
    const m = new KpiMerger();
    m.add(snapshot({ second: T0, procId: 'a', decisions: 10, byAction: { allow: 8, review: 1, block: 1 } }), T0 + 1500);
    m.add(snapshot({ second: T0, procId: 'b', decisions: 5, byAction: { allow: 5, review: 0, block: 0 } }), T0 + 1500);
    m.add(snapshot({ second: T0 - 1000, procId: 'a', decisions: 99, byAction: { allow: 99, review: 0, block: 0 } }), T0 + 1500);
    const tick = m.tick(T0);
    expect(tick).toMatchObject({ at: T0, decisionsPerSecond: 15, byAction: { allow: 13, review: 1, block: 1 }, processors: 2 });
    expect(m.tick(T0 + 1000)).toMatchObject({ decisionsPerSecond: 0, processors: 0, byAction: { allow: 0, review: 0, block: 0 } });
  });

  // before: a 30 s backlog read '5,000 ms' on the tile, the lower bound of the open bucket, with nothing saying it was more
  it('measures latency above 5 s from the processors\' split, and says when a quantile lies beyond the last bound', () => {
    const m = new KpiMerger();
    m.add(snapshot({ second: T0, latencyTotalMs: latencyHistogram({ 3: 50, [LAT - 1]: 50 }), latencyTotalLongMs: latencyHistogram({ 1: 50 }, LONG) }), T0);
    const measured = m.tick(T0);
    expect(measured).toMatchObject({ latencyP50Ms: 5, latencyP99Ms: 29_600 });
    expect(measured).not.toHaveProperty('latencyP50Beyond');
    expect(measured).not.toHaveProperty('latencyP99Beyond');
    m.add(snapshot({ second: T0 - 1000, latencyTotalMs: latencyHistogram({ [LAT - 1]: 900 }), latencyTotalLongMs: latencyHistogram({ [LONG - 1]: 900 }, LONG) }), T0);
    expect(m.tick(T0)).toMatchObject({ latencyP50Ms: 300_000, latencyP50Beyond: true, latencyP99Ms: 300_000, latencyP99Beyond: true });
  });

  it('reads the decisions above 5 s of a processor of an earlier release, which sends no split, as beyond 5 s', () => {
    const m = new KpiMerger();
    expect(m.add(snapshot({ second: T0, procId: 'old', latencyTotalMs: latencyHistogram({ 3: 90, [LAT - 1]: 10 }) }), T0)).toBe(true);
    const old = m.tick(T0);
    expect(old).toMatchObject({ latencyP50Ms: 4.11, latencyP99Ms: 5000, latencyP99Beyond: true });
    expect(old).not.toHaveProperty('latencyP50Beyond');
    // an upgraded processor in the same second: its 10–30 s are measured, the old one's above 5 s counted as just over 5 s
    m.add(snapshot({ second: T0, procId: 'new', latencyTotalMs: latencyHistogram({ [LAT - 1]: 100 }), latencyTotalLongMs: latencyHistogram({ 1: 100 }, LONG) }), T0);
    const mixed = m.tick(T0);
    // the p99 lies above the old processor's unsplit decisions: a floor ("> 29,600 ms"), not a figure
    expect(mixed).toMatchObject({ latencyP50Ms: 5000, latencyP50Beyond: true, latencyP99Ms: 29_600, latencyP99Beyond: true, processors: 2 });
  });

  // before: such a snapshot was refused, and the process's decisions, alerts and money with it
  it('keeps a snapshot whose split it cannot read, with its decisions above 5 s read as unsplit', () => {
    const m = new KpiMerger();
    expect(m.add({ ...snapshot({ second: T0, decisions: 7, latencyTotalMs: latencyHistogram({ [LAT - 1]: 7 }) }), latencyTotalLongMs: [1, 1, 1, 1, 1, 1, 1, 0] }, T0)).toBe(true);
    expect(m.tick(T0)).toMatchObject({ decisionsPerSecond: 7, latencyP50Ms: 5000, latencyP50Beyond: true });
  });

  it.each([
    // [what, seconds back from the tick where the data sits, expect counted?]
    { window: 'latency (10 s)', back: 9, counted: true },
    { window: 'latency (10 s)', back: 10, counted: false },
  ])('$window: data $back s back counted = $counted', ({ back, counted }) => {
    const m = new KpiMerger();
    m.add(snapshot({ second: T0 - back * 1000, latencyTotalMs: latencyHistogram({ 3: 10 }) }), T0);
    expect(m.tick(T0).latencyP50Ms).toBe(counted ? 4 : null);
  });

  it.each([
    { back: 59, counted: true },
    { back: 60, counted: false },
  ])('60 s figures: data $back s back counted = $counted', ({ back, counted }) => {
    const m = new KpiMerger();
    const scores = new Array<number>(KPI_SCORE_BUCKETS).fill(0);
    scores[19] = 4;
    m.add(
      snapshot({
        second: T0 - back * 1000,
        decisions: 20,
        byAction: { allow: 16, review: 0, block: 4 },
        byKind: { payment: { count: 20, byAction: { allow: 16, review: 0, block: 4 }, amountUsdCents: 1_000_050, blockedUsdCents: 1_000_000 } },
        amountUsdCents: 1_000_050,
        blockedUsdCents: 1_000_000,
        scores,
        alerts: 5,
        alertsByDomain: { fraud: 4, aml: 1 },
      }),
      T0,
    );
    const tick = m.tick(T0);
    if (counted) {
      expect(tick).toMatchObject({
        alertsPerMinute: 5,
        fraudRate: 0.2,
        decidedUsdLastMinute: '10000.50',
        blockedUsdLastMinute: '10000.00',
        alertsByDomain: { fraud: 4, aml: 1 },
        byKind: { payment: { count: 20, allow: 16, review: 0, block: 4, amountUsd: '10000.50' } },
      });
      expect(tick.scores[19]).toBe(4);
    } else {
      expect(tick).toMatchObject({ alertsPerMinute: 0, fraudRate: 0, decidedUsdLastMinute: '0.00', blockedUsdLastMinute: '0.00', alertsByDomain: {}, byKind: {} });
      expect(tick.scores.every((n) => n === 0)).toBe(true);
    }
  });

  it.each([
    { back: 299, corridors: 1, typologies: 1 },
    { back: 300, corridors: 0, typologies: 1 },
    { back: 899, corridors: 0, typologies: 1 },
  ])('corridors (5 min) and typologies (15 min): data $back s back', ({ back, corridors, typologies }) => {
    const m = new KpiMerger();
    m.add(
      snapshot({
        second: T0 - back * 1000,
        alertsByTypology: { structuring: 2 },
        corridors: [{ from: 'US', to: 'MX', count: 3, amountUsdCents: 30_000, alerts: 1 }],
      }),
      T0,
    );
    const tick = m.tick(T0);
    expect(tick.corridors).toHaveLength(corridors);
    expect(Object.keys(tick.alertsByTypology)).toHaveLength(typologies);
  });

  it('fraud rate is fraud alerts per payment decision, not per decision of any kind', () => {
    const m = new KpiMerger();
    m.add(
      snapshot({
        second: T0,
        decisions: 30,
        byKind: {
          payment: { count: 10, byAction: { allow: 10, review: 0, block: 0 }, amountUsdCents: 0, blockedUsdCents: 0 },
          'loan.repayment': { count: 20, byAction: { allow: 20, review: 0, block: 0 }, amountUsdCents: 0, blockedUsdCents: 0 },
        },
        alertsByDomain: { fraud: 1, credit: 5 },
      }),
      T0,
    );
    expect(m.tick(T0).fraudRate).toBe(0.1);
  });

  it('merges corridors and typologies across processors and seconds', () => {
    const m = new KpiMerger();
    m.add(snapshot({ second: T0, procId: 'a', alertsByTypology: { structuring: 1 }, corridors: [{ from: 'US', to: 'MX', count: 2, amountUsdCents: 150, alerts: 0 }] }), T0);
    m.add(snapshot({ second: T0, procId: 'b', alertsByTypology: { structuring: 2, 'fan-out': 1 }, corridors: [{ from: 'US', to: 'MX', count: 1, amountUsdCents: 51, alerts: 1 }] }), T0);
    m.add(snapshot({ second: T0 - 5000, procId: 'a', corridors: [{ from: 'GB', to: 'DE', count: 5, amountUsdCents: 1, alerts: 0 }] }), T0);
    const tick = m.tick(T0);
    expect(tick.alertsByTypology).toEqual({ structuring: 3, 'fan-out': 1 });
    expect(tick.corridors).toEqual([
      { from: 'GB', to: 'DE', count: 5, amountUsd: '0.01', alerts: 0 },
      { from: 'US', to: 'MX', count: 3, amountUsd: '2.01', alerts: 1 },
    ]);
  });

  it.each([
    { name: 'a snapshot older than 15 minutes', second: T0 - 900_000, accepted: false },
    { name: 'a snapshot just inside 15 minutes', second: T0 - 899_000, accepted: true },
    { name: 'a snapshot from over a minute ahead', second: T0 + 61_000, accepted: false },
  ])('refuses $name? accepted = $accepted', ({ second, accepted }) => {
    const m = new KpiMerger();
    expect(m.add(snapshot({ second }), T0)).toBe(accepted);
  });

  it('prune forgets the seconds no window can reach any more', () => {
    const m = new KpiMerger();
    for (let i = 0; i < 5; i++) m.add(snapshot({ second: T0 - i * 1000 }), T0);
    m.prune(T0 + 898_000); // the window ending there starts at T0 - 1 s
    expect(m.size).toBe(2);
  });
});

describe('kpi merge - top corridors', () => {
  const corridor = (i: number, count: number) => [`C${i}>X`, { from: `C${i}`, to: 'X', count, amountUsdCents: count * 100, alerts: 0 }] as const;

  it.each([
    { name: 'fewer than the cap: all, largest first', n: 3, rows: 3, rest: false },
    { name: 'exactly the cap: all', n: KPI_MAX_CORRIDORS, rows: KPI_MAX_CORRIDORS, rest: false },
    { name: 'over the cap: the largest plus one summed row', n: KPI_MAX_CORRIDORS + 10, rows: KPI_MAX_CORRIDORS, rest: true },
  ])('$name', ({ n, rows, rest }) => {
    const map = new Map(Array.from({ length: n }, (_, i) => corridor(i, i + 1)));
    const out = topCorridors(map);
    expect(out).toHaveLength(rows);
    expect(out[0]).toMatchObject({ from: `C${n - 1}`, count: n });
    const last = out[out.length - 1]!;
    if (rest) {
      // 11 smallest (counts 1..11) summed: 66.
      expect(last).toEqual({ from: '', to: '', count: 66, amountUsd: '66.00', alerts: 0 });
    } else {
      expect(last.from).not.toBe('');
    }
    const named = out.filter((c) => c.from !== '');
    expect(named.map((c) => c.count)).toEqual([...named.map((c) => c.count)].sort((a, b) => b - a));
  });
});

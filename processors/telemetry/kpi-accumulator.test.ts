import { describe, expect, it } from 'vitest';
import { KPI_LATENCY_BOUNDS_MS, KPI_LATENCY_LONG_BOUNDS_MS, KPI_MAX_CORRIDORS, type AlertWire, type DecisionWire } from '../../core/index.js';
import { KpiAccumulator, latencyBucketOf, scoreBucketOf, topCorridors } from './kpi-accumulator.js';

function decision(overrides: Partial<DecisionWire> = {}): DecisionWire {
  return {
    v: 1,
    eventId: 'e1',
    eventKind: 'payment',
    eventTs: 0,
    ingestTs: 0,
    decidedAt: 10_500,
    accountId: 'A',
    customerId: 'C',
    counterpartyId: 'B',
    channel: 'mobile',
    paymentType: 'transfer',
    country: 'US',
    counterpartyCountry: 'GB',
    segment: 'standard',
    amountMinor: 12_345,
    currency: 'USD',
    score: 120,
    action: 'allow',
    reasons: [],
    models: {},
    features: {},
    latencyMs: { processing: 1, total: 4 },
    ...overrides,
  };
}

function alert(overrides: Partial<AlertWire> = {}): AlertWire {
  return {
    v: 1,
    id: 'a',
    eventId: 'e1',
    eventKind: 'payment',
    ts: 0,
    createdAt: 10_500,
    domain: 'fraud',
    typology: 'card_testing',
    severity: 'high',
    score: 800,
    accountId: 'A',
    customerId: 'C',
    segment: 'standard',
    amountMinor: 100,
    currency: 'USD',
    reasons: [],
    ...overrides,
  };
}

describe('kpi accumulator - buckets', () => {
  it.each([
    [0, 0],
    [1, 0],
    [1.5, 1],
    [25, 8],
    [26, 9],
    [5000, KPI_LATENCY_BOUNDS_MS.length - 1],
    [5001, KPI_LATENCY_BOUNDS_MS.length],
  ])('latency %d ms falls in bucket %d', (ms, bucket) => {
    expect(latencyBucketOf(ms)).toBe(bucket);
  });

  it.each([
    [0, 0],
    [49, 0],
    [50, 1],
    [999, 19],
    [1000, 19],
  ])('score %d falls in bucket %d', (score, bucket) => {
    expect(scoreBucketOf(score)).toBe(bucket);
  });
});

describe('kpi accumulator - seconds', () => {
  it('counts decisions, money, alerts and corridors in the second of their decision time', () => {
    const acc = new KpiAccumulator('p1');
    acc.record(decision(), []);
    acc.record(decision({ eventId: 'e2', action: 'block', amountMinor: 100_00, score: 950, latencyMs: { processing: 1, total: 30 } }), [alert(), alert({ id: 'b', domain: 'aml', typology: 'structuring', severity: 'medium' })]);
    acc.record(decision({ eventId: 'e3', eventKind: 'loan.repayment', decidedAt: 11_200, country: 'US', counterpartyCountry: '' }), []);
    expect(acc.takeCompleted(10_999)).toEqual([]);
    const [first, ...rest] = acc.takeCompleted(11_000);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      procId: 'p1',
      second: 10_000,
      decisions: 2,
      byAction: { allow: 1, review: 0, block: 1 },
      amountUsdCents: 22_345,
      blockedUsdCents: 10_000,
      alerts: 2,
      alertsByDomain: { fraud: 1, aml: 1 },
      alertsBySeverity: { high: 1, medium: 1 },
      alertsByTypology: { card_testing: 1, structuring: 1 },
      corridors: [{ from: 'US', to: 'GB', count: 2, amountUsdCents: 22_345, alerts: 2 }],
    });
    expect(first!.byKind.payment).toEqual({ count: 2, byAction: { allow: 1, review: 0, block: 1 }, amountUsdCents: 22_345, blockedUsdCents: 10_000 });
    expect(first!.latencyTotalMs[latencyBucketOf(4)]).toBe(1);
    expect(first!.latencyTotalMs[latencyBucketOf(30)]).toBe(1);
    expect(first!.scores[2]).toBe(1);
    expect(first!.scores[19]).toBe(1);
    const [second] = acc.takeCompleted(Number.MAX_SAFE_INTEGER);
    expect(second).toMatchObject({ second: 11_000, decisions: 1, corridors: [] });
    expect(acc.takeCompleted(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  // before: a decision of 30 s or 10 minutes was only 'above 5 s', and the overview read it as 5,000 ms
  it('counts decisions above 5 s in the open bucket and again by how long they took', () => {
    const acc = new KpiAccumulator('p1');
    for (const [i, total] of [4, 5000, 5001, 30_000, 30_001, 300_000, 600_000].entries()) {
      acc.record(decision({ eventId: `e${i}`, latencyMs: { processing: 1, total } }), []);
    }
    const [s] = acc.takeCompleted(Number.MAX_SAFE_INTEGER);
    expect(s!.latencyTotalMs[KPI_LATENCY_BOUNDS_MS.length - 1]).toBe(1);
    expect(s!.latencyTotalMs[KPI_LATENCY_BOUNDS_MS.length]).toBe(5);
    expect(KPI_LATENCY_LONG_BOUNDS_MS).toEqual([10_000, 30_000, 60_000, 120_000, 300_000]);
    expect(s!.latencyTotalLongMs).toEqual([1, 1, 1, 0, 1, 1]);
  });

  it('leaves decisions without an ingest time out of the latency histogram', () => {
    const acc = new KpiAccumulator('p1');
    acc.record(decision({ ingestTs: null, latencyMs: { processing: 1, total: null } }), []);
    const [s] = acc.takeCompleted(Number.MAX_SAFE_INTEGER);
    expect(s!.latencyTotalMs.reduce((a, b) => a + b, 0)).toBe(0);
    expect(s!.latencyTotalLongMs!.reduce((a, b) => a + b, 0)).toBe(0);
    expect(s!.decisions).toBe(1);
  });

  it('converts other currencies to USD cents at the indicative rates', () => {
    const acc = new KpiAccumulator('p1');
    acc.record(decision({ amountMinor: 1000, currency: 'JPY' }), []);
    const [s] = acc.takeCompleted(Number.MAX_SAFE_INTEGER);
    expect(s!.amountUsdCents).toBeGreaterThan(0);
    expect(s!.amountUsdCents).toBeLessThan(1000);
    expect(Number.isInteger(s!.amountUsdCents)).toBe(true);
  });
});

describe('kpi accumulator - corridors', () => {
  it('keeps the largest corridors and sums the rest into one row', () => {
    const all = Array.from({ length: KPI_MAX_CORRIDORS + 10 }, (_, i) => ({ from: `F${i}`, to: 'T', count: i + 1, amountUsdCents: 100, alerts: 0 }));
    const top = topCorridors(all);
    expect(top).toHaveLength(KPI_MAX_CORRIDORS);
    expect(top[0]!.count).toBe(KPI_MAX_CORRIDORS + 10);
    const other = top[top.length - 1]!;
    expect(other.from).toBe('');
    expect(other.count + top.slice(0, -1).reduce((n, c) => n + c.count, 0)).toBe(all.reduce((n, c) => n + c.count, 0));
    expect(other.amountUsdCents).toBe(100 * 11);
  });
});

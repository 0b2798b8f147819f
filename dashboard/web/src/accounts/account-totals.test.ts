import { describe, expect, it } from 'vitest';
import type { AccountAnswer, DecisionSummary, TimelineEntry } from '../../../server/protocol.js';
import { addCents, LiveAccountTotals } from './account-totals.js';

const T = 1_796_579_000_000;

function entry(eventId: string, ts: number): TimelineEntry {
  return { eventId, kind: 'payment', ts, direction: 'out', amount: '1.00', currency: 'USD', amountUsd: '1.00', counterparty: null, channel: 'mobile', action: 'allow', score: 1, reasons: [], alertIds: [] };
}

function answer(timeline: TimelineEntry[], nextBefore: number | null = null): AccountAnswer {
  return { accountId: 'A', customer: null, timeline, nextBefore, window: { since: T - 7 * 86_400_000, until: T + 86_400_000 }, totals: { events: 2, firstSeen: T, lastSeen: T + 5_000, inUsd: '10.00', outUsd: '20.50', alerts: 3, blocked: 1 } };
}

function decision(eventId: string, overrides: Partial<DecisionSummary> = {}): DecisionSummary {
  return {
    v: 1, eventId, eventKind: 'payment', eventTs: T + 10_000, ingestTs: null, decidedAt: T + 10_001, accountId: 'A', customerId: 'C', counterpartyId: 'B',
    channel: 'mobile', paymentType: 'transfer', country: 'US', counterpartyCountry: 'MX', segment: 'standard', amountMinor: 1550, currency: 'GBP',
    score: 10, action: 'allow', reasons: [], models: {}, latencyMs: { processing: 1, total: 2 }, amount: '15.50', amountUsd: '19.69', ...overrides,
  };
}

describe('account totals - live', () => {
  it.each([
    ['a payment out', decision('e9'), { events: 3, outUsd: '40.19', inUsd: '10.00', lastSeen: T + 10_000, blocked: 1 }],
    ['a payment in', decision('e9', { accountId: 'B', counterpartyId: 'A' }), { events: 3, inUsd: '29.69', outUsd: '20.50' }],
    ['a blocked payment out', decision('e9', { action: 'block' }), { events: 3, blocked: 2 }],
    ['a blocked payment in (the payer is blocked, not the account)', decision('e9', { accountId: 'B', counterpartyId: 'A', action: 'block' }), { events: 3, blocked: 1 }],
    ['a transfer to itself: out and in', decision('e9', { counterpartyId: 'A' }), { events: 3, inUsd: '29.69', outUsd: '40.19' }],
    ['a cash deposit: in only', decision('e9', { counterpartyId: 'A', paymentType: 'cash_deposit' }), { events: 3, inUsd: '29.69', outUsd: '20.50' }],
    ['a cash withdrawal: out only', decision('e9', { counterpartyId: 'A', paymentType: 'cash_withdrawal' }), { events: 3, inUsd: '10.00', outUsd: '40.19' }],
    ['an earlier payment moves first seen', decision('e9', { eventTs: T - 1_000 }), { events: 3, firstSeen: T - 1_000, lastSeen: T + 5_000 }],
    ['a blocked loan application: blocked only', decision('e9', { eventKind: 'loan.application', action: 'block' }), { events: 2, blocked: 2, outUsd: '20.50' }],
    ['a decision on the read page: counted already', decision('e1'), { events: 2, outUsd: '20.50' }],
  ])('%s', (_name, pushed, expected) => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000), entry('e0', T)]), T + 20_000);
    totals.add(pushed);
    expect(totals.totals).toMatchObject({ alerts: 3, ...expected });
  });

  it('decisions pushed while the read runs are added once it comes, unless it holds them', () => {
    const totals = new LiveAccountTotals('A');
    expect(totals.add(decision('e1'))).toBe(false);
    expect(totals.add(decision('e9'))).toBe(false);
    expect(totals.totals).toBeNull();
    totals.read(answer([entry('e1', T + 5_000)]), T + 20_000);
    expect(totals.totals).toMatchObject({ events: 3, outUsd: '40.19' });
    expect(totals.added).toBe(1);
    // the same decision again (a second copy) is not counted twice
    expect(totals.add(decision('e9'))).toBe(false);
    expect(totals.totals?.events).toBe(3);
  });

  it('a decision older than the read page, with older pages unread, may be counted on them: left out', () => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000)], T + 5_000), T + 20_000);
    totals.add(decision('e8', { eventTs: T + 1_000 }));
    expect(totals.totals?.events).toBe(2);
    totals.add(decision('e9', { eventTs: T + 6_000 }));
    expect(totals.totals?.events).toBe(3);
  });

  it('a decision on an event outside the event times the read covered (old data replayed, a late event) is left out, as a reload would leave it', () => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000)]), T + 20_000);
    expect(totals.add(decision('old', { eventTs: T - 7 * 86_400_000 - 1, action: 'block' }))).toBe(false);
    expect(totals.add(decision('ahead', { eventTs: T + 86_400_000 }))).toBe(false);
    expect(totals.totals).toMatchObject({ events: 2, blocked: 1, outUsd: '20.50' });
    expect(totals.add(decision('edge', { eventTs: T - 7 * 86_400_000 }))).toBe(true);
    expect(totals.totals?.events).toBe(3);
  });

  it('a new read (after a reconnect) starts from its totals and re-applies the decisions it does not hold', () => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000)]), T + 20_000);
    totals.add(decision('e8'));
    totals.add(decision('e9', { eventTs: T + 11_000 }));
    const stored = { ...answer([entry('e8', T + 10_000), entry('e1', T + 5_000)]), totals: { ...answer([]).totals, events: 3, outUsd: '40.19' } };
    totals.read(stored, T + 30_000);
    expect(totals.totals).toMatchObject({ events: 4, outUsd: '59.88', lastSeen: T + 11_000 });
    expect(totals.readAt).toBe(T + 30_000);
    expect(totals.added).toBe(1);
  });

  it.each([
    ['0.00', '0.01', '0.01'],
    ['20.50', '19.69', '40.19'],
    ['99999999999999999.99', '0.01', '100000000000000000.00'],
    ['1', '2.5', '3.50'],
  ])('adds %s and %s exactly: %s', (a, b, sum) => {
    expect(addCents(a, b)).toBe(sum);
  });
});

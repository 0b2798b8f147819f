import { describe, expect, it } from 'vitest';
import type { AccountAlert, AccountAnswer, DecisionSummary, TimelineEntry } from '../../../server/protocol.js';
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
    ['a blocked loan application: not a payment of the account, left out as storage leaves it', decision('e9', { eventKind: 'loan.application', action: 'block' }), { events: 2, blocked: 1, outUsd: '20.50' }],
    ['a decision on the read page: counted already', decision('e1', { action: 'block' }), { events: 2, outUsd: '20.50', blocked: 1 }],
    ['a block on a page event shown undecided: the block only (stored after the page looked)', decision('eu', { action: 'block' }), { events: 2, outUsd: '20.50', blocked: 2 }],
  ])('%s', (_name, pushed, expected) => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000), { ...entry('eu', T + 4_000), action: null }, entry('e0', T)]), T + 20_000);
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

  it('a decision dated before nextBefore is counted by the read (its totals hold every such event): left out; from nextBefore on, one the page does not list is added', () => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([entry('e1', T + 5_000)], T + 3_000), T + 20_000);
    totals.add(decision('e8', { eventTs: T + 2_999 }));
    expect(totals.totals?.events).toBe(2);
    // older than the page's oldest event, not before nextBefore: stored after the page was read
    totals.add(decision('e7', { eventTs: T + 3_000 }));
    expect(totals.totals?.events).toBe(3);
    totals.add(decision('e9', { eventTs: T + 6_000 }));
    expect(totals.totals?.events).toBe(4);
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

  function alert(id: string, eventId: string, overrides: Partial<AccountAlert> = {}): AccountAlert {
    return {
      v: 1, id, eventId, eventKind: 'payment', ts: T + 10_000, createdAt: T + 10_009, domain: 'aml', typology: 'structuring', severity: 'high', score: 800,
      accountId: 'A', customerId: 'C', segment: 'standard', amountMinor: 1550, currency: 'GBP', reasons: [], ...overrides,
    };
  }

  it.each([
    ['a new alert on a new event', alert('e9~aml~structuring', 'e9'), 4],
    ['an alert the page lists on its event', alert('e1~fraud~card_testing', 'e1', { ts: T + 5_000 }), 3],
    ['another alert on an event of the page (raised after the page looked)', alert('e1~aml~structuring', 'e1', { ts: T + 5_000 }), 4],
    ['an alert naming another account (the payer of a payment in)', alert('e9~aml~structuring', 'e9', { accountId: 'B' }), 3],
    ['an alert on a loan event (storage counts payments only)', alert('e9~credit~early_warning', 'e9', { eventKind: 'loan.repayment' }), 3],
    ['an alert on an event dated before nextBefore (counted by the read)', alert('e8~aml~structuring', 'e8', { ts: T + 2_999 }), 3],
    ['an alert on an event outside the window', alert('old~aml~structuring', 'old', { ts: T - 7 * 86_400_000 - 1 }), 3],
  ])('alerts - %s', (_name, pushed, alerts) => {
    const totals = new LiveAccountTotals('A');
    totals.read(answer([{ ...entry('e1', T + 5_000), alertIds: ['e1~fraud~card_testing'] }], T + 3_000), T + 20_000);
    totals.addAlert(pushed);
    expect(totals.totals).toMatchObject({ alerts, events: 2, blocked: 1 });
    expect(totals.alertsAdded).toBe(alerts - 3);
  });

  it('alerts - each id once: pushed twice (a reconnect to another process), or pushed before a read and held by the next one', () => {
    const totals = new LiveAccountTotals('A');
    expect(totals.addAlert(alert('e9~aml~structuring', 'e9'))).toBe(false);
    totals.read(answer([entry('e1', T + 5_000)]), T + 20_000);
    expect(totals.totals?.alerts).toBe(4);
    expect(totals.addAlert(alert('e9~aml~structuring', 'e9'))).toBe(false);
    expect(totals.addAlert(alert('e9~fraud~card_testing', 'e9'))).toBe(true);
    expect(totals.totals?.alerts).toBe(5);
    // read again after a reconnect: the store now holds e9 and one of its alerts
    const stored = { ...answer([{ ...entry('e9', T + 10_000), alertIds: ['e9~aml~structuring'] }, entry('e1', T + 5_000)]), totals: { ...answer([]).totals, alerts: 4 } };
    totals.read(stored, T + 30_000);
    expect(totals.totals?.alerts).toBe(5);
    expect(totals.alertsAdded).toBe(1);
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

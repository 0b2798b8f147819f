import { describe, expect, it } from 'vitest';
import { formatMinor, toReportingMinor } from '../../../core/index.js';
import { AccountWatch, accountAlertFrame, decisionSummary, isRoutableDecision } from './account-watch.js';

const text = (o: Record<string, unknown>) => JSON.stringify(o);

describe('account watch - who watches what', () => {
  it('adds and removes per client, one account or all', () => {
    const watch = new AccountWatch<string>();
    watch.add('c1', 'A');
    watch.add('c1', 'B');
    watch.add('c2', 'A');
    expect(watch.accounts).toBe(2);
    expect(watch.countFor('c1')).toBe(2);
    watch.remove('c1', 'A');
    expect([...watch.watchersOf('A')!]).toEqual(['c2']);
    watch.remove('c2');
    expect(watch.watchersOf('A')).toBeUndefined();
    watch.remove('c1');
    expect(watch.accounts).toBe(0);
    expect(watch.countFor('c1')).toBe(0);
  });
});

describe('account watch - the look at decision text', () => {
  const watch = new AccountWatch<string>();
  watch.add('c', 'ACC-1');
  watch.add('c', 'AC"C');

  it.each([
    ['the account side', text({ eventId: 'e', accountId: 'ACC-1', counterpartyId: 'X' }), true],
    ['the counterparty side', text({ eventId: 'e', accountId: 'X', counterpartyId: 'ACC-1' }), true],
    ['neither', text({ eventId: 'e', accountId: 'X', counterpartyId: 'Y' }), false],
    ['a longer id that starts the same', text({ accountId: 'ACC-10', counterpartyId: 'Y' }), false],
    ['the id in another field only', text({ accountId: 'X', counterpartyId: 'Y', customerId: 'ACC-1' }), false],
    ['an id with an escaped quote', text({ accountId: 'AC"C', counterpartyId: 'Y' }), true],
  ])('%s → %s', (_name, json, hit) => {
    expect(watch.watchedIn(json)).toBe(hit);
  });
});

describe('account watch - the summary', () => {
  it('drops features and labels, keeps the rest', () => {
    const decision = { v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, score: 10, features: { a: 1 }, labels: { patterns: [] } };
    expect(isRoutableDecision(decision)).toBe(true);
    expect(decisionSummary(decision as never)).toEqual({ v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, score: 10 });
  });

  it('writes the amount as decimal text in its currency and in USD at the indicative rates, as storage does', () => {
    const decision = { v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, amountMinor: 1550, currency: 'GBP' };
    expect(decisionSummary(decision as never)).toMatchObject({ amount: '15.50', amountUsd: formatMinor(toReportingMinor(1550, 'GBP'), 'USD') });
    expect(decisionSummary({ ...decision, amountMinor: 100050, currency: 'HUF' } as never)).toMatchObject({ amount: '1000.50' });
    expect(decisionSummary({ ...decision, amountMinor: 1234, currency: 'USD' } as never)).toMatchObject({ amount: '12.34', amountUsd: '12.34' });
  });

  it.each([
    ['no accountId', { eventId: 'e', counterpartyId: 'B', decidedAt: 1 }],
    ['a text decidedAt', { eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: '1' }],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(isRoutableDecision(value)).toBe(false);
  });
});

describe('account watch - the alert frame', () => {
  const alert = {
    v: 1, id: 'e1~aml~structuring', eventId: 'e1', eventKind: 'payment', ts: 1, createdAt: 2, domain: 'aml', typology: 'structuring', severity: 'high', score: 800,
    accountId: 'AC"C', customerId: 'C', segment: 'standard', amountMinor: 125_050, currency: 'EUR', reasons: [],
  } as const;

  it('carries the alert as published, its exact amount in front, for the account it names', () => {
    const frame = JSON.parse(accountAlertFrame(alert, JSON.stringify(alert)).toString()) as Record<string, unknown>;
    expect(frame).toEqual({ type: 'account-alert', accountId: 'AC"C', alert: { amount: '1250.50', ...alert } });
  });

  it('passes the published text as it is when the amount has no exact text (an unknown currency)', () => {
    const text = JSON.stringify({ ...alert, currency: 'XXQ', extra: 'kept' });
    expect(accountAlertFrame({ ...alert, currency: 'XXQ' }, text).toString()).toBe(`{"type":"account-alert","accountId":"AC\\"C","alert":${text}}`);
  });
});

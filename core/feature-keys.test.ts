import { describe, expect, test } from 'vitest';
import { validated, payment, customerEvent } from '../test/harness.js';
import { decodeAccountLink, decodeAccountList, encodeAccountLink, encodeAccountList, firstMarkerOf, isNewerLink, originSeq, paymentSides, RELEASED_ORIGIN, UNLINKED_CUSTOMER } from './feature-keys.js';

describe('feature keys - which sides a payment moves', () => {
  test.each([
    ['transfer', 'A', 'B', { out: true, in: true }],
    ['transfer', 'A', 'A', { out: true, in: true }],
    ['cash_deposit', 'A', 'A', { out: false, in: true }],
    ['cash_withdrawal', 'A', 'A', { out: true, in: false }],
    ['cash_deposit', 'AGENT', 'A', { out: true, in: true }],
  ] as const)('%s from %s to %s: %o', (type, debtor, creditor, sides) => {
    expect(paymentSides({ type, debtor: { accountId: debtor }, creditor: { accountId: creditor } })).toEqual(sides);
  });
});

describe('feature keys - the marker of an event’s first application', () => {
  test('a payment: its money-out side on the debtor; a cash deposit: its money-in side; other kinds: their own', () => {
    expect(firstMarkerOf('p:', validated(payment('e1', { debtor: { accountId: 'D', customerId: 'C', country: 'US' } })))).toEqual({ key: 'p:{a:D}:m:o:e1', side: 'o' });
    const deposit = validated(payment('e2', { type: 'cash_deposit', debtor: { accountId: 'X', customerId: 'C', country: 'US' }, creditor: { accountId: 'X', customerId: 'C', country: 'US' } }));
    expect(firstMarkerOf('p:', deposit)).toEqual({ key: 'p:{a:X}:m:i:e2', side: 'i' });
    expect(firstMarkerOf('p:', customerEvent('e3'))).toEqual({ key: 'p:{e:e3}:m', side: 'e' });
  });

  test.each([
    ['42', 42],
    ['42:7', 42],
    ['', null],
    [null, null],
    [RELEASED_ORIGIN, null],
    ['0', null],
    ['x:1', null],
    ['12345678901234567', null],
  ] as const)('origin %j is the message %j', (origin, seq) => {
    expect(originSeq(origin)).toBe(seq);
  });
});

describe('feature keys - an account’s link to its holder', () => {
  test('round-trips the event and the customer; a link without its event reads as older than any', () => {
    const link = { ts: 1_767_571_200_000, eventId: 'c-1', customerId: 'Cust 7:x' };
    expect(decodeAccountLink(encodeAccountLink(link))).toEqual(link);
    expect(decodeAccountLink('OLD-CUST')).toEqual({ ts: -Infinity, eventId: '', customerId: 'OLD-CUST' });
    expect(decodeAccountLink('\x1fe\x1fC').ts).toBe(-Infinity);
    expect(decodeAccountLink('x\x1fe\x1fC').ts).toBe(-Infinity);
    // unlinked: no customer, the time and id of the link it ended
    expect(decodeAccountLink('5\x1fc-1\x1f')).toEqual({ ts: 5, eventId: 'c-1', customerId: UNLINKED_CUSTOMER });
  });

  test.each([
    ['accounts', { ts: 1_767_571_200_000, eventId: 'c-1', accounts: ['ACC-1', 'acc.2:x@y'] }, '1767571200000\x1fc-1\x1fACC-1\x1facc.2:x@y'],
    ['none (an empty list)', { ts: 7, eventId: 'c-2', accounts: [] }, '7\x1fc-2'],
  ])('an account list of %s round-trips', (_name, list, stored) => {
    expect(encodeAccountList(list)).toBe(stored);
    expect(decodeAccountList(stored)).toEqual(list);
  });

  const held = { ts: 1000, eventId: 'm', customerId: 'C' };
  test.each([
    ['no link', 5, 'a', undefined, true],
    ['a later event', 1001, 'a', held, true],
    ['an earlier event', 999, 'z', held, false],
    ['the event that set it', 1000, 'm', held, false],
    ['the same time, a larger id', 1000, 'n', held, true],
    ['the same time, a smaller id', 1000, 'l', held, false],
    ['the same time, byte order (a after M)', 1000, 'a', { ...held, eventId: 'M' }, true],
    ['a link without its event', -1e15, 'a', { ts: -Infinity, eventId: '', customerId: 'C' }, true],
  ] as const)('%s replaces it: %s', (_name, ts, eventId, than, newer) => {
    expect(isNewerLink(ts, eventId, than)).toBe(newer);
  });
});

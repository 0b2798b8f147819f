import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ValidatedEvent } from '../../core/contracts/index.js';
import { createFraudRulesScorer } from '../fraud/index.js';
import { UNKNOWN_CUSTOMER } from '../scoring.js';
import { createFeatureStore, DEFAULT_HISTORY_TTL_SECONDS, DEFAULT_PROFILE_TTL_SECONDS, DEFAULT_RECEIVE_ONLY_TTL_SECONDS } from './feature-store.js';
import { PAYMENT_FEATURES } from './names.js';
import { ACCOUNT } from './reply-layout.js';
import { packStruct, readStructField } from './struct-layout.js';
import { DAY, HOUR, SECOND, T0, customer, keysUnder, loanRepayment, openTestStore, payment, type TestStore } from './test-fixtures.js';

let t: TestStore;

beforeAll(async () => {
  t = await openTestStore({ dedupTtlSeconds: 900, stateTtlSeconds: 20 * 86_400 });
});
afterAll(async () => {
  await t.close();
});

describe('feature store batch - customer profiles', () => {
  test('a customer event upserts the profile that later payments of the customer read', async () => {
    const results = await t.store.computeBatch([
      payment({ id: 'c-p0', ts: T0, from: 'CA', to: 'X', customerId: 'CUST-1' }),
      customer({ id: 'c-c1', ts: T0 + SECOND, customerId: 'CUST-1', segment: 'vip', riskRating: 'high', pep: true, country: 'GB' }),
      payment({ id: 'c-p1', ts: T0 + 2 * SECOND, from: 'CA', to: 'X', customerId: 'CUST-1' }),
    ]);
    const [before, applied, after] = results;
    expect(before).toMatchObject({ profile: UNKNOWN_CUSTOMER, features: { customer_known: 0, customer_risk: 1, customer_pep: 0 } });
    expect(applied).toEqual({ features: {}, profile: { known: true, segment: 'vip', riskRating: 'high', pep: true, country: 'GB' }, origin: '', customerId: 'CUST-1' });
    expect(after!.profile).toEqual(applied!.profile);
    expect(after!.features).toMatchObject({ customer_known: 1, customer_risk: 2, customer_pep: 1 });
  });

  test("a payment knows how long its customer has been one, from the customer event's onboardedAt; -1 when unknown", async () => {
    const since = T0 - 1000 * 86_400_000;
    const [, paid, unknown] = await t.store.computeBatch([
      customer({ id: 'c-t1', ts: T0, customerId: 'CUST-T', onboardedAt: since }),
      payment({ id: 'c-tp', ts: T0 + HOUR, from: 'CT-A', to: 'X', customerId: 'CUST-T' }),
      payment({ id: 'c-tu', ts: T0 + HOUR, from: 'CT-B', to: 'X', customerId: 'CUST-NOBODY' }),
    ]);
    expect(paid!.features['customer_tenure_days']).toBeCloseTo(1000 + 1 / 24, 6);
    expect(paid!.features['account_age_days']).toBe(0);
    expect(unknown!.features['customer_tenure_days']).toBe(-1);
    // a later customer event that does not say keeps what is known
    await t.store.computeBatch([customer({ id: 'c-t2', ts: T0 + 2 * HOUR, customerId: 'CUST-T', riskRating: 'high' })]);
    const [later] = await t.store.computeBatch([payment({ id: 'c-tp2', ts: T0 + 3 * HOUR, from: 'CT-A', to: 'X', customerId: 'CUST-T' })]);
    expect(later!.profile.riskRating).toBe('high');
    expect(later!.features['customer_tenure_days']).toBeCloseTo(1000 + 3 / 24, 6);
  });

  test('an older customer event arriving late does not overwrite a newer profile; a newer one does', async () => {
    await t.store.computeBatch([customer({ id: 'c-new', ts: T0 + HOUR, customerId: 'CUST-2', riskRating: 'low' })]);
    const [late] = await t.store.computeBatch([customer({ id: 'c-old', ts: T0, customerId: 'CUST-2', riskRating: 'high' })]);
    expect(late!.profile.riskRating).toBe('low');
    const [newer] = await t.store.computeBatch([customer({ id: 'c-newer', ts: T0 + 2 * HOUR, customerId: 'CUST-2', riskRating: 'medium', segment: 'important' })]);
    expect(newer!.profile).toMatchObject({ riskRating: 'medium', segment: 'important' });
  });

  test('another copy of a customer event (same id and time, other content) leaves the first copy standing', async () => {
    await t.store.computeBatch([customer({ id: 'c-dup', ts: T0, customerId: 'CUST-D', riskRating: 'low', segment: 'standard' })], ['1']);
    const [copy] = await t.store.computeBatch([customer({ id: 'c-dup', ts: T0, customerId: 'CUST-D', riskRating: 'high', segment: 'vip', pep: true })], ['2']);
    expect(copy!.origin).toBe('1');
    expect(copy!.profile).toMatchObject({ riskRating: 'low', segment: 'standard', pep: false });
    const [paid] = await t.store.computeBatch([payment({ id: 'c-dup-p', ts: T0 + SECOND, from: 'CD-A', to: 'X', customerId: 'CUST-D' })]);
    expect(paid!.profile).toMatchObject({ riskRating: 'low', segment: 'standard' });
  });

  test('a payment that names no customer is decided with the profile of the customer who holds the account', async () => {
    const [before] = await t.store.computeBatch([payment({ id: 'link-p0', ts: T0, from: 'LINK-A1', to: 'X' })]);
    expect(before!.profile).toBe(UNKNOWN_CUSTOMER);
    await t.store.computeBatch([customer({ id: 'link-c', ts: T0, customerId: 'CUST-LINK', segment: 'vip', riskRating: 'high', accounts: ['LINK-A1', 'LINK-A2'] })]);
    const [paid, other, named] = await t.store.computeBatch([
      payment({ id: 'link-p1', ts: T0 + SECOND, from: 'LINK-A2', to: 'X' }),
      payment({ id: 'link-p2', ts: T0 + SECOND, from: 'LINK-NONE', to: 'X' }),
      // a customer the payment names wins over the account's holder
      payment({ id: 'link-p3', ts: T0 + SECOND, from: 'LINK-A1', to: 'X', customerId: 'NOBODY' }),
    ]);
    expect(paid!.profile).toMatchObject({ known: true, segment: 'vip', riskRating: 'high' });
    expect(paid!.features).toMatchObject({ customer_known: 1, customer_risk: 2 });
    expect(other!.profile).toBe(UNKNOWN_CUSTOMER);
    expect(named!.profile).toBe(UNKNOWN_CUSTOMER);
    // the decision and its alerts name the holder (FeatureResult.customerId)
    expect([before!.customerId, paid!.customerId, other!.customerId, named!.customerId]).toEqual(['', 'CUST-LINK', '', 'NOBODY']);
    expect(await t.redis.pttl(`${t.prefix}{a:LINK-A1}:c`)).toBeGreaterThan((DEFAULT_PROFILE_TTL_SECONDS - 60) * 1000);
  });

  test('an older customer event arriving late does not move the link back', async () => {
    await t.store.computeBatch([customer({ id: 'rl-old', ts: T0, customerId: 'OLD', segment: 'vip', accounts: ['RL-ACC'] })], ['1']);
    await t.store.computeBatch([customer({ id: 'rl-new', ts: T0 + HOUR, customerId: 'NEW', segment: 'standard', accounts: ['RL-ACC'] })], ['2']);
    await t.store.computeBatch([customer({ id: 'rl-older', ts: T0 - HOUR, customerId: 'OLD', segment: 'vip', accounts: ['RL-ACC'] })], ['3']);
    const [paid] = await t.store.computeBatch([payment({ id: 'rl-p', ts: T0 + 2 * HOUR, from: 'RL-ACC', to: 'X' })], ['4']);
    expect(paid!.customerId).toBe('NEW');
  });

  test('another copy of an applied customer event does not move the link, even listing an account the first did not', async () => {
    await t.store.computeBatch([customer({ id: 'rd-a', ts: T0, customerId: 'A', segment: 'vip', accounts: ['RD-ACC'] })], ['10']);
    await t.store.computeBatch([customer({ id: 'rd-b', ts: T0 + HOUR, customerId: 'B', accounts: ['RD-ACC'] })], ['11']);
    const [dup] = await t.store.computeBatch([customer({ id: 'rd-a', ts: T0, customerId: 'A', segment: 'vip', accounts: ['RD-ACC', 'RD-ACC2'] })], ['12']);
    expect(dup!.origin).toBe('10');
    const [paid, other] = await t.store.computeBatch([
      payment({ id: 'rd-p', ts: T0 + 2 * HOUR, from: 'RD-ACC', to: 'X' }),
      payment({ id: 'rd-p2', ts: T0 + 2 * HOUR, from: 'RD-ACC2', to: 'X' }),
    ], ['13', '14']);
    expect(paid!.customerId).toBe('B');
    expect(other!.customerId).toBe('');
    // a redelivery of the message that first applied it is that application again: it changes nothing either
    await t.store.computeBatch([customer({ id: 'rd-a', ts: T0, customerId: 'A', segment: 'vip', accounts: ['RD-ACC'] })], ['10']);
    const [again] = await t.store.computeBatch([payment({ id: 'rd-p3', ts: T0 + 3 * HOUR, from: 'RD-ACC', to: 'X' })], ['15']);
    expect(again!.customerId).toBe('B');
  });

  test('customer events at the same time: the larger event id holds the account, byte by byte, in either order', async () => {
    // 'rt-a' sorts after 'rt-B' byte by byte (a locale's collation may say the opposite)
    await t.store.computeBatch([customer({ id: 'rt-a', ts: T0, customerId: 'LOWER', accounts: ['RT-1'] })]);
    await t.store.computeBatch([customer({ id: 'rt-B', ts: T0, customerId: 'UPPER', accounts: ['RT-1', 'RT-2'] })]);
    await t.store.computeBatch([customer({ id: 'rt-a', ts: T0, customerId: 'LOWER2', accounts: ['RT-2'] })]);
    const paid = await t.store.computeBatch(['RT-1', 'RT-2'].map((from, i) => payment({ id: `rt-p${i}`, ts: T0 + SECOND, from, to: 'X' })));
    expect(paid.map((r) => r.customerId)).toEqual(['LOWER', 'LOWER2']);
  });

  test('customer events at the same time: the larger event id holds the profile, byte by byte, in either order', async () => {
    await t.store.computeBatch([customer({ id: 'pt-a', ts: T0, customerId: 'PT-1', segment: 'vip' }), customer({ id: 'pt-B', ts: T0, customerId: 'PT-1', segment: 'important' })]);
    await t.store.computeBatch([customer({ id: 'pt-B', ts: T0, customerId: 'PT-2', segment: 'important' }), customer({ id: 'pt-a', ts: T0, customerId: 'PT-2', segment: 'vip' })]);
    const paid = await t.store.computeBatch(['PT-1', 'PT-2'].map((customerId, i) => payment({ id: `pt-p${i}`, ts: T0 + SECOND, from: `PT-ACC-${i}`, to: 'X', customerId })));
    expect(paid.map((r) => r.profile.segment)).toEqual(['vip', 'vip']);
  });

  test('a link stored before links carried their event is read, and replaced by the next customer event', async () => {
    await t.redis.set(`${t.prefix}{a:LEGACY-ACC}:c`, 'LEGACY-CUST', 'PX', 60_000);
    const [before] = await t.store.computeBatch([payment({ id: 'lg-p0', ts: T0, from: 'LEGACY-ACC', to: 'X' })]);
    expect(before!.customerId).toBe('LEGACY-CUST');
    await t.store.computeBatch([customer({ id: 'lg-c', ts: T0 - HOUR, customerId: 'NEW-HOLDER', accounts: ['LEGACY-ACC'] })]);
    const [after] = await t.store.computeBatch([payment({ id: 'lg-p1', ts: T0 + SECOND, from: 'LEGACY-ACC', to: 'X' })]);
    expect(after!.customerId).toBe('NEW-HOLDER');
    // a stored time that does not read as a number is older than any event, in the script as in Node
    await t.redis.set(`${t.prefix}{a:LEGACY-ACC}:c`, 'x\x1fe\x1fBROKEN', 'PX', 60_000);
    const [broken, fixed] = await t.store.computeBatch([
      payment({ id: 'lg-p2', ts: T0 + SECOND, from: 'LEGACY-ACC', to: 'X' }),
      customer({ id: 'lg-c2', ts: T0 - DAY, customerId: 'OTHER-HOLDER', accounts: ['LEGACY-ACC'] }),
      payment({ id: 'lg-p3', ts: T0 + SECOND, from: 'LEGACY-ACC', to: 'X' }),
    ]);
    expect([broken!.customerId, fixed!.customerId]).toEqual(['BROKEN', 'OTHER-HOLDER']);
    expect(await t.redis.get(`${t.prefix}{a:LEGACY-ACC}:c`)).toBe(`${T0 - DAY}\x1flg-c2\x1fOTHER-HOLDER`);
  });

  test('a payment after its account is linked, in the same batch, reads that customer', async () => {
    const [, paid] = await t.store.computeBatch([
      customer({ id: 'rb-c', ts: T0, customerId: 'RB-CUST', segment: 'vip', riskRating: 'high', accounts: ['RB-ACC'] }),
      payment({ id: 'rb-p', ts: T0 + SECOND, from: 'RB-ACC', to: 'X' }),
    ]);
    expect(paid!.customerId).toBe('RB-CUST');
    expect(paid!.profile.segment).toBe('vip');
  });

  test('in one batch, a payment reads the link as the customer events before it leave it: newer ones move it, older ones do not', async () => {
    await t.store.computeBatch([customer({ id: 'rb2-1', ts: T0 + HOUR, customerId: 'RB2-HELD', segment: 'important', accounts: ['RB2-ACC'] })]);
    const results = await t.store.computeBatch([
      payment({ id: 'rb2-p0', ts: T0 + 2 * HOUR, from: 'RB2-ACC', to: 'X' }),
      customer({ id: 'rb2-2', ts: T0, customerId: 'RB2-OLDER', accounts: ['RB2-ACC'] }),
      payment({ id: 'rb2-p1', ts: T0 + 2 * HOUR, from: 'RB2-ACC', to: 'X' }),
      customer({ id: 'rb2-3', ts: T0 + 2 * HOUR, customerId: 'RB2-NEWER', segment: 'vip', accounts: ['RB2-ACC'] }),
      payment({ id: 'rb2-p2', ts: T0 + 2 * HOUR, from: 'RB2-ACC', to: 'X' }),
      payment({ id: 'rb2-p3', ts: T0 + 2 * HOUR, from: 'RB2-ACC', to: 'X', customerId: 'RB2-NAMED' }),
    ]);
    expect(results.map((r) => r.customerId)).toEqual(['RB2-HELD', 'RB2-OLDER', 'RB2-HELD', 'RB2-NEWER', 'RB2-NEWER', 'RB2-NAMED']);
    expect(results[4]!.profile.segment).toBe('vip');
    const [later] = await t.store.computeBatch([payment({ id: 'rb2-p4', ts: T0 + 3 * HOUR, from: 'RB2-ACC', to: 'X' })]);
    expect(later!.customerId).toBe('RB2-NEWER');
  });

  /** The customer each account's payment reads now, in a batch of its own. */
  async function holders(id: string, ...accounts: string[]): Promise<string[]> {
    const paid = await t.store.computeBatch(accounts.map((from, i) => payment({ id: `${id}-${i}`, ts: T0 + 5 * DAY, from, to: 'X' })));
    return paid.map((r) => r.customerId);
  }

  test('the newest customer event lists the accounts its customer holds: one it no longer lists is unlinked', async () => {
    await t.store.computeBatch([customer({ id: 'ul-1', ts: T0, customerId: 'UL-C', segment: 'vip', accounts: ['UL-A1', 'UL-A2', 'UL-A3'] })], ['1']);
    expect(await holders('ul-p0', 'UL-A1', 'UL-A2', 'UL-A3')).toEqual(['UL-C', 'UL-C', 'UL-C']);
    await t.store.computeBatch([customer({ id: 'ul-2', ts: T0 + HOUR, customerId: 'UL-C', segment: 'vip', accounts: ['UL-A2'] })], ['2']);
    const [closed] = await t.store.computeBatch([payment({ id: 'ul-p1', ts: T0 + 5 * DAY, from: 'UL-A1', to: 'X' })]);
    expect(closed).toMatchObject({ customerId: '', profile: UNKNOWN_CUSTOMER });
    expect(await holders('ul-p2', 'UL-A2', 'UL-A3')).toEqual(['UL-C', '']);
    // the unlinked account keeps the time and id of the event that had linked it, its TTL too
    expect(await t.redis.get(`${t.prefix}{a:UL-A1}:c`)).toBe(`${T0}\x1ful-1\x1f`);
    expect(await t.redis.pttl(`${t.prefix}{a:UL-A1}:c`)).toBeGreaterThan((DEFAULT_PROFILE_TTL_SECONDS - 60) * 1000);
    // an event without accounts says nothing of them; an empty list holds none
    await t.store.computeBatch([customer({ id: 'ul-3', ts: T0 + 2 * HOUR, customerId: 'UL-C', segment: 'important' })], ['3']);
    expect(await holders('ul-p3', 'UL-A2')).toEqual(['UL-C']);
    await t.store.computeBatch([customer({ id: 'ul-4', ts: T0 + 3 * HOUR, customerId: 'UL-C', accounts: [] })], ['4']);
    expect(await holders('ul-p4', 'UL-A2')).toEqual(['']);
    // listed again by a newer event, linked again
    await t.store.computeBatch([customer({ id: 'ul-5', ts: T0 + 4 * HOUR, customerId: 'UL-C', accounts: ['UL-A1'] })], ['5']);
    expect(await holders('ul-p5', 'UL-A1', 'UL-A2')).toEqual(['UL-C', '']);
  });

  test('an older event of the customer, late, a redelivery or another copy, neither links nor unlinks', async () => {
    await t.store.computeBatch([customer({ id: 'uo-1', ts: T0, customerId: 'UO-C', accounts: ['UO-A1', 'UO-A2'] })], ['1']);
    await t.store.computeBatch([customer({ id: 'uo-3', ts: T0 + 2 * HOUR, customerId: 'UO-C', accounts: ['UO-A2'] })], ['3']);
    // late: lists an account the newest event dropped, and one it never listed; drops one it lists
    await t.store.computeBatch([customer({ id: 'uo-2', ts: T0 + HOUR, customerId: 'UO-C', accounts: ['UO-A1', 'UO-A3'] })], ['2']);
    expect(await holders('uo-p0', 'UO-A1', 'UO-A2', 'UO-A3')).toEqual(['', 'UO-C', '']);
    // the first event again, from its message and from another one
    await t.store.computeBatch([customer({ id: 'uo-1', ts: T0, customerId: 'UO-C', accounts: ['UO-A1', 'UO-A2'] })], ['1']);
    await t.store.computeBatch([customer({ id: 'uo-1', ts: T0, customerId: 'UO-C', accounts: ['UO-A1'] })], ['9']);
    // the dropping event again, from another message, listing what it had dropped
    await t.store.computeBatch([customer({ id: 'uo-3', ts: T0 + 2 * HOUR, customerId: 'UO-C', accounts: ['UO-A1'] })], ['8']);
    expect(await holders('uo-p1', 'UO-A1', 'UO-A2', 'UO-A3')).toEqual(['', 'UO-C', '']);
  });

  test('an account that moved to another customer stays with the newer holder, in either order of arrival', async () => {
    // in order: held by FROM, claimed by TO, then dropped by FROM
    await t.store.computeBatch([customer({ id: 'um-1', ts: T0, customerId: 'UM-FROM', accounts: ['UM-A', 'UM-KEEP'] })]);
    await t.store.computeBatch([customer({ id: 'um-2', ts: T0 + HOUR, customerId: 'UM-TO', accounts: ['UM-A'] })]);
    await t.store.computeBatch([customer({ id: 'um-3', ts: T0 + 2 * HOUR, customerId: 'UM-FROM', accounts: ['UM-KEEP'] })]);
    expect(await holders('um-p0', 'UM-A', 'UM-KEEP')).toEqual(['UM-TO', 'UM-FROM']);
    // the drop first, then the claim that came between them: the claim is newer than the link dropped
    await t.store.computeBatch([customer({ id: 'un-1', ts: T0, customerId: 'UN-FROM', accounts: ['UN-A'] })]);
    await t.store.computeBatch([customer({ id: 'un-3', ts: T0 + 2 * HOUR, customerId: 'UN-FROM', accounts: [] })]);
    expect(await holders('un-p0', 'UN-A')).toEqual(['']);
    // a claim older than the link dropped came before it: FROM's link, then its drop, end with none
    await t.store.computeBatch([customer({ id: 'un-0', ts: T0 - HOUR, customerId: 'UN-EARLIER', accounts: ['UN-A'] })]);
    expect(await holders('un-p1', 'UN-A')).toEqual(['']);
    await t.store.computeBatch([customer({ id: 'un-2', ts: T0 + HOUR, customerId: 'UN-TO', accounts: ['UN-A'] })]);
    expect(await holders('un-p2', 'UN-A')).toEqual(['UN-TO']);
  });

  test('in one batch, a payment after its holder\'s event that drops its account reads no customer', async () => {
    await t.store.computeBatch([customer({ id: 'ub-1', ts: T0, customerId: 'UB-C', segment: 'vip', accounts: ['UB-A', 'UB-B'] })]);
    const results = await t.store.computeBatch([
      payment({ id: 'ub-p0', ts: T0 + DAY, from: 'UB-A', to: 'X' }),
      customer({ id: 'ub-2', ts: T0 + HOUR, customerId: 'UB-C', segment: 'vip', accounts: ['UB-B'] }),
      payment({ id: 'ub-p1', ts: T0 + DAY, from: 'UB-A', to: 'X' }),
      payment({ id: 'ub-p2', ts: T0 + DAY, from: 'UB-B', to: 'X' }),
      // late, older than the drop: nothing
      customer({ id: 'ub-0', ts: T0 - HOUR, customerId: 'UB-C', accounts: ['UB-A'] }),
      payment({ id: 'ub-p3', ts: T0 + DAY, from: 'UB-A', to: 'X' }),
      // another customer, newer than the link dropped: takes it
      customer({ id: 'ub-3', ts: T0 + 30 * 60_000, customerId: 'UB-NEW', segment: 'important', accounts: ['UB-A'] }),
      payment({ id: 'ub-p4', ts: T0 + DAY, from: 'UB-A', to: 'X' }),
    ]);
    expect(results.map((r) => r.customerId)).toEqual(['UB-C', 'UB-C', '', 'UB-C', 'UB-C', '', 'UB-NEW', 'UB-NEW']);
    expect(results[2]!.profile).toBe(UNKNOWN_CUSTOMER);
    expect(results[7]!.profile.segment).toBe('important');
    expect(await holders('ub-p5', 'UB-A', 'UB-B')).toEqual(['UB-NEW', 'UB-C']);
  });

  test('credit events carry the customer profile and no features yet', async () => {
    await t.store.computeBatch([customer({ id: 'c-c3', ts: T0, customerId: 'CUST-3', segment: 'important' })]);
    const [loan, unknown] = await t.store.computeBatch([loanRepayment('c-l1', T0 + SECOND, 'CUST-3'), loanRepayment('c-l2', T0, 'NOBODY')]);
    expect(loan).toEqual({ features: {}, profile: { known: true, segment: 'important', riskRating: 'low', pep: false, country: 'US' }, origin: '', customerId: 'CUST-3' });
    expect(unknown).toEqual({ features: {}, profile: UNKNOWN_CUSTOMER, origin: '', customerId: 'NOBODY' });
  });

  test('a payment without a debtor customer id has the unknown customer', async () => {
    const [result] = await t.store.computeBatch([payment({ id: 'c-anon', ts: T0, from: 'ANON', to: 'X' })]);
    expect(result!.profile).toBe(UNKNOWN_CUSTOMER);
  });
});

describe('feature store batch - one round trip for a mixed batch of 1,000 events', () => {
  function mixed(n: number): ValidatedEvent[] {
    const events: ValidatedEvent[] = [];
    for (let i = 0; i < n; i++) {
      const ts = T0 + i * 100;
      if (i % 50 === 0) events.push(customer({ id: `m-c${i}`, ts, customerId: `MC${i % 7}`, riskRating: 'high' }));
      else if (i % 37 === 0) events.push(loanRepayment(`m-l${i}`, ts, `MC${i % 7}`));
      else
        events.push(
          payment({
            id: `m-p${i}`, ts: i % 11 === 0 ? ts - 30 * SECOND : ts, from: `MA${i % 40}`, to: `MA${(i * 7) % 53}`, customerId: `MC${i % 7}`,
            amount: `${1 + (i % 300)}.${String(i % 100).padStart(2, '0')}`, currency: i % 5 === 0 ? 'EUR' : 'USD',
            ...(i % 3 === 0 ? { device: `dev${i % 9}`, ip: `10.0.0.${i % 20}`, country: 'DE', geo: { lat: 50, lon: 8 + (i % 5) / 100 } } : {}),
          }),
        );
    }
    return events;
  }

  test('one pipeline, one socket write; one result per event in order; every payment has every feature', async () => {
    const events = mixed(1000);
    const pipelineSpy = vi.spyOn(t.redis, 'pipeline');
    const stream = (t.redis as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const writeSpy = vi.spyOn(stream, 'write');
    const results = await t.store.computeBatch(events);
    expect(pipelineSpy).toHaveBeenCalledTimes(1);
    expect(writeSpy).toHaveBeenCalledTimes(1);
    pipelineSpy.mockRestore();
    writeSpy.mockRestore();

    expect(results).toHaveLength(1000);
    events.forEach((event, i) => {
      const { features } = results[i]!;
      if (event.kind === 'payment') {
        expect(Object.keys(features).sort()).toEqual([...PAYMENT_FEATURES].sort());
        for (const name of PAYMENT_FEATURES) expect(Number.isFinite(features[name]), `${event.id} ${name}`).toBe(true);
      } else {
        expect(features).toEqual({});
      }
    });
    const eur = events.findIndex((e) => e.kind === 'payment' && e.currency === 'EUR');
    expect(results[eur]!.features.amount).toBe(Math.round(events[eur]!.amountMinor * 1.08));
  });

  test('every key written has a TTL: state, sets and markers as configured, profiles and histories their default', async () => {
    const keys = await keysUnder(t.redis, t.prefix);
    expect(keys.length).toBeGreaterThan(1000);
    const pipeline = t.redis.pipeline();
    for (const key of keys) pipeline.pttl(key);
    const ttls = ((await pipeline.exec()) ?? []).map(([, ttl]) => ttl as number);
    // accounts that have paid out have a history key; the others only ever received
    const paidOut = new Set(keys.filter((key) => key.endsWith(':h')).map((key) => key.slice(0, -':h'.length)));
    const byKind = new Map<string, number[]>();
    keys.forEach((key, i) => {
      let kind = /:m:[oi]:/.test(key) ? 'marker' : /^[^{]*\{e:[^}]*\}:m$/.test(key) ? 'eventMarker' : key.slice(key.lastIndexOf(':') + 1);
      if (kind === 's' && !paidOut.has(key.slice(0, -':s'.length))) kind = 'receiveOnly';
      byKind.set(kind, [...(byKind.get(kind) ?? []), ttls[i]!]);
    });
    expect([...byKind.keys()].sort()).toEqual(['c', 'eventMarker', 'h', 'kyc', 'marker', 'receiveOnly', 's']);
    const day = 86_400;
    const expected = {
      kyc: DEFAULT_PROFILE_TTL_SECONDS,
      c: DEFAULT_PROFILE_TTL_SECONDS,
      marker: 900,
      eventMarker: 900,
      s: 20 * day,
      receiveOnly: DEFAULT_RECEIVE_ONLY_TTL_SECONDS,
      h: DEFAULT_HISTORY_TTL_SECONDS,
    } as const;
    for (const [kind, list] of byKind) {
      const limit = expected[kind as keyof typeof expected] * 1000;
      for (const ttl of list) {
        expect(ttl, kind).toBeGreaterThan(limit - 60_000);
        expect(ttl, kind).toBeLessThanOrEqual(limit);
      }
    }
  });

  test('every key of an account shares one hash tag', async () => {
    const accountKeys = await keysUnder(t.redis, `${t.prefix}{a:MA1}`);
    expect(accountKeys.length).toBeGreaterThan(2);
    for (const key of accountKeys) expect(key.startsWith(`${t.prefix}{a:MA1}:`)).toBe(true);
  });
});

describe('feature store batch - TTL refresh', () => {
  async function lowerTtls(account: string): Promise<void> {
    for (const suffix of [':s']) await t.redis.pexpire(`${t.prefix}{a:${account}}${suffix}`, 1_000_000);
  }
  async function ttls(account: string): Promise<number[]> {
    return Promise.all([':s'].map((suffix) => t.redis.pttl(`${t.prefix}{a:${account}}${suffix}`)));
  }

  test('within the refresh interval an event leaves TTLs alone; after it, the side refreshes all its keys', async () => {
    const spec = { from: 'TTL-A', to: 'TTL-B', device: 'd', ip: '10.9.9.9', country: 'DE' } as const;
    await t.store.computeBatch([payment({ id: 'ttl-1', ts: T0, ...spec })]);
    await lowerTtls('TTL-A');
    await t.store.computeBatch([payment({ id: 'ttl-2', ts: T0 + SECOND, ...spec })]);
    for (const ttl of await ttls('TTL-A')) expect(ttl).toBeLessThanOrEqual(1_000_000);

    // pretend the last refresh of the money-out side was two days ago
    const key = `${t.prefix}{a:TTL-A}:s`;
    const a = (await t.redis.hgetBuffer(key, 'a'))!;
    const values = Object.fromEntries(ACCOUNT.names.map((n) => [n, readStructField(ACCOUNT, a, n)])) as Record<(typeof ACCOUNT.names)[number], number>;
    await t.redis.hset(key, 'a', packStruct(ACCOUNT, { ...values, ttlOutAt: values.ttlOutAt - 2 * 86_400 }));
    await t.store.computeBatch([payment({ id: 'ttl-3', ts: T0 + 2 * SECOND, ...spec })]);
    for (const ttl of await ttls('TTL-A')) expect(ttl).toBeGreaterThan(20 * 86_400_000 - 60_000);
  });
});

describe('feature store batch - options', () => {
  const redis = {} as Redis;
  test.each([
    ['a brace in the prefix', { prefix: 'x{y', dedupTtlSeconds: 60 }, /braces/],
    ['no dedup TTL', { prefix: 'x:', dedupTtlSeconds: 0 }, /dedupTtlSeconds/],
    ['a state TTL shorter than the longest window', { prefix: 'x:', dedupTtlSeconds: 60, stateTtlSeconds: 86_400 }, /stateTtlSeconds/],
    ['a receive-only TTL shorter than the longest window and a refresh', { prefix: 'x:', dedupTtlSeconds: 60, receiveOnlyTtlSeconds: 7 * 86_400 }, /receiveOnlyTtlSeconds/],
    ['a receive-only TTL longer than the state TTL', { prefix: 'x:', dedupTtlSeconds: 60, stateTtlSeconds: 9 * 86_400, receiveOnlyTtlSeconds: 10 * 86_400 }, /receiveOnlyTtlSeconds/],
  ] as const)('refuses %s', (_name, options, error) => {
    expect(() => createFeatureStore(redis, options)).toThrow(error);
  });

  test('an empty batch needs no Redis', async () => {
    expect(await createFeatureStore(t.redis, { prefix: `${t.prefix}empty:`, dedupTtlSeconds: 60 }).computeBatch([])).toEqual([]);
  });
});

describe('feature store batch - cash at the counter moves one side', () => {
  test('a deposit is money in only: no money-out features, the deposits in its money in, nothing in later transfers\' money out', async () => {
    const deposits = await t.store.computeBatch(
      [0, 10, 20].map((m) => payment({ id: `cash-d${m}`, ts: T0 + m * 60_000, from: 'CASH-1', to: 'CASH-1', amount: '4000.00', type: 'cash_deposit' })),
      ['d0', 'd10', 'd20'],
    );
    const last = deposits[2]!.features;
    expect(last).not.toHaveProperty('out_count_1h');
    expect(last).not.toHaveProperty('history_count');
    expect(last).toMatchObject({ in_count_1h: 3, in_sum_1h: 1_200_000, payee_in_count_1h: 3 });
    expect(deposits.map((r) => r.origin)).toEqual(['d0', 'd10', 'd20']);
    const [transfer] = await t.store.computeBatch([payment({ id: 'cash-t', ts: T0 + 30 * 60_000, from: 'CASH-1', to: 'X', amount: '100.00' })]);
    expect(transfer!.features).toMatchObject({ out_count_1h: 1, out_sum_1h: 10_000, history_count: 0, in_count_1h: 3 });
    // a copy of a deposit is a duplicate (its in-side marker), and counts nothing
    const [copy] = await t.store.computeBatch([payment({ id: 'cash-d0', ts: T0, from: 'CASH-1', to: 'CASH-1', amount: '4000.00', type: 'cash_deposit' })], ['other']);
    expect(copy!.origin).toBe('d0');
  });

  test('a withdrawal is money out only: no payee features, and not counted as money in', async () => {
    const [first, second] = await t.store.computeBatch(
      [0, 1].map((m) => payment({ id: `cash-w${m}`, ts: T0 + m * 60_000, from: 'CASH-2', to: 'CASH-2', amount: '200.00', type: 'cash_withdrawal' })),
    );
    expect(first!.features).not.toHaveProperty('payee_in_count_1h');
    expect(second!.features).toMatchObject({ out_count_1h: 2, out_sum_1h: 40_000, in_count_1h: 0, history_count: 1 });
    // released (deciding failed): only the side it moved has a marker to release
    expect(await t.store.release([payment({ id: 'cash-w0', ts: T0, from: 'CASH-2', to: 'CASH-2', amount: '200.00', type: 'cash_withdrawal' })])).toBe(1);
  });

  test('a withdrawal has no payee: it is not new, and a withdrawal then five payees is five payees, not a fan-out', async () => {
    const withdrawal = payment({ id: 'own-w', ts: T0, from: 'OWN-1', to: 'OWN-1', amount: '200.00', type: 'cash_withdrawal' });
    const [alone] = await t.store.computeBatch([withdrawal]);
    expect(alone!.features).toMatchObject({ new_payee: 0, distinct_payees_1h: 0, distinct_payees_24h: 0, out_count_1h: 1 });
    const transfers = [1, 2, 3, 4, 5].map((i) => payment({ id: `own-t${i}`, ts: T0 + i * 60_000, from: 'OWN-1', to: `OWN-PAYEE-${i}`, amount: '25.00' }));
    const results = await t.store.computeBatch(transfers);
    expect(results.map((r) => r.features.distinct_payees_1h)).toEqual([1, 2, 3, 4, 5]);
    expect(results.at(-1)!.features).toMatchObject({ distinct_payees_24h: 5, new_payee: 1, out_count_1h: 6 });
    // FR-FANOUT-1H fires above 5 payees in an hour
    const scorer = createFraudRulesScorer();
    const outcome = scorer.score({ event: transfers[4]!, features: results[4]!.features, profile: results[4]!.profile });
    expect(outcome).toMatchObject({ status: 'scored', score: 0 });
  });

  test('a deposit has no payer: the account is not its own payer, and fan-in counts the others only', async () => {
    const [deposit] = await t.store.computeBatch([payment({ id: 'own-d', ts: T0, from: 'OWN-2', to: 'OWN-2', amount: '300.00', type: 'cash_deposit' })]);
    expect(deposit!.features).toMatchObject({ payee_distinct_payers_24h: 0, payee_in_count_1h: 1 });
    const [paid] = await t.store.computeBatch([payment({ id: 'own-d2', ts: T0 + 60_000, from: 'OWN-2-PAYER', to: 'OWN-2' })]);
    expect(paid!.features).toMatchObject({ payee_distinct_payers_24h: 1, payee_in_count_1h: 2 });
  });

  test('cash between two accounts (an agent\'s float and a customer) moves both', async () => {
    const [r] = await t.store.computeBatch([payment({ id: 'cash-agent', ts: T0, from: 'AGENT-1', to: 'CASH-3', amount: '50.00', type: 'cash_deposit' })]);
    expect(r!.features).toMatchObject({ out_count_1h: 1, payee_in_count_1h: 1 });
  });
});

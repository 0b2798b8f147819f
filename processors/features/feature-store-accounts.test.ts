import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FeatureVector } from './names.js';
import { DEFAULT_RECEIVE_ONLY_TTL_SECONDS, DEFAULT_STATE_TTL_SECONDS } from './feature-store.js';
import { DAY, HOUR, MINUTE, SECOND, T0, openTestStore, payment, type PaymentSpec, type TestStore } from './test-fixtures.js';
import { MEMBER_GROUPS, MEMBERS_PER_GROUP, SET_CAPS } from './window-layout.js';

let t: TestStore;
let seq = 0;

beforeAll(async () => {
  t = await openTestStore();
});
afterAll(async () => {
  await t.close();
});

/** Computes payments in one batch; returns their features. */
async function run(...specs: Array<Omit<PaymentSpec, 'id'>>): Promise<FeatureVector[]> {
  const results = await t.store.computeBatch(specs.map((s) => payment({ id: `a${++seq}`, ...s })));
  return results.map((r) => r.features);
}

describe('feature store accounts - novelty', () => {
  test('new payee, then known; distinct payees over the hour and the day', async () => {
    const f = await run(
      { ts: T0, from: 'N1', to: 'P1' },
      { ts: T0 + MINUTE, from: 'N1', to: 'P1' },
      { ts: T0 + 2 * MINUTE, from: 'N1', to: 'P2' },
      { ts: T0 + 2 * HOUR, from: 'N1', to: 'P3' },
      { ts: T0 + 2 * DAY, from: 'N1', to: 'P1' },
    );
    expect(f.map((x) => x.new_payee)).toEqual([1, 0, 1, 1, 0]);
    expect(f.map((x) => x.distinct_payees_1h)).toEqual([1, 1, 2, 1, 1]);
    expect(f.map((x) => x.distinct_payees_24h)).toEqual([1, 1, 2, 3, 1]);
  });

  test('new device, IP and creditor country; absent ones are not new', async () => {
    const f = await run(
      { ts: T0, from: 'N2', to: 'X', device: 'dev-1', ip: '10.0.0.1', country: 'DE' },
      { ts: T0 + SECOND, from: 'N2', to: 'X', device: 'dev-1', ip: '10.0.0.1', country: 'DE' },
      { ts: T0 + 2 * SECOND, from: 'N2', to: 'X', device: 'dev-2', ip: '10.0.0.1', country: 'NG' },
      { ts: T0 + 3 * SECOND, from: 'N2', to: 'X', ip: '2001:db8::1' },
      { ts: T0 + 4 * SECOND, from: 'N2', to: 'X' },
    );
    expect(f.map((x) => [x.new_device, x.new_ip, x.new_country])).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [1, 0, 1],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });

  test('novelty is per account: a device known on one account is new on another', async () => {
    const f = await run({ ts: T0, from: 'N3', to: 'X', device: 'shared' }, { ts: T0, from: 'N4', to: 'X', device: 'shared' });
    expect(f.map((x) => x.new_device)).toEqual([1, 1]);
  });

  test(`distinct payees saturate at most at the cap (${SET_CAPS.payees}) and the state stays bounded`, async () => {
    const specs = Array.from({ length: SET_CAPS.payees + 20 }, (_, i) => ({ ts: T0 + i * SECOND, from: 'N5', to: `CAP${i}` }));
    const f = await run(...specs);
    // exact while no group of MEMBERS_PER_GROUP is full; then each group keeps its most recent
    expect(f.map((x) => x.distinct_payees_24h).slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const x of f) expect(x.distinct_payees_24h).toBeLessThanOrEqual(SET_CAPS.payees);
    expect(f.at(-1)!.distinct_payees_24h).toBeGreaterThan(SET_CAPS.payees * 0.75);
    const key = `${t.prefix}{a:N5}:s`;
    const groups = await t.redis.hmgetBuffer(key, ...Array.from({ length: MEMBER_GROUPS }, (_, g) => `P${g + 1}`));
    for (const v of groups) expect(v!.length).toBeLessThanOrEqual(8 * MEMBERS_PER_GROUP);
    // never past Redis's compact-encoding limits
    expect(await t.redis.object('ENCODING', key)).toBe('listpack');
    // the oldest payee was dropped, so paying it again looks new; a recent one does not
    const [again, recent] = await run({ ts: T0 + HOUR, from: 'N5', to: 'CAP0' }, { ts: T0 + HOUR, from: 'N5', to: `CAP${SET_CAPS.payees + 19}` });
    expect([again!.new_payee, recent!.new_payee]).toEqual([1, 0]);
  });
});

describe('feature store accounts - fan-in and pass-through', () => {
  test('fan-in counts distinct payers of the payee over the day', async () => {
    const f = await run(
      { ts: T0, from: 'MULE-SRC1', to: 'MULE', amount: '100.00' },
      { ts: T0 + MINUTE, from: 'MULE-SRC2', to: 'MULE', amount: '200.00' },
      { ts: T0 + 2 * MINUTE, from: 'MULE-SRC2', to: 'MULE', amount: '300.00' },
      { ts: T0 + 3 * MINUTE, from: 'MULE-SRC3', to: 'MULE', amount: '400.00' },
      { ts: T0 + 25 * HOUR, from: 'MULE-SRC4', to: 'MULE', amount: '500.00' },
    );
    expect(f.map((x) => x.payee_distinct_payers_24h)).toEqual([1, 2, 2, 3, 1]);
    expect(f.map((x) => x.payee_in_count_1h)).toEqual([1, 2, 3, 4, 1]);
    expect(f.map((x) => x.payee_in_count_24h)).toEqual([1, 2, 3, 4, 1]);
    expect(f.map((x) => x.payee_in_sum_24h)).toEqual([10_000, 30_000, 60_000, 100_000, 50_000]);
  });

  test('money in then out of the same account: in-windows at the debtor, out-sum at the payee', async () => {
    const [funding] = await run({ ts: T0, from: 'PT-SRC', to: 'PT', amount: '1000.00' });
    const [onward] = await run({ ts: T0 + 10 * MINUTE, from: 'PT', to: 'PT-DST', amount: '950.00' });
    const [toPassThrough] = await run({ ts: T0 + 20 * MINUTE, from: 'PT-SRC2', to: 'PT', amount: '10.00' });
    expect(funding).toMatchObject({ payee_in_sum_24h: 100_000, payee_out_sum_24h: 0 });
    expect(onward).toMatchObject({ in_count_1h: 1, in_sum_1h: 100_000, in_count_24h: 1, in_sum_24h: 100_000, in_sum_7d: 100_000, out_sum_24h: 95_000 });
    expect(toPassThrough).toMatchObject({ payee_out_sum_24h: 95_000, payee_in_sum_24h: 101_000, payee_in_count_1h: 2 });
  });

  test('a payment to oneself counts out and in on the same account, without a payee or a payer', async () => {
    const [self] = await run({ ts: T0, from: 'SELF', to: 'SELF', amount: '5.00' });
    expect(self).toMatchObject({ out_count_1h: 1, in_count_1h: 0, payee_in_count_1h: 1, payee_out_sum_24h: 500 });
    expect(self).toMatchObject({ new_payee: 0, distinct_payees_1h: 0, distinct_payees_24h: 0, payee_distinct_payers_24h: 0 });
    const [next] = await run({ ts: T0 + SECOND, from: 'SELF', to: 'OTHER', amount: '5.00' });
    expect(next).toMatchObject({ out_count_1h: 2, in_count_1h: 1, in_sum_1h: 500 });
  });
});

describe('feature store accounts - history', () => {
  test('time since last, history count, average amount and its ratio', async () => {
    const f = await run(
      { ts: T0, from: 'H1', to: 'X', amount: '10.00' },
      { ts: T0 + 30 * SECOND, from: 'H1', to: 'X', amount: '30.00' },
      { ts: T0 + 90 * SECOND, from: 'H1', to: 'X', amount: '100.00' },
    );
    expect(f.map((x) => x.seconds_since_last)).toEqual([-1, 30, 60]);
    expect(f.map((x) => x.history_count)).toEqual([0, 1, 2]);
    expect(f.map((x) => x.avg_out_amount)).toEqual([0, 1000, 2000]);
    expect(f.map((x) => x.amount_to_avg)).toEqual([0, 3, 5]);
  });

  test('after the first payments the average is exponentially weighted', async () => {
    const specs = Array.from({ length: 12 }, (_, i) => ({ ts: T0 + i * MINUTE, from: 'H2', to: 'X', amount: '10.00' }));
    const f = await run(...specs, { ts: T0 + HOUR, from: 'H2', to: 'X', amount: '1000.00' }, { ts: T0 + 2 * HOUR, from: 'H2', to: 'X', amount: '10.00' });
    expect(f[12]!.avg_out_amount).toBeCloseTo(1000, 6);
    // 10% weight on the 1000.00 payment: 1000 + 0.1 * (100000 - 1000)
    expect(f[13]!.avg_out_amount).toBeCloseTo(10_900, 6);
  });

  test('account age runs from the first event seen on the account, in or out', async () => {
    await run({ ts: T0, from: 'SOMEONE', to: 'H3' });
    const [first] = await run({ ts: T0 + 3 * DAY, from: 'H3', to: 'X' });
    expect(first!.account_age_days).toBe(3);
    const [late] = await run({ ts: T0 - DAY, from: 'H3', to: 'X' });
    expect(late!.account_age_days).toBe(0);
    const [after] = await run({ ts: T0 + 3 * DAY, from: 'H3', to: 'X' });
    expect(after!.account_age_days).toBe(4);
  });

  test('geo speed from the previous geo-located payment', async () => {
    const f = await run(
      { ts: T0, from: 'G1', to: 'X', geo: { lat: 48.8566, lon: 2.3522 } },
      { ts: T0 + 30 * MINUTE, from: 'G1', to: 'X' },
      { ts: T0 + HOUR, from: 'G1', to: 'X', geo: { lat: 51.5074, lon: -0.1278 } },
    );
    expect(f[0]!.geo_speed_kmh).toBe(0);
    expect(f[1]!.geo_speed_kmh).toBe(0);
    expect(f[2]!.geo_speed_kmh).toBeCloseTo(343.5, 0);
  });

  test('an account idle past its state TTL comes back with its history, not as a new account', async () => {
    const state = (account: string): string => `${t.prefix}{a:${account}}:s`;
    const history = (account: string): string => `${t.prefix}{a:${account}}:h`;
    await run({ ts: T0, from: 'SLEEPER', to: 'X', amount: '40.00' }, { ts: T0 + DAY, from: 'SLEEPER', to: 'X', amount: '60.00' });
    // The state expires after 35 days of silence; its history stays.
    await t.redis.del(state('SLEEPER'));
    const [back] = await run({ ts: T0 + 120 * DAY, from: 'SLEEPER', to: 'NEW-PAYEE', amount: '2500.00' });
    // As of the history's copy (the first payment's refresh: the second came within the interval).
    expect(back!.seconds_since_last).toBe(120 * 86_400);
    expect(back!.account_age_days).toBe(120);
    expect(back!.history_count).toBe(1);
    expect(back!.avg_out_amount).toBe(4000);
    // The new state got its TTL at once, and the history was rewritten from it.
    expect(await t.redis.pttl(state('SLEEPER'))).toBeGreaterThan(0);
    expect(await t.redis.pttl(history('SLEEPER'))).toBeGreaterThan(0);
    // Without a history (never paid out, or older than the history TTL) it is new.
    await t.redis.del(state('SLEEPER'), history('SLEEPER'));
    const [fresh] = await run({ ts: T0 + 240 * DAY, from: 'SLEEPER', to: 'X' });
    expect(fresh!.seconds_since_last).toBe(-1);
    expect(fresh!.history_count).toBe(0);
  });

  test('an account that only ever received keeps no history key; one that paid out does, from either side', async () => {
    const history = (account: string): string => `${t.prefix}{a:${account}}:h`;
    await run({ ts: T0, from: 'PAYER-1', to: 'ONLY-IN' }, { ts: T0 + HOUR, from: 'PAYER-2', to: 'ONLY-IN' });
    expect(await t.redis.exists(history('ONLY-IN'))).toBe(0);
    expect(await t.redis.exists(history('PAYER-1'))).toBe(1);
    // Money in to an account that has paid out restores its history when its state is gone.
    await t.redis.del(`${t.prefix}{a:PAYER-1}:s`);
    await run({ ts: T0 + 100 * DAY, from: 'SOMEONE-ELSE', to: 'PAYER-1' });
    const [out] = await run({ ts: T0 + 101 * DAY, from: 'PAYER-1', to: 'X' });
    expect(out!.seconds_since_last).toBe(101 * 86_400);
    expect(out!.history_count).toBe(1);
  });

  test('an account that only ever received keeps its state for the receive-only TTL; its first payment out gives it the state TTL', async () => {
    const state = (account: string): string => `${t.prefix}{a:${account}}:s`;
    const days = async (account: string): Promise<number> => (await t.redis.pttl(state(account))) / 86_400_000;
    await run({ ts: T0, from: 'RO-PAYER', to: 'RO-PAYEE' });
    expect(await days('RO-PAYEE')).toBeCloseTo(DEFAULT_RECEIVE_ONLY_TTL_SECONDS / 86_400, 2);
    expect(await days('RO-PAYER')).toBeCloseTo(DEFAULT_STATE_TTL_SECONDS / 86_400, 2);
    // the payer receiving later keeps the state TTL (its money-in refresh is due: first one)
    await run({ ts: T0 + HOUR, from: 'RO-OTHER', to: 'RO-PAYER' });
    expect(await days('RO-PAYER')).toBeCloseTo(DEFAULT_STATE_TTL_SECONDS / 86_400, 2);
    // the payee pays out: from now on it is an account like any other
    const [first] = await run({ ts: T0 + 2 * HOUR, from: 'RO-PAYEE', to: 'X' });
    expect(await days('RO-PAYEE')).toBeCloseTo(DEFAULT_STATE_TTL_SECONDS / 86_400, 2);
    expect(first!.in_count_24h).toBe(1);
    expect(first!.account_age_days).toBeCloseTo(2 / 24, 3);
  });
});

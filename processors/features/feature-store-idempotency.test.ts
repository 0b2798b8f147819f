import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ValidatedEvent } from '../../core/contracts/index.js';
import { DAY, MINUTE, SECOND, T0, customer, loanRepayment, openTestStore, payment, snapshot, type TestStore } from './test-fixtures.js';

let t: TestStore;

beforeAll(async () => {
  t = await openTestStore();
});
afterAll(async () => {
  await t.close();
});

function mixedBatch(tag: string, start: number): ValidatedEvent[] {
  return [
    customer({ id: `${tag}-c1`, ts: start, customerId: `${tag}-CUST`, riskRating: 'high', pep: true }),
    payment({ id: `${tag}-p1`, ts: start + SECOND, from: `${tag}-A`, to: `${tag}-B`, customerId: `${tag}-CUST`, device: 'd1', ip: '10.1.1.1', country: 'FR', geo: { lat: 1, lon: 2 } }),
    payment({ id: `${tag}-p2`, ts: start + 2 * SECOND, from: `${tag}-B`, to: `${tag}-C`, amount: '4.00' }),
    payment({ id: `${tag}-p3`, ts: start - MINUTE, from: `${tag}-A`, to: `${tag}-C`, customerId: `${tag}-CUST` }),
    payment({ id: `${tag}-p4`, ts: start + 3 * SECOND, from: `${tag}-A`, to: `${tag}-A` }),
    loanRepayment(`${tag}-l1`, start + 4 * SECOND, `${tag}-CUST`),
  ];
}

describe('feature store idempotency - at-least-once delivery', () => {
  test('computing a batch twice gives identical features and leaves the state unchanged', async () => {
    const batch = mixedBatch('I1', T0);
    const first = await t.store.computeBatch(batch);
    const state = await snapshot(t.redis, t.prefix);
    const second = await t.store.computeBatch(batch);
    expect(second).toEqual(first);
    expect(await snapshot(t.redis, t.prefix)).toEqual(state);
  });

  test('a redelivery after later events returns the first features and changes nothing', async () => {
    const batch = mixedBatch('I2', T0);
    const first = await t.store.computeBatch(batch);
    await t.store.computeBatch(mixedBatch('I2-later', T0 + MINUTE).concat(payment({ id: 'I2-more', ts: T0 + 5 * SECOND, from: 'I2-A', to: 'I2-B' })));
    const state = await snapshot(t.redis, t.prefix);
    const replay = await t.store.computeBatch(batch);
    expect(replay).toEqual(first);
    expect(await snapshot(t.redis, t.prefix)).toEqual(state);
  });

  test('a duplicate inside one batch counts once and repeats the first features', async () => {
    const event = payment({ id: 'I3-dup', ts: T0, from: 'I3-A', to: 'I3-B' });
    const [a, b] = await t.store.computeBatch([event, event]);
    expect(b).toEqual(a);
    const [next] = await t.store.computeBatch([payment({ id: 'I3-next', ts: T0 + SECOND, from: 'I3-A', to: 'I3-B' })]);
    expect(next!.features).toMatchObject({ out_count_1m: 2, history_count: 1, payee_in_count_1h: 2 });
  });

  test('a half-applied payment (debtor side done, creditor side lost) completes on redelivery', async () => {
    const event = payment({ id: 'I4-p', ts: T0, from: 'I4-A', to: 'I4-B', amount: '7.00' });
    const [first] = await t.store.computeBatch([event]);
    // Simulate a crash after the debtor script only: undo the creditor side entirely.
    const creditorKeys = (await t.redis.keys(`${t.prefix}{a:I4-B}*`)) as string[];
    await t.redis.del(...creditorKeys);
    const [again] = await t.store.computeBatch([event]);
    expect(again).toEqual(first);
    const [later] = await t.store.computeBatch([payment({ id: 'I4-q', ts: T0 + SECOND, from: 'I4-A', to: 'I4-B' })]);
    expect(later!.features).toMatchObject({ out_count_1m: 2, payee_in_count_1h: 2, payee_distinct_payers_24h: 1 });
  });

  test('the marker lives for dedupTtlSeconds; the state for stateTtlSeconds', async () => {
    await t.store.computeBatch([payment({ id: 'I5-p', ts: T0 + DAY, from: 'I5-A', to: 'I5-B' })]);
    const markerTtl = await t.redis.pttl(`${t.prefix}{a:I5-A}:m:o:I5-p`);
    expect(markerTtl).toBeGreaterThan((t.options.dedupTtlSeconds - 5) * 1000);
    expect(markerTtl).toBeLessThanOrEqual(t.options.dedupTtlSeconds * 1000);
  });
});

describe('feature store idempotency - where an event was first read from', () => {
  test('a copy from another message reports the first origin and the first features, and counts nothing', async () => {
    const batch = mixedBatch('O1', T0);
    const origins = batch.map((_, i) => `100:${i}`);
    const first = await t.store.computeBatch(batch, origins);
    expect(first.map((r) => r.origin)).toEqual(origins);
    const state = await snapshot(t.redis, t.prefix);

    // the same message again (a redelivery) keeps its own origin
    const redelivered = await t.store.computeBatch(batch, origins);
    expect(redelivered).toEqual(first);
    // the same events re-sent in another message: every kind reports where it was first read
    const copy = await t.store.computeBatch(batch, batch.map((_, i) => `205:${i}`));
    expect(copy).toEqual(first);
    expect(await snapshot(t.redis, t.prefix)).toEqual(state);
  });

  test('inside one batch, the second copy of an event reports the first copy as its origin', async () => {
    const pay = payment({ id: 'O2-p', ts: T0, from: 'O2-A', to: 'O2-B' });
    const loan = loanRepayment('O2-l', T0, 'O2-CUST');
    const results = await t.store.computeBatch([pay, loan, pay, loan], ['7:0', '7:1', '8', '9']);
    expect(results.map((r) => r.origin)).toEqual(['7:0', '7:1', '7:0', '7:1']);
    expect(results[2]!.features).toEqual(results[0]!.features);
  });

  test('origins must match the events one for one', async () => {
    await expect(t.store.computeBatch([payment({ id: 'O3-p', ts: T0, from: 'O3-A', to: 'O3-B' })], [])).rejects.toThrow(/0 origins for 1 events/);
  });
});

describe('feature store idempotency - events applied and not decided (released)', () => {
  test('the next copy of a released event takes it over: the first features, nothing counted twice, later copies duplicates again', async () => {
    const batch = mixedBatch('R1', T0);
    const first = await t.store.computeBatch(batch, batch.map((_, i) => `300:${i}`));
    // deciding failed for the whole message: its events went to the dead letters
    expect(await t.store.release(batch)).toBe(
      batch.filter((e) => e.kind === 'payment').length * 2 + batch.filter((e) => e.kind !== 'payment').length,
    );
    const state = await snapshot(t.redis, t.prefix);
    // sent again from the dead letters, in another message: decided as its own, with the first features
    const again = await t.store.computeBatch(batch, batch.map((_, i) => `410:${i}`));
    expect(again.map((r) => r.origin)).toEqual(batch.map((_, i) => `410:${i}`));
    expect(again.map((r) => r.features)).toEqual(first.map((r) => r.features));
    // taking over rewrites the markers' origins only: the account state did not move
    const after = await snapshot(t.redis, t.prefix);
    const withoutMarkers = (snap: Map<string, string>): Map<string, string> => new Map([...snap].filter(([key]) => !/:m(:|$)/.test(key)));
    expect(withoutMarkers(after)).toEqual(withoutMarkers(state));
    // a third copy is a duplicate of the second
    const third = await t.store.computeBatch(batch, batch.map((_, i) => `520:${i}`));
    expect(third.map((r) => r.origin)).toEqual(batch.map((_, i) => `410:${i}`));
    // and the next payment of the account counts the released one once
    const [next] = await t.store.computeBatch([payment({ id: 'R1-next', ts: T0 + 5 * SECOND, from: 'R1-A', to: 'R1-B' })], ['600']);
    expect(next!.features).toMatchObject({ out_count_1m: 3, payee_in_count_1h: 2 });
  });

  test('a released marker keeps its time to live, and one already gone is not made again', async () => {
    const pay = payment({ id: 'R2-p', ts: T0, from: 'R2-A', to: 'R2-B' });
    await t.store.computeBatch([pay], ['1']);
    const markerKey = `${t.prefix}{a:R2-A}:m:o:R2-p`;
    await t.redis.pexpire(markerKey, 60_000);
    expect(await t.store.release([pay])).toBe(2);
    const ttl = await t.redis.pttl(markerKey);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const gone = payment({ id: 'R2-gone', ts: T0, from: 'R2-A', to: 'R2-B' });
    expect(await t.store.release([gone])).toBe(0);
    expect(await t.redis.exists(`${t.prefix}{a:R2-A}:m:o:R2-gone`)).toBe(0);
    expect(await t.store.release([])).toBe(0);
  });

  test('a marker written without an origin is released and taken over too', async () => {
    const pay = payment({ id: 'R3-p', ts: T0, from: 'R3-A', to: 'R3-B' });
    const [first] = await t.store.computeBatch([pay]);
    expect(first!.origin).toBe('');
    await t.store.release([pay]);
    const [again] = await t.store.computeBatch([pay], ['77']);
    expect(again).toEqual({ ...first, origin: '77' });
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFeatureStore, EventClock, MAX_FEATURE_LEAD_MS } from './feature-store.js';
import type { FeatureVector } from './names.js';
import { DAY, HOUR, MINUTE, SECOND, T0, openTestStore, payment, type TestStore } from './test-fixtures.js';
import { bucketOf, isInWindow, MAX_RING_SLOTS, SMALL_PAYMENT_CENTS, WINDOWS } from './window-layout.js';

let t: TestStore;
let seq = 0;

beforeAll(async () => {
  t = await openTestStore();
});
afterAll(async () => {
  await t.close();
});

/** Pays from `from` at each offset from T0 (one batch each); returns the features of each. */
async function pay(from: string, offsets: readonly number[], amount = '10.00', to = 'SINK', type: 'transfer' | 'card' = 'transfer'): Promise<FeatureVector[]> {
  const out: FeatureVector[] = [];
  for (const offset of offsets) {
    const [result] = await t.store.computeBatch([payment({ id: `w${++seq}`, ts: T0 + offset, from, to, amount, type })]);
    out.push(result!.features);
  }
  return out;
}

describe('feature store windows - boundaries in event time', () => {
  test('1m: counts the last 55 to 60 seconds; a whole minute apart never counts', async () => {
    const f = await pay('A1M', [0, 30 * SECOND, 55 * SECOND, 60 * SECOND, 125 * SECOND]);
    expect(f.map((x) => x.out_count_1m)).toEqual([1, 2, 3, 3, 1]);
    expect(f.map((x) => x.out_sum_1m)).toEqual([1000, 2000, 3000, 3000, 1000]);
    expect(f.map((x) => x.out_count_1h)).toEqual([1, 2, 3, 4, 5]);
  });

  test('1h: 58 minutes back counts, an hour back does not', async () => {
    const f = await pay('A1H', [0, 58 * MINUTE, HOUR, HOUR + 58 * MINUTE + 59 * SECOND]);
    expect(f.map((x) => x.out_count_1h)).toEqual([1, 2, 2, 2]);
    expect(f.map((x) => x.out_count_24h)).toEqual([1, 2, 3, 4]);
  });

  test('24h: 23 hours back counts, a day back does not', async () => {
    const f = await pay('A24H', [0, 23 * HOUR, DAY, DAY + 30 * MINUTE]);
    expect(f.map((x) => x.out_count_24h)).toEqual([1, 2, 2, 3]);
    expect(f.map((x) => x.out_sum_24h)).toEqual([1000, 2000, 2000, 3000]);
    expect(f.map((x) => x.out_count_7d)).toEqual([1, 2, 3, 4]);
  });

  test('7d: six days and 18 hours back counts, seven days back does not; an idle ring empties', async () => {
    const f = await pay('A7D', [0, 6 * DAY + 18 * HOUR, 7 * DAY, 30 * DAY]);
    expect(f.map((x) => x.out_count_7d)).toEqual([1, 2, 2, 1]);
    expect(f.map((x) => x.out_sum_7d)).toEqual([1000, 2000, 2000, 1000]);
  });

  test('small card payments count separately in the hour; small transfers do not', async () => {
    const f = await pay('ASMALL', [0, SECOND, 2 * SECOND], '4.99', 'SINK', 'card');
    const big = await pay('ASMALL', [3 * SECOND], '5.00', 'SINK', 'card');
    const transfers = await pay('ASMALL', [4 * SECOND, 5 * SECOND], '1.00');
    expect(f.map((x) => x.small_out_count_1h)).toEqual([1, 2, 3]);
    expect(big[0]!.small_out_count_1h).toBe(3);
    expect(transfers.map((x) => x.small_out_count_1h)).toEqual([3, 3]);
    expect(transfers.map((x) => x.out_count_1h)).toEqual([5, 6]);
    expect(SMALL_PAYMENT_CENTS).toBe(500);
  });
});

describe('feature store windows - late events', () => {
  test('a late event inside a window counts there, and counts for later events', async () => {
    const [first] = await pay('LATE', [10 * MINUTE]);
    const [inside] = await pay('LATE', [9 * MINUTE + 30 * SECOND]);
    expect(first!.out_count_1m).toBe(1);
    // stored in the rings, but its own windows end at its time: the payment 30 s after it is not in them
    expect(inside).toMatchObject({ out_count_1m: 1, out_count_1h: 1 });
    const [tooLateForTheMinute] = await pay('LATE', [5 * MINUTE]);
    // not stored in the 1m ring; its windows end at its own time: the later payments are not in them
    expect(tooLateForTheMinute).toMatchObject({ out_count_1m: 1, out_count_1h: 1 });
    const [next] = await pay('LATE', [10 * MINUTE + SECOND]);
    expect(next).toMatchObject({ out_count_1m: 3, out_count_1h: 4 });
  });

  test('a payment dated hours ahead of the stream does not blind the account\'s minute window', async () => {
    const now = Date.now();
    // money in, dated 23 hours ahead (a sender's clock, or local time read as UTC)
    await t.store.computeBatch([payment({ id: 'fut-in', ts: now + 23 * HOUR, from: 'FUT-OTHER', to: 'FUT', amount: '10.00' })]);
    const burst: FeatureVector[] = [];
    for (let k = 0; k < 6; k++) {
      const [r] = await t.store.computeBatch([payment({ id: `fut-${k}`, ts: now + k * SECOND, from: 'FUT', to: 'SINK', amount: '4.99', type: 'card' })]);
      burst.push(r!.features);
    }
    expect(burst.map((f) => f.out_count_1m)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(burst.at(-1)).toMatchObject({ small_out_count_1h: 6, out_count_1h: 6 });
  });

  test('a late payment is not counted with the later ones: a burst days later does not make it a burst', async () => {
    const later = await pay('LATE2', [10 * DAY, 10 * DAY + SECOND, 10 * DAY + 2 * SECOND, 10 * DAY + 3 * SECOND, 10 * DAY + 4 * SECOND]);
    expect(later.at(-1)).toMatchObject({ out_count_1m: 5, out_count_7d: 5 });
    const [late] = await pay('LATE2', [0]);
    expect(late).toMatchObject({ out_count_1m: 1, out_sum_1m: 1000, out_count_24h: 1, out_count_7d: 1 });
    // late within the hour ring: the slots after it are left out of its window, not out of the state
    const [within] = await pay('LATE2', [10 * DAY - 10 * MINUTE]);
    expect(within).toMatchObject({ out_count_1m: 1, out_count_1h: 1, out_count_24h: 1, out_count_7d: 1 });
    const [after] = await pay('LATE2', [10 * DAY + 5 * SECOND]);
    expect(after).toMatchObject({ out_count_1m: 6, out_count_1h: 7 });
  });

  test('an event older than every window is counted nowhere in the state', async () => {
    await pay('OLD', [8 * DAY]);
    const [old] = await pay('OLD', [0]);
    // counted alone: everything the account's rings hold is later than it
    expect(old).toMatchObject({ out_count_7d: 1, out_count_1m: 1 });
    const [next] = await pay('OLD', [8 * DAY + SECOND]);
    expect(next).toMatchObject({ out_count_1m: 2, out_count_7d: 2, history_count: 2 });
  });
});

/** The reference model: what each window holds, from the pure bucket math. */
class WindowModel {
  private readonly _latest = new Map<string, number>();
  private readonly _stored = new Map<string, Array<{ ts: number; out: boolean; cents: number; w: number }>>();

  /** Applies one side of a payment; returns the window values its reply must show. */
  apply(account: string, ts: number, out: boolean, cents: number): Record<string, number> {
    const previous = this._latest.get(account);
    const latest = previous === undefined ? ts : Math.max(previous, ts);
    this._latest.set(account, latest);
    const stored = this._stored.get(account) ?? [];
    this._stored.set(account, stored);
    const values: Record<string, number> = {};
    WINDOWS.forEach((w, index) => {
      const landed = isInWindow(ts, latest, w);
      if (landed) stored.push({ ts, out, cents, w: index });
      // the window ends at the event's own bucket; an event too old for the ring counts alone
      const own = bucketOf(ts, w.bucketMs);
      const inWindow = landed ? stored.filter((e) => e.w === index && isInWindow(e.ts, latest, w) && bucketOf(e.ts, w.bucketMs) <= own) : [{ ts, out, cents, w: index }];
      values[`oc_${w.name}`] = inWindow.filter((e) => e.out).length;
      values[`os_${w.name}`] = inWindow.filter((e) => e.out).reduce((s, e) => s + e.cents, 0);
      values[`ic_${w.name}`] = inWindow.filter((e) => !e.out).length;
      values[`is_${w.name}`] = inWindow.filter((e) => !e.out).reduce((s, e) => s + e.cents, 0);
      // the stream's payments are transfers: only small card payments count
      values[`sc_${w.name}`] = 0;
    });
    return values;
  }
}

describe('feature store windows - agree with the pure model on a random stream', () => {
  test('600 payments among 5 accounts, with gaps from seconds to days and late events', async () => {
    let seed = 20260105;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const gaps = [SECOND, 7 * SECOND, 40 * SECOND, 3 * MINUTE, 25 * MINUTE, 5 * HOUR, 2 * DAY] as const;
    const accounts = ['R0', 'R1', 'R2', 'R3', 'R4'];
    const model = new WindowModel();
    let clock = T0;
    const events = [];
    for (let k = 0; k < 600; k++) {
      clock += gaps[Math.floor(random() * gaps.length)]!;
      const late = random() < 0.15 ? Math.floor(random() * 3 * DAY) : 0;
      const cents = 1 + Math.floor(random() * 100_000);
      const from = accounts[Math.floor(random() * accounts.length)]!;
      const to = accounts[Math.floor(random() * accounts.length)]!;
      events.push({ ts: clock - late, cents, from, to });
    }
    let done = 0;
    while (done < events.length) {
      const size = 1 + Math.floor(random() * 40);
      const batch = events.slice(done, done + size);
      const results = await t.store.computeBatch(
        batch.map((e, i) => payment({ id: `r${done + i}`, ts: e.ts, from: e.from, to: e.to, amount: (e.cents / 100).toFixed(2) })),
      );
      batch.forEach((e, i) => {
        const out = model.apply(e.from, e.ts, true, e.cents);
        const inn = model.apply(e.to, e.ts, false, e.cents);
        const f = results[i]!.features;
        const at = `payment r${done + i}`;
        expect({ at, ...pick(f) }).toEqual({
          at,
          out_count_1m: out.oc_1m, out_sum_1m: out.os_1m, out_count_1h: out.oc_1h, out_sum_1h: out.os_1h,
          out_count_24h: out.oc_24h, out_sum_24h: out.os_24h, out_count_7d: out.oc_7d, out_sum_7d: out.os_7d,
          small_out_count_1h: out.sc_1h, in_count_1h: out.ic_1h, in_sum_1h: out.is_1h, in_count_24h: out.ic_24h,
          in_sum_24h: out.is_24h, in_sum_7d: out.is_7d,
          payee_in_count_1h: inn.ic_1h, payee_in_count_24h: inn.ic_24h, payee_in_sum_24h: inn.is_24h, payee_out_sum_24h: inn.os_24h,
        });
      });
      done += batch.length;
    }
    // bounded memory: the state hash never holds more than every ring slot plus a few scalars
    for (const account of accounts) {
      expect(await t.redis.hlen(`${t.prefix}{a:${account}}:s`)).toBeLessThanOrEqual(MAX_RING_SLOTS + 2 + WINDOWS.length);
    }
  });
});

function pick(f: FeatureVector): Record<string, number | undefined> {
  const names = [
    'out_count_1m', 'out_sum_1m', 'out_count_1h', 'out_sum_1h', 'out_count_24h', 'out_sum_24h', 'out_count_7d', 'out_sum_7d',
    'small_out_count_1h', 'in_count_1h', 'in_sum_1h', 'in_count_24h', 'in_sum_24h', 'in_sum_7d',
    'payee_in_count_1h', 'payee_in_count_24h', 'payee_in_sum_24h', 'payee_out_sum_24h',
  ];
  return Object.fromEntries(names.map((n) => [n, f[n]]));
}

describe('feature store - the stream\'s clock', () => {
  test('follows the wall clock, or a replay dated ahead of it; one payment far ahead does not move it', () => {
    const wall = Date.UTC(2026, 11, 6, 12);
    const clock = new EventClock();
    expect(clock.reference([], wall)).toBe(wall);
    // live traffic: payments at the wall clock
    expect(clock.reference(Array.from({ length: 200 }, (_, i) => wall - 1000 + i), wall)).toBe(wall);
    // one payment a day ahead among them: the median does not move
    expect(clock.reference([wall + DAY], wall)).toBe(wall);
    // a replay dated an hour ahead: once most recent payments are the replay's, the clock is the replay's
    const replay = Array.from({ length: 300 }, (_, i) => wall + HOUR + i * 10);
    expect(clock.reference(replay, wall)).toBeGreaterThanOrEqual(wall + HOUR);
    // history (a replay of last month) leaves it at the wall clock
    expect(new EventClock().reference([wall - 30 * DAY, wall - 30 * DAY + 1], wall)).toBe(wall);
    expect(MAX_FEATURE_LEAD_MS).toBe(30_000);
  });

  test('the first payment after a start, dated 23 h ahead, is held to the wall clock', () => {
    const now = Date.UTC(2026, 10, 29, 12);
    expect(new EventClock().reference([now + 23 * HOUR], now)).toBe(now);
    expect(new EventClock().reference([now, now + 23 * HOUR], now)).toBe(now);
    // nor do a few more, in the batches after it
    const clock = new EventClock();
    for (let k = 0; k < 100; k++) expect(clock.reference([now + 23 * HOUR + k], now + k)).toBe(now + k);
  });

  test('after a start, the payments not yet seen count as at the wall clock: a replay dated ahead leads once it is most of a full sample', () => {
    const wall = Date.UTC(2026, 11, 6, 12);
    const replay = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => wall + HOUR + (from + i) * 10);
    // a first batch of 256 is the whole sample: the replay's own time from its first batch
    expect(new EventClock().reference(replay(256), wall)).toBe(wall + HOUR + 128 * 10);
    // in small batches, from the 128th payment (more than half of 255)
    const clock = new EventClock();
    expect(clock.reference(replay(127), wall)).toBe(wall);
    expect(clock.reference(replay(1, 127), wall)).toBe(wall + HOUR);
    // past-dated payments (a replay of last month) never hold anything back: the wall clock is later
    expect(new EventClock().reference(Array.from({ length: 300 }, (_, i) => wall - 30 * DAY + i), wall)).toBe(wall);
  });
});

describe('feature store windows - a payment dated ahead, first after a start', () => {
  test('one payment 23 h ahead into a fresh store does not move the account\'s windows: six payments in six seconds read six', async () => {
    const fresh = createFeatureStore(t.redis, { prefix: `${t.prefix}fresh:`, dedupTtlSeconds: 600 });
    const now = Date.now();
    await fresh.computeBatch([payment({ id: 'first-fut', ts: now + 23 * HOUR, from: 'FIRST', to: 'SINK', amount: '10.00' })]);
    const burst: FeatureVector[] = [];
    for (let k = 0; k < 6; k++) {
      const [r] = await fresh.computeBatch([payment({ id: `first-${k}`, ts: now + k * SECOND, from: 'FIRST', to: 'SINK', amount: '4.99', type: 'card' })]);
      burst.push(r!.features);
    }
    // the first payment is placed 30 s ahead, in a later 5-second bucket than each of them
    expect(burst.map((f) => f.out_count_1m)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(burst.at(-1)!.small_out_count_1h).toBe(6);
  });
});

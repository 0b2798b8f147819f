import { describe, expect, it } from 'vitest';
import { createSimulator } from './index.js';
import { DAY_MS, HOUR_MS } from './time.js';
import { MAX_CUSTOMERS, MIN_CUSTOMERS, OWN_PAYMENT_SHARE, PAYMENTS_PER_CUSTOMER_DAY, simulatorCustomers, worldSizeFor } from './world-size.js';

/** The starter rule FR-VEL-24H: more than this many payments out of one account in 24 hours. */
const VELOCITY_24H_LIMIT = 50;

describe('worldSizeFor', () => {
  it('sizes the bank so that ordinary customers pay about PAYMENTS_PER_CUSTOMER_DAY times a day', () => {
    // The demo's default rate: 50 × 86,400 × 0.8 / 20.
    expect(worldSizeFor(50)).toBe(172_800);
    expect(worldSizeFor(100)).toBe(345_600);
  });

  it('keeps between MIN_CUSTOMERS and MAX_CUSTOMERS', () => {
    expect(worldSizeFor(1)).toBe(MIN_CUSTOMERS);
    expect(worldSizeFor(10_000)).toBe(MAX_CUSTOMERS);
  });

  it('gives the system simulator RISKSTREAM_SIMULATOR_CUSTOMERS when set, else the size for its rate', () => {
    expect(simulatorCustomers({ simulatorCustomers: undefined, simulatorRate: 50 })).toBe(172_800);
    expect(simulatorCustomers({ simulatorCustomers: 5_000, simulatorRate: 50 })).toBe(5_000);
    expect(simulatorCustomers({ simulatorCustomers: undefined, simulatorRate: 0 })).toBe(MIN_CUSTOMERS);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => worldSizeFor(0)).toThrow(RangeError);
    expect(() => worldSizeFor(Number.NaN)).toThrow(RangeError);
  });
});

type DayStats = {
  /** Ordinary payments out of customers' accounts per customer who paid, over the last day. */
  readonly perPayingCustomer: number;
  /** Share of ordinary payments in the last day whose account made more than the 24-hour limit. */
  readonly overLimit: number;
};

/**
 * Plays `hours` of stream at `rate` events/s from a world of `customers` and looks at the last
 * day, as the 24-hour velocity window of the feature store sees it (counts include the payment).
 */
function velocityOverLastDay(rate: number, customers: number, hours: number): DayStats {
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const sim = createSimulator({ seed: 11, startTs: start, rate, customers });
  const end = start + hours * HOUR_MS;
  const from = end - DAY_MS;
  const recent = new Map<string, number[]>();
  const payers = new Set<string>();
  let counted = 0;
  let over = 0;
  for (;;) {
    const event = sim.next();
    const ts = Date.parse(event.ts);
    if (sim.stats().now >= end) break;
    if (event.kind !== 'payment' || event.labels?.patterns.length || event.debtor.customerId === undefined || ts < start) continue;
    // A payroll run (`episodes.ts`) pays up to 40 people at once: an employer's account trips a
    // 50-a-day rule on payday whatever the size of the bank. The sizing is about everyday payers.
    if (event.purpose === 'Salary' && event.channel === 'api') continue;
    const account = event.debtor.accountId;
    let times = recent.get(account);
    if (!times) recent.set(account, (times = []));
    times.push(ts);
    while (times[0]! <= ts - DAY_MS) times.shift();
    if (ts < from) continue;
    counted++;
    payers.add(event.debtor.customerId);
    if (times.length > VELOCITY_24H_LIMIT) over++;
  }
  return { perPayingCustomer: counted / payers.size, overLimit: over / counted };
}

describe('a world sized for its rate', () => {
  // The sizing rule without its floor, so that a day of stream stays small enough for a test: at
  // 1 event/s the rule asks for 3,456 customers (the floor would make it 20,000).
  const rate = 1;
  const sized = Math.round((rate * 86_400 * OWN_PAYMENT_SHARE) / PAYMENTS_PER_CUSTOMER_DAY);

  it('keeps ordinary customers under the 24-hour velocity limit after a day', () => {
    const stats = velocityOverLastDay(rate, sized, 26);
    expect(stats.overLimit).toBeLessThan(0.001);
    // The share the rule assumes is about right: customers who paid did so tens of times, not hundreds.
    expect(stats.perPayingCustomer).toBeGreaterThan(PAYMENTS_PER_CUSTOMER_DAY / 3);
    expect(stats.perPayingCustomer).toBeLessThan(PAYMENTS_PER_CUSTOMER_DAY * 2);
  }, 60_000);

  it('is what the check needs: the old demo world (20,000 customers at 50 events/s, 400 per event/s) breaks the limit', () => {
    const stats = velocityOverLastDay(rate, 400, 26);
    expect(stats.overLimit).toBeGreaterThan(0.1);
  }, 60_000);
});

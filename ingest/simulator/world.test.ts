import { describe, expect, it } from 'vitest';
import { knownCurrencies } from '../../core/money.js';
import { HOME_COUNTRIES, REMITTANCE_CORRIDORS, TRADE_COUNTRIES, FRAUD_CITIES } from './geography.js';
import { customerId, customerIndex } from './ids.js';
import { ipAddress } from './network.js';
import { Rng } from './rng.js';
import { World } from './world.js';

const world = new World({ seed: 4, startTs: Date.parse('2026-11-29T08:00:00.000Z'), customers: 20_000, merchants: 1_000 });
const sample = Array.from({ length: 5_000 }, (_, i) => world.customer(i));
const share = (pred: (c: (typeof sample)[number]) => boolean): number => sample.filter(pred).length / sample.length;

describe('world - customers', () => {
  it.each([
    ['vip', 0.005, 0.05],
    ['important', 0.1, 0.22],
    ['standard', 0.72, 0.9],
  ] as const)('has a realistic share of %s customers', (segment, low, high) => {
    expect(share((c) => c.segment === segment)).toBeGreaterThan(low);
    expect(share((c) => c.segment === segment)).toBeLessThan(high);
  });

  it('has about one business in ten, a few PEPs, and mostly US customers', () => {
    expect(share((c) => c.type === 'business')).toBeGreaterThan(0.07);
    expect(share((c) => c.type === 'business')).toBeLessThan(0.13);
    expect(share((c) => c.pep)).toBeGreaterThan(0);
    expect(share((c) => c.pep)).toBeLessThan(0.02);
    expect(share((c) => c.country === 'US')).toBeGreaterThan(0.65);
    expect(share((c) => c.currency === 'USD')).toBeGreaterThan(0.65);
  });

  it('gives each customer 1-3 accounts, devices, and a birth date when a person', () => {
    for (const c of sample) {
      expect(c.accounts.length).toBeGreaterThanOrEqual(1);
      expect(c.accounts.length).toBeLessThanOrEqual(3);
      expect(c.devices.length).toBeGreaterThanOrEqual(1);
      expect(c.dateOfBirth === undefined).toBe(c.type === 'business');
    }
  });

  it('onboards people at 18 or later, never before they were born', () => {
    // Until 2026-12 tenure was drawn without regard to age: 7.5 % onboarded before 18, some before birth.
    const people = sample.filter((c) => c.dateOfBirth !== undefined);
    const adultAt = (c: (typeof sample)[number]): number => Date.parse(c.dateOfBirth ?? '') + 18 * 365.25 * 86_400_000;
    expect(people.filter((c) => c.onboardedAt < adultAt(c) - 86_400_000).map((c) => [c.dateOfBirth, new Date(c.onboardedAt).toISOString()])).toEqual([]);
    // Young customers still join young: some accounts opened in their first year of adulthood.
    expect(people.some((c) => c.onboardedAt < adultAt(c) + 365 * 86_400_000)).toBe(true);
  });

  it('derives the same customer every time it is asked for', () => {
    const again = new World({ seed: 4, startTs: world.startTs, customers: 20_000, merchants: 1_000 });
    expect(again.customer(1234)).toEqual(world.customer(1234));
  });

  it('maps customer ids back to their index and never repeats an id', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = customerId(i, 4);
      ids.add(id);
      expect(customerIndex(id, 4)).toBe(i);
    }
    expect(ids.size).toBe(5_000);
    expect(world.indexOfCustomer('CU9999999999')).toBeUndefined();
  });
});

describe('world - reference codes', () => {
  it('uses ISO country codes and currencies in use everywhere', () => {
    const { countries } = world.reference;
    const codes = [
      ...HOME_COUNTRIES.map((c) => c.code),
      ...TRADE_COUNTRIES,
      ...REMITTANCE_CORRIDORS.map(([c]) => c),
      ...FRAUD_CITIES.map((c) => c.country),
      ...world.merchants.map((m) => m.country),
    ];
    expect(codes.filter((c) => !countries.has(c))).toEqual([]);
    const currencies = new Set(knownCurrencies());
    expect(HOME_COUNTRIES.filter((c) => !currencies.has(c.currency))).toEqual([]);
  });

  it('gives merchants real MCCs and banks well-formed BICs', () => {
    const { mccs } = world.reference;
    expect(world.merchants.filter((m) => !mccs.has(m.mcc))).toEqual([]);
    const bics = world.merchants.map((m) => m.bank).concat(sample.map((c) => c.bank));
    expect(bics.filter((b) => !/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}$/.test(b))).toEqual([]);
  });
});

describe('world - addresses', () => {
  const privateRanges = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^0\./, /^(22[4-9]|2[3-5]\d)\./];

  it('never hands out a private, loopback, shared or multicast address', () => {
    const rng = Rng.of(8);
    const ips = Array.from({ length: 20_000 }, () => ipAddress(rng));
    expect(ips.filter((ip) => privateRanges.some((r) => r.test(ip)))).toEqual([]);
    expect(ips.some((ip) => ip.startsWith('203.0.113.'))).toBe(true);
    expect(ips.some((ip) => ip.includes(':'))).toBe(true);
  });
});

describe('world - where customers shop', () => {
  it('a customer shops in store at a handful of tills in the home country, near home', () => {
    const rng = Rng.of(9, 1);
    const km = (lat1: number, lon1: number, lat2: number, lon2: number): number =>
      Math.hypot(lat2 - lat1, (lon2 - lon1) * Math.cos((lat1 * Math.PI) / 180)) * 111.2;
    const far: number[] = [];
    for (const c of sample.slice(0, 300)) {
      const tills = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const till = world.usualStoreFor(rng, c);
        tills.add(till.id);
        expect(till.country).toBe(c.country);
        far.push(km(c.lat, c.lon, till.lat, till.lon));
      }
      expect(tills.size).toBeLessThanOrEqual(6);
    }
    far.sort((a, b) => a - b);
    // within a few km for most; a small country's few tills can be across town
    expect(far[Math.floor(far.length / 2)]!).toBeLessThan(8);
    expect(far[Math.floor(far.length * 0.9)]!).toBeLessThan(25);
  });
});

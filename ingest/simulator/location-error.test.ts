import { describe, expect, it } from 'vitest';
import { createSimulator } from './index.js';
import { HOME_COUNTRIES, distanceKm } from './geography.js';
import { countryOf, reportedPlace } from './location-error.js';
import { Rng } from './rng.js';
import { tripAt } from './trips.js';
import { World } from './world.js';

const START = Date.parse('2026-01-01T00:00:00Z');
const PAYERS = HOME_COUNTRIES.flatMap((h) => h.cities);

/** Error distances (km) of n reported places for payers in the bank's home cities. */
function errors(channel: 'mobile' | 'online' | 'ecommerce' | 'pos' | 'atm' | 'branch', n: number, withIp: boolean): number[] {
  const rng = Rng.of(5, 0x6e0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = PAYERS[i % PAYERS.length]!;
    out.push(distanceKm(at, reportedPlace(rng, 5, channel, at, withIp ? `198.51.100.${i % 250}-${i}` : undefined)));
  }
  return out;
}
const share = (list: number[], pred: (km: number) => boolean): number => list.filter(pred).length / list.length;

describe('location error - IP-located payments', () => {
  it.each(['mobile', 'online', 'ecommerce'] as const)('places %s payments mostly near the payer, with a tail of 100–500 km and hub cities or capitals beyond', (channel) => {
    for (const withIp of [true, false]) {
      const km = errors(channel, 20_000, withIp);
      expect(share(km, (d) => d <= 25)).toBeGreaterThan(0.65);
      expect(share(km, (d) => d <= 25)).toBeLessThan(0.85);
      expect(share(km, (d) => d > 100)).toBeGreaterThan(0.08);
      expect(share(km, (d) => d > 100)).toBeLessThan(0.2);
      expect(share(km, (d) => d > 100 && d <= 500)).toBeGreaterThan(0.04);
      // The hub city or the capital: from Los Angeles, Washington is 3,700 km away.
      expect(share(km, (d) => d > 1000)).toBeGreaterThan(0.005);
    }
  });

  it('gives one IP one answer for a payer in one place (a geolocation database is a lookup)', () => {
    const at = { lat: 34.05, lon: -118.24 };
    const first = reportedPlace(Rng.of(1), 9, 'mobile', at, '203.0.113.7');
    expect(reportedPlace(Rng.of(2), 9, 'mobile', at, '203.0.113.7')).toEqual(first);
    const others = ['203.0.113.8', '203.0.113.9', '198.51.100.7', '192.0.2.7'].map((ip) => reportedPlace(Rng.of(1), 9, 'mobile', at, ip));
    expect(new Set(others.map((p) => `${p.lat},${p.lon}`)).size).toBeGreaterThan(1);
  });

  it('names the hub and the capital of the country the payer is in', () => {
    expect(countryOf({ lat: 34.1, lon: -118.3 })).toBe('US');
    expect(countryOf({ lat: 6.5, lon: 3.4 })).toBe('NG');
    expect(countryOf({ lat: 48.9, lon: 2.3 })).toBe('FR');
  });
});

describe('location error - places known by address', () => {
  it.each(['pos', 'atm', 'branch'] as const)('places %s payments within a kilometre of where they happen', (channel) => {
    const km = errors(channel, 20_000, false);
    expect(Math.max(...km)).toBeLessThan(1);
    expect(share(km, (d) => d > 0.05)).toBeGreaterThan(0.5);
  });
});

describe('location error - the simulator', () => {
  // 2,000 customers at 100 events/s: each pays every 20 s or so.
  const opts = { seed: 5, startTs: START, rate: 100, customers: 2_000, patternRate: 0 } as const;
  const events = createSimulator(opts).take(30_000);

  it('reports ordinary app and online payments off the payer by up to hundreds of km, and tills within a few km of home', () => {
    const world = new World({ seed: 5, startTs: START, customers: 2_000, merchants: 5_000 });
    const digital: number[] = [];
    const present: number[] = [];
    for (const e of events) {
      if (e.kind !== 'payment' || e.geo === undefined || e.debtor.customerId === undefined) continue;
      const c = world.customer(world.indexOfCustomer(e.debtor.customerId)!);
      if (tripAt(5, c, Date.parse(e.ts)) !== undefined) continue; // travellers are away on purpose
      const km = distanceKm(c, e.geo);
      if (e.channel === 'mobile' || e.channel === 'online') digital.push(km);
      if (e.channel === 'atm' || e.channel === 'branch') present.push(km);
    }
    expect(digital.length).toBeGreaterThan(3_000);
    // Until 2026-12 every one was within 3 km of home.
    expect(share(digital, (d) => d > 100)).toBeGreaterThan(0.05);
    expect(share(digital, (d) => d <= 25)).toBeGreaterThan(0.6);
    expect(present.length).toBeGreaterThan(200);
    expect(Math.max(...present)).toBeLessThan(5);
  });

  it('is seeded: the same seed gives the same places', () => {
    const again = createSimulator(opts).take(30_000);
    expect(again.map((e) => (e.kind === 'payment' ? e.geo : undefined))).toEqual(events.map((e) => (e.kind === 'payment' ? e.geo : undefined)));
  });
});

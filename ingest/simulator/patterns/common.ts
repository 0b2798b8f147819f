// Small pieces the injected patterns share: a place far from home, a fresh payee, an amount in
// USD terms. They draw from the same generators as normal traffic.
import type { Party } from '../../../core/contracts/index.js';
import { ROUND_SHARE, typedAmount, usdToMinor } from '../amounts.js';
import type { AccountType, Customer } from '../customers.js';
import { FRAUD_CITIES, distanceKm } from '../geography.js';
import type { Place } from '../events.js';
import type { Rng } from '../rng.js';
import type { World } from '../world.js';

/** Far enough that getting there between two payments would take a plane. */
const FAR_KM = 2500;

export function farPlace(rng: Rng, home: Place): Place & { readonly country: string } {
  for (let tries = 0; tries < 10; tries++) {
    const city = rng.pick(FRAUD_CITIES);
    if (distanceKm(home, city) > FAR_KM) return { country: city.country, lat: city.lat + rng.between(-0.1, 0.1), lon: city.lon + rng.between(-0.1, 0.1) };
  }
  const city = FRAUD_CITIES[0] as (typeof FRAUD_CITIES)[number];
  return { country: city.country, lat: city.lat, lon: city.lon };
}

/** A payee the customer never paid: at home, or abroad with the given probability. */
export function newPayee(rng: Rng, world: World, c: Customer, abroad: number, type?: AccountType): Party {
  return world.newExternalParty(rng, rng.chance(abroad) ? world.tradeCountry(rng, c.country) : c.country, type);
}

/**
 * A uniform USD amount converted into the currency, typed as people type amounts (a round figure
 * as often as in everyday transfers, `typedAmount`): a pattern's amounts are no rounder than anyone's.
 * Card payments pay a merchant's price, never typed: `roundShare` 0.
 */
export function usdAmount(rng: Rng, fromUsd: number, toUsd: number, currency: string, roundShare = ROUND_SHARE): number {
  const usd = rng.between(fromUsd, toUsd);
  return typedAmount(rng, usdToMinor(Math.round(usd * 100) / 100, currency), currency, roundShare);
}

/** Times spread over a span with some jitter, in order; the first is the start itself. */
export function spread(rng: Rng, start: number, span: number, count: number): number[] {
  const times: number[] = [start];
  for (let i = 1; i < count; i++) times.push(start + (span * (i + rng.float())) / count);
  return times;
}

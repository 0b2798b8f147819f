// Small pieces the injected patterns share: where a fraudster sits, a fresh payee, an amount in
// USD terms. They draw from the same generators as normal traffic.
import type { Party } from '../../../core/contracts/index.js';
import { ROUND_SHARE, ticket, typedAmount, usdToMinor } from '../amounts.js';
import type { AccountType, Customer } from '../customers.js';
import { FRAUD_CITIES, HOME_COUNTRIES, TRAVEL_CITIES, distanceKm } from '../geography.js';
import type { Place } from '../events.js';
import type { Rng } from '../rng.js';
import type { World } from '../world.js';

/** Every city the bank's customers live in. */
const HOME_CITIES = HOME_COUNTRIES.flatMap((c) => c.cities);

/** Far enough that getting there between two payments would take a plane. */
const FAR_KM = 2500;
/** Fraudsters who sit near the victim (a local gang, a proxy in the same city). */
const LOCAL_FRAUDSTERS = 0.25;

/**
 * Where a fraudster's session is: a quarter of the time near the victim's home, otherwise far
 * away, in one of the usual fraud cities (four in ten), anywhere travellers also go (three in
 * ten) or any city the bank's customers live in (three in ten; until 2026-12 only the first two). Ordinary customers pay
 * from the same cities when travelling (`whereabouts`), so neither the city nor the distance is a label.
 */
export function fraudsterPlace(rng: Rng, home: Place): Place {
  if (rng.chance(LOCAL_FRAUDSTERS)) return { lat: home.lat + rng.between(-0.15, 0.15), lon: home.lon + rng.between(-0.15, 0.15) };
  // Far away: a usual fraud city, a place travellers go, or (behind a proxy or a rented server)
  // any big city where the bank has customers, so that no list of cities names the fraud.
  const roll = rng.float();
  const cities = roll < 0.4 ? FRAUD_CITIES : roll < 0.7 ? TRAVEL_CITIES : HOME_CITIES;
  for (let tries = 0; tries < 10; tries++) {
    const city = rng.pick(cities);
    if (distanceKm(home, city) > FAR_KM) return { lat: city.lat + rng.between(-0.1, 0.1), lon: city.lon + rng.between(-0.1, 0.1) };
  }
  const city = FRAUD_CITIES[0] as (typeof FRAUD_CITIES)[number];
  return { lat: city.lat, lon: city.lon };
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

/**
 * A large sum as people send them: log-normal around a USD median (times `multiplier`, the
 * customer's scale of spending), typed as people type amounts. Uniform ranges with hard edges
 * (2,000–15,000 USD until 2026-12) let a detector learn the edges instead of the behaviour.
 */
export function largeAmount(rng: Rng, medianUsd: number, sigma: number, currency: string, multiplier = 1): number {
  return typedAmount(rng, ticket(rng, medianUsd, sigma, currency, multiplier), currency);
}

/**
 * A sum "from about `fromUsd` to about `toUsd`" as a log-normal (`largeAmount`) around their
 * geometric mean with ±2σ spanning the range, times `multiplier`: most amounts fall inside, a
 * few outside, and no hard edge marks the pattern.
 */
export function rangedAmount(rng: Rng, fromUsd: number, toUsd: number, currency: string, multiplier = 1): number {
  return largeAmount(rng, Math.sqrt(fromUsd * toUsd), Math.log(toUsd / fromUsd) / 4, currency, multiplier);
}

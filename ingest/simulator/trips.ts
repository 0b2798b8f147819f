// Trips: now and then a person travels for a few days (holidays, business, family), and while away
// their app, online and in-store card payments come from the destination. A trip is a span, so a
// traveller pays several times from the same far city, as real travellers do; derived from the seed,
// the customer and the time, it needs no state and is the same whenever it is asked for.
import type { Customer } from './customers.js';
import type { Place } from './events.js';
import { TRAVEL_CITIES, distanceKm } from './geography.js';
import { hashKey, hashStep } from './rng.js';
import { DAY_MS, HOUR_MS } from './time.js';

export type Trip = { readonly country: string; readonly city: string; readonly lat: number; readonly lon: number };

/** Each person's time is cut into periods this long; a trip falls in one period or none. */
const TRIP_PERIOD_MS = 28 * DAY_MS;
/** Periods (per thousand) with a trip: with 2–9 days away, about 2.4 % of a person's time. */
const TRIPS_PER_MILLE = 120;
const MIN_DAYS = 2;
const MAX_DAYS = 9;
/** Closer than this to home is not a trip. */
export const TRIP_KM = 300;

/**
 * Where a person is travelling at a time (epoch ms), or undefined at home. Firms do not travel.
 * Each period starts at a phase of the customer's own, so trips do not all begin on the same day.
 */
export function tripAt(seed: number, c: Customer, ts: number): Trip | undefined {
  if (c.type !== 'individual') return undefined;
  const base = hashKey(seed, 0x7219, c.index);
  const phase = (base % 28) * DAY_MS + ((base >>> 8) % 24) * HOUR_MS;
  const period = Math.floor((ts + phase) / TRIP_PERIOD_MS);
  const h = hashStep(base, period);
  if (h % 1000 >= TRIPS_PER_MILLE) return undefined;
  const days = MIN_DAYS + ((h >>> 10) % (MAX_DAYS - MIN_DAYS + 1));
  const periodStart = period * TRIP_PERIOD_MS - phase;
  const leave = periodStart + ((h >>> 14) % ((28 - days) * 24)) * HOUR_MS;
  if (ts < leave || ts >= leave + days * DAY_MS) return undefined;
  const where = hashStep(h, 0x5e7);
  const city = TRAVEL_CITIES[where % TRAVEL_CITIES.length] as (typeof TRAVEL_CITIES)[number];
  if (distanceKm(c, city) <= TRIP_KM) return undefined;
  // Staying at one spot of the city (a hotel, relatives), within about 5 km of its centre.
  const lat = city.lat + (((where >>> 8) & 0xff) / 255 - 0.5) * 0.08;
  const lon = city.lon + (((where >>> 16) & 0xff) / 255 - 0.5) * 0.08;
  return { country: city.country, city: city.name, lat, lon };
}

/** A place within a couple of km of where a traveller stays. */
export function nearStay(trip: Trip, jitterLat: number, jitterLon: number): Place {
  return { lat: trip.lat + jitterLat, lon: trip.lon + jitterLon };
}

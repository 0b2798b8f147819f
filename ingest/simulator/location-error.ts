// Where a payment is said to be, as against where the payer is. A bank does not see its customers:
// a till's position is the merchant's geocoded address, an ATM's or branch's its own, and an app,
// online or web-shop payment is placed from its IP address (a geolocation database, a mobile
// network's gateway). The last is often wrong by tens or hundreds of km, and now and then names the
// ISP's hub city or the country's capital. Without this every located payment was exact, and
// `FR-GEO-SPEED` (impossible travel) was nearly always a fraudster on the simulator (96 % precision).
import type { PaymentEventWire } from '../../core/contracts/index.js';
import { HOME_COUNTRIES, TRAVEL_CITIES, distanceKm, roundGeo } from './geography.js';
import { Rng, hashStep } from './rng.js';

type Point = { readonly lat: number; readonly lon: number };
type Channel = PaymentEventWire['channel'];

/** Card-present and bank-owned places: the geocoded address, a few hundred metres off at most. */
const ADDRESS_ERROR_MEDIAN_KM = 0.12;
const ADDRESS_ERROR_MAX_KM = 0.9;

/**
 * IP geolocation, by share: most answers within 25 km of the payer (log-normal around 5 km), some
 * regional (25–100 km), some in another part of the country (100–500 km), and now and then the
 * ISP's hub city or the capital, wherever the payer is in that country.
 */
const IP_ERROR = { near: 0.72, regional: 0.14, far: 0.08, hub: 0.04 } as const; // the rest: the capital
const IP_NEAR_MEDIAN_KM = 5;
const IP_NEAR_MAX_KM = 25;

const CAPITALS: Readonly<Record<string, Point>> = {
  US: { lat: 38.9, lon: -77.04 }, GB: { lat: 51.51, lon: -0.13 }, DE: { lat: 52.52, lon: 13.4 }, FR: { lat: 48.86, lon: 2.35 },
  ES: { lat: 40.42, lon: -3.7 }, IT: { lat: 41.9, lon: 12.5 }, NL: { lat: 52.37, lon: 4.9 }, IE: { lat: 53.35, lon: -6.26 },
  CA: { lat: 45.42, lon: -75.7 }, MX: { lat: 19.43, lon: -99.13 }, IN: { lat: 28.61, lon: 77.21 }, CH: { lat: 46.95, lon: 7.45 },
  SG: { lat: 1.35, lon: 103.82 }, AE: { lat: 24.45, lon: 54.38 }, JP: { lat: 35.68, lon: 139.69 }, AU: { lat: -35.28, lon: 149.13 },
  PH: { lat: 14.6, lon: 120.98 }, NG: { lat: 9.06, lon: 7.49 }, RO: { lat: 44.43, lon: 26.1 }, ID: { lat: -6.2, lon: 106.85 },
  BR: { lat: -15.79, lon: -47.88 }, UA: { lat: 50.45, lon: 30.52 }, VN: { lat: 21.03, lon: 105.85 }, TR: { lat: 39.93, lon: 32.86 },
  TH: { lat: 13.76, lon: 100.5 }, RU: { lat: 55.76, lon: 37.62 }, CN: { lat: 39.9, lon: 116.4 }, PT: { lat: 38.72, lon: -9.14 },
  ZA: { lat: -25.75, lon: 28.19 }, HK: { lat: 22.32, lon: 114.17 }, KR: { lat: 37.57, lon: 126.98 }, GR: { lat: 37.98, lon: 23.73 },
};

type KnownCity = Point & { readonly country: string };
/** Every city the simulator places anyone in, with its country: the nearest one says the country. */
const KNOWN_CITIES: readonly KnownCity[] = [
  ...HOME_COUNTRIES.flatMap((h) => h.cities.map((c) => ({ lat: c.lat, lon: c.lon, country: h.code }))),
  ...TRAVEL_CITIES.map((c) => ({ lat: c.lat, lon: c.lon, country: c.country })),
];
/** The cities an ISP of each country routes through: the country's known cities. */
const HUBS: ReadonlyMap<string, readonly Point[]> = KNOWN_CITIES.reduce((map, c) => {
  map.set(c.country, [...(map.get(c.country) ?? []), c]);
  return map;
}, new Map<string, Point[]>());

const ADDRESS_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['pos', 'atm', 'branch']);

export type LocationErrorKind = 'address' | 'near' | 'regional' | 'far' | 'hub' | 'capital';

/**
 * Where the bank is told the payment happened, for a payer at `at`. An IP's error belongs to the
 * address (the database gives one answer per IP), so it is drawn from a generator keyed by the IP
 * when the device is known, else from `rng` (the stream of the simulator's own for this).
 */
export function reportedPlace(rng: Rng, seed: number, channel: Channel, at: Point, ip?: string): Point {
  if (ADDRESS_CHANNELS.has(channel)) return offset(at, Math.min(ADDRESS_ERROR_MAX_KM, rng.logNormal(ADDRESS_ERROR_MEDIAN_KM, 0.8)), rng.float());
  const draw = ip === undefined ? rng : Rng.of(seed, 0x6e1, ipKey(ip));
  return ipPlace(draw, at);
}

/** An IP-geolocated answer for a payer at `at`. */
export function ipPlace(rng: Rng, at: Point): Point {
  const kind = ipErrorKind(rng.float());
  switch (kind) {
    case 'near':
      return offset(at, Math.min(IP_NEAR_MAX_KM, rng.logNormal(IP_NEAR_MEDIAN_KM, 0.9)), rng.float());
    case 'regional':
      return offset(at, logUniform(rng, 25, 100), rng.float());
    case 'far':
      return offset(at, logUniform(rng, 100, 500), rng.float());
    case 'hub':
    case 'capital': {
      const country = countryOf(at);
      const hubs = HUBS.get(country) ?? [at];
      const city = kind === 'capital' ? (CAPITALS[country] ?? hubs[0]!) : hubs[rng.int(0, hubs.length - 1)]!;
      return { lat: city.lat, lon: city.lon };
    }
  }
}

export function ipErrorKind(u: number): Exclude<LocationErrorKind, 'address'> {
  if (u < IP_ERROR.near) return 'near';
  if (u < IP_ERROR.near + IP_ERROR.regional) return 'regional';
  if (u < IP_ERROR.near + IP_ERROR.regional + IP_ERROR.far) return 'far';
  if (u < IP_ERROR.near + IP_ERROR.regional + IP_ERROR.far + IP_ERROR.hub) return 'hub';
  return 'capital';
}

/** The country of the known city nearest to a point (everyone the simulator places is near one). */
export function countryOf(at: Point): string {
  let best = KNOWN_CITIES[0]!;
  let bestKm = Infinity;
  for (const c of KNOWN_CITIES) {
    const km = distanceKm(at, c);
    if (km < bestKm) {
      best = c;
      bestKm = km;
    }
  }
  return best.country;
}

function logUniform(rng: Rng, from: number, to: number): number {
  return from * (to / from) ** rng.float();
}

/** The point `km` away from `at` in direction `turn` (a fraction of a full circle), rounded as geo is. */
function offset(at: Point, km: number, turn: number): Point {
  const bearing = 2 * Math.PI * turn;
  const lat = at.lat + (km / 111.2) * Math.cos(bearing);
  const lon = at.lon + (km / (111.2 * Math.max(0.05, Math.cos((at.lat * Math.PI) / 180)))) * Math.sin(bearing);
  return { lat: roundGeo(Math.max(-90, Math.min(90, lat))), lon: roundGeo(((((lon + 180) % 360) + 360) % 360) - 180) };
}

function ipKey(ip: string): number {
  let h = 0x1b873593;
  for (let i = 0; i < ip.length; i++) h = hashStep(h, ip.charCodeAt(i));
  return h;
}

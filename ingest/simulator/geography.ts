// Where the simulated bank's customers live and whom they pay: home countries with their currency
// and cities (for geo), the remittance corridors, and distances for "far away" checks.

export type City = { readonly name: string; readonly lat: number; readonly lon: number };
export type HomeCountry = {
  readonly code: string;
  readonly currency: string;
  /** Share of the bank's customers living there. */
  readonly share: number;
  readonly cities: readonly City[];
};

/** The bank is US-based with branches in Europe and a few other markets; most accounts are USD. */
export const HOME_COUNTRIES: readonly HomeCountry[] = [
  { code: 'US', currency: 'USD', share: 0.74, cities: [
    { name: 'New York', lat: 40.71, lon: -74.01 }, { name: 'Los Angeles', lat: 34.05, lon: -118.24 },
    { name: 'Chicago', lat: 41.88, lon: -87.63 }, { name: 'Houston', lat: 29.76, lon: -95.37 },
    { name: 'Phoenix', lat: 33.45, lon: -112.07 }, { name: 'Philadelphia', lat: 39.95, lon: -75.17 },
    { name: 'Miami', lat: 25.76, lon: -80.19 }, { name: 'San Francisco', lat: 37.77, lon: -122.42 },
    { name: 'Seattle', lat: 47.61, lon: -122.33 }, { name: 'Boston', lat: 42.36, lon: -71.06 },
    { name: 'Atlanta', lat: 33.75, lon: -84.39 }, { name: 'Dallas', lat: 32.78, lon: -96.8 },
    { name: 'Denver', lat: 39.74, lon: -104.99 },
  ] },
  { code: 'GB', currency: 'GBP', share: 0.06, cities: [
    { name: 'London', lat: 51.51, lon: -0.13 }, { name: 'Manchester', lat: 53.48, lon: -2.24 },
    { name: 'Birmingham', lat: 52.49, lon: -1.89 },
  ] },
  { code: 'DE', currency: 'EUR', share: 0.03, cities: [
    { name: 'Berlin', lat: 52.52, lon: 13.4 }, { name: 'Munich', lat: 48.14, lon: 11.58 }, { name: 'Frankfurt', lat: 50.11, lon: 8.68 },
  ] },
  { code: 'FR', currency: 'EUR', share: 0.02, cities: [{ name: 'Paris', lat: 48.86, lon: 2.35 }, { name: 'Lyon', lat: 45.76, lon: 4.84 }] },
  { code: 'ES', currency: 'EUR', share: 0.012, cities: [{ name: 'Madrid', lat: 40.42, lon: -3.7 }, { name: 'Barcelona', lat: 41.39, lon: 2.17 }] },
  { code: 'IT', currency: 'EUR', share: 0.01, cities: [{ name: 'Rome', lat: 41.9, lon: 12.5 }, { name: 'Milan', lat: 45.46, lon: 9.19 }] },
  { code: 'NL', currency: 'EUR', share: 0.008, cities: [{ name: 'Amsterdam', lat: 52.37, lon: 4.9 }] },
  { code: 'IE', currency: 'EUR', share: 0.005, cities: [{ name: 'Dublin', lat: 53.35, lon: -6.26 }] },
  { code: 'CA', currency: 'CAD', share: 0.025, cities: [{ name: 'Toronto', lat: 43.65, lon: -79.38 }, { name: 'Vancouver', lat: 49.28, lon: -123.12 }] },
  { code: 'MX', currency: 'MXN', share: 0.015, cities: [{ name: 'Mexico City', lat: 19.43, lon: -99.13 }, { name: 'Guadalajara', lat: 20.66, lon: -103.35 }] },
  { code: 'IN', currency: 'INR', share: 0.01, cities: [{ name: 'Mumbai', lat: 19.08, lon: 72.88 }, { name: 'Bengaluru', lat: 12.97, lon: 77.59 }] },
  { code: 'CH', currency: 'CHF', share: 0.006, cities: [{ name: 'Zurich', lat: 47.38, lon: 8.54 }] },
  { code: 'SG', currency: 'SGD', share: 0.006, cities: [{ name: 'Singapore', lat: 1.35, lon: 103.82 }] },
  { code: 'AE', currency: 'AED', share: 0.005, cities: [{ name: 'Dubai', lat: 25.2, lon: 55.27 }] },
  { code: 'JP', currency: 'JPY', share: 0.005, cities: [{ name: 'Tokyo', lat: 35.68, lon: 139.69 }] },
  { code: 'AU', currency: 'AUD', share: 0.005, cities: [{ name: 'Sydney', lat: -33.87, lon: 151.21 }] },
  { code: 'PH', currency: 'PHP', share: 0.004, cities: [{ name: 'Manila', lat: 14.6, lon: 120.98 }] },
];

/** Cities far from most homes, where a takeover session or a stolen card is used from. */
export const FRAUD_CITIES: readonly (City & { readonly country: string })[] = [
  { name: 'Lagos', country: 'NG', lat: 6.52, lon: 3.38 },
  { name: 'Bucharest', country: 'RO', lat: 44.43, lon: 26.1 },
  { name: 'Jakarta', country: 'ID', lat: -6.2, lon: 106.85 },
  { name: 'Sao Paulo', country: 'BR', lat: -23.55, lon: -46.63 },
  { name: 'Kyiv', country: 'UA', lat: 50.45, lon: 30.52 },
  { name: 'Ho Chi Minh City', country: 'VN', lat: 10.82, lon: 106.63 },
  { name: 'Istanbul', country: 'TR', lat: 41.01, lon: 28.98 },
  { name: 'Bangkok', country: 'TH', lat: 13.76, lon: 100.5 },
  { name: 'Moscow', country: 'RU', lat: 55.76, lon: 37.62 },
  { name: 'Shenzhen', country: 'CN', lat: 22.54, lon: 114.06 },
];

/**
 * Where the bank's customers travel (holidays, business, family): the fraud cities are among them,
 * as in life, so that a payment from one of them is a hint, not a label.
 */
export const TRAVEL_CITIES: readonly (City & { readonly country: string })[] = [
  ...FRAUD_CITIES,
  { name: 'Cancun', country: 'MX', lat: 21.16, lon: -86.85 },
  { name: 'Paris', country: 'FR', lat: 48.86, lon: 2.35 },
  { name: 'London', country: 'GB', lat: 51.51, lon: -0.13 },
  { name: 'Rome', country: 'IT', lat: 41.9, lon: 12.5 },
  { name: 'Barcelona', country: 'ES', lat: 41.39, lon: 2.17 },
  { name: 'Lisbon', country: 'PT', lat: 38.72, lon: -9.14 },
  { name: 'Tokyo', country: 'JP', lat: 35.68, lon: 139.69 },
  { name: 'Dubai', country: 'AE', lat: 25.2, lon: 55.27 },
  { name: 'Cape Town', country: 'ZA', lat: -33.92, lon: 18.42 },
  { name: 'Honolulu', country: 'US', lat: 21.31, lon: -157.86 },
  { name: 'Orlando', country: 'US', lat: 28.54, lon: -81.38 },
  { name: 'New York', country: 'US', lat: 40.71, lon: -74.01 },
  { name: 'Toronto', country: 'CA', lat: 43.65, lon: -79.38 },
  { name: 'Singapore', country: 'SG', lat: 1.35, lon: 103.82 },
  { name: 'Hong Kong', country: 'HK', lat: 22.32, lon: 114.17 },
  { name: 'Bali', country: 'ID', lat: -8.65, lon: 115.22 },
  { name: 'Mexico City', country: 'MX', lat: 19.43, lon: -99.13 },
  { name: 'Sydney', country: 'AU', lat: -33.87, lon: 151.21 },
  { name: 'Seoul', country: 'KR', lat: 37.57, lon: 126.98 },
  { name: 'Athens', country: 'GR', lat: 37.98, lon: 23.73 },
];

/** Where migrants send money home (nationalities and family corridors), by weight. */
export const REMITTANCE_CORRIDORS: ReadonlyArray<readonly [string, number]> = [
  ['MX', 20], ['IN', 14], ['PH', 10], ['CN', 6], ['VN', 5], ['GT', 5], ['SV', 4], ['DO', 4], ['CO', 4],
  ['NG', 4], ['KE', 3], ['PK', 3], ['PL', 3], ['BR', 3], ['HN', 3], ['JM', 2], ['GH', 2], ['UA', 2],
];

/** Countries whose banks appear as counterparties of ordinary cross-border transfers. */
export const TRADE_COUNTRIES: readonly string[] = [
  'US', 'GB', 'DE', 'FR', 'NL', 'IE', 'ES', 'IT', 'CH', 'CA', 'MX', 'CN', 'HK', 'JP', 'SG', 'IN', 'AU', 'AE', 'BR', 'KR',
];

const EARTH_RADIUS_KM = 6371;

export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Coordinates rounded to 4 decimals (about 10 m): enough for velocity checks, stable in JSON. */
export function roundGeo(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

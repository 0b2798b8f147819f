// Indicative exchange rates into the reporting currency (USD), so that features and thresholds can
// add up amounts in different currencies. Static and approximate on purpose: they serve risk
// features, never settlement. Override at start-up with RISKSTREAM_FX_RATES='{"EUR":1.08,...}'.
import { formatMinor, minorUnitsOf } from './money.js';

export const REPORTING_CURRENCY = 'USD';

/** Units of USD per one unit of the currency. */
const DEFAULT_RATES: Readonly<Record<string, number>> = {
  USD: 1, EUR: 1.08, GBP: 1.27, CHF: 1.12, JPY: 0.0067, CNY: 0.138, HKD: 0.128, SGD: 0.74, AUD: 0.66,
  CAD: 0.73, NZD: 0.6, SEK: 0.095, NOK: 0.093, DKK: 0.145, INR: 0.012, BRL: 0.2, MXN: 0.058, ZAR: 0.054,
  AED: 0.272, SAR: 0.267, TRY: 0.031, RUB: 0.011, KRW: 0.00073, NGN: 0.00065, KES: 0.0077, PHP: 0.017,
  IDR: 0.000063, THB: 0.028, MYR: 0.21, PLN: 0.25, CZK: 0.043, HUF: 0.0027, ILS: 0.27, EGP: 0.02,
  PKR: 0.0036, BHD: 2.65, KWD: 3.25, OMR: 2.6, JOD: 1.41, VND: 0.00004, COP: 0.00025, ARS: 0.001, CLP: 0.00106,
};

/**
 * A conversion into USD cents as an exact fraction: cents = minor × num / den, where the rate is
 * read as the decimal it was written as (1.27 is 127/100, not the binary double nearest to it).
 */
type Conversion = { readonly num: number; readonly den: number; readonly bigNum: bigint; readonly bigDen: bigint };

/** The decimal a rate was written as, as an integer over a power of ten (1.27 → [127, 2]). */
function decimalOf(rate: number): [digits: bigint, places: number] {
  const [mantissa, exponent = '0'] = String(rate).toLowerCase().split('e') as [string, string?];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string?];
  let places = fraction.length - Number(exponent);
  let digits = BigInt(whole + fraction);
  if (places < 0) {
    digits *= 10n ** BigInt(-places);
    places = 0;
  }
  return [digits, places];
}

function conversionOf(rate: number, scale: number): Conversion {
  const [digits, places] = decimalOf(rate);
  // cents = minor / 10^scale × digits / 10^places × 100
  let bigNum = digits * 100n;
  let bigDen = 10n ** BigInt(scale + places);
  const divisor = gcd(bigNum, bigDen);
  bigNum /= divisor;
  bigDen /= divisor;
  return { num: Number(bigNum), den: Number(bigDen), bigNum, bigDen };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

let rates: Readonly<Record<string, number>> = DEFAULT_RATES;
const conversions = new Map<string, Conversion>();

export function setFxRates(overrides: Readonly<Record<string, number>>): void {
  rates = { ...DEFAULT_RATES, ...overrides };
  conversions.clear();
}

/**
 * Whether amounts in this currency can be valued in USD: events in a currency without a rate are
 * refused at the contract check (rule `fx_rate`), so that no feature, threshold or total ever takes
 * a guess for the rate.
 */
export function hasReportingRate(currency: string): boolean {
  return currency === REPORTING_CURRENCY || rates[currency] !== undefined;
}

/** The currencies with a USD rate in this process (the defaults and RISKSTREAM_FX_RATES). */
export function ratedCurrencies(): readonly string[] {
  return Object.keys(rates).sort();
}

/**
 * Converts integer minor units of a currency into integer USD cents, exactly: the amount times
 * the rate as written, rounded half up to the cent (so GBP 15.50 at 1.27 is 19.685 → 19.69 USD).
 * Events in a currency without a rate are refused before they get here (`hasReportingRate`); one
 * that gets here anyway converts at 1:1 of major units, which keeps features finite.
 */
export function toReportingMinor(minor: number, currency: string): number {
  if (currency === REPORTING_CURRENCY) return minor;
  const c = conversionFor(currency);
  // half up: floor((2 × minor × num + den) / (2 × den)); in doubles while every integer is exact
  const twice = 2 * minor * c.num;
  // (and while the quotient's float is below the next integer: dividend plus divisor within 2^53)
  if (twice + 3 * c.den <= Number.MAX_SAFE_INTEGER) return Math.floor((twice + c.den) / (2 * c.den));
  return Number((2n * BigInt(minor) * c.bigNum + c.bigDen) / (2n * c.bigDen));
}

/**
 * toReportingMinor as a bigint, exact at any size: the cents of an amount near the contract's limit
 * (2^53 minor units) in a currency worth more than a dollar pass 2^53, where a number rounds (GBP
 * 90,071,992,547,409.91 is USD 114,391,430,535,210.59, not .60). For what is stored as a decimal.
 */
export function toReportingMinorExact(minor: number, currency: string): bigint {
  if (currency === REPORTING_CURRENCY) return BigInt(minor);
  const c = conversionFor(currency);
  const dividend = 2n * BigInt(minor) * c.bigNum + c.bigDen;
  const divisor = 2n * c.bigDen;
  // floored, as Math.floor rounds a negative amount
  const quotient = dividend / divisor;
  return dividend % divisor < 0n ? quotient - 1n : quotient;
}

/**
 * The amount in USD at the indicative rates as decimal text ("19.69"), exact at any size: what
 * storage writes as `amount_usd`, and the hub pushes to add to it.
 */
export function reportingAmountText(minor: number, currency: string): string {
  const cents = toReportingMinor(minor, currency);
  if (Number.isSafeInteger(cents)) return formatMinor(cents, REPORTING_CURRENCY);
  const exact = toReportingMinorExact(minor, currency);
  const digits = String(exact < 0n ? -exact : exact).padStart(3, '0');
  return `${exact < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function conversionFor(currency: string): Conversion {
  let c = conversions.get(currency);
  if (c === undefined) {
    c = conversionOf(rates[currency] ?? 1, minorUnitsOf(currency));
    conversions.set(currency, c);
  }
  return c;
}

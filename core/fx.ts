// Indicative exchange rates into the reporting currency (USD), so that features and thresholds can
// add up amounts in different currencies. Static and approximate on purpose: they serve risk
// features, never settlement. Override at start-up with RISKSTREAM_FX_RATES='{"EUR":1.08,...}'.
import { minorUnitsOf } from './money.js';

export const REPORTING_CURRENCY = 'USD';

/** Units of USD per one unit of the currency. */
const DEFAULT_RATES: Readonly<Record<string, number>> = {
  USD: 1, EUR: 1.08, GBP: 1.27, CHF: 1.12, JPY: 0.0067, CNY: 0.138, HKD: 0.128, SGD: 0.74, AUD: 0.66,
  CAD: 0.73, NZD: 0.6, SEK: 0.095, NOK: 0.093, DKK: 0.145, INR: 0.012, BRL: 0.2, MXN: 0.058, ZAR: 0.054,
  AED: 0.272, SAR: 0.267, TRY: 0.031, RUB: 0.011, KRW: 0.00073, NGN: 0.00065, KES: 0.0077, PHP: 0.017,
  IDR: 0.000063, THB: 0.028, MYR: 0.21, PLN: 0.25, CZK: 0.043, HUF: 0.0027, ILS: 0.27, EGP: 0.02,
  PKR: 0.0036, BHD: 2.65, KWD: 3.25, OMR: 2.6, JOD: 1.41, VND: 0.00004, COP: 0.00025, ARS: 0.001, CLP: 0.00106,
};

let rates: Readonly<Record<string, number>> = DEFAULT_RATES;

export function setFxRates(overrides: Readonly<Record<string, number>>): void {
  rates = { ...DEFAULT_RATES, ...overrides };
}

/**
 * Converts integer minor units of a currency into integer USD cents. Unknown currencies convert
 * at 1:1 of major units, which keeps features finite; the rule engine can flag them separately.
 */
export function toReportingMinor(minor: number, currency: string): number {
  if (currency === REPORTING_CURRENCY) return minor;
  const rate = rates[currency] ?? 1;
  const scale = minorUnitsOf(currency);
  return Math.round((minor / 10 ** scale) * rate * 100);
}

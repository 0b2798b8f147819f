// Amounts in integer minor units: typical tickets are set in USD and converted into the account's
// currency with the indicative rates of core/fx, so one table serves every currency.
import { toReportingMinor } from '../../core/fx.js';
import { minorUnitsOf } from '../../core/money.js';
import type { Segment } from '../../core/contracts/index.js';
import type { Rng } from './rng.js';

/** The cash threshold structurers stay under: 10,000 USD equivalent (CTR-style reporting). */
export const CASH_THRESHOLD_USD_CENTS = 1_000_000;

/** Richer customers spend more per payment; businesses more than people. */
export const SEGMENT_SPEND: { readonly [S in Segment]: number } = { vip: 3.2, important: 1.7, standard: 1 } as const;
export const BUSINESS_SPEND = 2.5;

type CurrencyScale = { readonly factor: number; readonly usdCentsPerUnit: number };
const scales = new Map<string, CurrencyScale>();

function scaleOf(currency: string): CurrencyScale {
  let scale = scales.get(currency);
  if (scale === undefined) {
    const factor = 10 ** minorUnitsOf(currency);
    // USD cents for one major unit, measured through core/fx so both agree on every rate.
    scale = { factor, usdCentsPerUnit: toReportingMinor(factor * 1000, currency) / 1000 };
    scales.set(currency, scale);
  }
  return scale;
}

/** A USD amount expressed in minor units of the currency (at least one minor unit). */
export function usdToMinor(usd: number, currency: string): number {
  const { factor, usdCentsPerUnit } = scaleOf(currency);
  return Math.max(1, Math.round(((usd * 100) / usdCentsPerUnit) * factor));
}

export function minorToUsdCents(minor: number, currency: string): number {
  return toReportingMinor(minor, currency);
}

/**
 * Rounds minor units to a "round" local step worth about `usd` (ATM notes, cash deposits):
 * 20 USD is 20.00 in USD, 20.00 in EUR, 3,000 in JPY.
 */
export function roundToLocalStep(minor: number, currency: string, usd: number): number {
  const stepMinor = niceStep(usdToMinor(usd, currency));
  return Math.max(stepMinor, Math.round(minor / stepMinor) * stepMinor);
}

function niceStep(minor: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, minor)));
  const lead = minor / magnitude;
  const nice = lead < 1.5 ? 1 : lead < 3.5 ? 2 : lead < 7.5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Share of person-to-person transfers and remittances typed as a round sum (rent, a gift, money
 * put aside). Patterns type their amounts the same way, so that roundness is a weak signal at best.
 */
export const ROUND_SHARE = 0.3;

/**
 * An amount as a person types it: with probability `share` a round figure in whole units of the
 * currency (two significant digits below 1,000: 350.00, 48.00; three above: 1,250.00, 12,300.00,
 * so a large sum moves by at most 0.5 %), otherwise as drawn.
 */
export function typedAmount(rng: Rng, minor: number, currency: string, share = ROUND_SHARE): number {
  if (!rng.chance(share)) return minor;
  const factor = 10 ** minorUnitsOf(currency);
  const major = minor / factor;
  const digits = Math.floor(Math.log10(Math.max(1, major)));
  const step = Math.max(1, 10 ** (digits - (digits >= 3 ? 2 : 1)));
  return Math.max(1, Math.round(major / step)) * step * factor;
}

/**
 * Payments from the bank's own accounts that carry the balance before them (debtorBalance): the
 * same share for ordinary payments and a pattern's, so that the field's presence tells nothing.
 */
export const BALANCE_SHARE = 0.6;

/**
 * The share of the balance taken by a payment that empties an account: all of it half the time,
 * else 90–99.5 % (a little left behind). Ordinary transfers that move savings out and a takeover's
 * last transfer both draw it, so the balance ratio is a strong signal but not a label.
 */
export function drainShare(rng: Rng): number {
  return rng.chance(0.5) ? 1 : rng.between(0.9, 0.995);
}

/** A log-normal ticket around a USD median, in the currency's minor units. */
export function ticket(rng: Rng, medianUsd: number, sigma: number, currency: string, multiplier = 1): number {
  return usdToMinor(rng.logNormal(medianUsd * multiplier, sigma), currency);
}

/**
 * The largest amount strictly below the cash threshold that is at most `minor`; keeps an
 * injected "just under" deposit under the line after currency conversion and rounding.
 */
export function underThreshold(minor: number, currency: string, stepMinor: number): number {
  let value = minor;
  while (value > stepMinor && toReportingMinor(value, currency) >= CASH_THRESHOLD_USD_CENTS) value -= stepMinor;
  return value;
}

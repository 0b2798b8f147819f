// The exact amount of a pushed alert or decision, as decimal text. The wires carry integer minor
// units; the browser's Intl knows CLDR's digits, which differ from ISO 4217's for some currencies
// (HUF, COP, IDR, PKR: 2 in ISO, 0 in Intl), so the client would show 100× the amount. The hub
// writes the decimal with the digits storage and the REST API use (core/money.ts).
import { currencyInfo, formatMinor, reportingAmountText } from '../../../core/index.js';

/** The decimal text of `minor` in `currency`; undefined when the pair is not an amount. */
export function amountText(minor: unknown, currency: unknown): string | undefined {
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || typeof currency !== 'string' || currencyInfo(currency) === undefined) return undefined;
  return formatMinor(minor, currency);
}

/**
 * The amount in USD at the indicative rates, as decimal text, exactly as storage writes a row's
 * `amount_usd` (so that the account page can add a live decision to the totals it read).
 */
export function usdAmountText(minor: unknown, currency: unknown): string | undefined {
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || typeof currency !== 'string' || currencyInfo(currency) === undefined) return undefined;
  return reportingAmountText(minor, currency);
}

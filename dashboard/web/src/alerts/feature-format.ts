// How a decision's features read in the alert detail. The features are numbers in the units
// processors/features/names.ts gives them: amounts in USD cents, durations in seconds, days. Shown
// raw, "amount 133" beside a $1.33 payment reads as a hundred and thirty-three dollars; so amounts
// show as USD and long durations get their size in words, and the number the rules compared
// stays in the cell's title. (A test checks this list against names.ts.)
import { formatDecimal, formatInteger, formatMinor } from '../i18n/format.js';
import { msg } from '../i18n/messages.js';

/** Features that are amounts in USD cents. */
export function isUsdCentsFeature(name: string): boolean {
  return name === 'amount' || name === 'avg_out_amount' || /_sum_(1m|1h|24h|7d)$/.test(name);
}

export type FeatureCell = { readonly text: string; readonly title?: string };

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Features whose -1 means "not known" (names.ts), with why. */
const UNKNOWN_WHEN_MINUS_ONE: Readonly<Record<string, 'detail.unknownBalance' | 'detail.unknownPrevious' | 'detail.unknownTenure'>> = {
  balance_used_pct: 'detail.unknownBalance',
  seconds_since_last: 'detail.unknownPrevious',
  customer_tenure_days: 'detail.unknownTenure',
};

/** Features whose 0 means "no earlier payment out to compare with" (names.ts): "0 ×" read as a payment of nothing. */
const UNKNOWN_WHEN_ZERO: Readonly<Record<string, 'detail.unknownPrevious'>> = {
  amount_to_avg: 'detail.unknownPrevious',
  avg_out_amount: 'detail.unknownPrevious',
};

export function featureCell(name: string, value: number): FeatureCell {
  const unknownAtZero = UNKNOWN_WHEN_ZERO[name];
  if (unknownAtZero !== undefined && value === 0) {
    return { text: '–', title: msg('detail.featureUnknown', { value: plain(value), why: msg(unknownAtZero) }) };
  }
  if (isUsdCentsFeature(name)) {
    return { text: formatMinor(Math.round(value), 'USD'), title: msg('detail.featureCents', { value: plain(value) }) };
  }
  const unknown = UNKNOWN_WHEN_MINUS_ONE[name];
  if (unknown !== undefined && value === -1) {
    return { text: '–', title: msg('detail.featureUnknown', { value: plain(value), why: msg(unknown) }) };
  }
  if (name === 'seconds_since_last') {
    return { text: `${plain(value)} (${value >= MINUTE ? duration(value) : msg('unit.seconds', { n: formatDecimal(value, 1) })})` };
  }
  // days below one read better as hours or minutes: 0.001 days is a minute and a half
  if ((name === 'account_age_days' || name === 'customer_tenure_days') && value >= 0 && value < 1) {
    return { text: `${plain(value)} (${value * DAY >= MINUTE ? duration(value * DAY) : msg('unit.seconds', { n: formatDecimal(value * DAY, 0) })})` };
  }
  return { text: plain(value) };
}

function plain(value: number): string {
  return Number.isInteger(value) ? formatInteger(value) : formatDecimal(value, 3);
}

function duration(seconds: number): string {
  if (seconds >= DAY) return msg('unit.days', { n: formatDecimal(seconds / DAY, 1) });
  if (seconds >= HOUR) return msg('unit.hours', { n: formatDecimal(seconds / HOUR, 1) });
  return msg('unit.minutes', { n: formatDecimal(seconds / MINUTE, 1) });
}

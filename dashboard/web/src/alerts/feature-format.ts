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

export function featureCell(name: string, value: number): FeatureCell {
  if (isUsdCentsFeature(name)) {
    return { text: formatMinor(Math.round(value), 'USD'), title: msg('detail.featureCents', { value: plain(value) }) };
  }
  if (name === 'seconds_since_last' && value >= MINUTE) {
    return { text: `${plain(value)} (${duration(value)})` };
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

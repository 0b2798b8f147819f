// How numbers read in reason texts: `{name:format}` picks one of these. Written by hand rather
// than with Intl so that the text is the same on every machine (no ICU or locale differences).
import { REPORTING_CURRENCY } from '../../core/fx.js';

/** Digits with comma thousands separators; `digits` is a non-negative integer as a string. */
function groupThousands(digits: string): string {
  let i = digits.length % 3 || 3;
  let out = digits.slice(0, i);
  for (; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return out;
}

function integerText(value: number): string {
  const rounded = Math.round(value);
  const text = groupThousands(String(Math.abs(rounded)));
  return rounded < 0 ? '-' + text : text;
}

/** Integer cents of the reporting currency as money: 125000 → "USD 1,250.00". */
export function formatUsdCents(cents: number): string {
  const rounded = Math.round(cents);
  const abs = Math.abs(rounded);
  const whole = groupThousands(String(Math.floor(abs / 100)));
  const fraction = String(abs % 100).padStart(2, '0');
  return `${rounded < 0 ? '-' : ''}${REPORTING_CURRENCY} ${whole}.${fraction}`;
}

/** Integers with separators; fractions with at most two decimals (trailing zeros dropped). */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return integerText(value);
  const scaled = Math.round(value * 100);
  if (scaled % 100 === 0) return integerText(scaled / 100);
  const abs = Math.abs(scaled);
  const cents = abs % 100;
  const fraction = cents % 10 === 0 ? String(cents / 10) : String(cents).padStart(2, '0');
  return `${scaled < 0 ? '-' : ''}${groupThousands(String(Math.floor(abs / 100)))}.${fraction}`;
}

/** A ratio with one decimal: 12.345 → "12.3". */
export function formatRatio(value: number): string {
  const tenths = Math.round(value * 10);
  const whole = integerText(Math.trunc(tenths / 10));
  return `${tenths < 0 && whole === '0' ? '-' : ''}${whole}.${Math.abs(tenths % 10)}`;
}

/** Seconds as the largest whole unit a person would use: "45 seconds", "3 hours", "95 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 0) return 'never';
  if (seconds < 120) return plural(Math.floor(seconds), 'second');
  if (seconds < 7_200) return plural(Math.floor(seconds / 60), 'minute');
  if (seconds < 172_800) return plural(Math.floor(seconds / 3_600), 'hour');
  return plural(Math.floor(seconds / 86_400), 'day');
}

/** A whole number of days: "1 day", "12 days". */
export function formatDays(days: number): string {
  return plural(Math.floor(days), 'day');
}

function plural(n: number, unit: string): string {
  return `${integerText(n)} ${unit}${n === 1 ? '' : 's'}`;
}

/** formatDuration in Chinese: "45 秒", "3 小时", "95 天"; "从未" for none. */
export function formatDurationZh(seconds: number): string {
  if (seconds < 0) return '从未';
  if (seconds < 120) return `${integerText(Math.floor(seconds))} 秒`;
  if (seconds < 7_200) return `${integerText(Math.floor(seconds / 60))} 分钟`;
  if (seconds < 172_800) return `${integerText(Math.floor(seconds / 3_600))} 小时`;
  return `${integerText(Math.floor(seconds / 86_400))} 天`;
}

/** formatDays in Chinese: "12 天". */
export function formatDaysZh(days: number): string {
  return `${integerText(Math.floor(days))} 天`;
}

export const REASON_FORMATS = {
  number: formatNumber,
  int: integerText,
  usd: formatUsdCents,
  ratio: formatRatio,
  duration: formatDuration,
  days: formatDays,
} as const satisfies Record<string, (value: number) => string>;
export type ReasonFormat = keyof typeof REASON_FORMATS;
export type ReasonFormats = Readonly<Record<ReasonFormat, (value: number) => string>>;

/**
 * The languages a rule's reason may also be written in (`reasonIn`), with the formats their texts
 * use: the same numbers and money, durations and days in words of that language.
 */
export const REASON_LANGUAGES = {
  'zh-CN': { ...REASON_FORMATS, duration: formatDurationZh, days: formatDaysZh },
} as const satisfies Record<string, ReasonFormats>;
export type ReasonLanguage = keyof typeof REASON_LANGUAGES;

export function isReasonFormat(name: string): name is ReasonFormat {
  return Object.hasOwn(REASON_FORMATS, name);
}

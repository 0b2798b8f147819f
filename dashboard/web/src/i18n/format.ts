// Numbers, money, times and sizes for the current language, through Intl.
//
// Money arrives as decimal text ("1250.00") and is never turned into a float for an exact amount:
// Intl.NumberFormat formats a decimal string exactly where the browser implements Intl.NumberFormat
// v3 (Chrome 106+, Firefox 116+, Safari 15.4+, Node 19+). Elsewhere the integer part goes through
// Intl as a BigInt (exact) and the fraction digits are put back in the locale's decimal place.
// Only compact figures ("$1.2M" on a tile) go through a Number, because they are rounded anyway.
import { getLocale } from './locale.js';

const formatters = new Map<string, Intl.NumberFormat>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const locale = getLocale();
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, options);
    formatters.set(key, format);
  }
  return format;
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = getLocale();
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormatters.set(key, format);
  }
  return format;
}

export function formatInteger(value: number): string {
  return numberFormat({ maximumFractionDigits: 0 }).format(value);
}

export function formatDecimal(value: number, fractionDigits = 1): string {
  return numberFormat({ minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
}

/** A ratio (0–1) as a percentage. */
export function formatPercent(ratio: number, fractionDigits = 2): string {
  return numberFormat({ style: 'percent', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(ratio);
}

export function formatMs(ms: number): string {
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return numberFormat({ style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: digits }).format(ms);
}

const BYTE_UNITS = [
  ['gigabyte', 1024 ** 3],
  ['megabyte', 1024 ** 2],
  ['kilobyte', 1024],
] as const;

export function formatBytes(bytes: number): string {
  for (const [unit, size] of BYTE_UNITS) {
    if (bytes >= size) {
      const value = bytes / size;
      return numberFormat({ style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
    }
  }
  return numberFormat({ style: 'unit', unit: 'byte', unitDisplay: 'short', maximumFractionDigits: 0 }).format(bytes);
}

// ---------------------------------------------------------------------------------------------
// Money

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

function probeExactDecimals(): boolean {
  try {
    const format = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 2 });
    return format.format('9007199254740993.25' as Intl.StringNumericLiteral) === '9007199254740993.25';
  } catch {
    return false;
  }
}

let exactDecimals = probeExactDecimals();

/** For tests: pretend the runtime lacks (or has) exact decimal formatting. */
export function useExactDecimalFormatting(enabled: boolean | 'detect'): void {
  exactDecimals = enabled === 'detect' ? probeExactDecimals() : enabled;
}

function currencyDigits(currency: string): number {
  return numberFormat({ style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An exact amount in its currency: "1234567.891" USD → "$1,234,567.891" (en). Never rounds away
 * digits the text has; pads to the currency's usual digits. Text that is not a decimal shows as is.
 */
export function formatMoney(amount: string, currency: string): string {
  const match = DECIMAL_TEXT.exec(amount.trim());
  if (match === null || !/^[A-Z]{3}$/.test(currency)) return currency === '' ? amount : `${amount} ${currency}`;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const digits = Math.max(currencyDigits(currency), fraction.length);
  const options: Intl.NumberFormatOptions = { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits };
  if (exactDecimals) return numberFormat(options).format(amount.trim() as Intl.StringNumericLiteral);
  // Fallback: format the integer exactly as a BigInt, then put the real fraction digits in place
  // of the zeros Intl printed.
  // A BigInt has no -0: "-0.50" is laid out as -1 with its integer digit put back to 0.
  const negativeZero = sign === '-' && /^0+$/.test(whole);
  const parts = numberFormat(options).formatToParts(negativeZero ? -1n : BigInt(`${sign}${whole}`));
  const padded = fraction.padEnd(digits, '0');
  return parts.map((part) => (part.type === 'fraction' ? padded : negativeZero && part.type === 'integer' ? '0' : part.value)).join('');
}

/**
 * A short amount for tiles and charts ("$1.2M", "¥3.4万"), rounded only where it is abbreviated:
 * an amount the locale writes without an abbreviation ($4.96, US$4,945.70 in Chinese, below 万)
 * is shown exactly, as formatMoney does — a rule about payments under $5.00 must not read "$5".
 */
export function formatMoneyCompact(amount: string, currency: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  const parts = numberFormat({ style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).formatToParts(value);
  if (!parts.some((part) => part.type === 'compact')) return formatMoney(amount, currency);
  return parts.map((part) => part.value).join('');
}

/** Minor units (integer) to an exact amount, for wires that carry `amountMinor`. */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = /^[A-Z]{3}$/.test(currency) ? currencyDigits(currency) : 2;
  const negative = amountMinor < 0;
  const text = String(Math.abs(Math.trunc(amountMinor))).padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return formatMoney(`${negative ? '-' : ''}${decimal}`, currency);
}

// ---------------------------------------------------------------------------------------------
// Time

export function formatTime(ms: number): string {
  return dateFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);
}

export function formatTimeMs(ms: number): string {
  return dateFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false }).format(ms);
}

export function formatDateTime(ms: number): string {
  return dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);
}

export function formatClock(ms: number): string {
  return dateFormat({ hour: '2-digit', minute: '2-digit', hour12: false }).format(ms);
}

/** Date and time with the zone named ("06/12/2026, 12:23:26 GMT+1"), for times read on their own. */
export function formatDateTimeZoned(ms: number): string {
  return dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' }).format(ms);
}

/** The short name of the browser's time zone at `ms` in the current language ("EST", "GMT+1"), for column headers. */
export function zoneName(ms: number = Date.now()): string {
  const part = dateFormat({ hour: '2-digit', timeZoneName: 'short' })
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** The instant in UTC as ISO 8601 text, for a title beside a local time. */
export function utcText(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

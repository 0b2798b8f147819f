// Money: decimal strings at the edge, integer minor units inside. Never a float.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sourcePath } from './paths.js';

export type CurrencyInfo = { readonly code: string; readonly minorUnits: number; readonly name: string };

let currencies: ReadonlyMap<string, CurrencyInfo> | undefined;

function loadCurrencies(): ReadonlyMap<string, CurrencyInfo> {
  const rows = parse(readFileSync(sourcePath('core', 'reference', 'iso4217.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  const map = new Map<string, CurrencyInfo>();
  for (const row of rows) {
    const code = row.AlphabeticCode ?? '';
    const minor = row.MinorUnit ?? '';
    // Withdrawn codes and funds/metals without a minor unit ("N.A.") are not payment currencies.
    if (row.WithdrawalDate || !/^[A-Z]{3}$/.test(code) || !/^\d$/.test(minor)) continue;
    map.set(code, { code, minorUnits: Number(minor), name: row.Currency ?? code });
  }
  return map;
}

export function currencyInfo(code: string): CurrencyInfo | undefined {
  currencies ??= loadCurrencies();
  return currencies.get(code);
}

export function knownCurrencies(): readonly string[] {
  currencies ??= loadCurrencies();
  return [...currencies.keys()].sort();
}

export type MoneyParseResult =
  | { readonly ok: true; readonly minor: number }
  | { readonly ok: false; readonly rule: 'currency' | 'format' | 'scale' | 'range'; readonly message: string };

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a non-negative decimal string into integer minor units of the currency.
 * Refuses more decimals than the currency has and values beyond 2^53 minor units.
 */
export function parseAmount(amount: string, currency: string): MoneyParseResult {
  const info = currencyInfo(currency);
  if (!info) return { ok: false, rule: 'currency', message: `unknown currency "${currency}" (expected an ISO 4217 code in use)` };
  const match = DECIMAL.exec(amount);
  if (!match) {
    return { ok: false, rule: 'format', message: `amount "${amount}" must be a non-negative decimal string such as "1250.00"` };
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > info.minorUnits) {
    return {
      ok: false,
      rule: 'scale',
      message: `amount "${amount}" has ${fraction.length} decimals but ${currency} has ${info.minorUnits}`,
    };
  }
  const digits = whole + fraction.padEnd(info.minorUnits, '0');
  if (digits.length > 16 || Number(digits) > Number.MAX_SAFE_INTEGER) {
    return { ok: false, rule: 'range', message: `amount "${amount}" is too large` };
  }
  return { ok: true, minor: Number(digits) };
}

/** Formats integer minor units back into the canonical decimal string of the currency. */
export function formatMinor(minor: number, currency: string): string {
  const scale = currencyInfo(currency)?.minorUnits ?? 2;
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

export function minorUnitsOf(currency: string): number {
  return currencyInfo(currency)?.minorUnits ?? 2;
}

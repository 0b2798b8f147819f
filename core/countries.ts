// ISO 3166-1 alpha-2 country codes, read once per process from core/reference/iso3166-1.csv.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sourcePath } from './paths.js';

/**
 * Codes accepted besides the ISO list: XK, Kosovo's user-assigned code, which SWIFT, the EU and
 * banks use for it (ISO 3166-1 has no code for Kosovo).
 */
const IN_COMMON_USE = ['XK'];

let countries: ReadonlySet<string> | undefined;

function loadCountries(): ReadonlySet<string> {
  // Namibia is "NA": csv-parse keeps it a string as long as no cast or null option is set.
  const rows = parse(readFileSync(sourcePath('core', 'reference', 'iso3166-1.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  return new Set([...rows.map((r) => r.alpha2 ?? '').filter((c) => /^[A-Z]{2}$/.test(c)), ...IN_COMMON_USE]);
}

/** The country codes events may carry: ISO 3166-1 alpha-2, and XK. */
export function knownCountries(): ReadonlySet<string> {
  countries ??= loadCountries();
  return countries;
}

export function isCountryCode(code: string): boolean {
  return knownCountries().has(code);
}

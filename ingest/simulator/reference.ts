// The public reference lists the simulator draws from: merchant category codes, the FATF lists,
// sanctioned individuals and ISO countries. Read once per process from core/reference.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { knownCountries } from '../../core/countries.js';
import { sourcePath } from '../../core/paths.js';

export type MccEntry = { readonly mcc: string; readonly description: string };
export type FatfEntry = { readonly country: string; readonly list: 'call_for_action' | 'increased_monitoring' };

export type Reference = {
  readonly mccs: ReadonlyMap<string, MccEntry>;
  readonly fatf: readonly FatfEntry[];
  /** Individuals on the OFAC SDN list, as listed ("LAST, First Middle"). */
  readonly sdnIndividuals: readonly string[];
  readonly countries: ReadonlySet<string>;
};

let cached: Reference | undefined;

export function loadReference(): Reference {
  cached ??= {
    mccs: loadMccs(),
    fatf: loadFatf(),
    sdnIndividuals: parseSdnIndividuals(readFileSync(sourcePath('core', 'reference', 'sanctions', 'sdn.csv'))),
    countries: knownCountries(),
  };
  return cached;
}

function loadMccs(): ReadonlyMap<string, MccEntry> {
  const rows = parse(readFileSync(sourcePath('core', 'reference', 'mcc_codes.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  const map = new Map<string, MccEntry>();
  for (const row of rows) {
    const mcc = row.mcc ?? '';
    if (!/^[0-9]{4}$/.test(mcc)) continue;
    map.set(mcc, { mcc, description: row.edited_description || row.combined_description || mcc });
  }
  return map;
}

function loadFatf(): readonly FatfEntry[] {
  const rows = parse(readFileSync(sourcePath('core', 'reference', 'jurisdictions', 'fatf.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  const out: FatfEntry[] = [];
  for (const row of rows) {
    const list = row.list;
    const country = row.iso2 ?? '';
    if (!/^[A-Z]{2}$/.test(country)) continue;
    if (list === 'call_for_action' || list === 'increased_monitoring') out.push({ country, list });
  }
  return out;
}

/**
 * The legacy SDN CSV: no header, CRLF, `-0- ` for empty, and a last line holding only the DOS
 * end-of-file byte 0x1A. Column 2 is the name, column 3 the type.
 */
export function parseSdnIndividuals(raw: Buffer | string): readonly string[] {
  const text = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/\x1a\s*$/, '');
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const name = (row[1] ?? '').trim();
    const type = (row[2] ?? '').trim();
    if (type !== 'individual' || name === '' || name === '-0-' || seen.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  return names;
}

/** "AL-ZOMOR, Abboud Abdul" → "Abboud Abdul Al-Zomor": how a payer would type it in a payment. */
export function naturalOrder(sdnName: string): string {
  const comma = sdnName.indexOf(',');
  if (comma < 0) return titleCase(sdnName);
  const last = sdnName.slice(0, comma).trim();
  const first = sdnName.slice(comma + 1).trim();
  return `${first} ${titleCase(last)}`.trim();
}

function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s\-'])([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

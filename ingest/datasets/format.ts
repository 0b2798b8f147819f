// What `riskstream import` needs of a public data set's format: how to check its header and turn
// each CSV row into an event of riskstream's contracts, its ground truth in `labels` (which no
// scorer reads), so that `riskstream replay --evaluate` measures detection on it.

/** A row turned into an event, or left out with the reason (counted and reported by the command). */
export type RowResult = { readonly event: Record<string, unknown> } | { readonly leftOut: string };

/** Maps the data rows of one file, in order; `line` is the row's line number in the file (the header is line 1). */
export type RowMapper = (fields: readonly string[], line: number) => RowResult;

export type DatasetOptions = {
  /** Prefix of the event ids (`<prefix>-<line>`): two imports of one file give the same ids. */
  readonly idPrefix: string;
  /** Where the data set's time starts (epoch ms); each format says what it does without it. */
  readonly startMs?: number;
  /** The currency of data sets that do not say (ISO 4217). */
  readonly currency: string;
};

/**
 * A 0/1 ground-truth field: true, false, or null when it is neither. A row whose label is neither
 * is left out: taken for a negative it would quietly corrupt the measurement.
 */
export function binaryLabel(text: string | undefined): boolean | null {
  const t = (text ?? '').trim();
  return t === '1' ? true : t === '0' ? false : null;
}

/** The left-out reason for a label that is neither 0 nor 1. */
export function badLabel(column: string, text: string | undefined): { readonly leftOut: string } {
  return { leftOut: `${column} "${(text ?? '').trim()}" is not 0 or 1` };
}

/**
 * Epoch ms UTC of a calendar time, NaN when a part is out of its range: Date.UTC would roll
 * 2019-13-01 over into 2020-01-01, and an impossible date must be left out, not moved.
 */
export function exactUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const same = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return same ? ms : Number.NaN;
}

/** The largest epoch ms a JavaScript date holds (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

/** The RFC 3339 text of epoch ms, or null beyond what a date holds (a step or offset typed with too many digits). */
export function isoTimeOf(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : null;
}

/** The file is not of the format, or an option does not fit it: said with what to do. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/** Index of each named column in the header, or a DatasetError naming those missing. */
export function columnIndexes<const N extends string>(header: readonly string[], names: readonly N[], format: string): Record<N, number> {
  const trimmed = header.map((h) => h.trim());
  const missing = names.filter((n) => !trimmed.includes(n));
  if (missing.length > 0) {
    // 'an IEEE-CIS …', 'a PaySim …'
    const article = /^[AEIOU]/.test(format) ? 'an' : 'a';
    throw new DatasetError(`not ${article} ${format} file: its header lacks ${missing.map((m) => `"${m}"`).join(', ')} (it has ${trimmed.map((t) => `"${t}"`).join(', ')})`);
  }
  return Object.fromEntries(names.map((n) => [n, trimmed.indexOf(n)])) as Record<N, number>;
}

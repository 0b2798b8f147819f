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

/** The file is not of the format, or an option does not fit it: said with what to do. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/** Index of each named column in the header, or a DatasetError naming those missing. */
export function columnIndexes<const N extends string>(header: readonly string[], names: readonly N[], format: string): Record<N, number> {
  const trimmed = header.map((h) => h.trim());
  const missing = names.filter((n) => !trimmed.includes(n));
  if (missing.length > 0) {
    throw new DatasetError(`not a ${format} file: its header lacks ${missing.map((m) => `"${m}"`).join(', ')} (it has ${trimmed.map((t) => `"${t}"`).join(', ')})`);
  }
  return Object.fromEntries(names.map((n) => [n, trimmed.indexOf(n)])) as Record<N, number>;
}

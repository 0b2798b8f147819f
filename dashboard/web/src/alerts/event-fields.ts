// Flattens a stored event (nested JSON) into path/value rows for the detail table. Values stay text
// for the template to bind; nothing here is ever treated as markup.
/** `time`: the value is an RFC 3339 date-time (the event's `ts`), as epoch ms, to show in local time with its zone. */
export type FieldRow = { readonly path: string; readonly value: string; readonly time?: number };

/** An RFC 3339 date-time with its offset (what the event contract accepts for times). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const MAX_ROWS = 400;

export function eventFields(event: Readonly<Record<string, unknown>>): FieldRow[] {
  const rows: FieldRow[] = [];
  walk(event, '', rows);
  return rows;
}

function walk(value: unknown, path: string, rows: FieldRow[]): void {
  if (rows.length >= MAX_ROWS) return;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) rows.push({ path, value: Array.isArray(value) ? '[]' : '{}' });
    for (const [key, child] of entries) walk(child, path === '' ? key : `${path}.${key}`, rows);
    return;
  }
  const text = value === null || value === undefined ? '—' : String(value);
  const time = typeof value === 'string' && DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  rows.push(Number.isFinite(time) ? { path, value: text, time } : { path, value: text });
}

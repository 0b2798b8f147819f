// Flattens a stored event (nested JSON) into path/value rows for the detail table. Values stay text
// for the template to bind; nothing here is ever treated as markup.
export type FieldRow = { readonly path: string; readonly value: string };

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
  rows.push({ path, value: value === null || value === undefined ? '—' : String(value) });
}

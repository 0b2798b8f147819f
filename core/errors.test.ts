import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, RiskstreamError, type ErrorCode } from './errors.js';
import { sourcePath } from './paths.js';

const DOC = readFileSync(sourcePath('docs', 'errors.md'), 'utf8');
const CODES = Object.keys(ERRORS) as ErrorCode[];

type DocRow = { readonly status: number; readonly retryable: boolean; readonly when: string; readonly action: string };

/** Rows of the code tables: | `RS_ERR_X` | 400 | no | when | what to do |. */
function documentedRows(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const line of DOC.split('\n')) {
    const match = /^\| `(RS_ERR_[A-Z0-9_]+)` \| (\d{3}) \| (yes|no) \| (.*) \| (.*) \|$/.exec(line);
    if (!match) continue;
    const [, code, status, retryable, when, action] = match;
    if (rows.has(code!)) throw new Error(`docs/errors.md lists ${code} twice`);
    rows.set(code!, { status: Number(status), retryable: retryable === 'yes', when: when!.trim(), action: action!.trim() });
  }
  return rows;
}

describe('errors - registry and docs/errors.md in step', () => {
  const rows = documentedRows();

  it('documents every code of the registry', () => {
    const missing = CODES.filter((code) => !rows.has(code));
    expect(missing, 'codes in ERRORS (core/errors.ts) without a row in docs/errors.md').toEqual([]);
  });

  it('documents no code the registry does not have', () => {
    const mentioned = new Set(DOC.match(/RS_ERR_[A-Z0-9_]+/g) ?? []);
    const unknown = [...mentioned].filter((code) => !(code in ERRORS));
    expect(unknown, 'codes in docs/errors.md that are not in ERRORS (core/errors.ts)').toEqual([]);
  });

  it.each(CODES)('%s: the documented status and retryable flag are the registry\'s, and it says when and what to do', (code) => {
    const row = rows.get(code);
    expect(row, `${code} has no row in docs/errors.md`).toBeDefined();
    expect(row).toMatchObject({ status: ERRORS[code].status, retryable: ERRORS[code].retryable });
    expect(row!.when.length).toBeGreaterThan(20);
    expect(row!.action.length).toBeGreaterThan(10);
  });

  it('shows the error answer in the shape RiskstreamError produces', () => {
    const example = /## The error answer[\s\S]*?```json\n([\s\S]*?)\n```/.exec(DOC)?.[1];
    expect(example, 'the JSON example under "The error answer"').toBeDefined();
    const documented = JSON.parse(example!) as { error: Record<string, unknown> };
    const errors = [{ path: '/amount', rule: 'type', message: 'must be string' }];
    const real = new RiskstreamError('RS_ERR_INGEST_SCHEMA', '/amount: must be string', { errors }).toJSON();
    expect(Object.keys(documented)).toEqual(Object.keys(real));
    expect(Object.keys(documented.error).sort()).toEqual(Object.keys(real.error).sort());
    expect(documented.error.code).toBe('RS_ERR_INGEST_SCHEMA');
    expect(documented.error.retryable).toBe(ERRORS.RS_ERR_INGEST_SCHEMA.retryable);
  });
});

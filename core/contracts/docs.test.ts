import { readFileSync, writeFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { sourcePath } from '../paths.js';
import { Country } from './common.js';
import { KIND_GUIDES, renderEventsDoc } from './docs.js';
import { EVENT_EXAMPLES, EXAMPLES_VALID_AT, type EventExample } from './examples.js';
import { EVENT_KINDS, EVENT_SCHEMAS, type EventKind } from './kinds.js';
import { fieldRowsOf } from './schema-fields.js';
import { validateEvent } from './validate.js';

const DOC_PATH = sourcePath('docs', 'events.md');
const UPDATE_HINT = 'docs/events.md is out of date: run `UPDATE_DOCS=1 npx vitest run core/contracts/docs.test.ts` and commit the result';

function examplesOf(kind: EventKind): readonly EventExample[] {
  return EVENT_EXAMPLES[kind] as readonly EventExample[];
}

/** The value at a dotted path of an event, or undefined. */
function valueAt(event: unknown, path: string): unknown {
  let value: unknown = event;
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

describe('events doc - in step with the schemas', () => {
  it('matches the committed docs/events.md', () => {
    const rendered = renderEventsDoc();
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(DOC_PATH, rendered);
      return;
    }
    let committed = '';
    try {
      committed = readFileSync(DOC_PATH, 'utf8');
    } catch {
      expect.fail(`docs/events.md is missing: ${UPDATE_HINT}`);
    }
    // Compared as a boolean first so the failure leads with the fix, not with a long text diff.
    expect(committed === rendered, UPDATE_HINT).toBe(true);
  });

  it.each(EVENT_KINDS)('lists every field of %s, with its rule and whether it is required', (kind) => {
    const doc = renderEventsDoc();
    const rows = fieldRowsOf(EVENT_SCHEMAS[kind]);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(doc).toContain(`| \`${row.path}\` |`);
    expect(rows.find((r) => r.path === 'v')).toMatchObject({ required: 'yes', rule: 'exactly `1`' });
    expect(rows.find((r) => r.path === 'id')).toMatchObject({ required: 'no' });
  });

  it('walks nested objects, optional parents, unions, arrays and money', () => {
    const rows = fieldRowsOf(EVENT_SCHEMAS.payment, { extraRule: { amount: 'money' } });
    const row = (path: string) => rows.find((r) => r.path === path);
    expect(row('debtor.accountId')).toMatchObject({ type: 'string', required: 'yes', rule: 'no space at either end, no control character; 1 to 128 characters' });
    expect(row('debtor.country')?.rule).toBe('an ISO 3166-1 alpha-2 code in use (or `XK`); pattern `^[A-Z]{2}$`');
    expect(row('merchant.id')).toMatchObject({ required: 'with `merchant`' });
    expect(row('merchant.mcc')?.rule).toBe('pattern `^[0-9]{4}$`');
    expect(row('device.ip')).toMatchObject({ type: 'string', rule: 'IPv4 address or IPv6 address' });
    expect(row('geo.lat')?.rule).toBe('-90 to 90');
    expect(row('channel')?.rule).toMatch(/^one of `mobile`, `online`/);
    expect(row('amount')?.rule).toMatch(/^money; pattern/);
    expect(row('labels.patterns')).toMatchObject({ type: 'string[]', rule: 'at most 16 items; each at most 64 characters' });
    expect(row('labels.patterns')?.description.length).toBeGreaterThan(10);
    expect(fieldRowsOf(EVENT_SCHEMAS.customer).find((r) => r.path === 'accounts')?.type).toBe('string[]');
  });

  it('describes a shared building block per use without changing the shared one', () => {
    const rows = fieldRowsOf(EVENT_SCHEMAS.payment);
    expect(rows.find((r) => r.path === 'debtor.country')?.description).toMatch(/^Country of the account/);
    expect(rows.find((r) => r.path === 'merchant.country')?.description).toMatch(/^Country where the merchant/);
    expect(Country.description).toBe('ISO 3166-1 alpha-2.');
  });

  it('documents every field that is not self-explanatory', () => {
    for (const kind of EVENT_KINDS) {
      const missing = fieldRowsOf(EVENT_SCHEMAS[kind])
        .filter((r) => r.description === '')
        .map((r) => r.path);
      expect(missing, `${kind} fields without a description`).toEqual([]);
    }
  });
});

describe('events doc - the money rules it states hold', () => {
  const base = EVENT_EXAMPLES.payment[0]!.event;
  const cases: Array<[string, string, string | null]> = [
    ['1250.00', 'USD', null],
    ['12.5', 'USD', null],
    ['100', 'USD', null],
    ['1250', 'JPY', null],
    ['1250.005', 'BHD', null],
    ['-5.00', 'USD', 'pattern'],
    ['+5', 'USD', 'pattern'],
    ['1e3', 'USD', 'pattern'],
    ['1,250.00', 'USD', 'pattern'],
    ['01.00', 'USD', 'pattern'],
    [' 5', 'USD', 'pattern'],
    ['1.234', 'USD', 'amount_scale'],
    ['100.5', 'JPY', 'amount_scale'],
    ['10.00', 'DEM', 'currency'],
    ['10.00', 'XYZ', 'currency'],
    ['99999999999999999.00', 'USD', 'amount_range'],
  ];
  it.each(cases)('amount %j in %s: %s', (amount, currency, rule) => {
    const result = validateEvent({ ...base, amount, currency }, undefined, EXAMPLES_VALID_AT);
    if (rule === null) {
      expect(result.ok ? 'valid' : result.errors).toBe('valid');
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => e.rule)).toContain(rule);
    }
  });

  it('refuses a JSON number as an amount', () => {
    const result = validateEvent({ ...base, amount: 1250.5 }, undefined, EXAMPLES_VALID_AT);
    expect(result.ok ? [] : result.errors).toContainEqual(expect.objectContaining({ path: '/amount', rule: 'type' }));
  });
});

describe('events doc - examples', () => {
  it.each(EVENT_KINDS)('has at least one valid example of %s, on its documented partition key', (kind) => {
    const examples = examplesOf(kind);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const result = validateEvent(example.event, undefined, EXAMPLES_VALID_AT);
      expect(result.ok ? 'valid' : result.errors).toBe('valid');
      if (!result.ok) continue;
      expect(result.event.kind).toBe(kind);
      const keyPath = KIND_GUIDES[kind].partitionKey.find((p) => valueAt(example.event, p) !== undefined);
      expect(keyPath, 'the example holds none of the documented partition key fields').toBeDefined();
      expect(result.event.partitionKey).toBe(valueAt(example.event, keyPath!));
    }
  });

  it('shows every example in the doc, and only valid JSON in json blocks', () => {
    const doc = renderEventsDoc();
    for (const kind of EVENT_KINDS) {
      for (const example of examplesOf(kind)) expect(doc).toContain(JSON.stringify(example.event, null, 2));
    }
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(EVENT_KINDS.length);
    for (const block of blocks) expect(() => JSON.parse(block)).not.toThrow();
  });

  it('every example event printed in the doc validates', () => {
    const doc = renderEventsDoc();
    const events = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)]
      .map((m) => JSON.parse(m[1]!) as unknown)
      .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v);
    expect(events.length).toBeGreaterThanOrEqual(EVENT_KINDS.length);
    for (const event of events) {
      const result = validateEvent(event, undefined, EXAMPLES_VALID_AT);
      expect(result.ok ? 'valid' : result.errors, String(event.id)).toBe('valid');
    }
  });

  it('uses the payment of the spine issue (ISSUE_EXAMPLE in contracts.test.ts) unchanged', () => {
    // Importing contracts.test.ts would register its suites a second time inside this file, so
    // the literal is read from its source and evaluated on its own.
    const source = readFileSync(sourcePath('core', 'contracts', 'contracts.test.ts'), 'utf8');
    const literal = /export const ISSUE_EXAMPLE = (\{[\s\S]*?\n\});/.exec(source)?.[1];
    expect(literal, 'ISSUE_EXAMPLE not found in contracts.test.ts').toBeDefined();
    const issueExample: unknown = runInNewContext(`(${literal})`);
    expect(EVENT_EXAMPLES.payment[0]!.event).toEqual(issueExample);
  });
});

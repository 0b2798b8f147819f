// Batch inserts against real chDB: a bad row isolated, a batch over many days split.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payment } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { numberOf, selectRows } from '../sql.js';
import { contiguousBody, minuteOfTimeText, insertRows, isBadDataError, storedKeys, type BatchTarget, type KeyedRow, type KeyProbe } from './batch-insert.js';
import { decision } from '../test-fixtures.js';
import { decisionRow, type DecisionRow } from './rows/decision-row.js';
import { eventRow, fastEventRow, type EventRow } from './rows/event-row.js';
import { DECISION_COLUMNS, decisionLine, EVENT_COLUMNS, eventLine, type RowEncoding } from './rows/tsv.js';

const database = `t_batch_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;
let target: BatchTarget;
/** The rows of the first test, stored: later tests look them up. */
let firstBatch: Array<KeyedRow<EventRow> & KeyProbe> = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-batch-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 3650 });
  target = { client: ch.client, database, table: 'events', insertSettings: undefined };
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function row(id: string, ts: number): KeyedRow<EventRow> & KeyProbe {
  const outcome = eventRow({ subject: 't.ev.payment.0', data: new TextEncoder().encode(JSON.stringify(payment(id, { ts: new Date(ts).toISOString() }))), ingestTs: null });
  if (!outcome.ok) throw new Error(outcome.reason);
  return { key: outcome.key, row: outcome.row, partition: String(Math.floor(ts / 86_400_000)), minute: minuteOfTimeText(outcome.row.ts) };
}

/** What the writer asks about: each key with the minute its row would be stored under. */
function probes(rows: ReadonlyArray<KeyedRow<EventRow> & KeyProbe>, ...extra: KeyProbe[]): KeyProbe[] {
  return [...rows.map((r) => ({ key: r.key, minute: r.minute })), ...extra];
}

async function count(): Promise<number> {
  const rows = await selectRows<{ n: unknown }>(ch.client, `SELECT count() AS n FROM \`${database}\`.events`);
  return numberOf(rows[0]?.n);
}

describe('batch insert', () => {
  it('batch - a row ClickHouse refuses as bad data is isolated; the rest of the batch is stored', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(`b-${i}`, Date.now() - i * 1000));
    firstBatch = rows;
    // Past every check in the mapper, but not a decimal: only ClickHouse can refuse it.
    rows[17] = { ...rows[17]!, row: { ...rows[17]!.row, amount: 'twelve' } };
    const rejected = await insertRows(target, rows);
    expect(rejected.map((r) => r.row.key)).toEqual(['b-17']);
    expect(rejected[0]!.reason).toMatch(/ClickHouse refused the row/);
    expect(await count()).toBe(39);
    const asked = probes([rows[0]!, rows[17]!, rows[39]!], { key: 'nope', minute: rows[0]!.minute });
    expect([...(await storedKeys(target, asked))].sort()).toEqual(['b-0', 'b-39']);
  });

  it('batch - many long keys are looked up in slices, and the answer is their union', async () => {
    const minute = minuteOfTimeText(String(Math.floor(Date.now() / 1000)));
    const long = Array.from({ length: 3000 }, (_, i) => ({ key: `missing-${i}-`.padEnd(120, 'x'), minute: minute - (i % 5) * 60 }));
    const [, b1, b2] = firstBatch;
    expect([...(await storedKeys(target, [{ key: 'b-1', minute: b1!.minute }, ...long, { key: 'b-2', minute: b2!.minute }]))].sort()).toEqual(['b-1', 'b-2']);
  });

  it('batch - a key is found under the minute of its event time only', async () => {
    const stored = firstBatch[3]!;
    expect([...(await storedKeys(target, [{ key: 'b-3', minute: stored.minute }]))]).toEqual(['b-3']);
    // The same id re-published with an event time in the minute before or after is not seen
    // (docs/storage.md, Guarantees).
    expect([...(await storedKeys(target, [{ key: 'b-3', minute: stored.minute - 60 }]))]).toEqual([]);
    expect([...(await storedKeys(target, [{ key: 'b-3', minute: stored.minute + 60 }]))]).toEqual([]);
  });

  it('batch - a batch spanning more days than one insert may touch is split by partition', async () => {
    const day = 86_400_000;
    const rows = Array.from({ length: 130 }, (_, i) => row(`d-${i}`, Date.now() - (i + 1) * day));
    expect(await insertRows(target, rows)).toEqual([]);
    expect(await count()).toBe(39 + 130);
  });

  it('batch - an unreachable ClickHouse is not mistaken for bad data', () => {
    expect(isBadDataError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isBadDataError(Object.assign(new Error('x'), { code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' }))).toBe(true);
  });

  it('batch - TabSeparated rows keep tabs, newlines, backslashes, quotes and unicode exactly, and exact decimals', async () => {
    const awkward = 'Zoë\t"Z"\nO\'Neil \\N \\ end\r';
    const body = payment('tsv-1', { amount: '1234.567', currency: 'BHD', merchant: { id: awkward, mcc: '5411' }, labels: { patterns: [awkward, 'ato'] } });
    // stamped as riskstream's producers stamp it: the structural check, which lets the awkward text through
    const outcome = fastEventRow({ subject: 't.ev.payment.0', data: new TextEncoder().encode(JSON.stringify(body)), ingestTs: Date.parse('2026-11-29T10:15:00.004Z') });
    if (!outcome.ok) throw new Error(outcome.reason);
    const encoding: RowEncoding<EventRow> = { columns: EVENT_COLUMNS, line: eventLine };
    expect(await insertRows(target, [{ key: 'tsv-1', row: outcome.row, partition: '0' }], encoding)).toEqual([]);
    const [row] = await selectRows<Record<string, unknown>>(
      ch.client,
      `SELECT merchant_id, label_patterns, raw, toString(amount) AS amount, amount_minor, toString(amount_usd) AS usd, ingest_ts FROM \`${database}\`.events WHERE id = 'tsv-1'`,
    );
    expect(row).toMatchObject({ merchant_id: awkward, label_patterns: [awkward, 'ato'], amount: '1234.567', amount_minor: 1234567, usd: '3271.6', ingest_ts: '2026-11-29 10:15:00.004' });
    expect(JSON.parse(String(row!.raw))).toEqual(body);

    const d = decision({ eventId: 'tsv-d', models: { "it's": awkward }, features: { 'a\tb': 1e-7, big: 1.5e21, neg: -3.25 }, latencyMs: { processing: 0.5, total: null }, labels: undefined, ingestTs: null });
    const mapped = decisionRow({ subject: 't.dec.payment', data: new TextEncoder().encode(JSON.stringify(d)), ingestTs: null });
    if (!mapped.ok) throw new Error(mapped.reason);
    const decisions: BatchTarget = { ...target, table: 'decisions' };
    const decisionEncoding: RowEncoding<DecisionRow> = { columns: DECISION_COLUMNS, line: decisionLine };
    expect(await insertRows(decisions, [{ key: 'tsv-d', row: mapped.row, partition: '0' }], decisionEncoding)).toEqual([]);
    const [stored] = await selectRows<Record<string, unknown>>(
      ch.client,
      `SELECT models, features, reasons, latency_total_ms, has_labels, label_fraud, toString(amount) AS amount FROM \`${database}\`.decisions WHERE event_id = 'tsv-d'`,
    );
    expect(stored).toMatchObject({ models: { "it's": awkward }, features: { 'a\tb': 1e-7, big: 1.5e21, neg: -3.25 }, latency_total_ms: null, has_labels: false, label_fraud: null, amount: '1250' });
    expect(JSON.parse(String(stored!.reasons))).toEqual(d.reasons);
  });

  it('batch - lines that are consecutive views of one buffer go in as that buffer, uncopied, and are stored', async () => {
    // as the mapping thread hands them over: every line of the batch in one buffer, one after the other
    const rows = Array.from({ length: 6 }, (_, i) => row(`view-${i}`, Date.now() - i * 1000));
    const text = rows.map((r) => eventLine(r.row)).join('');
    const bytes = new TextEncoder().encode(text);
    const views: Array<KeyedRow<Uint8Array>> = [];
    let at = 0;
    for (const r of rows) {
      const length = new TextEncoder().encode(eventLine(r.row)).length;
      views.push({ key: r.key, row: bytes.subarray(at, at + length), partition: r.partition });
      at += length;
    }
    const encoding: RowEncoding<Uint8Array> = { columns: EVENT_COLUMNS, line: (line) => line };
    const body = contiguousBody(views, encoding)!;
    expect(body.buffer).toBe(bytes.buffer);
    expect(body.toString('utf8')).toBe(text);
    // a row left out (a duplicate), rows out of order, or text lines: copied as before
    expect(contiguousBody([views[0]!, views[2]!], encoding)).toBeNull();
    expect(contiguousBody([views[1]!, views[0]!], encoding)).toBeNull();
    expect(contiguousBody(rows, { columns: EVENT_COLUMNS, line: eventLine })).toBeNull();

    expect(await insertRows(target, views, encoding)).toEqual([]);
    expect([...(await storedKeys(target, probes(rows)))].sort()).toEqual(rows.map((r) => r.key).sort());
  });

  it('batch - a TabSeparated row ClickHouse refuses is isolated too', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => row(`t-${i}`, Date.now() - i * 1000));
    rows[5] = { ...rows[5]!, row: { ...rows[5]!.row, amount: 'twelve' } };
    const rejected = await insertRows(target, rows, { columns: EVENT_COLUMNS, line: eventLine });
    expect(rejected.map((r) => r.row.key)).toEqual(['t-5']);
    expect(rejected[0]!.reason).toMatch(/ClickHouse refused the row/);
    expect([...(await storedKeys(target, probes([rows[0]!, rows[5]!, rows[11]!])))].sort()).toEqual(['t-0', 't-11']);
  });
});

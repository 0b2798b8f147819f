// Inserting one batch of rows into a raw table: drop the rows already stored (the writer's dedup
// step), split by partition so that no insert touches too many days, and isolate the row that
// ClickHouse refuses as bad data instead of failing the whole batch forever.
import { Readable } from 'node:stream';
import type { ClickHouseSettings } from '@clickhouse/client';
import { assertDatabaseName, qualified, selectRows, type SqlClient } from '../sql.js';
import type { RawTable } from '../schema/tables.js';
import { KEY_COLUMN, MINUTE_COLUMN } from '../schema/tables.js';
import type { RowEncoding } from './rows/tsv.js';

export type KeyedRow<R> = { readonly key: string; readonly row: R; readonly partition: string };
export type RejectedRow<R> = { readonly row: KeyedRow<R>; readonly reason: string };

export type BatchTarget = {
  readonly client: SqlClient;
  readonly database: string;
  readonly table: RawTable;
  /** Only for a server; chDB would apply them to the whole session. */
  readonly insertSettings: ClickHouseSettings | undefined;
};

/** ClickHouse refuses inserts touching more partitions than this (default 100); stay well below. */
const MAX_PARTITIONS_PER_INSERT = 50;

/**
 * A server receives query parameters in the URL (at most 1 MiB by default), so the keys are
 * looked up in slices of about this many characters (keys and minutes); a typical batch of 5,000
 * needs one.
 */
const MAX_KEY_CHARS_PER_QUERY = 200_000;

/** A row's dedup key and the start of its event minute (epoch seconds), which leads the table's sorting key. */
export type KeyProbe = { readonly key: string; readonly minute: number };

export type DedupLookup = { readonly query: string; readonly query_params: { readonly minutes: number[]; readonly keys: string[] } };

/** The start of the UTC minute of a DateTime64 text value (`<seconds>.<millis>`), in epoch seconds. */
export function minuteOfTimeText(timeText: string): number {
  const seconds = Number.parseInt(timeText, 10);
  return seconds - (((seconds % 60) + 60) % 60);
}

/**
 * The lookups that find which of the given keys the table holds: `toStartOfMinute(<time>) IN
 * {minutes} AND <key> IN {keys}`. The raw tables are sorted by (toStartOfMinute(<time>), <key>)
 * (migration 004), so the primary index selects the granules of those minutes that can hold
 * those keys: the cost follows the batch (a batch of a second or so spans one or two minutes),
 * not the table. A key stored under another minute — the same id re-published with a different
 * event time — is not found (docs/storage.md, Guarantees). Keys are grouped by minute, and sliced
 * so that a server's URL stays under its limit.
 */
export function dedupLookups(target: Pick<BatchTarget, 'database' | 'table'>, probes: readonly KeyProbe[]): DedupLookup[] {
  const key = KEY_COLUMN[target.table];
  const query =
    `SELECT ${key} AS k FROM ${qualified(target.database, target.table)}\n` +
    `WHERE toStartOfMinute(${MINUTE_COLUMN[target.table]}) IN {minutes:Array(DateTime('UTC'))} AND ${key} IN {keys:Array(String)}`;
  const sorted = [...probes].sort((a, b) => a.minute - b.minute);
  const lookups: DedupLookup[] = [];
  let minutes: number[] = [];
  let keys: string[] = [];
  let chars = 0;
  for (const probe of sorted) {
    if (chars + probe.key.length > MAX_KEY_CHARS_PER_QUERY && keys.length > 0) {
      lookups.push({ query, query_params: { minutes, keys } });
      minutes = [];
      keys = [];
      chars = 0;
    }
    if (minutes[minutes.length - 1] !== probe.minute) {
      minutes.push(probe.minute);
      chars += 12;
    }
    keys.push(probe.key);
    chars += probe.key.length + 3;
  }
  if (keys.length > 0) lookups.push({ query, query_params: { minutes, keys } });
  return lookups;
}

/** Keys of the given rows that the table already holds under the same event minute. */
export async function storedKeys(target: BatchTarget, probes: readonly KeyProbe[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const lookup of dedupLookups(target, probes)) {
    for (const row of await selectRows<{ k: string }>(target.client, lookup.query, lookup.query_params)) stored.add(row.k);
  }
  return stored;
}

/**
 * Inserts the rows; returns those ClickHouse refused as bad data, one by one. Any other failure
 * (unreachable, overloaded) throws, and the caller retries the whole batch later.
 */
export async function insertRows<R>(target: BatchTarget, rows: readonly KeyedRow<R>[], encoding?: RowEncoding<R>): Promise<RejectedRow<R>[]> {
  const rejected: RejectedRow<R>[] = [];
  for (const chunk of byPartitions(rows)) await insertOrBisect(target, chunk, rejected, encoding);
  return rejected;
}

function byPartitions<R>(rows: readonly KeyedRow<R>[]): KeyedRow<R>[][] {
  const groups = new Map<string, KeyedRow<R>[]>();
  for (const row of rows) {
    const group = groups.get(row.partition);
    if (group) group.push(row);
    else groups.set(row.partition, [row]);
  }
  if (groups.size <= MAX_PARTITIONS_PER_INSERT) return rows.length === 0 ? [] : [[...rows]];
  const chunks: KeyedRow<R>[][] = [];
  let chunk: KeyedRow<R>[] = [];
  let partitions = 0;
  for (const group of groups.values()) {
    if (partitions === MAX_PARTITIONS_PER_INSERT) {
      chunks.push(chunk);
      chunk = [];
      partitions = 0;
    }
    chunk.push(...group);
    partitions++;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function insertOrBisect<R>(target: BatchTarget, rows: readonly KeyedRow<R>[], rejected: RejectedRow<R>[], encoding: RowEncoding<R> | undefined): Promise<void> {
  if (rows.length === 0) return;
  try {
    if (encoding) {
      await insertEncoded(target, rows, encoding);
      return;
    }
    // Arrays in column order (JSONCompactEachRow) instead of objects: about a fifth less CPU per
    // row for ClickHouse to parse, and less to serialise. One mapper made every row, so every row
    // has the first one's keys in the same order.
    const columns = Object.keys(rows[0]!.row as object) as [string, ...string[]];
    await target.client.insert({
      table: qualified(target.database, target.table),
      columns,
      values: rows.map((r) => columns.map((c) => (r.row as Record<string, unknown>)[c])),
      format: 'JSONCompactEachRow',
      ...(target.insertSettings ? { clickhouse_settings: target.insertSettings } : {}),
    });
  } catch (error) {
    if (!isBadDataError(error)) throw error;
    if (rows.length === 1) {
      rejected.push({ row: rows[0]!, reason: `ClickHouse refused the row: ${(error as Error).message.slice(0, 500)}` });
      return;
    }
    // Halves that insert fine are stored; the bad row ends up alone and is refused.
    const middle = Math.ceil(rows.length / 2);
    await insertOrBisect(target, rows.slice(0, middle), rejected, encoding);
    await insertOrBisect(target, rows.slice(middle), rejected, encoding);
  }
}

/** chDB's own insert entry (`connection.chdb.rawInsert`): the bytes go to the engine as they are. */
type RawInsert = (params: { table: string; columns: string[]; values: Buffer; format: 'TabSeparated' }) => Promise<unknown>;

const rawInserts = new WeakMap<SqlClient, RawInsert | null>();

/**
 * The raw insert of an embedded chDB behind `@clickhouse/client` (its `connection` field holds the
 * ChdbConnection, whose `.chdb` is chDB's documented escape hatch), or null for a server or any
 * other client (tests wrap the client to inject failures: they get the ordinary insert).
 */
function rawInsertOf(client: SqlClient): RawInsert | null {
  let raw = rawInserts.get(client);
  if (raw === undefined) {
    const connection = (client as { connection?: { connectionName?: unknown; chdb?: { rawInsert?: unknown } } }).connection;
    const fn = connection?.connectionName === 'chdb' ? connection.chdb?.rawInsert : undefined;
    raw = typeof fn === 'function' ? (fn as RawInsert) : null;
    rawInserts.set(client, raw);
  }
  return raw;
}

const LINE_BYTES_GUESS = 2048;

/**
 * The body as it already is, when every row's line is a view of one buffer and each starts where
 * the one before ended: the mapping thread's lines for a batch that keeps all of its rows, in
 * order (no duplicate, none refused) — the usual case. No copy, and above all no new buffer of
 * megabytes per insert on the main thread, whose allocations outside the JavaScript heap made V8
 * run a full collection there every second or so (`external memory pressure`: 15–45 ms pauses
 * that delayed the dashboard's alerts). Null otherwise.
 */
export function contiguousBody<R>(rows: readonly KeyedRow<R>[], encoding: RowEncoding<R>): Buffer | null {
  if (rows.length === 0) return null;
  const first = encoding.line(rows[0]!.row);
  if (typeof first === 'string') return null;
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < rows.length; i++) {
    const line = encoding.line(rows[i]!.row);
    if (typeof line === 'string' || line.buffer !== first.buffer || line.byteOffset !== end) return null;
    end += line.byteLength;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

/** The rows as one TabSeparated body, written line by line into one buffer (no giant string). */
function encodeBody<R>(rows: readonly KeyedRow<R>[], encoding: RowEncoding<R>): Buffer {
  const whole = contiguousBody(rows, encoding);
  if (whole !== null) return whole;
  let buffer = Buffer.allocUnsafe(Math.max(64 * 1024, rows.length * LINE_BYTES_GUESS));
  let length = 0;
  for (const r of rows) {
    const line = encoding.line(r.row);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; bytes are copied as they are.
    const most = typeof line === 'string' ? line.length * 3 : line.length;
    if (length + most > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + most));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    if (typeof line === 'string') {
      length += buffer.write(line, length);
    } else {
      buffer.set(line, length);
      length += line.length;
    }
  }
  return buffer.subarray(0, length);
}

/**
 * Inserts rows as TabSeparated lines built by the sink's encoder. On chDB the bytes are handed to
 * the engine directly; otherwise through the client (a raw format: no encoding on its side).
 */
async function insertEncoded<R>(target: BatchTarget, rows: readonly KeyedRow<R>[], encoding: RowEncoding<R>): Promise<void> {
  const body = encodeBody(rows, encoding);
  const raw = rawInsertOf(target.client);
  if (raw) {
    try {
      await raw({ table: `${assertDatabaseName(target.database)}.${target.table}`, columns: [...encoding.columns], values: body, format: 'TabSeparated' });
    } catch (error) {
      // chDB's insert errors carry the ClickHouse error name only in the text: "… (CANNOT_PARSE_…)".
      const type = /\(([A-Z][A-Z0-9_]+)\)/.exec((error as Error).message ?? '')?.[1];
      throw Object.assign(error as Error, type && (error as { type?: unknown }).type === undefined ? { type } : {});
    }
    return;
  }
  await target.client.insert({
    table: qualified(target.database, target.table),
    columns: [...encoding.columns] as [string, ...string[]],
    values: Readable.from([body], { objectMode: false }),
    format: 'TabSeparated',
    ...(target.insertSettings ? { clickhouse_settings: target.insertSettings } : {}),
  });
}

const BAD_DATA = /^(CANNOT_PARSE|CANNOT_READ|CANNOT_CONVERT|TYPE_MISMATCH|INCORRECT_DATA|DECIMAL_OVERFLOW|ARGUMENT_OUT_OF_BOUND|VALUE_IS_OUT_OF_RANGE|TOO_LARGE_STRING_SIZE|INCORRECT_JSON|UNKNOWN_FIELD)/;

/** A ClickHouse error about the rows themselves, which retrying cannot cure. Duck-typed: chdb ships its own ClickHouseError class. */
export function isBadDataError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && BAD_DATA.test(type);
}

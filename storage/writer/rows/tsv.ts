// Rows as ClickHouse TabSeparated text, built by hand: the cheapest form to make in Node (no
// JSON encoding of every cell, the raw JSON passes through untouched) and to parse in ClickHouse.
//
// TabSeparated escaping is one level: a top-level string escapes \ TAB LF CR with a backslash;
// inside an array or a map a string is quoted ('…') and escapes \ ' TAB LF CR the same way (the
// quoted form never contains a raw tab or newline, so it needs no second escaping). NULL is \N.
// Decimals are written as their exact text, DateTime64(3) as "<seconds>.<millis>" (the same text
// the JSON rows carried), numbers by String() (finite by the time they get here).
import { dateTime64Text } from '../../sql.js';
import type { DecisionRow } from './decision-row.js';
import type { EventRow } from './event-row.js';

export const NULL = '\\N';

const TOP_SPECIAL = /[\\\t\n\r]/;
const TOP_SPECIAL_G = /[\\\t\n\r]/g;
const QUOTED_SPECIAL = /[\\'\t\n\r]/;
const QUOTED_SPECIAL_G = /[\\'\t\n\r]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      return `\\${c}`; // \ and '
  }
}

/** A String cell. */
export function tsvText(s: string): string {
  return TOP_SPECIAL.test(s) ? s.replace(TOP_SPECIAL_G, escapeChar) : s;
}

/** A string inside an Array or Map cell: quoted. */
export function quoted(s: string): string {
  return `'${QUOTED_SPECIAL.test(s) ? s.replace(QUOTED_SPECIAL_G, escapeChar) : s}'`;
}

/** An Array(String) cell. */
export function tsvStringArray(values: readonly string[]): string {
  if (values.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + quoted(values[i]!);
  return `${out}]`;
}

const JSON_NEEDS_CARE = /[\\']/;
const DOUBLE_QUOTE = /"/g;

/**
 * A map as ClickHouse text from its JSON text, when that is safe: JSON.stringify formats the
 * numbers natively (much cheaper than String() per value in JS), and without any backslash or
 * single quote in the text, JSON's "…" strings are exactly ClickHouse's '…' strings.
 */
function fromJson(map: object): string | null {
  const json = JSON.stringify(map);
  return JSON_NEEDS_CARE.test(json) ? null : json.replace(DOUBLE_QUOTE, "'");
}

/** A Map(String, String) cell. */
export function tsvStringMap(map: Readonly<Record<string, string>>): string {
  const fast = fromJson(map);
  if (fast !== null) return fast;
  let out = '{';
  let first = true;
  for (const k in map) {
    out += `${first ? '' : ','}${quoted(k)}:${quoted(map[k]!)}`;
    first = false;
  }
  return `${out}}`;
}

/** A Map(String, Float64) cell; the values are finite numbers. */
export function tsvNumberMap(map: Readonly<Record<string, number>>): string {
  const fast = fromJson(map);
  if (fast !== null) return fast;
  let out = '{';
  let first = true;
  for (const k in map) {
    out += `${first ? '' : ','}${quoted(k)}:${String(map[k]!)}`;
    first = false;
  }
  return `${out}}`;
}

export function tsvTime(ms: number): string {
  return dateTime64Text(ms);
}

export function tsvNullable(text: string | null): string {
  return text === null ? NULL : text;
}

function tsvNullableBool(b: boolean | null): string {
  return b === null ? NULL : b ? 'true' : 'false';
}

/** Columns and how to turn a row into a line: what `insertRows` needs to insert TabSeparated. */
/** Columns and each row's line: text, or UTF-8 bytes already encoded (the writer's mapping thread). */
export type RowEncoding<R> = { readonly columns: readonly [string, ...string[]]; line(row: R): string | Uint8Array };

export const EVENT_COLUMNS = [
  'id', 'kind', 'ts', 'ingest_ts', 'partition_key', 'customer_id', 'counterparty_account', 'type', 'channel', 'debtor_country',
  'creditor_country', 'merchant_id', 'mcc', 'device_id', 'ip', 'amount', 'amount_minor', 'currency', 'amount_usd', 'label_patterns', 'raw',
] as const satisfies readonly (keyof EventRow)[];

/** An events row as one line, in EVENT_COLUMNS order. */
export function eventLine(r: EventRow): string {
  return (
    `${tsvText(r.id)}\t${r.kind}\t${r.ts}\t${tsvNullable(r.ingest_ts)}\t${tsvText(r.partition_key)}\t${tsvText(r.customer_id)}\t` +
    `${tsvText(r.counterparty_account)}\t${tsvText(r.type)}\t${tsvText(r.channel)}\t${tsvText(r.debtor_country)}\t${tsvText(r.creditor_country)}\t` +
    `${tsvText(r.merchant_id)}\t${tsvText(r.mcc)}\t${tsvText(r.device_id)}\t${tsvText(r.ip)}\t` +
    `${r.amount}\t${r.amount_minor}\t${tsvText(r.currency)}\t${r.amount_usd}\t${tsvStringArray(r.label_patterns)}\t${tsvText(r.raw)}\n`
  );
}

export const DECISION_COLUMNS = [
  'event_id', 'event_kind', 'event_ts', 'ingest_ts', 'decided_at', 'account_id', 'customer_id', 'counterparty_id', 'channel', 'payment_type',
  'country', 'counterparty_country', 'segment', 'amount', 'amount_minor', 'currency', 'amount_usd', 'score', 'action', 'reason_codes',
  'reasons', 'models', 'features', 'latency_processing_ms', 'latency_total_ms', 'has_labels', 'label_patterns', 'label_fraud', 'label_aml',
  'label_credit', 'label_scenario_id',
] as const satisfies readonly (keyof DecisionRow)[];

/** A decisions row as one line, in DECISION_COLUMNS order. */
export function decisionLine(r: DecisionRow): string {
  return (
    `${tsvText(r.event_id)}\t${r.event_kind}\t${r.event_ts}\t${tsvNullable(r.ingest_ts)}\t${r.decided_at}\t${tsvText(r.account_id)}\t` +
    `${tsvText(r.customer_id)}\t${tsvText(r.counterparty_id)}\t${tsvText(r.channel)}\t${tsvText(r.payment_type)}\t${r.country}\t` +
    `${r.counterparty_country}\t${r.segment}\t${r.amount}\t${r.amount_minor}\t${r.currency}\t${r.amount_usd}\t${r.score}\t${r.action}\t` +
    `${tsvStringArray(r.reason_codes)}\t${tsvText(r.reasons)}\t${tsvStringMap(r.models)}\t${tsvNumberMap(r.features)}\t` +
    `${r.latency_processing_ms}\t${r.latency_total_ms === null ? NULL : String(r.latency_total_ms)}\t${r.has_labels ? 'true' : 'false'}\t` +
    `${tsvStringArray(r.label_patterns)}\t${tsvNullableBool(r.label_fraud)}\t${tsvNullableBool(r.label_aml)}\t${tsvNullableBool(r.label_credit)}\t` +
    `${tsvText(r.label_scenario_id)}\n`
  );
}

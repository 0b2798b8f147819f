// The alert feed for the dashboard and compliance: newest first, filtered, paged with an opaque
// cursor (created_at, id) so that pages stay stable while new alerts arrive.
import { RiskstreamError, minorUnitsOf, type AlertWire, type Domain, type EventKind, type Reason, type Segment, type Severity } from '../../core/index.js';
import { decimalText, numberOf, qualified, selectRows, type SqlClient, type SqlParams } from '../sql.js';

export type AlertQuery = {
  readonly domain?: Domain;
  readonly severity?: Severity;
  readonly typology?: string;
  readonly segment?: Segment;
  /** Only alerts created at or after this time (epoch ms). */
  readonly since?: number;
  /** Page size, 1–500 (default 50). */
  readonly limit?: number;
  /** nextCursor of the previous page. */
  readonly cursor?: string | null;
};

/** An alert as stored, with its amount as exact decimal text in the alert's currency. */
export type StoredAlert = AlertWire & { readonly amount: string };

export type AlertPage = { readonly alerts: readonly StoredAlert[]; readonly nextCursor: string | null };

const MAX_LIMIT = 500;

// Computed columns get names of their own: an alias equal to a column name would replace the
// column in WHERE and ORDER BY too (ClickHouse resolves aliases first).
export type AlertCells = {
  id: string;
  event_id: string;
  event_kind: string;
  ts_ms: unknown;
  created_ms: unknown;
  domain: string;
  typology: string;
  severity: string;
  score: unknown;
  account_id: string;
  customer_id: string;
  segment: string;
  amount_text: string;
  amount_minor_text: unknown;
  currency: string;
  reasons: string;
};

/** The stored columns of an alert, read as AlertCells (shared by every reader of alerts). */
export const ALERT_SELECT = `id, event_id, event_kind, toUnixTimestamp64Milli(ts) AS ts_ms, toUnixTimestamp64Milli(created_at) AS created_ms,
            domain, typology, severity, score, account_id, customer_id, segment,
            toString(amount) AS amount_text, toString(amount_minor) AS amount_minor_text, currency, reasons`;

// Each optional filter is a fixed SQL fragment with a bound parameter; values never enter the text.
const FILTERS = {
  domain: 'domain = {domain:String}',
  severity: 'severity = {severity:String}',
  typology: 'typology = {typology:String}',
  segment: 'segment = {segment:String}',
  since: 'created_at >= fromUnixTimestamp64Milli({since:Int64})',
} as const;

export async function listAlerts(client: SqlClient, database: string, query: AlertQuery): Promise<AlertPage> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RiskstreamError('RS_ERR_BAD_REQUEST', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  const where: string[] = [];
  const params: SqlParams = { limit: limit + 1 };
  for (const key of Object.keys(FILTERS) as Array<keyof typeof FILTERS>) {
    const value = query[key];
    if (value === undefined) continue;
    where.push(FILTERS[key]);
    params[key] = value;
  }
  if (query.cursor) {
    const [createdAt, id] = decodeCursor(query.cursor);
    where.push('(created_at, id) < (fromUnixTimestamp64Milli({cursorTs:Int64}), {cursorId:String})');
    params.cursorTs = createdAt;
    params.cursorId = id;
  }
  const rows = await selectRows<AlertCells>(
    client,
    `SELECT ${ALERT_SELECT}
     FROM ${qualified(database, 'alerts')} FINAL
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC
     LIMIT {limit:UInt32}`,
    params,
  );
  const page = rows.slice(0, limit).map(toStored);
  const last = page[page.length - 1];
  return { alerts: page, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

export function toStored(row: AlertCells): StoredAlert {
  return {
    v: 1,
    id: row.id,
    eventId: row.event_id,
    eventKind: row.event_kind as EventKind,
    ts: numberOf(row.ts_ms),
    createdAt: numberOf(row.created_ms),
    domain: row.domain as Domain,
    typology: row.typology,
    severity: row.severity as Severity,
    score: numberOf(row.score),
    accountId: row.account_id,
    customerId: row.customer_id,
    segment: row.segment as Segment,
    amountMinor: numberOf(row.amount_minor_text),
    currency: row.currency,
    reasons: JSON.parse(row.reasons) as Reason[],
    amount: decimalText(row.amount_text, minorUnitsOf(row.currency)),
  };
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return [value[0] as number, value[1]];
    }
  } catch {
    // fall through
  }
  throw new RiskstreamError('RS_ERR_BAD_REQUEST', 'the cursor is not one this API returned');
}

// Maps an event from RS_EVENTS (the wire JSON as validated at ingest) into an `events` row,
// re-validating it so that amounts are minor units and times milliseconds, as everywhere else.
import {
  EventId,
  eventTime,
  jsonTextErrors,
  formatMinor,
  hasReportingRate,
  isEventKind,
  kindToken,
  MONEY_FIELDS,
  parseAmount,
  reportingAmountText,
  validateEvent,
  type EventKind,
  type ValidatedEvent,
} from '../../../core/index.js';
import { isPlausibleMs } from '../../sql.js';
import { moneyColumns, nullableTimeText, parsePayload, refused, timeText, type MoneyColumns, type RowOutcome, type WireMessage } from './row-outcome.js';

export type EventRow = MoneyColumns & {
  readonly id: string;
  readonly kind: string;
  readonly ts: string;
  readonly ingest_ts: string | null;
  readonly partition_key: string;
  readonly customer_id: string;
  readonly counterparty_account: string;
  readonly type: string;
  readonly channel: string;
  readonly debtor_country: string;
  readonly creditor_country: string;
  readonly merchant_id: string;
  readonly mcc: string;
  readonly device_id: string;
  readonly ip: string;
  readonly label_patterns: readonly string[];
  readonly raw: string;
};

type Loose = Readonly<Record<string, unknown>>;

function field(o: unknown, key: string): string {
  if (typeof o !== 'object' || o === null) return '';
  const value = (o as Loose)[key];
  return typeof value === 'string' ? value : '';
}

export function eventRow(message: WireMessage, now: number = Date.now()): RowOutcome<EventRow> {
  const parsed = parsePayload(message.data);
  if (!parsed.ok) return refused('RS_ERR_BUS_JSON', parsed.reason);
  const result = validateEvent(parsed.value, undefined, now);
  // a field named twice is read two ways (the raw text's first copy, the parsed value's last), a lone
  // surrogate becomes U+FFFD in storage: refused as the processors refuse them
  const textErrors = jsonTextErrors(parsed.text, parsed.value);
  if (!result.ok || textErrors.length > 0) {
    return refused('RS_ERR_BUS_SCHEMA', [...textErrors, ...(result.ok ? [] : result.errors)].map((e) => `${e.path || '/'} ${e.message}`).join('; '));
  }
  const event = result.event;
  // A header outside the range DateTime64 columns accept would fail the insert: treat it as absent.
  const ingestTs = message.ingestTs !== null && isPlausibleMs(message.ingestTs) ? message.ingestTs : null;
  // Subjects are rs.ev.<kind>.<partition>: a kind that disagrees with its subject was misrouted.
  const subjectKind = message.subject.split('.')[2];
  if (subjectKind !== kindToken(event.kind)) {
    return refused('RS_ERR_BUS_SUBJECT', `an event of kind ${event.kind} arrived on ${message.subject}`);
  }
  return {
    ok: true,
    key: event.id,
    row: toRow(event, ingestTs, parsed.text),
    recencyMs: ingestTs ?? event.ts,
  };
}

function toRow(event: ValidatedEvent, ingestTs: number | null, raw: string): EventRow {
  const body = event.body as Loose;
  const payment = event.kind === 'payment';
  return {
    id: event.id,
    kind: event.kind,
    ts: timeText(event.ts),
    ingest_ts: nullableTimeText(ingestTs),
    partition_key: event.partitionKey,
    customer_id: event.customerId,
    counterparty_account: payment ? field(body.creditor, 'accountId') : '',
    type: field(body, 'type'),
    channel: field(body, 'channel'),
    // Customers have one country; for payments it is the debtor's, the side that pays.
    debtor_country: payment ? field(body.debtor, 'country') : field(body, 'country'),
    creditor_country: payment ? field(body.creditor, 'country') : '',
    merchant_id: field(body.merchant, 'id'),
    mcc: field(body.merchant, 'mcc'),
    device_id: field(body.device, 'id'),
    ip: field(body.device, 'ip'),
    ...moneyColumns(event.amountMinor, event.currency),
    label_patterns: event.labels?.patterns ?? [],
    raw,
  };
}

/** An event id or reference: the contracts allow at most 128 characters. */
const MAX_ID = 128;

function idText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
}

/**
 * The contract's event id, checked in full: it is the dedup key here and the key every reader
 * looks events up by (GET /v1/decisions refuses any other), and the processors dead-letter an event
 * without one; stored, " a" or "a\u0000" would be an event no one can find, and never decided.
 */
const EVENT_ID = new RegExp(EventId.pattern!);

/**
 * The writer's mapper: a structural check instead of the full contract for an event stamped with
 * its ingest time (Rs-Ingest-Ts) by one of riskstream's producers, which validated it before
 * publishing it, so the writer only makes sure that what it stores is well formed —
 * the id, kind (matching the subject), time, partition key, labels, and the amount, parsed
 * exactly from its decimal text in its currency's minor units (`parseAmount`, never a float).
 * Anything this check does not accept goes through `eventRow`, the full re-validation, which
 * either stores it after all or refuses it with the field that is wrong: a garbage message gets
 * the same dead letter, with the same reason, as before.
 */
export function fastEventRow(message: WireMessage): RowOutcome<EventRow> {
  // Only riskstream's own producers stamp Rs-Ingest-Ts, after the contract passed (the gateway,
  // simulate, replay, the demo, bench); an event without it came from another producer, and gets
  // the whole contract, as the processors give it: stored here while they dead-letter it, it was
  // an event with no decision.
  if (message.ingestTs === null) return eventRow(message);
  const parsed = parsePayload(message.data);
  if (!parsed.ok) return refused('RS_ERR_BUS_JSON', parsed.reason);
  const row = jsonTextErrors(parsed.text, parsed.value).length === 0 ? structuralRow(parsed.value, message, parsed.text) : null;
  return row ?? eventRow(message);
}

function structuralRow(value: unknown, message: WireMessage, raw: string): { ok: true; key: string; row: EventRow; recencyMs: number } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Loose;
  const kind = o.kind;
  if (o.v !== 1 || !isEventKind(kind) || !idText(o.id) || !EVENT_ID.test(o.id) || typeof o.ts !== 'string') return null;
  // Subjects are <namespace>.ev.<kind>.<partition>: the third token, as eventRow reads it.
  const subject = message.subject;
  const second = subject.indexOf('.', subject.indexOf('.') + 1);
  const third = subject.indexOf('.', second + 1);
  if (second < 0 || subject.slice(second + 1, third < 0 ? undefined : third) !== kindToken(kind)) return null;
  // the contract's reading of the time (RFC 3339 only: Date.parse also takes +0100, which the processors refuse)
  const ts = eventTime(o.ts);
  if (!isPlausibleMs(ts)) return null;
  const payment = kind === 'payment';
  const debtor = payment ? o.debtor : undefined;
  const partitionKey = partitionKeyOf(kind, o, debtor);
  if (!idText(partitionKey)) return null;
  const customerId = payment ? (debtor as Loose).customerId : o.customerId;
  if (customerId !== undefined && typeof customerId !== 'string') return null;
  let minor = 0;
  let currency = '';
  const main = MONEY_FIELDS[kind][0];
  if (main !== undefined) {
    if (o.currency !== undefined && typeof o.currency !== 'string') return null;
    currency = (o.currency as string | undefined) ?? '';
    const amount = o[main];
    if (amount !== undefined) {
      if (typeof amount !== 'string') return null;
      const money = parseAmount(amount, currency);
      // a currency without a USD rate is refused by the contract (fx_rate); stored here, its
      // amount_usd would read as 1:1 of major units
      if (!money.ok || !hasReportingRate(currency)) return null;
      minor = money.minor;
    }
  } else if (o.currency !== undefined) {
    return null;
  }
  let patterns: readonly string[] = NO_PATTERNS;
  if (o.labels !== undefined) {
    const labels = o.labels as Loose | null;
    if (typeof labels !== 'object' || labels === null || !Array.isArray(labels.patterns)) return null;
    for (const p of labels.patterns as unknown[]) if (typeof p !== 'string' || p.length > 64) return null;
    patterns = labels.patterns as string[];
  }
  const ingestTs = message.ingestTs !== null && isPlausibleMs(message.ingestTs) ? message.ingestTs : null;
  const creditor = payment ? o.creditor : undefined;
  const row: EventRow = {
    id: o.id,
    kind,
    ts: timeText(ts),
    ingest_ts: nullableTimeText(ingestTs),
    partition_key: partitionKey,
    customer_id: (customerId as string | undefined) ?? '',
    counterparty_account: payment ? field(creditor, 'accountId') : '',
    type: field(o, 'type'),
    channel: field(o, 'channel'),
    debtor_country: payment ? field(debtor, 'country') : field(o, 'country'),
    creditor_country: payment ? field(creditor, 'country') : '',
    merchant_id: field(o.merchant, 'id'),
    mcc: field(o.merchant, 'mcc'),
    device_id: field(o.device, 'id'),
    ip: field(o.device, 'ip'),
    amount: formatMinor(minor, currency),
    amount_minor: minor,
    currency,
    amount_usd: reportingAmountText(minor, currency),
    label_patterns: patterns,
    raw,
  };
  return { ok: true, key: o.id, row, recencyMs: ingestTs ?? ts };
}

const NO_PATTERNS: readonly string[] = Object.freeze([]);

function partitionKeyOf(kind: EventKind, o: Loose, debtor: unknown): unknown {
  switch (kind) {
    case 'payment':
      return typeof debtor === 'object' && debtor !== null ? (debtor as Loose).accountId : undefined;
    case 'collateral.valuation':
      return o.loanId ?? o.customerId ?? o.collateralId;
    default:
      return o.customerId;
  }
}

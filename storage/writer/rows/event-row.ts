// Maps an event from RS_EVENTS (the wire JSON as validated at ingest) into an `events` row,
// re-validating it so that amounts are minor units and times milliseconds, as everywhere else.
import { kindToken, validateEvent, type ValidatedEvent } from '../../../core/index.js';
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
  if (!result.ok) {
    return refused('RS_ERR_BUS_SCHEMA', result.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; '));
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

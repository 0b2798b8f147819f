// Maps an alert from RS_ALERTS (AlertWire, JSON) into an `alerts` row.
import { DOMAINS, EVENT_KINDS, SEGMENTS, SEVERITIES } from '../../../core/index.js';
import { MAX_SCORE, reasonsOf } from './decision-row.js';
import { mapWire, moneyColumns, timeText, type MoneyColumns, type RowOutcome, type WireMessage } from './row-outcome.js';
import { currencyCode, epochMs, integer, nonEmptyText, objectAt, oneOf, text, WireFieldError } from './wire-fields.js';

export type AlertRow = MoneyColumns & {
  readonly id: string;
  readonly event_id: string;
  readonly event_kind: string;
  readonly ts: string;
  readonly created_at: string;
  readonly domain: string;
  readonly typology: string;
  readonly severity: string;
  readonly score: number;
  readonly account_id: string;
  readonly customer_id: string;
  readonly segment: string;
  readonly reason_codes: readonly string[];
  readonly reasons: string;
};

export function alertRow(message: WireMessage): RowOutcome<AlertRow> {
  return mapWire(message.data, (value) => {
    const o = objectAt(value, '');
    if (o.v !== 1) throw new WireFieldError('/v', 'must be 1');
    const reasons = reasonsOf(o);
    const createdAt = epochMs(o, 'createdAt');
    const row: AlertRow = {
      id: nonEmptyText(o, 'id', '', 256),
      event_id: nonEmptyText(o, 'eventId', '', 128),
      event_kind: oneOf(o, 'eventKind', EVENT_KINDS),
      ts: timeText(epochMs(o, 'ts')),
      created_at: timeText(createdAt),
      domain: oneOf(o, 'domain', DOMAINS),
      typology: nonEmptyText(o, 'typology', '', 128),
      severity: oneOf(o, 'severity', SEVERITIES),
      score: integer(o, 'score', 0, MAX_SCORE),
      account_id: text(o, 'accountId', '', 256),
      customer_id: text(o, 'customerId', '', 256),
      segment: oneOf(o, 'segment', SEGMENTS),
      ...moneyColumns(integer(o, 'amountMinor', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), currencyCode(o, 'currency')),
      reason_codes: reasons.map((r) => r.code),
      reasons: JSON.stringify(reasons),
    };
    return { ok: true, key: row.id, row, recencyMs: createdAt };
  });
}

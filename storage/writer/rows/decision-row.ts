// Maps a decision from RS_DECISIONS (DecisionWire, JSON) into a `decisions` row.
import { ACTIONS, EVENT_KINDS, SEGMENTS, type Reason } from '../../../core/index.js';
import { mapWire, moneyColumns, nullableTimeText, timeText, type MoneyColumns, type RowOutcome, type WireMessage } from './row-outcome.js';
import {
  addedCountryCode,
  addedText,
  currencyCode,
  epochMs,
  finite,
  integer,
  isFiniteNumber,
  isString,
  nonEmptyText,
  nullable,
  objectAt,
  oneOf,
  optionalBoolean,
  record,
  text,
  textArray,
  WireFieldError,
  type WireObject,
} from './wire-fields.js';

export type DecisionRow = MoneyColumns & {
  readonly event_id: string;
  readonly event_kind: string;
  readonly event_ts: string;
  readonly ingest_ts: string | null;
  readonly decided_at: string;
  readonly account_id: string;
  readonly customer_id: string;
  readonly counterparty_id: string;
  readonly channel: string;
  readonly payment_type: string;
  readonly country: string;
  readonly counterparty_country: string;
  readonly segment: string;
  readonly score: number;
  readonly action: string;
  readonly reason_codes: readonly string[];
  readonly reasons: string;
  readonly models: Readonly<Record<string, string>>;
  readonly features: Readonly<Record<string, number>>;
  readonly latency_processing_ms: number;
  readonly latency_total_ms: number | null;
  readonly has_labels: boolean;
  readonly label_patterns: readonly string[];
  readonly label_fraud: boolean | null;
  readonly label_aml: boolean | null;
  readonly label_credit: boolean | null;
  /** labels.scenarioId, '' when none (migration 005). */
  readonly label_scenario_id: string;
};

/** Scores are 0–1000 by contract; the column is UInt16. */
export const MAX_SCORE = 1000;

export function reasonsOf(o: WireObject): Reason[] {
  const value = o.reasons;
  if (!Array.isArray(value)) throw new WireFieldError('/reasons', 'must be an array');
  return value.map((item, i) => {
    const r = objectAt(item, `/reasons/${i}`);
    const path = `/reasons/${i}`;
    const reason = { code: nonEmptyText(r, 'code', path, 128), scorer: text(r, 'scorer', path, 128), points: finite(r, 'points', path), text: text(r, 'text', path, 2048) };
    if (r.texts === undefined) return reason;
    const texts = objectAt(r.texts, `${path}/texts`);
    for (const language of Object.keys(texts)) text(texts, language, `${path}/texts`, 2048);
    return { ...reason, texts: texts as Record<string, string> };
  });
}

export function decisionRow(message: WireMessage): RowOutcome<DecisionRow> {
  return mapWire(message.data, (value) => {
    const o = objectAt(value, '');
    if (o.v !== 1) throw new WireFieldError('/v', 'must be 1');
    const reasons = reasonsOf(o);
    const latency = objectAt(o.latencyMs, '/latencyMs');
    const labels = o.labels === undefined ? null : objectAt(o.labels, '/labels');
    const decidedAt = epochMs(o, 'decidedAt');
    const row: DecisionRow = {
      event_id: nonEmptyText(o, 'eventId', '', 128),
      event_kind: oneOf(o, 'eventKind', EVENT_KINDS),
      event_ts: timeText(epochMs(o, 'eventTs')),
      ingest_ts: nullableTimeText(nullable(o, 'ingestTs', epochMs)),
      decided_at: timeText(decidedAt),
      account_id: text(o, 'accountId', '', 256),
      customer_id: text(o, 'customerId', '', 256),
      counterparty_id: text(o, 'counterpartyId', '', 256),
      // Added to DecisionWire v1 later: decisions published before that are stored with ''.
      channel: addedText(o, 'channel', '', 64),
      payment_type: addedText(o, 'paymentType', '', 64),
      country: addedCountryCode(o, 'country'),
      counterparty_country: addedCountryCode(o, 'counterpartyCountry'),
      segment: oneOf(o, 'segment', SEGMENTS),
      ...moneyColumns(integer(o, 'amountMinor', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), currencyCode(o, 'currency')),
      score: integer(o, 'score', 0, MAX_SCORE),
      action: oneOf(o, 'action', ACTIONS),
      reason_codes: reasons.map((r) => r.code),
      reasons: JSON.stringify(reasons),
      models: record(o, 'models', isString, 'a string'),
      features: record(o, 'features', isFiniteNumber, 'a finite number'),
      latency_processing_ms: finite(latency, 'processing', '/latencyMs'),
      latency_total_ms: nullable(latency, 'total', (l, k) => finite(l, k, '/latencyMs')),
      has_labels: labels !== null,
      label_patterns: labels === null ? [] : textArray(labels, 'patterns', '/labels'),
      label_fraud: labels === null ? null : optionalBoolean(labels, 'fraud', '/labels'),
      label_aml: labels === null ? null : optionalBoolean(labels, 'aml', '/labels'),
      label_credit: labels === null ? null : optionalBoolean(labels, 'credit', '/labels'),
      label_scenario_id: labels === null ? '' : addedText(labels, 'scenarioId', '/labels', 128),
    };
    return { ok: true, key: row.event_id, row, recencyMs: decidedAt };
  });
}

// Reading a stored decision back as the wire shape the API serves (DecisionWire), exactly: amounts
// come from the integer minor units, times from the millisecond columns.
import type { Action, DecisionWire, EventKind, Reason, Segment } from '../../core/index.js';
import { nullableNumberOf, numberOf, qualified, selectRows, type SqlClient } from '../sql.js';

// Computed columns are named apart from the table's columns (an alias would shadow the column).
export type DecisionCells = {
  event_id: string;
  event_kind: string;
  event_ms: unknown;
  ingest_ms: unknown;
  decided_ms: unknown;
  account_id: string;
  customer_id: string;
  counterparty_id: string;
  channel: string;
  payment_type: string;
  country: string;
  counterparty_country: string;
  segment: string;
  amount_minor_text: unknown;
  currency: string;
  score: unknown;
  action: string;
  reasons: string;
  models: Record<string, string>;
  features: Record<string, unknown>;
  latency_processing_ms: unknown;
  latency_total_ms: unknown;
  has_labels: boolean;
  label_patterns: string[];
  label_fraud: boolean | null;
  label_aml: boolean | null;
  label_credit: boolean | null;
  label_scenario_id: string;
};

// The stored columns of a decision, read as DecisionCells (shared by every reader of decisions).
export const DECISION_SELECT = `event_id, event_kind,
            toUnixTimestamp64Milli(event_ts) AS event_ms, toUnixTimestamp64Milli(ingest_ts) AS ingest_ms,
            toUnixTimestamp64Milli(decided_at) AS decided_ms,
            account_id, customer_id, counterparty_id, channel, payment_type, country, counterparty_country, segment, toString(amount_minor) AS amount_minor_text, currency,
            score, action, reasons, models, features, latency_processing_ms, latency_total_ms,
            has_labels, label_patterns, label_fraud, label_aml, label_credit, label_scenario_id`;

export async function getDecision(client: SqlClient, database: string, eventId: string): Promise<DecisionWire | null> {
  const rows = await selectRows<DecisionCells>(
    client,
    `SELECT ${DECISION_SELECT}
     FROM ${qualified(database, 'decisions')} FINAL
     WHERE event_id = {eventId:String}
     LIMIT 1`,
    { eventId },
  );
  const row = rows[0];
  return row ? toWire(row) : null;
}

/**
 * The decision on an event whose time is known (an alert carries it): bounded to the event's day
 * either side, so that only a few partitions are read whatever the table's sort key.
 */
export async function getDecisionAt(client: SqlClient, database: string, eventId: string, eventTs: number): Promise<DecisionWire | null> {
  const rows = await selectRows<DecisionCells>(
    client,
    `SELECT ${DECISION_SELECT}
     FROM ${qualified(database, 'decisions')}
     WHERE event_id = {eventId:String}
       AND event_ts >= fromUnixTimestamp64Milli({eventTs:Int64}) - INTERVAL 1 DAY
       AND event_ts <= fromUnixTimestamp64Milli({eventTs:Int64}) + INTERVAL 1 DAY
     LIMIT 1`,
    { eventId, eventTs },
  );
  const row = rows[0];
  return row ? toWire(row) : null;
}

export function toWire(row: DecisionCells): DecisionWire {
  const features: Record<string, number> = {};
  for (const [name, value] of Object.entries(row.features)) features[name] = numberOf(value);
  return {
    v: 1,
    eventId: row.event_id,
    eventKind: row.event_kind as EventKind,
    eventTs: numberOf(row.event_ms),
    ingestTs: nullableNumberOf(row.ingest_ms),
    decidedAt: numberOf(row.decided_ms),
    accountId: row.account_id,
    customerId: row.customer_id,
    counterpartyId: row.counterparty_id,
    channel: row.channel,
    paymentType: row.payment_type,
    country: row.country,
    counterpartyCountry: row.counterparty_country,
    segment: row.segment as Segment,
    amountMinor: numberOf(row.amount_minor_text),
    currency: row.currency,
    score: numberOf(row.score),
    action: row.action as Action,
    reasons: JSON.parse(row.reasons) as Reason[],
    models: row.models,
    features,
    latencyMs: { processing: numberOf(row.latency_processing_ms), total: nullableNumberOf(row.latency_total_ms) },
    ...(row.has_labels
      ? {
          labels: {
            patterns: row.label_patterns,
            ...(row.label_fraud === null ? {} : { fraud: row.label_fraud }),
            ...(row.label_aml === null ? {} : { aml: row.label_aml }),
            ...(row.label_credit === null ? {} : { credit: row.label_credit }),
            ...(row.label_scenario_id === '' ? {} : { scenarioId: row.label_scenario_id }),
          },
        }
      : {}),
  };
}

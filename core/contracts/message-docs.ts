// Hand-written field documentation of the processors' outputs (DecisionWire, AlertWire,
// DeadLetterWire). They are TypeScript types, not schemas, so there is nothing to walk; instead
// each table is keyed by the type's own keys, and the compiler fails when a field is added to a
// wire type without a line here (or a line outlives its field).
import { names, partitionOf } from '../names.js';
import type { AlertWire, DeadLetterWire, DecisionWire, Reason } from './decision.js';

export type MessageFieldDoc = { readonly type: string; readonly description: string };
type FieldDocs<T> = { readonly [K in keyof T]-?: MessageFieldDoc };

const ACCOUNT_OF_EVENT =
  "The event's partition key: the debtor account for payments, the loan (else customer, else collateral) for collateral valuations, the customer for the other kinds.";

export const REASON_FIELDS: FieldDocs<Reason> = {
  code: { type: 'string', description: 'Stable code of what fired: a rule id such as `FR-NEWDEV-AMT`, or `RS_ERR_SCORER` when a scorer failed.' },
  scorer: { type: 'string', description: 'The scorer that gave the reason, as in `models` (for example `fraud_rules`).' },
  points: { type: 'number', description: 'How much this reason added to the score (0 to 1000).' },
  text: { type: 'string', description: 'The reason in words for a person, with the numbers that made it fire.' },
  texts: { type: 'object', description: 'Optional: the same words in other languages, by language tag, for example `{"zh-CN": "…"}` (the starter fraud rules have Chinese).' },
};

export const DECISION_FIELDS: FieldDocs<DecisionWire> = {
  v: { type: 'number', description: 'Message version, always 1.' },
  eventId: { type: 'string', description: "The event's `id`; also this message's `Nats-Msg-Id`, so a re-processed event cannot publish a second decision inside the duplicate window (and beyond it the processors leave out what an earlier attempt published: docs/decisions/0001)." },
  eventKind: { type: 'string', description: 'The event `kind`.' },
  eventTs: { type: 'integer', description: 'Event time (`ts`), epoch milliseconds UTC.' },
  ingestTs: { type: 'integer or null', description: 'When the gateway or publisher accepted the event (the `Rs-Ingest-Ts` header), epoch ms; null when the event reached the bus without it (or with one that is not whole epoch ms from 2000 to 2100).' },
  decidedAt: { type: 'integer', description: 'When the processor decided, epoch ms.' },
  accountId: { type: 'string', description: ACCOUNT_OF_EVENT },
  customerId: {
    type: 'string',
    description:
      "The customer: `debtor.customerId` for payments — when not sent, the customer whose latest `customer` event lists the debtor account in `accounts` (empty when none does, or when its holder's later event no longer lists it) — and the event's `customerId` otherwise.",
  },
  counterpartyId: { type: 'string', description: "`creditor.accountId` for payments; empty for other kinds." },
  channel: { type: 'string', description: 'The payment `channel` (`mobile`, `online`, `pos`, …); empty for other kinds. Storage cuts the per-minute decision KPIs by it.' },
  paymentType: { type: 'string', description: 'The payment `type` (`card`, `transfer`, …); empty for other kinds.' },
  country: {
    type: 'string',
    description:
      "The payer's country, ISO 3166-1 alpha-2: `debtor.country` for payments, `country` for customer events; otherwise (loans, collateral, a payment without `debtor.country`) the country of the customer's latest `customer` event; empty when none is known. Storage cuts the per-minute decision KPIs by it.",
  },
  counterpartyCountry: { type: 'string', description: '`creditor.country` for payments (ISO 3166-1 alpha-2); empty when not sent and for other kinds.' },
  segment: { type: 'string', description: 'The customer segment from the latest `customer` event (`vip`, `important`, `standard`); `standard` when the customer is unknown.' },
  amountMinor: { type: 'integer', description: "The event's main amount in integer minor units of `currency` (`amount`, `amountDue` or `value`); 0 for customer events." },
  currency: { type: 'string', description: "The event's currency; empty for customer events." },
  score: { type: 'integer', description: 'The fraud score, 0 to 1000: the highest score of the fraud scorers; 0 when none applied.' },
  action: { type: 'string', description: '`allow`, `review` or `block`, from the fraud score and the review/block thresholds of the segment. AML never sets the action.' },
  reasons: { type: 'Reason[]', description: 'Fraud and credit reasons, highest points first. AML reasons travel only in AML alerts, never in the decision, so that nothing the payer sees can tip them off.' },
  models: { type: 'object', description: 'Scorer name to the version of the model or rule set that was consulted, for example `{"fraud_rules": "fraud-starter-1.0.0"}`.' },
  features: { type: 'object', description: 'The features the scorers saw, name to number (amounts in USD cents), for explanations and drill-down. A feature that was not a finite number (a feature-store fault) is left out.' },
  latencyMs: { type: 'object', description: 'How long this decision took, in milliseconds.' },
  labels: { type: 'object (optional)', description: "A copy of the event's `labels`, so that detection can be measured downstream; absent when the event had none. Never read by scorers." },
};

export const DECISION_LATENCY_FIELDS: FieldDocs<DecisionWire['latencyMs']> = {
  processing: { type: 'integer', description: "Milliseconds the processor spent on the event's micro-batch before scoring it (parsing, validation, features)." },
  total: { type: 'integer or null', description: 'Milliseconds from `ingestTs` to `decidedAt`; null when `ingestTs` is null.' },
};

export const ALERT_FIELDS: FieldDocs<AlertWire> = {
  v: { type: 'number', description: 'Message version, always 1.' },
  id: { type: 'string', description: '`<eventId>~<domain>~<typology>`: derived, not random, so a redelivered event republishes the same alert id and JetStream drops the copy. Also its `Nats-Msg-Id`.' },
  eventId: { type: 'string', description: 'The event that raised the alert.' },
  eventKind: { type: 'string', description: 'The event `kind`.' },
  ts: { type: 'integer', description: 'Event time of that event, epoch ms.' },
  createdAt: { type: 'integer', description: 'When the alert was raised, epoch ms.' },
  domain: { type: 'string', description: '`fraud`, `aml` or `credit`; the alert goes to subject `<ns>.alert.<domain>`.' },
  typology: { type: 'string', description: 'What pattern was seen, snake_case (for example `velocity`, `account_takeover`, `structuring`).' },
  severity: { type: 'string', description: '`low`, `medium`, `high` or `critical`.' },
  score: { type: 'number', description: 'The score of the typology, 0 to 1000.' },
  accountId: { type: 'string', description: ACCOUNT_OF_EVENT },
  customerId: { type: 'string', description: 'As in the decision.' },
  segment: { type: 'string', description: 'As in the decision.' },
  amountMinor: { type: 'integer', description: 'As in the decision.' },
  currency: { type: 'string', description: 'As in the decision.' },
  reasons: { type: 'Reason[]', description: 'Why the alert was raised, highest points first (same shape as in the decision).' },
};

export const DEAD_LETTER_FIELDS: FieldDocs<DeadLetterWire> = {
  v: { type: 'number', description: 'Message version, always 1.' },
  source: { type: 'string', description: 'Who gave up on the message: `processors` or `writer` (the storage writer); the letter goes to `<ns>.dlq.<source>`.' },
  subject: { type: 'string', description: 'The subject the original message was on.' },
  streamSeq: { type: 'integer or null', description: 'Its sequence in its stream. With the source and the stream name it forms the letter\'s `Nats-Msg-Id` (`dlq:processors:<stream>:<seq>`, `writer:<stream>:<seq>`), so a redelivered message is not filed twice.' },
  code: { type: 'string', description: 'Why, as a code of docs/errors.md: `RS_ERR_BUS_JSON`, `RS_ERR_BUS_SCHEMA`, `RS_ERR_BUS_SUBJECT`, `RS_ERR_SCORER`, `RS_ERR_STORAGE_ROW`.' },
  reason: { type: 'string', description: 'The reason in words (for schema problems, every failing path and rule).' },
  at: { type: 'integer', description: 'When it was dead-lettered, epoch ms.' },
  payload: { type: 'string', description: 'The original message as text, cut at 64 KiB.' },
};

/** What the decision for the first payment example could look like (illustrative numbers). */
export const EXAMPLE_DECISION: DecisionWire = {
  v: 1,
  eventId: 'pay-0001',
  eventKind: 'payment',
  eventTs: Date.parse('2026-11-29T10:15:00.000Z'),
  ingestTs: Date.parse('2026-11-29T10:15:00.004Z'),
  decidedAt: Date.parse('2026-11-29T10:15:00.009Z'),
  accountId: 'ACC-1',
  customerId: 'C-1',
  counterpartyId: 'ACC-2',
  channel: 'mobile',
  paymentType: 'transfer',
  country: 'US',
  counterpartyCountry: 'GB',
  segment: 'standard',
  amountMinor: 125000,
  currency: 'USD',
  score: 580,
  action: 'review',
  reasons: [
    { code: 'FR-NEWDEV-AMT', scorer: 'fraud_rules', points: 300, text: 'USD 1,250.00 from a device never used on this account before (from USD 1,000.00)' },
    { code: 'FR-ATO-PAYOUT', scorer: 'fraud_rules', points: 250, text: 'USD 1,250.00 to a new payee from a new device (from USD 500.00)' },
    { code: 'FR-NEWIP-NEWDEV', scorer: 'fraud_rules', points: 200, text: 'a device and an IP address never seen on this account before, used together' },
  ],
  models: { fraud_rules: 'fraud-starter-1.0.0' },
  features: { amount: 125000, out_count_1h: 1, new_device: 1, new_ip: 1, new_payee: 1, history_count: 14, customer_known: 1 },
  latencyMs: { processing: 2, total: 5 },
};

export const EXAMPLE_ALERT: AlertWire = {
  v: 1,
  id: 'pay-0001~fraud~account_takeover',
  eventId: 'pay-0001',
  eventKind: 'payment',
  ts: Date.parse('2026-11-29T10:15:00.000Z'),
  createdAt: Date.parse('2026-11-29T10:15:00.009Z'),
  domain: 'fraud',
  typology: 'account_takeover',
  severity: 'medium',
  score: 580,
  accountId: 'ACC-1',
  customerId: 'C-1',
  segment: 'standard',
  amountMinor: 125000,
  currency: 'USD',
  reasons: EXAMPLE_DECISION.reasons,
};

export const EXAMPLE_DEAD_LETTER: DeadLetterWire = {
  v: 1,
  source: 'processors',
  // The subject ACC-3 really maps to under the default namespace and partitions.
  subject: names('rs').eventSubject('payment', partitionOf('ACC-3', 16)),
  streamSeq: 81234,
  code: 'RS_ERR_BUS_SCHEMA',
  reason: '/amount must be a non-negative decimal string such as "1250.00" (not a number, not negative)',
  at: Date.parse('2026-11-29T10:15:01.020Z'),
  payload: '{"v":1,"kind":"payment","id":"pay-0099","ts":"2026-11-29T10:15:01.000Z","type":"transfer","channel":"api","amount":"-5.00","currency":"USD","debtor":{"accountId":"ACC-3"},"creditor":{"accountId":"ACC-4"}}',
};

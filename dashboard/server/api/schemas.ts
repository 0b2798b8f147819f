// JSON schemas (TypeBox) of the data API: what each route accepts in its path and query, and the
// shape of every answer (protocol.ts in schema form). Fastify validates requests with them,
// serialises answers with them, and @fastify/swagger publishes them as the OpenAPI document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CHANNELS, DOMAINS, EVENT_KINDS, SEGMENTS, SEVERITIES } from '../../../core/index.js';
import { MAX_CREDIT_MINUTES, MAX_DEAD_LETTERS, MAX_HOPS, MAX_KPI_MINUTES, MAX_NETWORK_NODES, MAX_TIMELINE_LIMIT } from '../../../storage/index.js';
import { ErrorAnswer } from '../error-schema.js';

const enumOf = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Epoch milliseconds between 2000 and 2100 (what the storage accepts). */
const EpochMs = (description: string) => Type.Integer({ minimum: Date.UTC(2000, 0, 1), maximum: Date.UTC(2100, 0, 1) - 1, description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const Since = EpochMs('Look back to this time (epoch ms); default: 7 days ago. Every read is bounded by it.');

// ---------------------------------------------------------------------------------------------
// Requests

export const AlertsQuery = Type.Object({
  domain: Type.Optional(enumOf(DOMAINS, 'Only this domain (a credit officer sees credit alerts only).')),
  severity: Type.Optional(enumOf(SEVERITIES)),
  typology: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  segment: Type.Optional(enumOf(SEGMENTS)),
  since: Type.Optional(EpochMs('Only alerts created at or after this time (epoch ms); default: 7 days ago.')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size.' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'nextCursor of the previous page.' })),
});
export type AlertsQuery = Static<typeof AlertsQuery>;

export const IdParams = Type.Object({ id: Id('The account id.') });
export type IdParams = Static<typeof IdParams>;

/** An alert id is `<event id>~<domain>~<typology>`: an event id of 128 characters and more. */
export const AlertIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256, description: 'The alert id.' }) });
export type AlertIdParams = Static<typeof AlertIdParams>;

export const AlertQuery = Type.Object({ since: Type.Optional(Since) });
export type AlertQuery = Static<typeof AlertQuery>;

export const AccountQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TIMELINE_LIMIT, default: 50, description: 'Timeline page size.' })),
  before: Type.Optional(EpochMs('Timeline entries strictly before this time: the previous page\'s nextBefore.')),
  since: Type.Optional(Since),
});
export type AccountQuery = Static<typeof AccountQuery>;

export const NetworkQuery = Type.Object({
  hops: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HOPS, default: 1, description: 'How many hops to expand from the account.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_NETWORK_NODES, default: 50, description: 'Most nodes, the account included.' })),
  since: Type.Optional(Since),
});
export type NetworkQuery = Static<typeof NetworkQuery>;

export const KpisQuery = Type.Object({
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_KPI_MINUTES, default: 60, description: 'How many minutes back, the current one included.' })),
  kind: Type.Optional(enumOf(EVENT_KINDS, 'Only decisions on this event kind.')),
  channel: Type.Optional(enumOf(CHANNELS, 'Only decisions on payments of this channel.')),
  country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'Only decisions whose payer (or customer) is in this country, ISO 3166-1 alpha-2.' })),
});
export type KpisQuery = Static<typeof KpisQuery>;

export const CreditQuery = Type.Object({
  minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CREDIT_MINUTES, default: 60, description: 'How many minutes back, the current one included.' })),
});
export type CreditQuery = Static<typeof CreditQuery>;

export const DeadLettersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DEAD_LETTERS, default: 50 })),
  since: Type.Optional(Since),
});
export type DeadLettersQuery = Static<typeof DeadLettersQuery>;

// ---------------------------------------------------------------------------------------------
// Answers

const Money = (description: string) => Type.String({ description: `${description} Exact decimal text, never a float.` });

const Reason = Type.Object({
  code: Type.String(),
  scorer: Type.String(),
  points: Type.Number(),
  text: Type.String(),
  /** The same words in other languages, by language tag (`zh-CN`), where the rule set has them. */
  texts: Type.Optional(Type.Record(Type.String(), Type.String())),
}, { title: 'Reason', description: 'Why a scorer gave points: a rule that fired, with its words.' });

const AlertView = Type.Object({
  v: Type.Literal(1),
  id: Type.String(),
  eventId: Type.String(),
  eventKind: enumOf(EVENT_KINDS),
  ts: Type.Integer({ description: 'Event time, epoch ms.' }),
  createdAt: Type.Integer({ description: 'When the alert was raised, epoch ms.' }),
  domain: enumOf(DOMAINS),
  typology: Type.String(),
  severity: enumOf(SEVERITIES),
  score: Type.Integer(),
  accountId: Type.String(),
  customerId: Type.String(),
  segment: enumOf(SEGMENTS),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  reasons: Type.Array(Reason),
  amount: Money('The amount in its currency.'),
}, { title: 'Alert', description: 'An alert as the dashboard shows it.' });

const DecisionView = Type.Object({
  v: Type.Literal(1),
  eventId: Type.String(),
  eventKind: enumOf(EVENT_KINDS),
  eventTs: Type.Integer(),
  ingestTs: nullable(Type.Integer()),
  decidedAt: Type.Integer(),
  accountId: Type.String(),
  customerId: Type.String(),
  counterpartyId: Type.String(),
  channel: Type.String(),
  paymentType: Type.String(),
  country: Type.String(),
  counterpartyCountry: Type.String(),
  segment: enumOf(SEGMENTS),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  score: Type.Integer(),
  action: enumOf(['allow', 'review', 'block'] as const),
  reasons: Type.Array(Reason),
  models: Type.Record(Type.String(), Type.String()),
  features: Type.Record(Type.String(), Type.Number()),
  latencyMs: Type.Object({ processing: Type.Number(), total: nullable(Type.Number()) }),
  labels: Type.Optional(
    Type.Object({
      patterns: Type.Array(Type.String()),
      fraud: Type.Optional(Type.Boolean()),
      aml: Type.Optional(Type.Boolean()),
      credit: Type.Optional(Type.Boolean()),
    }),
  ),
  amount: Money('The amount in its currency.'),
}, { title: 'Decision', description: 'A stored decision on one event.' });

export const AlertPageAnswer = Type.Object({
  alerts: Type.Array(AlertView),
  nextCursor: nullable(Type.String({ description: 'Pass as cursor for the next page; null on the last.' })),
}, { title: 'AlertPageAnswer', description: 'A page of alerts, newest first (AlertPageAnswer).' });

export const AlertDetailAnswer = Type.Object({
  alert: AlertView,
  decision: nullable(DecisionView),
  event: nullable(Type.Object({}, { additionalProperties: true, description: 'The event as ingested; personal fields masked for roles that do not need them.' })),
}, { title: 'AlertDetailAnswer', description: 'The alert, its decision and its event (AlertDetailAnswer).' });

const PartyView = Type.Object({
  accountId: Type.String(),
  customerId: Type.String(),
  name: nullable(Type.String({ description: 'Masked ("A** L**") for roles that do not need personal data.' })),
  bank: nullable(Type.String()),
  country: nullable(Type.String()),
}, { title: 'Party', description: 'An account and who holds it.' });

const TimelineEntry = Type.Object({
  eventId: Type.String(),
  kind: enumOf(EVENT_KINDS),
  ts: Type.Integer(),
  direction: enumOf(['in', 'out', 'none'] as const),
  amount: Money('The amount in its currency.'),
  currency: Type.String(),
  amountUsd: Money('USD at the indicative rate.'),
  counterparty: nullable(PartyView),
  channel: Type.String(),
  action: nullable(enumOf(['allow', 'review', 'block'] as const)),
  score: nullable(Type.Integer()),
  reasons: Type.Array(Reason),
  alertIds: Type.Array(Type.String()),
}, { title: 'TimelineEntry', description: "One event of an account's timeline." });

export const AccountAnswer = Type.Object({
  accountId: Type.String(),
  customer: nullable(
    Type.Object({
      customerId: Type.String(),
      name: nullable(Type.String()),
      segment: nullable(enumOf(SEGMENTS)),
      riskRating: nullable(Type.String()),
      pep: nullable(Type.Boolean()),
      country: nullable(Type.String()),
    }),
  ),
  totals: Type.Object({
    events: Type.Integer(),
    firstSeen: nullable(Type.Integer()),
    lastSeen: nullable(Type.Integer()),
    inUsd: Money('Received, USD.'),
    outUsd: Money('Paid, USD.'),
    alerts: Type.Integer(),
    blocked: Type.Integer(),
  }),
  timeline: Type.Array(TimelineEntry),
  nextBefore: nullable(
    Type.Integer({
      description:
        "Pass as before for the next page; null on the last. On a first page, where the totals split: they count the page's events (with the decisions and alerts it lists) and the account's events dated before it.",
    }),
  ),
  window: Type.Object({
    since: Type.Integer({ description: 'The first event time the totals and the timeline cover, epoch ms (inclusive).' }),
    until: Type.Integer({ description: 'The event time they end at, epoch ms (exclusive).' }),
  }, { description: 'The event times read: a live client adds to the totals only decisions on events inside it.' }),
}, { title: 'AccountAnswer', description: 'Profile, totals and a page of the timeline (AccountAnswer).' });

export const NetworkAnswer = Type.Object({
  root: Type.String(),
  nodes: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      country: nullable(Type.String()),
      hop: Type.Integer(),
      alerts: Type.Integer(),
      more: Type.Boolean({ description: 'Has counterparties not included: expand it with GET /api/accounts/{id}/network.' }),
    }),
  ),
  edges: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), count: Type.Integer(), amountUsd: Money('USD sum.'), lastTs: Type.Integer() })),
}, { title: 'NetworkAnswer', description: 'The counterparty graph (NetworkAnswer).' });

export const KpiHistoryAnswer = Type.Object({
  minutes: Type.Array(
    Type.Object({
      minute: Type.Integer(),
      decisions: Type.Integer(),
      allowed: Type.Integer(),
      reviewed: Type.Integer(),
      blocked: Type.Integer(),
      decidedAmountUsd: Money('USD.'),
      blockedAmountUsd: Money('USD.'),
      latencyP50Ms: nullable(Type.Number()),
      latencyP99Ms: nullable(Type.Number()),
      scoreP50: nullable(Type.Number()),
      alerts: Type.Integer({ description: 'Every alert of the minute (alerts are not cut by kind, channel or country).' }),
    }),
  ),
}, { title: 'KpiHistoryAnswer', description: 'Per-minute KPIs, oldest first (KpiHistoryAnswer).' });

const CreditCounts = Type.Object({
  decisions: Type.Integer(),
  allowed: Type.Integer(),
  reviewed: Type.Integer(),
  blocked: Type.Integer(),
  amountUsd: Money('USD.'),
  reviewedAmountUsd: Money('USD.'),
  blockedAmountUsd: Money('USD.'),
}, { title: 'CreditCounts', description: 'Loan decisions of one kind, counted and summed.' });

export const CreditSummaryAnswer = Type.Object({
  minutes: Type.Array(Type.Object({ minute: Type.Integer(), byKind: Type.Record(Type.String(), CreditCounts) })),
  totals: Type.Record(Type.String(), CreditCounts),
}, { title: 'CreditSummaryAnswer', description: 'Loan decisions per minute and in total (CreditSummaryAnswer).' });

export const DeadLettersAnswer = Type.Object({
  deadLetters: Type.Array(
    Type.Object({
      id: Type.String(),
      source: Type.String(),
      subject: Type.String(),
      streamSeq: nullable(Type.Integer()),
      code: Type.String(),
      reason: Type.String(),
      at: Type.Integer(),
      payload: Type.String({ description: 'The first 2,048 characters.' }),
      payloadBytes: Type.Integer(),
    }),
  ),
}, { title: 'DeadLettersAnswer', description: 'The latest dead letters (DeadLettersAnswer).' });

export { ErrorAnswer };

/** The error answers every data route can give, besides its own 200. */
export const ERROR_ANSWERS = {
  400: ErrorAnswer,
  401: ErrorAnswer,
  403: ErrorAnswer,
  503: ErrorAnswer,
} as const;

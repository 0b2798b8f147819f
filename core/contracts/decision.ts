// Outputs of the processors: a decision per event (RS_DECISIONS) and alerts (RS_ALERTS).
import type { Segment } from './customer.js';
import type { EventKind } from './kinds.js';

export const ACTIONS = ['allow', 'review', 'block'] as const;
export type Action = (typeof ACTIONS)[number];
export const DOMAINS = ['fraud', 'aml', 'credit'] as const;
export type Domain = (typeof DOMAINS)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Why a score moved: a stable code, the scorer that said it, its weight, and words for a person. */
export type Reason = {
  readonly code: string;
  readonly scorer: string;
  readonly points: number;
  readonly text: string;
  /** The same words in other languages, by language tag (`zh-CN`), where the scorer has them. */
  readonly texts?: Readonly<Record<string, string>>;
};

/** The decision message on the bus, version 1. Serialised as JSON; times are epoch milliseconds. */
export type DecisionWire = {
  readonly v: 1;
  readonly eventId: string;
  readonly eventKind: EventKind;
  readonly eventTs: number;
  /** When the ingest gateway (or the publisher) accepted the event; null when unknown. */
  readonly ingestTs: number | null;
  readonly decidedAt: number;
  readonly accountId: string;
  readonly customerId: string;
  readonly counterpartyId: string;
  /** Payment channel and type ('' for kinds without them), for per-minute cuts by channel. */
  readonly channel: string;
  readonly paymentType: string;
  /** Debtor (or customer) country and counterparty country, ISO 3166-1 alpha-2; '' when unknown. */
  readonly country: string;
  readonly counterpartyCountry: string;
  readonly segment: Segment;
  readonly amountMinor: number;
  readonly currency: string;
  readonly score: number;
  readonly action: Action;
  readonly reasons: readonly Reason[];
  /** Scorer name to model or rule-set version that produced this decision. */
  readonly models: Readonly<Record<string, string>>;
  /** The features the scorers saw (numbers only), for explanations and drill-down. */
  readonly features: Readonly<Record<string, number>>;
  /** Milliseconds spent in the processor on this event's batch, and from ingest to decision. */
  readonly latencyMs: { readonly processing: number; readonly total: number | null };
  /** Copied from the event so detection can be measured downstream; never read by scorers. */
  readonly labels?: { readonly patterns: readonly string[]; readonly fraud?: boolean; readonly aml?: boolean; readonly credit?: boolean };
};

export type AlertWire = {
  readonly v: 1;
  readonly id: string;
  readonly eventId: string;
  readonly eventKind: EventKind;
  readonly ts: number;
  readonly createdAt: number;
  readonly domain: Domain;
  readonly typology: string;
  readonly severity: Severity;
  readonly score: number;
  readonly accountId: string;
  readonly customerId: string;
  readonly segment: Segment;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reasons: readonly Reason[];
};

/** A message that could not be processed, with the reason, on RS_DLQ. */
export type DeadLetterWire = {
  readonly v: 1;
  readonly source: string;
  readonly subject: string;
  readonly streamSeq: number | null;
  readonly code: string;
  readonly reason: string;
  readonly at: number;
  /** The original payload as text (truncated to 64 KiB). */
  readonly payload: string;
};

// The interface every scorer implements, and the shape of what the runner hands it.
// Scoring is pure: inputs in, score and reasons out. State is read before (features) and
// outputs are published after, by the runner.
import type { Domain, EventKind, Reason, Segment, Severity, ValidatedEvent } from '../core/contracts/index.js';
import type { FeatureVector } from './features/names.js';

/** What the processors know of a customer, from customer (KYC) events. */
export type CustomerProfile = {
  readonly known: boolean;
  readonly segment: Segment;
  readonly riskRating: 'low' | 'medium' | 'high';
  readonly pep: boolean;
  readonly country: string;
};

export const UNKNOWN_CUSTOMER: CustomerProfile = {
  known: false,
  segment: 'standard',
  riskRating: 'medium',
  pep: false,
  country: '',
};

/** The event without its labels: scorers never see ground truth. */
export type ScoringEvent = Omit<ValidatedEvent, 'labels'>;

export type ScoringInput = {
  readonly event: ScoringEvent;
  readonly features: FeatureVector;
  readonly profile: CustomerProfile;
};

/**
 * An alert a scorer asks for; the runner adds ids, times and parties. decide() checks it against
 * what storage accepts (processors/decide/scorer-outcome.ts): a draft that breaks this makes the
 * scorer's outcome an `error`.
 */
export type AlertDraft = {
  readonly domain: Domain;
  /** snake_case, at most 64 characters; part of the alert id. `scorer_error` is decide()'s own. */
  readonly typology: string;
  readonly severity: Severity;
  /** 0 to 1000; decide() rounds it half up to an integer. */
  readonly score: number;
  /** Each with a non-empty code (≤ 128 characters), scorer (≤ 128), finite points, text and texts (≤ 2048). */
  readonly reasons: readonly Reason[];
};

export type ScorerOutcome =
  | {
      readonly status: 'scored';
      /** 0 to 1000 after decide() rounds it half up to an integer; outside, the outcome is an `error`. */
      readonly score: number;
      /** As an alert draft's reasons. */
      readonly reasons: readonly Reason[];
      readonly alerts: readonly AlertDraft[];
    }
  | { readonly status: 'not_applicable' }
  | { readonly status: 'error'; readonly reason: string };

export interface Scorer {
  /** Unique; a duplicate registration fails at start-up. */
  readonly name: string;
  readonly version: string;
  readonly domain: Domain;
  readonly kinds: readonly EventKind[];
  /**
   * A fraud scorer that raises its alert from a score: that score. createDecider refuses a policy
   * that would review a payment below it (no alert in the feed for the review).
   */
  readonly alertThreshold?: number;
  score(input: ScoringInput): ScorerOutcome;
}

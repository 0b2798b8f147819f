// Turning the fraud score into an action, per customer segment. Data, overridable at start-up
// (later from the live-configuration KV bucket); validated so that a typo cannot disable blocking.
import { ACTIONS, SEGMENTS, type Action, type Segment } from '../../core/contracts/index.js';

/** Scores at or above `review` are reviewed; at or above `block` blocked. */
export type SegmentThresholds = { readonly review: number; readonly block: number };

export type DecisionPolicy = {
  readonly thresholds: Readonly<Record<Segment, SegmentThresholds>>;
  /** The least action for a payment when a fraud scorer failed: its score is missing, not zero. */
  readonly onFraudScorerError: Action;
};

export type DecisionPolicyOverrides = {
  readonly thresholds?: Partial<Readonly<Record<Segment, Partial<SegmentThresholds>>>>;
  readonly onFraudScorerError?: Action;
};

/** What the policy is checked against when it is made. */
export type DecisionPolicyChecks = {
  /**
   * The score from which the fraud scorer raises an alert (its `alertThreshold`): no segment may
   * review below it. Unchecked unless given; createDecider checks the policy against the fraud
   * scorers it runs in any case (checkReviewThresholds), with the thresholds they were given.
   */
  readonly fraudAlertThreshold?: number;
};

/**
 * VIP customers are blocked only when the evidence is near certain: a wrongly blocked VIP payment
 * costs the relationship, their payments are larger (tripping amount rules more often), and they
 * have a relationship manager who can confirm a review quickly. Standard customers are blocked
 * when two or three independent signals agree (see docs/rules.md for the arithmetic).
 */
export const DEFAULT_DECISION_POLICY: DecisionPolicy = Object.freeze({
  thresholds: Object.freeze({
    vip: Object.freeze({ review: 500, block: 900 }),
    important: Object.freeze({ review: 450, block: 800 }),
    standard: Object.freeze({ review: 400, block: 700 }),
  }),
  onFraudScorerError: 'review',
});

/**
 * The default policy with overrides applied; throws when a threshold is out of 0–1000, review >
 * block, or a review threshold is below the fraud alert threshold given in `checks`
 * (checkReviewThresholds). The alert threshold in force is the fraud scorers' own: createDecider
 * checks the policy against them, so a policy made here without checks is checked there.
 */
export function createDecisionPolicy(overrides: DecisionPolicyOverrides = {}, checks: DecisionPolicyChecks = {}): DecisionPolicy {
  const thresholds = {} as Record<Segment, SegmentThresholds>;
  for (const segment of SEGMENTS) {
    const base = DEFAULT_DECISION_POLICY.thresholds[segment];
    const change = overrides.thresholds?.[segment] ?? {};
    const merged = { review: change.review ?? base.review, block: change.block ?? base.block };
    for (const [name, value] of Object.entries(merged)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1000) {
        throw new Error(`decision policy: ${segment}.${name} must be a number from 0 to 1000, got ${String(value)}`);
      }
    }
    if (merged.review > merged.block) throw new Error(`decision policy: ${segment}.review (${merged.review}) is above ${segment}.block (${merged.block})`);
    thresholds[segment] = Object.freeze(merged);
  }
  const unknownSegments = Object.keys(overrides.thresholds ?? {}).filter((s) => !(SEGMENTS as readonly string[]).includes(s));
  if (unknownSegments.length > 0) throw new Error(`decision policy: unknown segments ${unknownSegments.join(', ')}; segments are ${SEGMENTS.join(', ')}`);
  const onError = overrides.onFraudScorerError ?? DEFAULT_DECISION_POLICY.onFraudScorerError;
  if (!(ACTIONS as readonly string[]).includes(onError)) throw new Error(`decision policy: onFraudScorerError must be one of ${ACTIONS.join(', ')}`);
  const policy: DecisionPolicy = Object.freeze({ thresholds: Object.freeze(thresholds), onFraudScorerError: onError });
  if (checks.fraudAlertThreshold !== undefined) checkReviewThresholds(policy, checks.fraudAlertThreshold);
  return policy;
}

/**
 * Throws when a segment's review threshold is below a fraud alert threshold (`source` names whose,
 * for the message): the alert feed is the only review queue, so a payment reviewed without an
 * alert could not be found. Run at start-up, never per event.
 */
export function checkReviewThresholds(policy: DecisionPolicy, alertThreshold: number, source = 'the fraud alert threshold'): void {
  if (typeof alertThreshold !== 'number' || !(alertThreshold >= 0 && alertThreshold <= 1000)) {
    throw new Error(`decision policy: ${source} must be a number from 0 to 1000, got ${String(alertThreshold)}`);
  }
  for (const segment of SEGMENTS) {
    const review = policy.thresholds[segment].review;
    if (review < alertThreshold) {
      throw new Error(
        `decision policy: ${segment}.review (${review}) is below ${source} (${alertThreshold}): ` +
          `${segment} payments scoring from ${review} to under ${alertThreshold} would be held for review with no alert in the feed`,
      );
    }
  }
}

const ACTION_RANK = { allow: 0, review: 1, block: 2 } as const satisfies Record<Action, number>;

/** The action a fraud score earns for a segment; an unknown segment is treated as standard. */
export function actionForScore(score: number, segment: Segment, policy: DecisionPolicy = DEFAULT_DECISION_POLICY): Action {
  const t = policy.thresholds[segment] ?? policy.thresholds.standard;
  if (score >= t.block) return 'block';
  if (score >= t.review) return 'review';
  return 'allow';
}

/** The stronger of two actions (block > review > allow). */
export function strongerAction(a: Action, b: Action): Action {
  return ACTION_RANK[a] >= ACTION_RANK[b] ? a : b;
}

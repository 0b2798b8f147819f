// Deciding: the registry of scorers, the segment thresholds, and the step that combines scorer
// outcomes into one decision per event (what the runner publishes on RS_DECISIONS).
export { SCORER_ERROR_CODE, SCORER_ERROR_SEVERITY, createDecider, decide, type DecideOptions, type DecisionCore, type ScorerStatus } from './decide.js';
export {
  DEFAULT_DECISION_POLICY,
  actionForScore,
  createDecisionPolicy,
  strongerAction,
  type DecisionPolicy,
  type DecisionPolicyChecks,
  type DecisionPolicyOverrides,
  type SegmentThresholds,
} from './decision-policy.js';
export { createScorerRegistry, type ScorerRegistry } from './scorer-registry.js';
export { OUTCOME_LIMITS, SCORER_ERROR_TYPOLOGY } from './scorer-outcome.js';

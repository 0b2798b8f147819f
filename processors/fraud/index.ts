// Fraud rules: the starter rule set (data) and the scorer that turns fired rules into a score,
// reasons and alert drafts. The TensorFlow.js fraud model will sit next to it as another scorer.
export {
  FRAUD_RULES_SCORER,
  RULE_ERROR_CODE,
  createFraudRulesScorer,
  type FraudRulesScorerOptions,
} from './fraud-rules-scorer.js';
export { DEFAULT_FRAUD_ALERT_THRESHOLD, FRAUD_SEVERITY_BANDS, MAX_SCORE, combineRulePoints, severityForScore } from './fraud-score.js';
export { STARTER_FRAUD_RULES_PATH, readStarterFraudRules, starterFraudRuleSet } from './starter-rule-set.js';
export { ORDINARY_PAYMENT, paymentVector, type PaymentVector } from './payment-vectors.js';

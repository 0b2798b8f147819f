// The rule engine: rule sets as validated data, compiled once into plain functions that score
// a feature vector. Domain rule sets (fraud, later AML) live in their own folders and use this.
export {
  compileRuleSet,
  compileRuleSetOrThrow,
  RuleSetError,
  type RuleParamOverrides,
  type RuleSetCompilation,
  type RuleSetOptions,
} from './compile-rule-set.js';
export { REASON_FORMATS, formatDays, formatDuration, formatNumber, formatRatio, formatUsdCents, type ReasonFormat } from './reason-format.js';
export {
  NOT_APPLICABLE,
  NOT_FIRED,
  type CompiledRule,
  type CompiledRuleSet,
  type RuleInput,
  type RuleOutcome,
  type RuleSetProblem,
} from './rule-outcome.js';
export {
  COMPARISON_OPS,
  FILTER_FIELDS,
  RuleSchema,
  RuleSetSchema,
  SEVERITY_POINTS,
  type ComparisonOp,
  type ConditionWire,
  type FilterField,
  type RuleSetWire,
  type RuleWire,
} from './rule-set-schema.js';

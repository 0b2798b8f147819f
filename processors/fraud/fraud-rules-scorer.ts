// The fraud rules scorer: runs the compiled fraud rule set over a payment's features and turns
// the fired rules into a 0–1000 score, reasons (highest points first) and, past a threshold, an
// alert draft typed by the leading rule.
import type { Reason } from '../../core/contracts/index.js';
import type { CompiledRule, CompiledRuleSet, RuleOutcome } from '../rules/index.js';
import type { AlertDraft, Scorer, ScorerOutcome, ScoringInput } from '../scoring.js';
import { DEFAULT_FRAUD_ALERT_THRESHOLD, MAX_SCORE, combineRulePoints, severityForScore } from './fraud-score.js';
import { starterFraudRuleSet } from './starter-rule-set.js';

export const FRAUD_RULES_SCORER = 'fraud_rules';
/** The reason code that reports rules which could not be evaluated (the others still scored). */
export const RULE_ERROR_CODE = 'RULE_ERROR';

export type FraudRulesScorerOptions = {
  /** Score from which an alert draft is raised; DEFAULT_FRAUD_ALERT_THRESHOLD (400) unless given. */
  readonly alertThreshold?: number;
};

type FiredRule = { readonly rule: CompiledRule; readonly points: number; readonly text: string; readonly texts: Readonly<Record<string, string>> | undefined };

const NOT_APPLICABLE: ScorerOutcome = Object.freeze({ status: 'not_applicable' });
const NO_ALERTS: readonly AlertDraft[] = Object.freeze([]);
const NO_REASONS: readonly Reason[] = Object.freeze([]);
// The common case (a normal payment, nothing fired) returns this shared outcome.
const CLEAN: ScorerOutcome = Object.freeze({ status: 'scored', score: 0, reasons: NO_REASONS, alerts: NO_ALERTS });

/** Throws at start-up when the rule set holds rules of another domain or the threshold is out of range. */
export function createFraudRulesScorer(ruleSet: CompiledRuleSet = starterFraudRuleSet(), options: FraudRulesScorerOptions = {}): Scorer {
  return new FraudRulesScorer(ruleSet, options.alertThreshold ?? DEFAULT_FRAUD_ALERT_THRESHOLD);
}

class FraudRulesScorer implements Scorer {
  readonly name = FRAUD_RULES_SCORER;
  readonly version: string;
  readonly domain = 'fraud' as const;
  readonly kinds = Object.freeze(['payment'] as const);
  private readonly _rules: readonly CompiledRule[];
  readonly alertThreshold: number;

  constructor(ruleSet: CompiledRuleSet, alertThreshold: number) {
    const foreign = ruleSet.rules.filter((r) => r.domain !== 'fraud').map((r) => r.id);
    if (foreign.length > 0) throw new Error(`fraud rules scorer: rule set ${ruleSet.id} holds rules of another domain: ${foreign.join(', ')}`);
    if (!(alertThreshold >= 0 && alertThreshold <= MAX_SCORE)) throw new Error(`fraud rules scorer: alert threshold ${alertThreshold} is outside 0–${MAX_SCORE}`);
    this.version = ruleSet.version;
    this._rules = ruleSet.rules;
    this.alertThreshold = alertThreshold;
  }

  score(input: ScoringInput): ScorerOutcome {
    if (input.event.kind !== 'payment') return NOT_APPLICABLE;
    let fired: FiredRule[] | undefined;
    let failed: string[] | undefined;
    let evaluated = 0;
    for (let i = 0; i < this._rules.length; i++) {
      const rule = this._rules[i] as CompiledRule;
      const outcome: RuleOutcome = rule.evaluate(input);
      if (outcome.status === 'not_fired') {
        evaluated++;
      } else if (outcome.status === 'fired') {
        evaluated++;
        (fired ??= []).push({ rule, points: outcome.points, text: outcome.text, texts: outcome.texts });
      } else if (outcome.status === 'error') {
        (failed ??= []).push(outcome.reason);
      }
    }
    if (evaluated === 0) {
      // Nothing could be judged: with failures that is an error (decide() holds the payment and
      // raises its scorer_error alert), otherwise the rules do not apply.
      return failed ? { status: 'error', reason: `no fraud rule could be evaluated: ${failed.join('; ')}` } : NOT_APPLICABLE;
    }
    if (!fired && !failed) return CLEAN;
    return this._outcome(fired ?? [], failed);
  }

  private _outcome(fired: FiredRule[], failed: readonly string[] | undefined): ScorerOutcome {
    fired.sort(byPointsThenId);
    const points = fired.map((f) => f.points);
    const score = combineRulePoints(points);
    const reasons: Reason[] = fired.map((f) => ({ code: f.rule.id, scorer: FRAUD_RULES_SCORER, points: f.points, text: f.text, ...(f.texts ? { texts: f.texts } : {}) }));
    // Partial results still score: one broken rule must not silence the others. The gap is said
    // out loud so that a reviewer knows the score may be low.
    if (failed) reasons.push({ code: RULE_ERROR_CODE, scorer: FRAUD_RULES_SCORER, points: 0, text: `not evaluated: ${failed.join('; ')}` });
    const top = fired[0];
    if (top === undefined || score < this.alertThreshold) return { status: 'scored', score, reasons, alerts: NO_ALERTS };
    const alert: AlertDraft = { domain: 'fraud', typology: top.rule.typology, severity: severityForScore(score), score, reasons };
    return { status: 'scored', score, reasons, alerts: [alert] };
  }
}

function byPointsThenId(a: FiredRule, b: FiredRule): number {
  return b.points - a.points || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0);
}

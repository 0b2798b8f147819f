// Combines the scorers' outcomes for one event into its decision: the fraud score sets the
// action (per segment), AML only adds alerts, and a failing scorer is recorded, never thrown.
import type { Action, Domain, Reason, Severity } from '../../core/contracts/index.js';
import type { AlertDraft, Scorer, ScorerOutcome, ScoringInput } from '../scoring.js';
import { DEFAULT_DECISION_POLICY, actionForScore, checkReviewThresholds, strongerAction, type DecisionPolicy } from './decision-policy.js';
import { createScorerRegistry, type ScorerRegistry } from './scorer-registry.js';
import { SCORER_ERROR_TYPOLOGY, checkOutcome } from './scorer-outcome.js';

export type ScorerStatus = ScorerOutcome['status'];

export type DecisionCore = {
  /** The highest fraud score, an integer 0–1000 (scores are rounded); 0 when no fraud scorer scored. */
  readonly score: number;
  readonly action: Action;
  /** Fraud and credit reasons, highest points first; AML reasons travel only in AML alerts. */
  readonly reasons: readonly Reason[];
  /** Scorer name to version, for every scorer consulted for this kind. */
  readonly models: Readonly<Record<string, string>>;
  readonly alerts: readonly AlertDraft[];
  /** What each consulted scorer did. */
  readonly outcomes: Readonly<Record<string, ScorerStatus>>;
  /** Safe reasons of the scorers that failed, by name (empty when none failed). */
  readonly errors: Readonly<Record<string, string>>;
};

export type DecideOptions = {
  readonly policy?: DecisionPolicy;
  /** Hears the raw exception of a scorer that threw, for the log; it never reaches the bus. */
  readonly onScorerThrow?: (scorer: string, error: unknown) => void;
};

/** The code of the reason that says a fraud scorer failed (as in core/errors.ts). */
export const SCORER_ERROR_CODE = 'RS_ERR_SCORER';

/**
 * Medium: a customer's payment waits on a person, so it must not sort with the noise (low), but
 * there is no evidence of fraud, and a systematic failure raises one per payment, which must not
 * bury the high and critical alerts that do carry evidence.
 */
export const SCORER_ERROR_SEVERITY: Severity = 'medium';

/**
 * What each domain may do to a decision. AML never sets the action and keeps its reasons out
 * of the decision: a blocked or explained payment would tip off the customer. Credit explains
 * but does not block payments.
 */
const DOMAIN_ROLES = {
  fraud: { setsAction: true, reasonsInDecision: true },
  aml: { setsAction: false, reasonsInDecision: false },
  credit: { setsAction: false, reasonsInDecision: true },
} as const satisfies Record<Domain, { readonly setsAction: boolean; readonly reasonsInDecision: boolean }>;

const NO_REASONS: readonly Reason[] = Object.freeze([]);
const NO_ALERTS: readonly AlertDraft[] = Object.freeze([]);
const NO_ERRORS: Readonly<Record<string, string>> = Object.freeze({});

export function decide(input: ScoringInput, scorers: ScorerRegistry, options: DecideOptions = {}): DecisionCore {
  const kind = input.event.kind;
  const policy = options.policy ?? DEFAULT_DECISION_POLICY;
  const consulted = scorers.forKind(kind);
  const outcomes: Record<string, ScorerStatus> = {};
  let errors: Record<string, string> | undefined;
  let score = 0;
  let reasons: readonly Reason[] = NO_REASONS;
  let reasonSources = 0;
  let alerts: AlertDraft[] | undefined;
  let fraudFailures: Reason[] | undefined;

  for (let i = 0; i < consulted.length; i++) {
    const scorer = consulted[i] as Scorer;
    const outcome = runScorer(scorer, input, options.onScorerThrow);
    outcomes[scorer.name] = outcome.status;
    const role = DOMAIN_ROLES[scorer.domain];
    if (outcome.status === 'not_applicable') continue;
    if (outcome.status === 'error') {
      (errors ??= {})[scorer.name] = outcome.reason;
      if (role.setsAction) {
        const failure: Reason = { code: SCORER_ERROR_CODE, scorer: scorer.name, points: 0, text: outcome.reason };
        (fraudFailures ??= []).push(failure);
        reasons = [...reasons, failure];
        reasonSources++;
      }
      continue;
    }
    if (role.setsAction && outcome.score > score) score = outcome.score;
    if (role.reasonsInDecision && outcome.reasons.length > 0) {
      // One source (the usual case) is used as is; more are merged and re-sorted below.
      reasons = reasonSources === 0 ? outcome.reasons : [...reasons, ...outcome.reasons];
      reasonSources++;
    }
    if (outcome.alerts.length > 0) (alerts ??= []).push(...outcome.alerts);
  }

  let action: Action = 'allow';
  let kept: readonly AlertDraft[] = alerts === undefined ? NO_ALERTS : onePerTypology(alerts);
  if (kind === 'payment') {
    action = actionForScore(score, input.profile.segment, policy);
    if (fraudFailures !== undefined) {
      // A failed fraud scorer means the score is unknown, not low: hold for review rather than
      // wave through (an attacker who can make a scorer fail must not get a free pass) or block
      // (our fault must not stop good customers).
      action = strongerAction(action, policy.onFraudScorerError);
      if (action !== 'allow') kept = [...kept, scorerErrorAlert(score, fraudFailures)];
    }
  }
  return {
    score,
    action,
    reasons: reasonSources > 1 ? [...reasons].sort(byPoints) : reasons,
    models: scorers.modelsFor(kind),
    alerts: kept,
    outcomes,
    errors: errors ?? NO_ERRORS,
  };
}

/** `decide` bound to a registry (built here from a list when needed) and options: the runner's DecideFn. */
export function createDecider(scorers: readonly Scorer[] | ScorerRegistry, options: DecideOptions = {}): (input: ScoringInput) => DecisionCore {
  const registry = isRegistry(scorers) ? scorers : createScorerRegistry(scorers);
  // The alert thresholds in force are the fraud scorers' own: no segment may review below any of them.
  const policy = options.policy ?? DEFAULT_DECISION_POLICY;
  for (const scorer of registry.scorers) {
    if (scorer.domain === 'fraud' && scorer.alertThreshold !== undefined) checkReviewThresholds(policy, scorer.alertThreshold, `the alert threshold of fraud scorer ${scorer.name}`);
  }
  return function decideEvent(input: ScoringInput): DecisionCore {
    return decide(input, registry, options);
  };
}

/**
 * Calls a scorer and checks what it returned (scorer-outcome.ts): a throw, or an outcome whose
 * score, reasons or alert drafts storage would refuse, becomes an error outcome; a fractional
 * score is rounded.
 */
function runScorer(scorer: Scorer, input: ScoringInput, onThrow: DecideOptions['onScorerThrow']): ScorerOutcome {
  let outcome: unknown;
  try {
    outcome = scorer.score(input);
  } catch (error) {
    try {
      onThrow?.(scorer.name, error);
    } catch {
      // A failing log hook must not turn one scorer's failure into a lost batch.
    }
    return { status: 'error', reason: `${scorer.name} failed while scoring` };
  }
  return checkOutcome(scorer.name, outcome);
}

/**
 * The alert of a payment held because fraud scorers failed: one per event whatever failed (its id
 * is `<eventId>~fraud~scorer_error`, stable across redeliveries), scored with what the working
 * fraud scorers found (0 when none scored), its reasons the failed scorers' safe reasons.
 */
function scorerErrorAlert(score: number, failures: readonly Reason[]): AlertDraft {
  return { domain: 'fraud', typology: SCORER_ERROR_TYPOLOGY, severity: SCORER_ERROR_SEVERITY, score, reasons: failures };
}

function byPoints(a: Reason, b: Reason): number {
  return b.points - a.points;
}

/**
 * Alert ids are derived from event, domain and typology, so two drafts of one typology would be
 * deduplicated on the bus and the second lost. Keep the stronger one.
 */
function onePerTypology(alerts: AlertDraft[]): readonly AlertDraft[] {
  if (alerts.length === 1) return alerts;
  const kept: AlertDraft[] = [];
  for (const alert of alerts) {
    const twin = kept.findIndex((k) => k.domain === alert.domain && k.typology === alert.typology);
    if (twin < 0) kept.push(alert);
    else if (alert.score > (kept[twin] as AlertDraft).score) kept[twin] = alert;
  }
  return kept;
}

function isRegistry(value: readonly Scorer[] | ScorerRegistry): value is ScorerRegistry {
  return !Array.isArray(value);
}

// What `riskstream replay --evaluate` reports: how the decisions and alerts of a labelled replay
// compare with its labels. Pure: it is handed the decisions and alerts seen for the replayed events.
//
// An event counts as flagged for a domain (fraud, aml, credit) when it raised an alert of that
// domain; an event labelled for the domain (`labels.fraud: true`) is a positive, one labelled
// `false` a negative, one without the field is not counted for that domain. Per pattern
// (`labels.patterns`), the share of its events that raised any alert. For fraud, whose decisions
// carry a score (0–1000), also how well that score ranks the positives above the negatives,
// whatever the thresholds: the area under the ROC curve and the average precision.
//
// For the audit of public data sets, also: the decisions' actions on the positives (an event
// labelled true in any domain) and on the unlabelled (every other decided event: labelled false,
// labelled with no domain, or without labels: not known to be bad); per pattern, the cases
// (`labels.scenarioId`) with an alerted event; per reason code, how often it fired, on how many
// positives of its domain and how much of the noise (alerts on unlabelled events) it raised; and
// the fraud precision that counts a fraud alert on a laundering event as a hit, not a false alarm.
//
// This file holds the vocabulary and the figures, computed in one pass over the outcomes; the
// outcomes are gathered during a replay by `OutcomeLedger` (replay-ledger.ts), the score's
// ranking figures are in replay-ranking.ts, and the text for a terminal in replay-report.ts.

import { SCORE_BINS, rankingOf, type Ranking } from './replay-ranking.js';

export const DOMAINS = ['fraud', 'aml', 'credit'] as const;
export type Domain = (typeof DOMAINS)[number];

export type EventLabels = {
  readonly patterns?: readonly string[];
  readonly fraud?: boolean;
  readonly aml?: boolean;
  readonly credit?: boolean;
  readonly scenarioId?: string;
};

/** A reason code and the domain whose labels judge it: that of the alerts it fired in, else its prefix's (FR- fraud, AML- aml, CR- credit); null for neither. */
export type RuleRef = { readonly code: string; readonly domain: Domain | null };

/**
 * One replayed event's outcome: its labels, action and fraud score (from its decision), the
 * domains it alerted in, and the reason codes of its decision and alerts (each once).
 */
export type Outcome = { labels: EventLabels | undefined; action: string; alerted: Set<string>; score?: number; rules?: readonly RuleRef[] };

export type DomainScore = {
  readonly domain: Domain;
  /** Events labelled for the domain (true or false). */
  readonly labelled: number;
  readonly positives: number;
  readonly flagged: number;
  readonly truePositives: number;
  /** truePositives / flagged; null when nothing was flagged. */
  readonly precision: number | null;
  /** truePositives / positives; null without positives. */
  readonly recall: number | null;
};

export type PatternScore = { readonly pattern: string; readonly events: number; readonly alerted: number };

/** The decisions' actions on a group of events, and how many of them raised any alert. */
export type ActionCounts = { readonly events: number; readonly allowed: number; readonly reviewed: number; readonly blocked: number; readonly alerted: number };

/** A pattern's cases: distinct `labels.scenarioId`s among its events; null when none of its events carries one (real data sets). */
export type PatternCases = {
  readonly pattern: string;
  readonly cases: number | null;
  /** Cases with at least one event that raised any alert. */
  readonly casesAlerted: number | null;
};

export type RuleScore = {
  readonly code: string;
  /** The domain whose labels judge it; null: any domain's. */
  readonly domain: Domain | null;
  /** Events it fired on (in the decision's reasons or an alert's). */
  readonly events: number;
  /** Of those, events labelled true in its domain (any domain when it has none). */
  readonly positives: number;
  /** positives / events. */
  readonly precision: number | null;
  /** Events it fired on that are unlabelled (no domain labelled true). */
  readonly unlabelled: number;
  /** Of those, events that raised an alert. */
  readonly unlabelledAlerted: number;
  /** unlabelledAlerted / the alerted unlabelled events (an alert often has several reasons: the shares add up to more than 1); null when none. */
  readonly shareOfUnlabelledAlerts: number | null;
};

/** Fraud alerts judged by any bad label: a fraud alert on a laundering event is a catch, where the fraud row counts it a false positive when it is labelled `fraud: false`. */
export type FraudAnyBad = {
  /** Events with a fraud alert, labelled for fraud or for aml. */
  readonly flagged: number;
  /** Of those, events labelled true for fraud or for aml. */
  readonly hits: number;
  /** Of the hits, those labelled aml but not fraud. */
  readonly amlOnly: number;
  /** hits / flagged; null when nothing was flagged. */
  readonly precision: number | null;
};

export type Evaluation = {
  readonly decided: number;
  readonly labelled: number;
  readonly domains: readonly DomainScore[];
  readonly patterns: readonly PatternScore[];
  /** How the fraud score ranks the events labelled for fraud. */
  readonly fraudRanking: Ranking;
  /** The fraud precision counting fraud alerts on events labelled aml as hits. */
  readonly fraudPrecisionAnyBad: FraudAnyBad;
  /** Actions on the positives (labelled true in any domain) and on the unlabelled (every other decided event). */
  readonly actions: { readonly positive: ActionCounts; readonly unlabelled: ActionCounts };
  /** Per pattern, its cases and those caught; in the order of `patterns`. */
  readonly patternCases: readonly PatternCases[];
  /** Per reason code that fired, the noisiest (most unlabelled events) first. */
  readonly rules: readonly RuleScore[];
};

type MutableActions = { events: number; allowed: number; reviewed: number; blocked: number; alerted: number };
const noActions = (): MutableActions => ({ events: 0, allowed: 0, reviewed: 0, blocked: 0, alerted: 0 });

function countAction(c: MutableActions, action: string, alerted: boolean): void {
  c.events++;
  if (action === 'allow') c.allowed++;
  else if (action === 'review') c.reviewed++;
  else if (action === 'block') c.blocked++;
  if (alerted) c.alerted++;
}

export function evaluate(outcomes: Iterable<Outcome>): Evaluation {
  let decided = 0;
  let labelled = 0;
  const counts = new Map<Domain, { labelled: number; positives: number; flagged: number; truePositives: number }>(
    DOMAINS.map((d) => [d, { labelled: 0, positives: 0, flagged: 0, truePositives: 0 }]),
  );
  const patterns = new Map<string, { events: number; alerted: number }>();
  const fraudPositivesAt = new Float64Array(SCORE_BINS);
  const fraudNegativesAt = new Float64Array(SCORE_BINS);
  const actions = { positive: noActions(), unlabelled: noActions() };
  const anyBad = { flagged: 0, hits: 0, amlOnly: 0 };
  /** Per pattern, its cases: scenario id to whether one of its events alerted. */
  const cases = new Map<string, Map<string, boolean>>();
  const rules = new Map<string, { domain: Domain | null; events: number; positives: number; unlabelled: number; unlabelledAlerted: number }>();
  for (const outcome of outcomes) {
    decided++;
    const labels = outcome.labels;
    const positive = labels !== undefined && (labels.fraud === true || labels.aml === true || labels.credit === true);
    const anyAlert = outcome.alerted.size > 0;
    countAction(positive ? actions.positive : actions.unlabelled, outcome.action, anyAlert);
    for (const rule of outcome.rules ?? []) {
      let r = rules.get(rule.code);
      if (!r) rules.set(rule.code, (r = { domain: rule.domain, events: 0, positives: 0, unlabelled: 0, unlabelledAlerted: 0 }));
      r.events++;
      if (r.domain === null ? positive : labels?.[r.domain] === true) r.positives++;
      if (!positive) {
        r.unlabelled++;
        if (anyAlert) r.unlabelledAlerted++;
      }
    }
    if (!labels) continue;
    labelled++;
    if (outcome.alerted.has('fraud') && (labels.fraud !== undefined || labels.aml !== undefined)) {
      anyBad.flagged++;
      if (labels.fraud === true || labels.aml === true) anyBad.hits++;
      if (labels.fraud !== true && labels.aml === true) anyBad.amlOnly++;
    }
    if (labels.fraud !== undefined && outcome.score !== undefined && Number.isFinite(outcome.score)) {
      const bin = Math.min(SCORE_BINS - 1, Math.max(0, Math.round(outcome.score)));
      (labels.fraud ? fraudPositivesAt : fraudNegativesAt)[bin]! += 1;
    }
    for (const domain of DOMAINS) {
      const truth = labels[domain];
      if (truth === undefined) continue;
      const c = counts.get(domain)!;
      const flagged = outcome.alerted.has(domain);
      c.labelled++;
      if (truth) c.positives++;
      if (flagged) c.flagged++;
      if (truth && flagged) c.truePositives++;
    }
    for (const pattern of labels.patterns ?? []) {
      const p = patterns.get(pattern) ?? { events: 0, alerted: 0 };
      p.events++;
      if (outcome.alerted.size > 0) p.alerted++;
      patterns.set(pattern, p);
      if (typeof labels.scenarioId === 'string') {
        let ids = cases.get(pattern);
        if (!ids) cases.set(pattern, (ids = new Map()));
        ids.set(labels.scenarioId, (ids.get(labels.scenarioId) ?? false) || anyAlert);
      }
    }
  }
  const patternScores = [...patterns].map(([pattern, p]) => ({ pattern, ...p })).sort((a, b) => a.pattern.localeCompare(b.pattern));
  const unlabelledAlerted = actions.unlabelled.alerted;
  return {
    decided,
    labelled,
    domains: DOMAINS.map((domain) => {
      const c = counts.get(domain)!;
      return {
        domain,
        ...c,
        precision: c.flagged === 0 ? null : c.truePositives / c.flagged,
        recall: c.positives === 0 ? null : c.truePositives / c.positives,
      };
    }),
    patterns: patternScores,
    fraudRanking: rankingOf(fraudPositivesAt, fraudNegativesAt),
    fraudPrecisionAnyBad: { ...anyBad, precision: anyBad.flagged === 0 ? null : anyBad.hits / anyBad.flagged },
    actions,
    patternCases: patternScores.map(({ pattern }) => {
      const ids = cases.get(pattern);
      if (!ids) return { pattern, cases: null, casesAlerted: null };
      let caught = 0;
      for (const alerted of ids.values()) if (alerted) caught++;
      return { pattern, cases: ids.size, casesAlerted: caught };
    }),
    rules: [...rules]
      .map(([code, r]) => ({
        code,
        ...r,
        precision: r.events === 0 ? null : r.positives / r.events,
        shareOfUnlabelledAlerts: unlabelledAlerted === 0 ? null : r.unlabelledAlerted / unlabelledAlerted,
      }))
      .sort((a, b) => b.unlabelled - a.unlabelled || b.events - a.events || a.code.localeCompare(b.code)),
  };
}

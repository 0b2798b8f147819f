// The replay's detection report: counts, precision and recall per domain, alerts per pattern.
import { describe, expect, it } from 'vitest';
import { evaluate, type Outcome, type RuleRef } from './replay-evaluation.js';
import { evaluationLines } from './replay-report.js';

const outcome = (labels: Outcome['labels'], alerted: string[] = [], action = 'allow'): Outcome => ({ labels, action, alerted: new Set(alerted) });

describe('replay evaluation', () => {
  const outcomes = [
    outcome({ patterns: ['card_testing'], fraud: true }, ['fraud'], 'block'), // true positive
    outcome({ patterns: ['card_testing'], fraud: true }), // missed
    outcome({ patterns: [], fraud: false }, ['fraud'], 'review'), // false positive
    outcome({ patterns: [], fraud: false }), // true negative
    outcome({ patterns: ['structuring'], aml: true }, ['aml']), // aml true positive; not counted for fraud
    outcome(undefined, ['fraud']), // unlabelled: counted as decided only
  ];

  it('scores each domain on the events labelled for it, flagged by an alert of that domain', () => {
    const e = evaluate(outcomes);
    expect(e.decided).toBe(6);
    expect(e.labelled).toBe(5);
    expect(e.domains.find((d) => d.domain === 'fraud')).toEqual({ domain: 'fraud', labelled: 4, positives: 2, flagged: 2, truePositives: 1, precision: 0.5, recall: 0.5 });
    expect(e.domains.find((d) => d.domain === 'aml')).toEqual({ domain: 'aml', labelled: 1, positives: 1, flagged: 1, truePositives: 1, precision: 1, recall: 1 });
    expect(e.domains.find((d) => d.domain === 'credit')).toMatchObject({ labelled: 0, precision: null, recall: null });
  });

  it('counts, per pattern, the events that raised any alert', () => {
    expect(evaluate(outcomes).patterns).toEqual([
      { pattern: 'card_testing', events: 2, alerted: 1 },
      { pattern: 'structuring', events: 1, alerted: 1 },
    ]);
  });

  it('prints a table of the domains with labels, and the patterns', () => {
    const lines = evaluationLines(evaluate(outcomes));
    expect(lines[0]).toBe('replay: detection on 5 labelled of 6 decided events (flagged = an alert of the domain)');
    expect(lines.some((l) => /^ {2}fraud +4 +2 +2 +50\.0 % +50\.0 %$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('  credit'))).toBe(false);
    expect(lines.at(-1)).toBe('  patterns (events that raised any alert): card_testing 1/2, structuring 1/1');
  });

  it('says why there is nothing to evaluate when no decision came back, instead of an empty table', () => {
    expect(evaluationLines(evaluate([]))).toEqual([expect.stringMatching(/^replay: no decision came back, so there is nothing to evaluate: is a riskstream with the processors role running/)]);
  });

  it('does not ask whether the processors run when they were seen to decide every event', () => {
    const lines = evaluationLines(evaluate([]), true);
    expect(lines).toEqual([expect.stringMatching(/^replay: none of the events sent has a decision to evaluate: they were decided before \(sent again\)/)]);
    expect(lines.join('\n')).not.toMatch(/processors role running/);
  });
});

describe('replay evaluation - how the fraud score ranks', () => {
  it('is reported beside the domains when the decisions carry scores', () => {
    const scored: Outcome[] = [
      { labels: { patterns: [], fraud: true }, action: 'review', alerted: new Set(['fraud']), score: 650 },
      { labels: { patterns: [], fraud: false }, action: 'allow', alerted: new Set(), score: 0 },
      { labels: { patterns: [], fraud: false }, action: 'allow', alerted: new Set(), score: 200 },
    ];
    const e = evaluate(scored);
    expect(e.fraudRanking).toEqual({ events: 3, positives: 1, rocAuc: 1, averagePrecision: 1 });
    expect(evaluationLines(e)).toContain('  fraud score ranking (3 events, 1 positive): ROC AUC 1.000 (chance 0.500), average precision 1.000 (chance 0.333)');
  });
});

describe("replay evaluation - the audit's figures: actions, cases, rules, fraud alerts on laundering", () => {
  const GEO: RuleRef = { code: 'FR-GEO-SPEED', domain: 'fraud' };
  const TEST: RuleRef = { code: 'FR-CARD-TEST', domain: 'fraud' };
  const AMT: RuleRef = { code: 'FR-AMT-AVG', domain: 'fraud' };
  const STRUCT: RuleRef = { code: 'AML-STRUCT', domain: 'aml' };
  const at = (labels: Outcome['labels'], action: string, alerted: string[], rules: RuleRef[] = []): Outcome => ({ labels, action, alerted: new Set(alerted), rules });
  const audit = [
    at({ patterns: ['card_testing'], fraud: true, scenarioId: 'ct-1' }, 'block', ['fraud'], [GEO, TEST]), // 1: caught, case ct-1
    at({ patterns: ['card_testing'], fraud: true, scenarioId: 'ct-1' }, 'allow', []), // 2: missed, but its case is caught
    at({ patterns: ['card_testing'], fraud: true, scenarioId: 'ct-2' }, 'review', [], [TEST]), // 3: reviewed without an alert: case ct-2 missed
    at({ patterns: ['structuring'], fraud: false, aml: true, scenarioId: 'st-1' }, 'review', ['fraud'], [GEO]), // 4: laundering caught by a fraud alert
    at({ patterns: ['paysim_fraud'], fraud: true }, 'allow', ['fraud'], [GEO]), // 5: no case id
    at({ patterns: [], fraud: false }, 'review', ['fraud'], [GEO, AMT]), // 6: noise
    at({ patterns: [], fraud: false }, 'allow', [], [GEO]), // 7: fired without an alert
    at({ patterns: [], fraud: false }, 'block', ['fraud'], [AMT]), // 8: noise
    at(undefined, 'allow', ['aml'], [STRUCT]), // 9: without labels: unlabelled
  ];

  it('splits the actions and alerts between the positives and the unlabelled', () => {
    expect(evaluate(audit).actions).toEqual({
      positive: { events: 5, allowed: 2, reviewed: 2, blocked: 1, alerted: 3 },
      unlabelled: { events: 4, allowed: 2, reviewed: 1, blocked: 1, alerted: 3 },
    });
  });

  it('keeps the fraud row counting a fraud alert on laundering as a false positive, and counts it a hit beside it', () => {
    const e = evaluate(audit);
    expect(e.domains.find((d) => d.domain === 'fraud')).toEqual({ domain: 'fraud', labelled: 8, positives: 4, flagged: 5, truePositives: 2, precision: 0.4, recall: 0.5 });
    expect(e.fraudPrecisionAnyBad).toEqual({ flagged: 5, hits: 3, amlOnly: 1, precision: 0.6 });
    // an aml-labelled event without a fraud label, fraud-alerted: a hit here, not in the fraud row at all
    expect(evaluate([at({ patterns: [], aml: true }, 'allow', ['fraud'])]).fraudPrecisionAnyBad).toEqual({ flagged: 1, hits: 1, amlOnly: 1, precision: 1 });
  });

  it('counts, per pattern, the cases and those with an alerted event; none without scenario ids', () => {
    expect(evaluate(audit).patternCases).toEqual([
      { pattern: 'card_testing', cases: 2, casesAlerted: 1 },
      { pattern: 'paysim_fraud', cases: null, casesAlerted: null },
      { pattern: 'structuring', cases: 1, casesAlerted: 1 },
    ]);
  });

  it('scores each reason code on the events it fired on, the noisiest first', () => {
    expect(evaluate(audit).rules).toEqual([
      { code: 'FR-GEO-SPEED', domain: 'fraud', events: 5, positives: 2, precision: 0.4, unlabelled: 2, unlabelledAlerted: 1, shareOfUnlabelledAlerts: 1 / 3 },
      { code: 'FR-AMT-AVG', domain: 'fraud', events: 2, positives: 0, precision: 0, unlabelled: 2, unlabelledAlerted: 2, shareOfUnlabelledAlerts: 2 / 3 },
      { code: 'AML-STRUCT', domain: 'aml', events: 1, positives: 0, precision: 0, unlabelled: 1, unlabelledAlerted: 1, shareOfUnlabelledAlerts: 1 / 3 },
      { code: 'FR-CARD-TEST', domain: 'fraud', events: 2, positives: 2, precision: 1, unlabelled: 0, unlabelledAlerted: 0, shareOfUnlabelledAlerts: 0 },
    ]);
  });

  it('judges a code of no domain by any positive label', () => {
    const odd: RuleRef = { code: 'RULE_ERROR', domain: null };
    expect(evaluate([at({ patterns: [], credit: true }, 'allow', [], [odd]), at({ patterns: [], fraud: false }, 'allow', [], [odd])]).rules).toEqual([
      { code: 'RULE_ERROR', domain: null, events: 2, positives: 1, precision: 0.5, unlabelled: 1, unlabelledAlerted: 0, shareOfUnlabelledAlerts: null },
    ]);
  });

  it('prints them, leaving the lines there were in place', () => {
    const lines = evaluationLines(evaluate(audit));
    expect(lines).toContain('  fraud precision with alerts on any labelled-bad event (fraud or aml) counted as hits: 60.0 % (3 of 5; 1 of them laundering, not fraud: the fraud row counts those labelled fraud: false as false positives)');
    expect(lines.some((l) => /^ {2}fraud +8 +4 +5 +40\.0 % +50\.0 %$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}positive +5 +2 +2 +1 +3$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}unlabelled +4 +2 +1 +1 +3$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}FR-GEO-SPEED +fraud +5 +2 +40\.0 % +2 +1 +33\.3 %$/.test(l))).toBe(true);
    expect(lines).toContain('  cases (scenario ids with an event that raised any alert): card_testing 1/2, paysim_fraud no case ids, structuring 1/1');
    expect(lines.at(-1)).toBe('  patterns (events that raised any alert): card_testing 1/3, paysim_fraud 1/1, structuring 1/1');
  });

  it('says there are no case ids rather than 0, and lists the 20 noisiest codes', () => {
    const many = Array.from({ length: 25 }, (_, i) => at({ patterns: ['paysim_fraud'], fraud: false }, 'allow', [], Array.from({ length: i + 1 }, (_, j) => ({ code: `FR-R${j}`, domain: 'fraud' as const }))));
    const lines = evaluationLines(evaluate(many));
    expect(lines).toContain('  cases: no case ids (labels.scenarioId) in these events');
    expect(lines.filter((l) => /^ {2}FR-R\d+ /.test(l)).map((l) => l.trim().split(' ')[0])).toEqual(Array.from({ length: 20 }, (_, j) => `FR-R${j}`));
    expect(lines).toContain('  … 5 more reason codes (all are in --json)');
    expect(evaluate(many).rules).toHaveLength(25);
  });
});

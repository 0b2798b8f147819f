// The replay's detection report: counts, precision and recall per domain, alerts per pattern.
import { describe, expect, it } from 'vitest';
import { evaluate, evaluationLines, type Outcome } from './replay-evaluation.js';

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
});

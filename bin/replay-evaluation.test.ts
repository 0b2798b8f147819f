// The replay's detection report: counts, precision and recall per domain, alerts per pattern.
import { describe, expect, it } from 'vitest';
import { IdIndex, OutcomeLedger, evaluate, evaluationLines, type Outcome } from './replay-evaluation.js';

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

describe('replay evaluation - the outcome ledger', () => {
  it('keeps what the decisions and alerts of expected events say, in whatever order they arrive', () => {
    const ledger = new OutcomeLedger();
    for (let i = 0; i < 3000; i++) ledger.expect(`e-${i}`);
    // An alert before its decision, and one of another domain.
    ledger.alerted('e-1', 'aml');
    ledger.decided('e-1', { patterns: ['fan_out', 'cycle'], aml: true }, 'allow');
    ledger.decided('e-2', { patterns: [], fraud: false, aml: false }, 'review');
    ledger.alerted('e-2', 'fraud');
    ledger.decided('e-2999', undefined, 'block');
    ledger.alerted('e-5', 'fraud'); // never decided: not an outcome
    ledger.decided('stranger', { patterns: [], fraud: true }, 'block'); // not expected: ignored
    ledger.alerted('e-2999', 'sanctions');
    expect(ledger.size).toBe(3000);
    const outcomes = [...ledger.outcomes()];
    expect(outcomes).toEqual([
      { labels: { patterns: ['fan_out', 'cycle'], aml: true }, action: 'allow', alerted: new Set(['aml']) },
      { labels: { patterns: [], fraud: false, aml: false }, action: 'review', alerted: new Set(['fraud']) },
      { labels: undefined, action: 'block', alerted: new Set(['other']) },
    ]);
    const e = evaluate(ledger.outcomes());
    expect(e).toMatchObject({ decided: 3, labelled: 2 });
    expect(e.domains.find((d) => d.domain === 'aml')).toMatchObject({ labelled: 2, positives: 1, flagged: 1, truePositives: 1 });
    expect(e.domains.find((d) => d.domain === 'fraud')).toMatchObject({ labelled: 1, positives: 0, flagged: 1, truePositives: 0 });
    expect(e.patterns).toEqual([
      { pattern: 'cycle', events: 1, alerted: 1 },
      { pattern: 'fan_out', events: 1, alerted: 1 },
    ]);
  });

  it('counts an event expected twice once', () => {
    const ledger = new OutcomeLedger();
    ledger.expect('twice');
    ledger.expect('twice');
    ledger.decided('twice', { patterns: [], fraud: true }, 'block');
    expect(ledger.size).toBe(1);
    expect([...ledger.outcomes()]).toHaveLength(1);
  });
});

describe('replay evaluation - the id index', () => {
  it('finds every id added, not one that was not, across growth', () => {
    const index = new IdIndex();
    for (let i = 0; i < 50_000; i++) expect(index.add(`ev-${i}`, i)).toBe(true);
    expect(index.add('ev-123', 7)).toBe(false);
    expect(index.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(index.get(`ev-${i}`)).toBe(i);
    expect(index.get('ev-123')).toBe(123);
    expect(index.get('ev-50000')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });
});

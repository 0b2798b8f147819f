// The replay's detection report: counts, precision and recall per domain, alerts per pattern.
import { describe, expect, it } from 'vitest';
import { IdIndex, OutcomeLedger, evaluate, evaluationLines, rankingOf, type Outcome } from './replay-evaluation.js';

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
  const bins = (entries: Record<number, number>): Float64Array => {
    const a = new Float64Array(1001);
    for (const [score, count] of Object.entries(entries)) a[Number(score)] = count;
    return a;
  };

  it('is 1 for a score that puts every positive first, 0 for one that puts them last', () => {
    expect(rankingOf(bins({ 900: 2 }), bins({ 100: 5, 0: 3 }))).toEqual({ events: 10, positives: 2, rocAuc: 1, averagePrecision: 1 });
    expect(rankingOf(bins({ 0: 2 }), bins({ 100: 8 }))).toMatchObject({ rocAuc: 0, averagePrecision: 0.2 });
  });

  it('counts ties half: a score that says nothing is chance', () => {
    // Everything at 0: AUC 0.5, average precision the positives' share.
    expect(rankingOf(bins({ 0: 1 }), bins({ 0: 3 }))).toEqual({ events: 4, positives: 1, rocAuc: 0.5, averagePrecision: 0.25 });
  });

  it('matches the definitions on a mixed ranking', () => {
    // Scores: positives 800, 300; negatives 500, 300, 0. Pairs (pos > neg): 800 beats all 3; 300 beats 0, ties 300 (½), loses to 500.
    const r = rankingOf(bins({ 800: 1, 300: 1 }), bins({ 500: 1, 300: 1, 0: 1 }));
    expect(r.rocAuc).toBeCloseTo((3 + 1 + 0.5) / 6, 10);
    // Thresholds 800 (P 1/1, R ½), 500 (no positive), 300 (P 2/4, R 1): AP = ½·1 + ½·½.
    expect(r.averagePrecision).toBeCloseTo(0.75, 10);
  });

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

describe('replay evaluation - the outcome ledger', () => {
  it('keeps what the decisions and alerts of expected events say, in whatever order they arrive', () => {
    const ledger = new OutcomeLedger();
    for (let i = 0; i < 3000; i++) ledger.expect(`e-${i}`);
    // An alert before its decision, and one of another domain.
    ledger.alerted('e-1', 'aml');
    ledger.decided('e-1', { patterns: ['fan_out', 'cycle'], aml: true }, 'allow', 0);
    ledger.decided('e-2', { patterns: [], fraud: false, aml: false }, 'review', 412.4);
    ledger.alerted('e-2', 'fraud');
    ledger.decided('e-2999', undefined, 'block');
    ledger.alerted('e-5', 'fraud'); // never decided: not an outcome
    ledger.decided('stranger', { patterns: [], fraud: true }, 'block'); // not expected: ignored
    ledger.alerted('e-2999', 'sanctions');
    expect(ledger.size).toBe(3000);
    const outcomes = [...ledger.outcomes()];
    expect(outcomes).toEqual([
      { labels: { patterns: ['fan_out', 'cycle'], aml: true }, action: 'allow', alerted: new Set(['aml']), score: 0 },
      { labels: { patterns: [], fraud: false, aml: false }, action: 'review', alerted: new Set(['fraud']), score: 412 },
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

  it('says which expected events still await their decision, counting each decided once', () => {
    const ledger = new OutcomeLedger();
    ledger.expect('a');
    ledger.expect('b');
    expect([ledger.awaits('a'), ledger.awaits('b'), ledger.awaits('other')]).toEqual([true, true, false]);
    ledger.decided('a', undefined, 'allow');
    ledger.decided('a', undefined, 'allow');
    ledger.decided('other', undefined, 'allow');
    expect([ledger.awaits('a'), ledger.decidedCount]).toEqual([false, 1]);
  });

  it('leaves an event the destination refused out of what it waits for and what the figures cover', () => {
    const ledger = new OutcomeLedger();
    for (const id of ['a', 'b', 'c']) ledger.expect(id);
    ledger.withdraw('b');
    ledger.withdraw('b');
    ledger.withdraw('unknown');
    expect([ledger.size, ledger.awaits('b'), ledger.awaits('a')]).toEqual([2, false, true]);
    ledger.decided('a', { patterns: [], fraud: true }, 'block', 900);
    ledger.decided('c', { patterns: [], fraud: false }, 'allow', 10);
    expect([ledger.decidedCount, ledger.size]).toEqual([2, 2]);
    expect([...ledger.outcomes()]).toHaveLength(2);
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

// The outcome ledger: what a replay's decisions and alerts say per event, read back as outcomes.
import { describe, expect, it } from 'vitest';
import { evaluate } from './replay-evaluation.js';
import { OutcomeLedger } from './replay-ledger.js';

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

  it('the ledger keeps each event\'s reason codes once, their domains and its scenario id', () => {
    const ledger = new OutcomeLedger();
    for (const id of ['a', 'b', 'c']) ledger.expect(id);
    ledger.alerted('a', 'fraud', ['FR-GEO-SPEED', 'FR-DRAIN']); // before its decision
    ledger.decided('a', { patterns: ['account_takeover'], fraud: true, scenarioId: 's1-4' }, 'block', 720, ['FR-GEO-SPEED', 'FR-DRAIN']);
    ledger.decided('b', { patterns: [], fraud: false, aml: true }, 'allow', 0, []);
    ledger.alerted('b', 'aml', ['STRUCTURING-1']); // no prefix: the alert's domain
    // codes past the mask's 32 bits
    const codes = Array.from({ length: 40 }, (_, i) => `FR-X${i}`);
    ledger.decided('c', undefined, 'review', 500, [...codes, 'FR-X39']);
    const outcomes = [...ledger.outcomes()];
    expect(outcomes[0]).toEqual({
      labels: { patterns: ['account_takeover'], fraud: true, scenarioId: 's1-4' },
      action: 'block',
      alerted: new Set(['fraud']),
      score: 720,
      rules: [
        { code: 'FR-GEO-SPEED', domain: 'fraud' },
        { code: 'FR-DRAIN', domain: 'fraud' },
      ],
    });
    expect(outcomes[1]!.rules).toEqual([{ code: 'STRUCTURING-1', domain: 'aml' }]);
    expect(outcomes[2]!.rules!.map((r) => r.code).sort()).toEqual([...codes].sort());
    const e = evaluate(ledger.outcomes());
    expect(e.rules.find((r) => r.code === 'STRUCTURING-1')).toMatchObject({ events: 1, positives: 1, precision: 1 });
    expect(e.rules.find((r) => r.code === 'FR-X39')).toMatchObject({ events: 1, unlabelled: 1, unlabelledAlerted: 0 });
    expect(e.patternCases).toEqual([{ pattern: 'account_takeover', cases: 1, casesAlerted: 1 }]);
  });
});

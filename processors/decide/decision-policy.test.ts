import { describe, expect, it } from 'vitest';
import { DEFAULT_DECISION_POLICY, actionForScore, createDecisionPolicy, strongerAction, type DecisionPolicyOverrides } from './index.js';

describe('decision policy - overrides', () => {
  it('keeps the defaults without overrides', () => {
    expect(createDecisionPolicy()).toEqual(DEFAULT_DECISION_POLICY);
  });

  it('changes only what is given', () => {
    const policy = createDecisionPolicy({ thresholds: { vip: { block: 950 } } });
    expect(policy.thresholds.vip).toEqual({ review: 500, block: 950 });
    expect(policy.thresholds.standard).toEqual(DEFAULT_DECISION_POLICY.thresholds.standard);
    expect(actionForScore(920, 'vip', policy)).toBe('review');
  });

  it.each([
    { name: 'review above block', overrides: { thresholds: { standard: { review: 800 } } }, message: /standard.review \(800\) is above standard.block \(700\)/ },
    { name: 'a threshold above 1000', overrides: { thresholds: { vip: { block: 1200 } } }, message: /vip.block must be a number from 0 to 1000/ },
    { name: 'a negative threshold', overrides: { thresholds: { important: { review: -1 } } }, message: /important.review/ },
    { name: 'a threshold that is not a number', overrides: { thresholds: { vip: { block: '900' } } }, message: /vip.block must be a number/ },
    { name: 'an unknown segment', overrides: { thresholds: { gold: { block: 900 } } }, message: /unknown segments gold/ },
    { name: 'an unknown fallback action', overrides: { onFraudScorerError: 'hold' }, message: /onFraudScorerError must be one of allow, review, block/ },
  ])('refuses $name', ({ overrides, message }) => {
    expect(() => createDecisionPolicy(overrides as unknown as DecisionPolicyOverrides)).toThrowError(message);
  });

  it('checks review thresholds against the fraud alert threshold it is given, and only then', () => {
    // the threshold in force is the fraud scorer's: createDecider checks against it (decide.test.ts)
    expect(createDecisionPolicy({ thresholds: { vip: { review: 350 } } }).thresholds.vip.review).toBe(350);
    expect(() => createDecisionPolicy({ thresholds: { vip: { review: 350 } } }, { fraudAlertThreshold: 400 })).toThrowError(
      /vip\.review \(350\) is below the fraud alert threshold \(400\): vip payments scoring from 350 to under 400 would be held for review with no alert/,
    );
    expect(createDecisionPolicy({ thresholds: { standard: { review: 350 } } }, { fraudAlertThreshold: 300 }).thresholds.standard.review).toBe(350);
    expect(() => createDecisionPolicy({}, { fraudAlertThreshold: 450 })).toThrowError(/standard\.review \(400\) is below the fraud alert threshold \(450\)/);
    expect(() => createDecisionPolicy({}, { fraudAlertThreshold: Number.NaN })).toThrowError(/fraud alert threshold must be a number from 0 to 1000/);
  });
});

describe('decision policy - actions', () => {
  it.each([
    { a: 'allow', b: 'review', stronger: 'review' },
    { a: 'block', b: 'review', stronger: 'block' },
    { a: 'allow', b: 'allow', stronger: 'allow' },
  ] as const)('$a vs $b -> $stronger', ({ a, b, stronger }) => {
    expect(strongerAction(a, b)).toBe(stronger);
  });

  it('gives VIP customers the highest block threshold', () => {
    const t = DEFAULT_DECISION_POLICY.thresholds;
    expect(t.vip.block).toBeGreaterThan(t.important.block);
    expect(t.important.block).toBeGreaterThan(t.standard.block);
  });
});

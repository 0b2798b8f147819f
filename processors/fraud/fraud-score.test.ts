import { describe, expect, it } from 'vitest';
import { combineRulePoints, severityForScore } from './index.js';

describe('fraud score - combination', () => {
  const cases: Array<{ points: number[]; score: number }> = [
    { points: [], score: 0 },
    { points: [0], score: 0 },
    { points: [300], score: 300 },
    { points: [100], score: 100 },
    { points: [500, 500], score: 750 },
    { points: [300, 200], score: 440 },
    { points: [500, 300, 200], score: 720 },
    { points: [1000], score: 1000 },
    { points: [1000, 100], score: 1000 },
    { points: [1200, -50], score: 1000 },
    // 1000 − 650·750·800·850/1000³ = 668.5 exactly → 669 (half up); floating point gave 668
    { points: [350, 250, 200, 150], score: 669 },
  ];
  it.each(cases)('$points -> $score', ({ points, score }) => {
    expect(combineRulePoints(points)).toBe(score);
  });

  it('stays within 0–1000 however many rules fire', () => {
    expect(combineRulePoints(Array.from({ length: 200 }, () => 900))).toBe(1000);
    expect(combineRulePoints(Array.from({ length: 200 }, () => 1))).toBeLessThanOrEqual(1000);
  });

  it('never falls when a rule is added or a rule gains points', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % 1001;
    };
    for (let trial = 0; trial < 500; trial++) {
      const points = Array.from({ length: 1 + (trial % 8) }, next);
      const score = combineRulePoints(points);
      expect(combineRulePoints([...points, next()])).toBeGreaterThanOrEqual(score);
      const raised = points.map((p, i) => (i === 0 ? Math.min(1000, p + 50) : p));
      expect(combineRulePoints(raised)).toBeGreaterThanOrEqual(score);
      expect(score).toBeGreaterThanOrEqual(Math.max(...points));
    }
  });

  it('does not depend on the order rules fired in, and is the exact value rounded half up', () => {
    expect(combineRulePoints([450, 200, 300])).toBe(combineRulePoints([300, 450, 200]));
    // every subset of the starter rules' points, in two orders, against exact rational arithmetic
    const starter = [300, 200, 150, 250, 200, 400, 300, 350, 300, 200, 500, 400, 300, 200, 250, 250, 200, 300];
    for (let mask = 1; mask < 1 << 12; mask += 7) {
      const chosen = starter.filter((_, i) => (mask >> i) & 1);
      const remaining = chosen.reduce((r, p) => r * BigInt(1000 - p), 1n);
      const scale = 1000n ** BigInt(chosen.length);
      const exact = Number((2000n * (scale - remaining) + scale) / (2n * scale));
      expect(combineRulePoints(chosen)).toBe(exact);
      expect(combineRulePoints([...chosen].reverse())).toBe(exact);
    }
  });
});

describe('fraud score - severity', () => {
  const cases = [
    { score: 0, severity: 'low' },
    { score: 499, severity: 'low' },
    { score: 500, severity: 'medium' },
    { score: 700, severity: 'high' },
    { score: 899, severity: 'high' },
    { score: 900, severity: 'critical' },
    { score: 1000, severity: 'critical' },
  ] as const;
  it.each(cases)('$score -> $severity', ({ score, severity }) => {
    expect(severityForScore(score)).toBe(severity);
  });
});

describe('fraud score - alert threshold', () => {
  it('raises an alert for every score the default policy sends to review in any segment', async () => {
    const { DEFAULT_DECISION_POLICY } = await import('../decide/decision-policy.js');
    const { DEFAULT_FRAUD_ALERT_THRESHOLD } = await import('./index.js');
    const lowestReview = Math.min(...Object.values(DEFAULT_DECISION_POLICY.thresholds).map((t) => t.review));
    expect(DEFAULT_FRAUD_ALERT_THRESHOLD).toBeLessThanOrEqual(lowestReview);
  });
});

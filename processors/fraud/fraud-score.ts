// How fired fraud rules add up to one score, and how a score maps to an alert severity.
//
// Each rule's points p (0–1000) are read as an independent chance p/1000 that the payment is
// fraud; the score is the chance that at least one is right: 1000·(1 − Π(1 − p/1000)). It is
// bounded by 1000 without a cap, grows with every extra rule (monotone), saturates (two
// 500-point rules give 750, not 1000), is independent of rule order, and one rule alone scores
// exactly its points, so a rule's weight reads directly as the score it gives.
import type { Severity } from '../../core/contracts/index.js';

export const MAX_SCORE = 1000;

/**
 * Combined score of fired rules' points; 0 when none fired. Rounded half up to an integer, in
 * exact integer arithmetic: 1000 − Π(1000 − p) / 1000^(n−1) (in floating point the product lost
 * a point on some sets of rules, and depended on their order).
 */
export function combineRulePoints(points: readonly number[]): number {
  if (points.length === 0) return 0;
  const base = BigInt(MAX_SCORE);
  let remaining = 1n;
  let divisor = 1n; // 1000^(n−1)
  for (let i = 0; i < points.length; i++) {
    const p = Math.round(Math.min(MAX_SCORE, Math.max(0, points[i] as number)));
    remaining *= base - BigInt(p);
    if (i > 0) divisor *= base;
  }
  const numerator = divisor * base - remaining; // score = numerator / divisor
  return Number((2n * numerator + divisor) / (2n * divisor));
}

/** Lowest score of each severity, highest first. */
export const FRAUD_SEVERITY_BANDS = [
  { min: 900, severity: 'critical' },
  { min: 700, severity: 'high' },
  { min: 500, severity: 'medium' },
  { min: 0, severity: 'low' },
] as const satisfies readonly { readonly min: number; readonly severity: Severity }[];

export function severityForScore(score: number): Severity {
  for (const band of FRAUD_SEVERITY_BANDS) if (score >= band.min) return band.severity;
  return 'low';
}

/**
 * Fraud alerts are raised from this score up: the lowest review threshold of any segment (standard,
 * 400), so that every payment held for review has an alert an analyst can find in the feed.
 */
export const DEFAULT_FRAUD_ALERT_THRESHOLD = 400;

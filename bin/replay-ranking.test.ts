// The fraud score's ranking figures: ROC AUC and average precision from counts per score.
import { describe, expect, it } from 'vitest';
import { rankingOf } from './replay-ranking.js';

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
});

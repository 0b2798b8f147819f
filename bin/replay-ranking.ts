// The threshold-free figures of a score: how well it ranks the positives above the negatives,
// from counts per integer score rather than a list of scores, so that millions of replayed events
// cost a fixed 1001 bins each for positives and negatives.

/** How well a score ranks positives above negatives, independent of any threshold. */
export type Ranking = {
  /** Labelled events with a score. */
  readonly events: number;
  readonly positives: number;
  /** Area under the ROC curve: the chance that a random positive scores above a random negative (ties count half); 0.5 is chance. */
  readonly rocAuc: number | null;
  /** Average precision (area under the precision-recall curve, by threshold steps); the positives' share is chance. */
  readonly averagePrecision: number | null;
};

/** One bin per integer score 0–1000. */
export const SCORE_BINS = 1001;

/** ROC AUC and average precision from the counts of positives and negatives at each integer score 0–1000. */
export function rankingOf(positivesAt: ArrayLike<number>, negativesAt: ArrayLike<number>): Ranking {
  let positives = 0;
  let negatives = 0;
  for (let s = 0; s < SCORE_BINS; s++) {
    positives += positivesAt[s] ?? 0;
    negatives += negativesAt[s] ?? 0;
  }
  if (positives === 0 || negatives === 0) return { events: positives + negatives, positives, rocAuc: null, averagePrecision: positives === 0 ? null : 1 };
  // Highest scores first: each distinct score is one threshold.
  let truePositives = 0;
  let falsePositives = 0;
  let rocArea = 0;
  let ap = 0;
  for (let s = SCORE_BINS - 1; s >= 0; s--) {
    const p = positivesAt[s] ?? 0;
    const n = negativesAt[s] ?? 0;
    if (p === 0 && n === 0) continue;
    // Negatives at this score rank below the positives above it, and tie with those at it.
    rocArea += n * (truePositives + p / 2);
    truePositives += p;
    falsePositives += n;
    ap += (p / positives) * (truePositives / (truePositives + falsePositives));
  }
  return { events: positives + negatives, positives, rocAuc: rocArea / (positives * negatives), averagePrecision: ap };
}

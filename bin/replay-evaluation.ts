// What `riskstream replay --evaluate` reports: how the decisions and alerts of a labelled replay
// compare with its labels. Pure: it is handed the decisions and alerts seen for the replayed events.
//
// An event counts as flagged for a domain (fraud, aml, credit) when it raised an alert of that
// domain; an event labelled for the domain (`labels.fraud: true`) is a positive, one labelled
// `false` a negative, one without the field is not counted for that domain. Per pattern
// (`labels.patterns`), the share of its events that raised any alert.

export const DOMAINS = ['fraud', 'aml', 'credit'] as const;
export type Domain = (typeof DOMAINS)[number];

export type EventLabels = { readonly patterns?: readonly string[]; readonly fraud?: boolean; readonly aml?: boolean; readonly credit?: boolean };

/** One replayed event's outcome: its labels and action (from its decision) and the domains it alerted in. */
export type Outcome = { labels: EventLabels | undefined; action: string; alerted: Set<string> };

export type DomainScore = {
  readonly domain: Domain;
  /** Events labelled for the domain (true or false). */
  readonly labelled: number;
  readonly positives: number;
  readonly flagged: number;
  readonly truePositives: number;
  /** truePositives / flagged; null when nothing was flagged. */
  readonly precision: number | null;
  /** truePositives / positives; null without positives. */
  readonly recall: number | null;
};

export type PatternScore = { readonly pattern: string; readonly events: number; readonly alerted: number };

export type Evaluation = {
  readonly decided: number;
  readonly labelled: number;
  readonly domains: readonly DomainScore[];
  readonly patterns: readonly PatternScore[];
};

export function evaluate(outcomes: Iterable<Outcome>): Evaluation {
  let decided = 0;
  let labelled = 0;
  const counts = new Map<Domain, { labelled: number; positives: number; flagged: number; truePositives: number }>(
    DOMAINS.map((d) => [d, { labelled: 0, positives: 0, flagged: 0, truePositives: 0 }]),
  );
  const patterns = new Map<string, { events: number; alerted: number }>();
  for (const outcome of outcomes) {
    decided++;
    const labels = outcome.labels;
    if (!labels) continue;
    labelled++;
    for (const domain of DOMAINS) {
      const truth = labels[domain];
      if (truth === undefined) continue;
      const c = counts.get(domain)!;
      const flagged = outcome.alerted.has(domain);
      c.labelled++;
      if (truth) c.positives++;
      if (flagged) c.flagged++;
      if (truth && flagged) c.truePositives++;
    }
    for (const pattern of labels.patterns ?? []) {
      const p = patterns.get(pattern) ?? { events: 0, alerted: 0 };
      p.events++;
      if (outcome.alerted.size > 0) p.alerted++;
      patterns.set(pattern, p);
    }
  }
  return {
    decided,
    labelled,
    domains: DOMAINS.map((domain) => {
      const c = counts.get(domain)!;
      return {
        domain,
        ...c,
        precision: c.flagged === 0 ? null : c.truePositives / c.flagged,
        recall: c.positives === 0 ? null : c.truePositives / c.positives,
      };
    }),
    patterns: [...patterns].map(([pattern, p]) => ({ pattern, ...p })).sort((a, b) => a.pattern.localeCompare(b.pattern)),
  };
}

/** The evaluation as lines for a terminal. */
export function evaluationLines(e: Evaluation): string[] {
  const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [`replay: detection on ${n(e.labelled)} labelled of ${n(e.decided)} decided events (flagged = an alert of the domain)`];
  lines.push('  domain   labelled  positive   flagged  precision     recall');
  for (const d of e.domains) {
    if (d.labelled === 0) continue;
    lines.push(`  ${d.domain.padEnd(7)} ${n(d.labelled).padStart(9)} ${n(d.positives).padStart(9)} ${n(d.flagged).padStart(9)} ${pct(d.precision).padStart(10)} ${pct(d.recall).padStart(10)}`);
  }
  if (e.patterns.length > 0) {
    lines.push(`  patterns (events that raised any alert): ${e.patterns.map((p) => `${p.pattern} ${n(p.alerted)}/${n(p.events)}`).join(', ')}`);
  }
  return lines;
}

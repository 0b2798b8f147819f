// The text `riskstream replay --evaluate` prints for an evaluation (--json prints the evaluation
// itself): kept apart from the figures so that what is measured and how it reads on a terminal
// change on their own.

import type { Evaluation } from './replay-evaluation.js';

/** Reason codes listed in the text; --json has them all. */
const RULES_SHOWN = 20;

/**
 * The evaluation as lines for a terminal. `allDecided`: the processors were seen to have decided
 * every event (--wait), so a missing decision is not for want of a running riskstream.
 */
export function evaluationLines(e: Evaluation, allDecided = false): string[] {
  const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  const n = (x: number): string => x.toLocaleString('en-US');
  if (e.decided === 0) {
    return [
      allDecided
        ? 'replay: none of the events sent has a decision to evaluate: they were decided before (sent again) and their decisions are no longer in the decisions stream; replay the file in a fresh RISKSTREAM_NAMESPACE or after `riskstream reset --yes`'
        : 'replay: no decision came back, so there is nothing to evaluate: is a riskstream with the processors role running in this namespace (RISKSTREAM_NAMESPACE)? `riskstream doctor` lists its processes',
    ];
  }
  const lines = [`replay: detection on ${n(e.labelled)} labelled of ${n(e.decided)} decided events (flagged = an alert of the domain)`];
  lines.push('  domain   labelled  positive   flagged  precision     recall');
  for (const d of e.domains) {
    if (d.labelled === 0) continue;
    lines.push(`  ${d.domain.padEnd(7)} ${n(d.labelled).padStart(9)} ${n(d.positives).padStart(9)} ${n(d.flagged).padStart(9)} ${pct(d.precision).padStart(10)} ${pct(d.recall).padStart(10)}`);
  }
  const bad = e.fraudPrecisionAnyBad;
  if (bad.flagged > 0) {
    lines.push(
      `  fraud precision with alerts on any labelled-bad event (fraud or aml) counted as hits: ${pct(bad.precision)} (${n(bad.hits)} of ${n(bad.flagged)}` +
        (bad.amlOnly > 0 ? `; ${n(bad.amlOnly)} of them laundering, not fraud: the fraud row counts those labelled fraud: false as false positives)` : ')'),
    );
  }
  const r = e.fraudRanking;
  if (r.rocAuc !== null && r.averagePrecision !== null) {
    lines.push(
      `  fraud score ranking (${n(r.events)} events, ${n(r.positives)} positive): ROC AUC ${r.rocAuc.toFixed(3)} (chance 0.500), ` +
        `average precision ${r.averagePrecision.toFixed(3)} (chance ${(r.positives / r.events).toFixed(3)})`,
    );
  }
  lines.push('  actions      events   allowed  reviewed   blocked   alerted   (positive: labelled true in a domain; unlabelled: every other event)');
  for (const [group, a] of [['positive', e.actions.positive], ['unlabelled', e.actions.unlabelled]] as const) {
    lines.push(`  ${group.padEnd(10)} ${n(a.events).padStart(8)} ${n(a.allowed).padStart(9)} ${n(a.reviewed).padStart(9)} ${n(a.blocked).padStart(9)} ${n(a.alerted).padStart(9)}`);
  }
  if (e.rules.length > 0) {
    lines.push(
      `  rules (events each reason code fired on, noisiest first; positive: labelled true in its domain; share: of the ${n(e.actions.unlabelled.alerted)} alerted unlabelled events)`,
      '  code                 domain    events  positive  precision  unlabelled  alerted     share',
    );
    for (const rule of e.rules.slice(0, RULES_SHOWN)) {
      lines.push(
        `  ${rule.code.padEnd(20)} ${(rule.domain ?? 'any').padEnd(7)} ${n(rule.events).padStart(8)} ${n(rule.positives).padStart(9)} ${pct(rule.precision).padStart(10)} ` +
          `${n(rule.unlabelled).padStart(11)} ${n(rule.unlabelledAlerted).padStart(8)} ${pct(rule.shareOfUnlabelledAlerts).padStart(9)}`,
      );
    }
    if (e.rules.length > RULES_SHOWN) lines.push(`  … ${n(e.rules.length - RULES_SHOWN)} more reason codes (all are in --json)`);
  }
  if (e.patternCases.length > 0) {
    lines.push(
      e.patternCases.every((c) => c.cases === null)
        ? '  cases: no case ids (labels.scenarioId) in these events'
        : `  cases (scenario ids with an event that raised any alert): ${e.patternCases
            .map((c) => `${c.pattern} ${c.cases === null ? 'no case ids' : `${n(c.casesAlerted ?? 0)}/${n(c.cases)}`}`)
            .join(', ')}`,
    );
  }
  if (e.patterns.length > 0) {
    lines.push(`  patterns (events that raised any alert): ${e.patterns.map((p) => `${p.pattern} ${n(p.alerted)}/${n(p.events)}`).join(', ')}`);
  }
  return lines;
}

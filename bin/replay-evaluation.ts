// What `riskstream replay --evaluate` reports: how the decisions and alerts of a labelled replay
// compare with its labels. Pure: it is handed the decisions and alerts seen for the replayed events.
//
// An event counts as flagged for a domain (fraud, aml, credit) when it raised an alert of that
// domain; an event labelled for the domain (`labels.fraud: true`) is a positive, one labelled
// `false` a negative, one without the field is not counted for that domain. Per pattern
// (`labels.patterns`), the share of its events that raised any alert. For fraud, whose decisions
// carry a score (0–1000), also how well that score ranks the positives above the negatives,
// whatever the thresholds: the area under the ROC curve and the average precision.
//
// For the audit of public data sets, also: the decisions' actions on the positives (an event
// labelled true in any domain) and on the unlabelled (every other decided event: labelled false,
// labelled with no domain, or without labels: not known to be bad); per pattern, the cases
// (`labels.scenarioId`) with an alerted event; per reason code, how often it fired, on how many
// positives of its domain and how much of the noise (alerts on unlabelled events) it raised; and
// the fraud precision that counts a fraud alert on a laundering event as a hit, not a false alarm.

export const DOMAINS = ['fraud', 'aml', 'credit'] as const;
export type Domain = (typeof DOMAINS)[number];

export type EventLabels = {
  readonly patterns?: readonly string[];
  readonly fraud?: boolean;
  readonly aml?: boolean;
  readonly credit?: boolean;
  readonly scenarioId?: string;
};

/** A reason code and the domain whose labels judge it: that of the alerts it fired in, else its prefix's (FR- fraud, AML- aml, CR- credit); null for neither. */
export type RuleRef = { readonly code: string; readonly domain: Domain | null };

/**
 * One replayed event's outcome: its labels, action and fraud score (from its decision), the
 * domains it alerted in, and the reason codes of its decision and alerts (each once).
 */
export type Outcome = { labels: EventLabels | undefined; action: string; alerted: Set<string>; score?: number; rules?: readonly RuleRef[] };

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

const SCORE_BINS = 1001;

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

/** The decisions' actions on a group of events, and how many of them raised any alert. */
export type ActionCounts = { readonly events: number; readonly allowed: number; readonly reviewed: number; readonly blocked: number; readonly alerted: number };

/** A pattern's cases: distinct `labels.scenarioId`s among its events; null when none of its events carries one (real data sets). */
export type PatternCases = {
  readonly pattern: string;
  readonly cases: number | null;
  /** Cases with at least one event that raised any alert. */
  readonly casesAlerted: number | null;
};

export type RuleScore = {
  readonly code: string;
  /** The domain whose labels judge it; null: any domain's. */
  readonly domain: Domain | null;
  /** Events it fired on (in the decision's reasons or an alert's). */
  readonly events: number;
  /** Of those, events labelled true in its domain (any domain when it has none). */
  readonly positives: number;
  /** positives / events. */
  readonly precision: number | null;
  /** Events it fired on that are unlabelled (no domain labelled true). */
  readonly unlabelled: number;
  /** Of those, events that raised an alert. */
  readonly unlabelledAlerted: number;
  /** unlabelledAlerted / the alerted unlabelled events (an alert often has several reasons: the shares add up to more than 1); null when none. */
  readonly shareOfUnlabelledAlerts: number | null;
};

/** Fraud alerts judged by any bad label: a fraud alert on a laundering event is a catch, where the fraud row counts it a false positive when it is labelled `fraud: false`. */
export type FraudAnyBad = {
  /** Events with a fraud alert, labelled for fraud or for aml. */
  readonly flagged: number;
  /** Of those, events labelled true for fraud or for aml. */
  readonly hits: number;
  /** Of the hits, those labelled aml but not fraud. */
  readonly amlOnly: number;
  /** hits / flagged; null when nothing was flagged. */
  readonly precision: number | null;
};

export type Evaluation = {
  readonly decided: number;
  readonly labelled: number;
  readonly domains: readonly DomainScore[];
  readonly patterns: readonly PatternScore[];
  /** How the fraud score ranks the events labelled for fraud. */
  readonly fraudRanking: Ranking;
  /** The fraud precision counting fraud alerts on events labelled aml as hits. */
  readonly fraudPrecisionAnyBad: FraudAnyBad;
  /** Actions on the positives (labelled true in any domain) and on the unlabelled (every other decided event). */
  readonly actions: { readonly positive: ActionCounts; readonly unlabelled: ActionCounts };
  /** Per pattern, its cases and those caught; in the order of `patterns`. */
  readonly patternCases: readonly PatternCases[];
  /** Per reason code that fired, the noisiest (most unlabelled events) first. */
  readonly rules: readonly RuleScore[];
};

type MutableActions = { events: number; allowed: number; reviewed: number; blocked: number; alerted: number };
const noActions = (): MutableActions => ({ events: 0, allowed: 0, reviewed: 0, blocked: 0, alerted: 0 });

function countAction(c: MutableActions, action: string, alerted: boolean): void {
  c.events++;
  if (action === 'allow') c.allowed++;
  else if (action === 'review') c.reviewed++;
  else if (action === 'block') c.blocked++;
  if (alerted) c.alerted++;
}

export function evaluate(outcomes: Iterable<Outcome>): Evaluation {
  let decided = 0;
  let labelled = 0;
  const counts = new Map<Domain, { labelled: number; positives: number; flagged: number; truePositives: number }>(
    DOMAINS.map((d) => [d, { labelled: 0, positives: 0, flagged: 0, truePositives: 0 }]),
  );
  const patterns = new Map<string, { events: number; alerted: number }>();
  const fraudPositivesAt = new Float64Array(SCORE_BINS);
  const fraudNegativesAt = new Float64Array(SCORE_BINS);
  const actions = { positive: noActions(), unlabelled: noActions() };
  const anyBad = { flagged: 0, hits: 0, amlOnly: 0 };
  /** Per pattern, its cases: scenario id to whether one of its events alerted. */
  const cases = new Map<string, Map<string, boolean>>();
  const rules = new Map<string, { domain: Domain | null; events: number; positives: number; unlabelled: number; unlabelledAlerted: number }>();
  for (const outcome of outcomes) {
    decided++;
    const labels = outcome.labels;
    const positive = labels !== undefined && (labels.fraud === true || labels.aml === true || labels.credit === true);
    const anyAlert = outcome.alerted.size > 0;
    countAction(positive ? actions.positive : actions.unlabelled, outcome.action, anyAlert);
    for (const rule of outcome.rules ?? []) {
      let r = rules.get(rule.code);
      if (!r) rules.set(rule.code, (r = { domain: rule.domain, events: 0, positives: 0, unlabelled: 0, unlabelledAlerted: 0 }));
      r.events++;
      if (r.domain === null ? positive : labels?.[r.domain] === true) r.positives++;
      if (!positive) {
        r.unlabelled++;
        if (anyAlert) r.unlabelledAlerted++;
      }
    }
    if (!labels) continue;
    labelled++;
    if (outcome.alerted.has('fraud') && (labels.fraud !== undefined || labels.aml !== undefined)) {
      anyBad.flagged++;
      if (labels.fraud === true || labels.aml === true) anyBad.hits++;
      if (labels.fraud !== true && labels.aml === true) anyBad.amlOnly++;
    }
    if (labels.fraud !== undefined && outcome.score !== undefined && Number.isFinite(outcome.score)) {
      const bin = Math.min(SCORE_BINS - 1, Math.max(0, Math.round(outcome.score)));
      (labels.fraud ? fraudPositivesAt : fraudNegativesAt)[bin]! += 1;
    }
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
      if (typeof labels.scenarioId === 'string') {
        let ids = cases.get(pattern);
        if (!ids) cases.set(pattern, (ids = new Map()));
        ids.set(labels.scenarioId, (ids.get(labels.scenarioId) ?? false) || anyAlert);
      }
    }
  }
  const patternScores = [...patterns].map(([pattern, p]) => ({ pattern, ...p })).sort((a, b) => a.pattern.localeCompare(b.pattern));
  const unlabelledAlerted = actions.unlabelled.alerted;
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
    patterns: patternScores,
    fraudRanking: rankingOf(fraudPositivesAt, fraudNegativesAt),
    fraudPrecisionAnyBad: { ...anyBad, precision: anyBad.flagged === 0 ? null : anyBad.hits / anyBad.flagged },
    actions,
    patternCases: patternScores.map(({ pattern }) => {
      const ids = cases.get(pattern);
      if (!ids) return { pattern, cases: null, casesAlerted: null };
      let caught = 0;
      for (const alerted of ids.values()) if (alerted) caught++;
      return { pattern, cases: ids.size, casesAlerted: caught };
    }),
    rules: [...rules]
      .map(([code, r]) => ({
        code,
        ...r,
        precision: r.events === 0 ? null : r.positives / r.events,
        shareOfUnlabelledAlerts: unlabelledAlerted === 0 ? null : r.unlabelledAlerted / unlabelledAlerted,
      }))
      .sort((a, b) => b.unlabelled - a.unlabelled || b.events - a.events || a.code.localeCompare(b.code)),
  };
}

const DECIDED = 1;
const ALERTED_ANY = 2;
/** Bits of a domain in the flags: alerted, labelled, labelled true. */
const DOMAIN_BITS: Readonly<Record<Domain, { alerted: number; labelled: number; truth: number }>> = {
  fraud: { alerted: 4, labelled: 32, truth: 256 },
  aml: { alerted: 8, labelled: 64, truth: 512 },
  credit: { alerted: 16, labelled: 128, truth: 1024 },
};
const LABELLED = 2048;
/** Expected, then refused by the destination (a line of a 207 answer): never on the bus. */
const WITHDRAWN = 4096;
const NO_SCORE = 0xffff;
const ACTIONS = ['', 'allow', 'review', 'block'] as const;

/**
 * Event ids to their place in the ledger, by two 32-bit hashes of the id in an open-addressing
 * table of typed arrays: ≈ 25 bytes per event whatever the id's length, and no limit at 2^24
 * entries as a Map has (AMLworld's larger files hold 30 to 180 million transactions). Two ids with
 * both hashes equal (about one chance in 10^5 among 30 million) would count as one event.
 */
export class IdIndex {
  /** Two hashes per slot. */
  private _keys = new Uint32Array(2 * 1024);
  /** The value per slot; -1: empty. */
  private _values = new Int32Array(1024).fill(-1);
  private _count = 0;

  get size(): number {
    return this._count;
  }

  get(id: string): number | undefined {
    const [a, b] = hashes(id);
    const mask = this._values.length - 1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const value = this._values[slot]!;
      if (value === -1) return undefined;
      if (this._keys[2 * slot] === a && this._keys[2 * slot + 1] === b) return value;
    }
  }

  /** Adds the id with `value` (0 to 2^31 − 1); false when it is there already. */
  add(id: string, value: number): boolean {
    if ((this._count + 1) * 10 > this._values.length * 7) this._grow();
    const [a, b] = hashes(id);
    const mask = this._values.length - 1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      if (this._values[slot] === -1) {
        this._keys[2 * slot] = a;
        this._keys[2 * slot + 1] = b;
        this._values[slot] = value;
        this._count++;
        return true;
      }
      if (this._keys[2 * slot] === a && this._keys[2 * slot + 1] === b) return false;
    }
  }

  private _grow(): void {
    const keys = this._keys;
    const values = this._values;
    this._keys = new Uint32Array(keys.length * 2);
    this._values = new Int32Array(values.length * 2).fill(-1);
    const mask = this._values.length - 1;
    for (let old = 0; old < values.length; old++) {
      if (values[old] === -1) continue;
      const a = keys[2 * old]!;
      let slot = a & mask;
      while (this._values[slot] !== -1) slot = (slot + 1) & mask;
      this._keys[2 * slot] = a;
      this._keys[2 * slot + 1] = keys[2 * old + 1]!;
      this._values[slot] = values[old]!;
    }
  }
}

/** Two independent 32-bit hashes of a string: FNV-1a, and a multiply-xorshift with another seed. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // Spread FNV's low bits, which pick the slot.
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  return [a >>> 0, b >>> 0];
}

/** Reason codes up to this many (in the order first seen) are bits of an event's mask; later ones, rare, go to a map. */
const RULE_MASK_BITS = 32;

/** The domain a decision's reason code belongs to by its prefix. */
function domainOfCode(code: string): Domain | null {
  if (code.startsWith('FR-')) return 'fraud';
  if (code.startsWith('AML-')) return 'aml';
  if (code.startsWith('CR-')) return 'credit';
  return null;
}

/**
 * The outcomes of a replay's events as they arrive (decisions and alerts, in any order), kept
 * small enough for the public data sets: ≈ 42 bytes per event, not an object apiece (an object
 * per event took ≈ 450 bytes, 2.7 GiB for PaySim's 6.3 million). `outcomes()` hands them to
 * `evaluate` one at a time. Reason codes and scenario ids are kept once each, the events holding
 * their numbers.
 */
export class OutcomeLedger {
  private readonly _index = new IdIndex();
  private _flags = new Uint16Array(1024);
  private _action = new Uint8Array(1024);
  /** The decision's fraud score (0–1000); 65535: none. */
  private _score = new Uint16Array(1024).fill(NO_SCORE);
  /** Index of the event's first pattern in `_patternNames`, plus one (0: none). */
  private _pattern = new Uint32Array(1024);
  /** Patterns after the first, for the rare events in several. */
  private readonly _morePatterns = new Map<number, string[]>();
  private readonly _patternNames: string[] = [];
  private readonly _patternIds = new Map<string, number>();
  /** Index of the event's `labels.scenarioId` in `_caseNames`, plus one (0: none). */
  private _case = new Uint32Array(1024);
  private readonly _caseNames: string[] = [];
  private readonly _caseIds = new Map<string, number>();
  /** The reason codes that fired on the event: bit i for `_rules[i]`, i < 32. */
  private _ruleMask = new Uint32Array(1024);
  /** Reason codes numbered 32 and above, per event. */
  private readonly _moreRules = new Map<number, number[]>();
  private readonly _rules: RuleRef[] = [];
  private readonly _ruleIds = new Map<string, number>();
  private _size = 0;
  private _decided = 0;
  private _withdrawn = 0;

  /** Events expected (those withdrawn left out). */
  get size(): number {
    return this._size - this._withdrawn;
  }

  /** Expected events with a decision so far. */
  get decidedCount(): number {
    return this._decided;
  }

  /** Whether the event is expected and still has no decision. */
  awaits(id: string): boolean {
    const i = this._index.get(id);
    return i !== undefined && (this._flags[i]! & (DECIDED | WITHDRAWN)) === 0;
  }

  /** An expected event the destination refused (a 207 answer's line): it will get no decision, and is not waited for or counted. */
  withdraw(id: string): void {
    const i = this._index.get(id);
    if (i === undefined || (this._flags[i]! & (WITHDRAWN | DECIDED)) !== 0) return;
    this._flags[i] = this._flags[i]! | WITHDRAWN;
    this._withdrawn++;
  }

  /** An event of the replay: only expected events' decisions and alerts are kept. */
  expect(id: string): void {
    if (this._size === this._flags.length) this._grow();
    if (this._index.add(id, this._size)) this._size++;
  }

  /** `reasons`: the codes of the decision's reasons. */
  decided(id: string, labels: EventLabels | undefined, action: string, score?: number, reasons: readonly string[] = []): void {
    const i = this._index.get(id);
    if (i === undefined) return;
    for (const code of reasons) this._fired(i, code, domainOfCode(code));
    this._score[i] = score !== undefined && Number.isFinite(score) ? Math.min(1000, Math.max(0, Math.round(score))) : NO_SCORE;
    if ((this._flags[i]! & DECIDED) === 0) this._decided++;
    let flags = this._flags[i]! | DECIDED;
    const known = ACTIONS.indexOf(action as (typeof ACTIONS)[number]);
    this._action[i] = known > 0 ? known : 0;
    if (labels && typeof labels === 'object') {
      flags |= LABELLED;
      for (const domain of DOMAINS) {
        const truth = labels[domain];
        if (truth === undefined) continue;
        flags |= DOMAIN_BITS[domain].labelled;
        if (truth === true) flags |= DOMAIN_BITS[domain].truth;
      }
      const patterns = Array.isArray(labels.patterns) ? labels.patterns.map(String) : [];
      this._pattern[i] = patterns.length > 0 ? this._patternId(patterns[0]!) + 1 : 0;
      if (patterns.length > 1) this._morePatterns.set(i, patterns.slice(1));
      else this._morePatterns.delete(i);
      this._case[i] = typeof labels.scenarioId === 'string' ? this._caseId(labels.scenarioId) + 1 : 0;
    }
    this._flags[i] = flags;
  }

  /** `reasons`: the codes of the alert's reasons. */
  alerted(id: string, domain: string, reasons: readonly string[] = []): void {
    const i = this._index.get(id);
    if (i === undefined) return;
    const known = (DOMAINS as readonly string[]).includes(domain) ? (domain as Domain) : null;
    for (const code of reasons) this._fired(i, code, domainOfCode(code) ?? known);
    this._flags[i] = this._flags[i]! | ALERTED_ANY | ((DOMAIN_BITS as Record<string, { alerted: number } | undefined>)[domain]?.alerted ?? 0);
  }

  /** The decided events' outcomes (an alert without its decision means the decision was missed). */
  *outcomes(): Generator<Outcome> {
    for (let i = 0; i < this._size; i++) {
      const flags = this._flags[i]!;
      if ((flags & DECIDED) === 0) continue;
      const alerted = new Set<string>();
      let labels: { patterns: string[]; fraud?: boolean; aml?: boolean; credit?: boolean; scenarioId?: string } | undefined;
      if (flags & LABELLED) {
        const first = this._pattern[i]!;
        labels = { patterns: first === 0 ? [] : [this._patternNames[first - 1]!, ...(this._morePatterns.get(i) ?? [])] };
        const scenario = this._case[i]!;
        if (scenario !== 0) labels.scenarioId = this._caseNames[scenario - 1]!;
      }
      for (const domain of DOMAINS) {
        const bits = DOMAIN_BITS[domain];
        if (flags & bits.alerted) alerted.add(domain);
        if (labels && flags & bits.labelled) labels[domain] = (flags & bits.truth) !== 0;
      }
      if (flags & ALERTED_ANY && alerted.size === 0) alerted.add('other');
      const score = this._score[i]!;
      const rules = this._rulesOf(i);
      yield { labels, action: ACTIONS[this._action[i]!] || 'unknown', alerted, ...(score === NO_SCORE ? {} : { score }), ...(rules.length > 0 ? { rules } : {}) };
    }
  }

  /** Notes that a reason code fired on event i; its domain is the first known one it came with. */
  private _fired(i: number, code: string, domain: Domain | null): void {
    let rule = this._ruleIds.get(code);
    if (rule === undefined) {
      rule = this._rules.push({ code, domain }) - 1;
      this._ruleIds.set(code, rule);
    } else if (this._rules[rule]!.domain === null && domain !== null) {
      this._rules[rule] = { code, domain };
    }
    if (rule < RULE_MASK_BITS) {
      this._ruleMask[i] = this._ruleMask[i]! | (1 << rule);
    } else {
      const more = this._moreRules.get(i) ?? [];
      if (!more.includes(rule)) more.push(rule);
      this._moreRules.set(i, more);
    }
  }

  private _rulesOf(i: number): RuleRef[] {
    const rules: RuleRef[] = [];
    const mask = this._ruleMask[i]!;
    if (mask !== 0) for (let bit = 0; bit < RULE_MASK_BITS; bit++) if (mask & (1 << bit)) rules.push(this._rules[bit]!);
    for (const rule of this._moreRules.get(i) ?? []) rules.push(this._rules[rule]!);
    return rules;
  }

  private _caseId(name: string): number {
    let id = this._caseIds.get(name);
    if (id === undefined) {
      id = this._caseNames.push(name) - 1;
      this._caseIds.set(name, id);
    }
    return id;
  }

  private _patternId(name: string): number {
    let id = this._patternIds.get(name);
    if (id === undefined) {
      id = this._patternNames.push(name) - 1;
      this._patternIds.set(name, id);
    }
    return id;
  }

  private _grow(): void {
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array>(array: T, make: (n: number) => T): T => {
      const next = make(array.length * 2);
      next.set(array);
      return next;
    };
    this._flags = grow(this._flags, (n) => new Uint16Array(n));
    this._action = grow(this._action, (n) => new Uint8Array(n));
    const scores = this._score;
    this._score = new Uint16Array(scores.length * 2).fill(NO_SCORE);
    this._score.set(scores);
    this._pattern = grow(this._pattern, (n) => new Uint32Array(n));
    this._case = grow(this._case, (n) => new Uint32Array(n));
    this._ruleMask = grow(this._ruleMask, (n) => new Uint32Array(n));
  }
}

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

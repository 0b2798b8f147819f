// What a replay saw for each of its events, gathered as decisions and alerts arrive: kept in
// typed arrays rather than an object per event so that memory stays bounded at the size of the
// public data sets, and handed to `evaluate` (replay-evaluation.ts) as outcomes one at a time.

import { IdIndex } from './event-id-index.js';
import { DOMAINS, type Domain, type EventLabels, type Outcome, type RuleRef } from './replay-evaluation.js';

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
  private readonly _patternNames = new NameTable();
  /** Index of the event's `labels.scenarioId` in `_caseNames`, plus one (0: none). */
  private _case = new Uint32Array(1024);
  private readonly _caseNames = new NameTable();
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
      this._pattern[i] = patterns.length > 0 ? this._patternNames.idOf(patterns[0]!) + 1 : 0;
      if (patterns.length > 1) this._morePatterns.set(i, patterns.slice(1));
      else this._morePatterns.delete(i);
      this._case[i] = typeof labels.scenarioId === 'string' ? this._caseNames.idOf(labels.scenarioId) + 1 : 0;
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
        labels = { patterns: first === 0 ? [] : [this._patternNames.names[first - 1]!, ...(this._morePatterns.get(i) ?? [])] };
        const scenario = this._case[i]!;
        if (scenario !== 0) labels.scenarioId = this._caseNames.names[scenario - 1]!;
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

/** Names kept once each, numbered in the order first met: events hold the number, not the string. */
class NameTable {
  readonly names: string[] = [];
  private readonly _ids = new Map<string, number>();

  idOf(name: string): number {
    let id = this._ids.get(name);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this._ids.set(name, id);
    }
    return id;
  }
}

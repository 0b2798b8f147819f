// The scorers a process runs, checked once at start-up (unique names, sane declarations) and
// indexed by event kind so that deciding an event does no filtering.
import { EVENT_KINDS, DOMAINS, type EventKind } from '../../core/contracts/index.js';
import type { Scorer } from '../scoring.js';

export interface ScorerRegistry {
  readonly scorers: readonly Scorer[];
  /** The scorers that declared this kind, in registration order. */
  forKind(kind: EventKind): readonly Scorer[];
  /** Scorer name to version for the scorers of this kind (shared and frozen: do not copy per event). */
  modelsFor(kind: EventKind): Readonly<Record<string, string>>;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Throws when two scorers share a name, or a scorer declares an unknown domain or kind. */
export function createScorerRegistry(scorers: readonly Scorer[]): ScorerRegistry {
  const seen = new Set<string>();
  for (const scorer of scorers) {
    if (!NAME.test(scorer.name)) throw new Error(`scorer name "${scorer.name}" must be snake_case (it is a key in decisions)`);
    if (seen.has(scorer.name)) throw new Error(`scorer "${scorer.name}" is registered twice`);
    seen.add(scorer.name);
    if (!(DOMAINS as readonly string[]).includes(scorer.domain)) throw new Error(`scorer "${scorer.name}" has unknown domain "${scorer.domain}"`);
    const unknown = scorer.kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0) throw new Error(`scorer "${scorer.name}" declares unknown kinds: ${unknown.join(', ')}`);
    if (typeof scorer.version !== 'string' || scorer.version === '') throw new Error(`scorer "${scorer.name}" has no version`);
  }
  return new KindIndexedRegistry(scorers);
}

class KindIndexedRegistry implements ScorerRegistry {
  readonly scorers: readonly Scorer[];
  private readonly _byKind: ReadonlyMap<EventKind, readonly Scorer[]>;
  private readonly _models: ReadonlyMap<EventKind, Readonly<Record<string, string>>>;

  constructor(scorers: readonly Scorer[]) {
    this.scorers = Object.freeze([...scorers]);
    const byKind = new Map<EventKind, readonly Scorer[]>();
    const models = new Map<EventKind, Readonly<Record<string, string>>>();
    for (const kind of EVENT_KINDS) {
      const list = Object.freeze(scorers.filter((s) => s.kinds.includes(kind)));
      byKind.set(kind, list);
      models.set(kind, Object.freeze(Object.fromEntries(list.map((s) => [s.name, s.version]))));
    }
    this._byKind = byKind;
    this._models = models;
  }

  forKind(kind: EventKind): readonly Scorer[] {
    return this._byKind.get(kind) ?? NONE;
  }

  modelsFor(kind: EventKind): Readonly<Record<string, string>> {
    return this._models.get(kind) ?? NO_MODELS;
  }
}

const NONE: readonly Scorer[] = Object.freeze([]);
const NO_MODELS: Readonly<Record<string, string>> = Object.freeze({});

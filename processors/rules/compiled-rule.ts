// One rule ready to run: applicability (kind, filters), then the generated check (features
// present and finite, condition), then the reason text only when it fired. Every field is set in
// the constructor and evaluation allocates only the fired or error outcome.
import type { Domain, EventKind } from '../../core/contracts/index.js';
import type { ReasonTemplate } from './reason-template.js';
import { CHECK, type RuleCheck } from './rule-function.js';
import { NOT_APPLICABLE, NOT_FIRED, type CompiledRule, type RuleInput, type RuleOutcome } from './rule-outcome.js';

/** An event field and the values a rule accepts for it. */
export type FieldFilter = { readonly field: string; readonly allowed: ReadonlySet<string> };

/** What the compiler hands the evaluator: the rule's public face plus its compiled pieces. */
export type RuleParts = Omit<CompiledRule, 'evaluate'> & {
  readonly filters: readonly FieldFilter[];
  readonly check: RuleCheck;
  readonly reason: ReasonTemplate;
  /** The reason in other languages: [language, template]. */
  readonly translations: ReadonlyArray<readonly [string, ReasonTemplate]>;
};

export class RuleEvaluator implements CompiledRule {
  readonly id: string;
  readonly description: string;
  readonly domain: Domain;
  readonly typology: string;
  readonly kinds: readonly EventKind[];
  readonly points: number;
  readonly params: Readonly<Record<string, number>>;
  readonly features: readonly string[];
  private readonly _kinds: ReadonlySet<string>;
  private readonly _filters: readonly FieldFilter[];
  private readonly _check: RuleCheck;
  private readonly _reason: ReasonTemplate;
  private readonly _translations: ReadonlyArray<readonly [string, ReasonTemplate]>;

  constructor(parts: RuleParts) {
    this.id = parts.id;
    this.description = parts.description;
    this.domain = parts.domain;
    this.typology = parts.typology;
    this.kinds = Object.freeze([...parts.kinds]);
    this.points = parts.points;
    this.params = Object.freeze({ ...parts.params });
    this.features = Object.freeze([...parts.features]);
    this._kinds = new Set(parts.kinds);
    this._filters = parts.filters;
    this._check = parts.check;
    this._reason = parts.reason;
    this._translations = parts.translations;
  }

  evaluate(input: RuleInput): RuleOutcome {
    try {
      if (!this._kinds.has(input.event.kind)) return NOT_APPLICABLE;
      if (this._filters.length > 0 && !this._filtersMatch(input.event.body)) return NOT_APPLICABLE;
      const code = this._check(input.features);
      if (code === CHECK.quiet) return NOT_FIRED;
      if (code === CHECK.fired) return this._fired(input);
      if (code === CHECK.absent) return NOT_APPLICABLE;
      // A feature that is present but not a finite number is a feature-store fault, not "did not apply".
      return this._badFeature(this.features[code - CHECK.badFeature] ?? '?');
    } catch {
      // Only a bug can get here (inputs are checked above); the caller still gets an outcome.
      return { status: 'error', reason: `rule ${this.id} failed to evaluate` };
    }
  }

  private _fired(input: RuleInput): RuleOutcome {
    const text = this._reason.render(input.features);
    if (this._translations.length === 0) return { status: 'fired', points: this.points, text };
    const texts: Record<string, string> = {};
    for (const [language, template] of this._translations) texts[language] = template.render(input.features);
    return { status: 'fired', points: this.points, text, texts };
  }

  private _filtersMatch(body: unknown): boolean {
    if (typeof body !== 'object' || body === null) return false;
    const fields = body as Readonly<Record<string, unknown>>;
    for (let i = 0; i < this._filters.length; i++) {
      const filter = this._filters[i] as FieldFilter;
      const value = fields[filter.field];
      if (typeof value !== 'string' || !filter.allowed.has(value)) return false;
    }
    return true;
  }

  private _badFeature(name: string): RuleOutcome {
    return { status: 'error', reason: `rule ${this.id}: feature ${name} is not a finite number` };
  }
}


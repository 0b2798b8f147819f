// What evaluating one compiled rule yields, and the narrow input a rule reads.
import type { Domain, EventKind } from '../../core/contracts/index.js';
import type { FeatureVector } from '../features/names.js';

/** What a rule needs from an event: its kind and body (for filters) and its features. */
export type RuleInput = {
  readonly event: { readonly kind: EventKind; readonly body: unknown };
  readonly features: FeatureVector;
};

export type RuleOutcome =
  | { readonly status: 'fired'; readonly points: number; readonly text: string; readonly texts?: Readonly<Record<string, string>> }
  | { readonly status: 'not_fired' }
  /** The kind or a filter did not match, or a feature the condition reads is absent. */
  | { readonly status: 'not_applicable' }
  /** A safe reason (rule id and feature name, never exception text). */
  | { readonly status: 'error'; readonly reason: string };

// Shared, frozen outcomes: the common paths allocate nothing per event.
export const NOT_FIRED: RuleOutcome = Object.freeze({ status: 'not_fired' });
export const NOT_APPLICABLE: RuleOutcome = Object.freeze({ status: 'not_applicable' });

/** A rule after loading: parameters resolved, condition and reason compiled into functions. */
export interface CompiledRule {
  readonly id: string;
  readonly description: string;
  readonly domain: Domain;
  readonly typology: string;
  readonly kinds: readonly EventKind[];
  readonly points: number;
  /** Effective parameters: the rule's defaults with any operator overrides applied. */
  readonly params: Readonly<Record<string, number>>;
  /** Features the condition reads; the rule does not apply when one is absent. */
  readonly features: readonly string[];
  /** Never throws. */
  evaluate(input: RuleInput): RuleOutcome;
}

export type CompiledRuleSet = {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  /** Enabled rules, in file order. */
  readonly rules: readonly CompiledRule[];
  /** Rules present in the file but switched off with `"enabled": false`. */
  readonly disabled: readonly string[];
};

/** One problem in a rule-set file, named by its JSON pointer. */
export type RuleSetProblem = { readonly path: string; readonly rule: string; readonly message: string };

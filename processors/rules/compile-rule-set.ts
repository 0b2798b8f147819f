// Loading a rule set: schema validation (ajv over the TypeBox schema), then the checks a schema
// cannot express (known features, declared parameters, unique ids, template names), then
// compilation of every rule into plain functions. Runs at start-up or when a new set arrives,
// never per event. The input is never modified.
import { Ajv, type ErrorObject } from 'ajv';
import { PAYMENT_FEATURES } from '../features/names.js';
import { RuleEvaluator, type FieldFilter } from './compiled-rule.js';
import { compileCondition, type ConditionScope } from './condition.js';
import { REASON_LANGUAGES, type ReasonLanguage } from './reason-format.js';
import { parseReasonTemplate, type ReasonTemplate } from './reason-template.js';
import { buildRuleCheck } from './rule-function.js';
import type { CompiledRule, CompiledRuleSet, RuleSetProblem } from './rule-outcome.js';
import { FILTER_FIELDS, RuleSetSchema, SEVERITY_POINTS, type FilterField, type RuleSetWire, type RuleWire } from './rule-set-schema.js';

export type RuleParamOverrides = Readonly<Record<string, Readonly<Record<string, number>>>>;

export type RuleSetOptions = {
  /** Feature names rules may read; PAYMENT_FEATURES unless given. */
  readonly features?: readonly string[];
  /** An operator's parameter values, by rule id then parameter name; each must exist in the file. */
  readonly params?: RuleParamOverrides;
};

export type RuleSetCompilation =
  | { readonly ok: true; readonly ruleSet: CompiledRuleSet }
  | { readonly ok: false; readonly problems: readonly RuleSetProblem[] };

/** Thrown by `compileRuleSetOrThrow`: start-up should stop on a bad rule set. */
export class RuleSetError extends Error {
  override readonly name = 'RuleSetError';
  readonly problems: readonly RuleSetProblem[];

  constructor(problems: readonly RuleSetProblem[]) {
    super(`invalid rule set:\n${problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

const MAX_SCHEMA_ERRORS = 50;
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
const validateWire = ajv.compile<RuleSetWire>(RuleSetSchema);

/** Validates and compiles; problems come back as data (for a live reload that must not break the running set). */
export function compileRuleSet(input: unknown, options: RuleSetOptions = {}): RuleSetCompilation {
  if (!validateWire(input)) return { ok: false, problems: describeSchemaErrors(validateWire.errors ?? [], input) };
  const catalogue: ReadonlySet<string> = new Set(options.features ?? PAYMENT_FEATURES);
  const overrides = options.params ?? {};
  const problems: RuleSetProblem[] = [];
  const firstIndex = new Map<string, number>();
  const rules: CompiledRule[] = [];
  const disabled: string[] = [];

  input.rules.forEach((wire, index) => {
    const path = `/rules/${index}`;
    const earlier = firstIndex.get(wire.id);
    if (earlier !== undefined) {
      problems.push({ path: `${path}/id`, rule: 'duplicate_id', message: `rule ${wire.id} is defined twice (at /rules/${earlier} and ${path})` });
      return;
    }
    firstIndex.set(wire.id, index);
    const rule = compileRule(wire, path, catalogue, overrides[wire.id], problems);
    if (rule === null) return;
    if (wire.enabled === false) disabled.push(wire.id);
    else rules.push(rule);
  });

  for (const id of Object.keys(overrides)) {
    if (!firstIndex.has(id)) problems.push({ path: '', rule: 'unknown_override', message: `parameter overrides name rule ${id}, which is not in the set` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    ruleSet: Object.freeze({
      id: input.id,
      version: input.version,
      description: input.description ?? '',
      rules: Object.freeze(rules),
      disabled: Object.freeze(disabled),
    }),
  };
}

export function compileRuleSetOrThrow(input: unknown, options: RuleSetOptions = {}): CompiledRuleSet {
  const result = compileRuleSet(input, options);
  if (!result.ok) throw new RuleSetError(result.problems);
  return result.ruleSet;
}

function compileRule(
  wire: RuleWire,
  path: string,
  catalogue: ReadonlySet<string>,
  override: Readonly<Record<string, number>> | undefined,
  problems: RuleSetProblem[],
): CompiledRule | null {
  const before = problems.length;
  const report = (at: string, rule: string, message: string): void => {
    problems.push({ path: at, rule, message: `rule ${wire.id}: ${message}` });
  };

  if ((wire.points === undefined) === (wire.severity === undefined)) {
    report(path, 'points', 'give either points or severity (exactly one)');
  }
  const points = wire.points ?? (wire.severity === undefined ? 0 : SEVERITY_POINTS[wire.severity]);

  const params: Record<string, number> = { ...(wire.params ?? {}) };
  for (const [name, value] of Object.entries(override ?? {})) {
    if (!Object.hasOwn(params, name)) report(`${path}/params`, 'unknown_override', `an override sets parameter "${name}", which the rule does not declare`);
    else if (typeof value !== 'number' || !Number.isFinite(value)) report(`${path}/params/${name}`, 'type', `override of "${name}" must be a finite number`);
    else params[name] = value;
  }
  for (const name of Object.keys(params)) {
    if (catalogue.has(name)) report(`${path}/params/${name}`, 'param_name', `parameter "${name}" has the name of a feature; rename it`);
  }

  const filters: FieldFilter[] = [];
  for (const [field, allowed] of Object.entries(wire.filters ?? {}) as [FilterField, readonly string[] | undefined][]) {
    if (allowed === undefined) continue;
    const carriers: readonly string[] = FILTER_FIELDS[field].kinds;
    const strays = wire.kinds.filter((k) => !carriers.includes(k));
    if (strays.length > 0) report(`${path}/filters/${field}`, 'filter', `filter "${field}" exists only on ${carriers.join(', ')} events, but the rule also runs on ${strays.join(', ')}`);
    filters.push({ field, allowed: new Set(allowed) });
  }

  const scope: ConditionScope = {
    ruleId: wire.id,
    features: catalogue,
    params,
    readFeatures: new Map<string, number>(),
    usedParams: new Set<string>(),
    problems,
  };
  const expression = compileCondition(wire.when, `${path}/when`, scope);

  const parsed = parseReasonTemplate(wire.reason, { features: catalogue, params, usedParams: scope.usedParams });
  if (!parsed.ok) report(`${path}/reason`, 'template', parsed.message);
  const translations: Array<readonly [string, ReasonTemplate]> = [];
  let translationsOk = true;
  for (const [language, source] of Object.entries(wire.reasonIn ?? {})) {
    if (source === undefined) continue;
    const translated = parseReasonTemplate(source, { features: catalogue, params, usedParams: scope.usedParams }, REASON_LANGUAGES[language as ReasonLanguage]);
    if (translated.ok) translations.push([language, translated.template]);
    else {
      translationsOk = false;
      report(`${path}/reasonIn/${language}`, 'template', translated.message);
    }
  }

  for (const name of Object.keys(params)) {
    if (!scope.usedParams.has(name)) report(`${path}/params/${name}`, 'unused_param', `parameter "${name}" is used neither by the condition nor by the reason`);
  }

  if (problems.length > before || expression === null || !parsed.ok || !translationsOk) return null;
  const features = [...scope.readFeatures.keys()];
  return new RuleEvaluator({
    id: wire.id,
    description: wire.description,
    domain: wire.domain,
    typology: wire.typology,
    kinds: wire.kinds,
    points,
    params,
    features,
    filters,
    check: buildRuleCheck(features, expression),
    reason: parsed.template,
    translations,
  });
}

function describeSchemaErrors(errors: readonly ErrorObject[], input: unknown): RuleSetProblem[] {
  // The only union in the schema is a comparison's value; its branch errors ("must be number",
  // "must be object") say less than one message naming both accepted forms.
  const relevant = errors.filter((e) => !e.schemaPath.includes('/anyOf/'));
  const seen = new Set<string>();
  const problems: RuleSetProblem[] = [];
  for (const error of relevant.slice(0, MAX_SCHEMA_ERRORS)) {
    const problem = describe(error, input);
    const key = `${problem.path}|${problem.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describe(error: ErrorObject, input: unknown): RuleSetProblem {
  const at = error.instancePath;
  const owner = ruleIdAt(at, input);
  const prefix = owner ? `rule ${owner}: ` : '';
  switch (error.keyword) {
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return { path: `${at}/${field}`, rule: 'required', message: `${prefix}${field} is required` };
    }
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      return { path: `${at}/${field}`, rule: 'unknown_field', message: `${prefix}${field} is not a field here` };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return { path: at, rule: 'enum', message: `${prefix}${lastToken(at)} must be one of: ${allowed.join(', ')}` };
    }
    case 'anyOf':
      return { path: at, rule: 'type', message: `${prefix}value must be a number or {"param": name}` };
    default:
      return { path: at, rule: error.keyword, message: `${prefix}${lastToken(at) || 'the rule set'} ${error.message ?? 'is invalid'}` };
  }
}

function lastToken(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

/** The id of the rule a JSON pointer falls in, so that messages name the rule an operator edits. */
function ruleIdAt(pointer: string, input: unknown): string | undefined {
  const match = /^\/rules\/(\d+)/.exec(pointer);
  if (!match || typeof input !== 'object' || input === null) return undefined;
  const rules = (input as { rules?: unknown }).rules;
  const rule = Array.isArray(rules) ? (rules[Number(match[1])] as unknown) : undefined;
  const id = typeof rule === 'object' && rule !== null ? (rule as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

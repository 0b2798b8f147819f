// Condition trees (`all` / `any` / `not` / comparisons) compiled once at load into the source
// of one JavaScript expression over local variables (see rule-function.ts). Parameters are
// resolved to number literals here, so evaluation does no lookups by name and allocates nothing.
// Only three kinds of text reach the source: `v<index>`, operators from a fixed table, and
// finite numbers; names and other input text never do.
import type { RuleSetProblem } from './rule-outcome.js';
import type { ComparisonOp, ConditionWire } from './rule-set-schema.js';

export type ConditionScope = {
  readonly ruleId: string;
  readonly features: ReadonlySet<string>;
  readonly params: Readonly<Record<string, number>>;
  /** The features the condition reads, in order of first use; a feature's index names its variable. */
  readonly readFeatures: Map<string, number>;
  /** Collects the parameters used, to flag unused ones. */
  readonly usedParams: Set<string>;
  readonly problems: RuleSetProblem[];
};

/** The source of a boolean expression over `v0`, `v1`, …; null (with problems added) when malformed. */
export function compileCondition(node: ConditionWire, path: string, scope: ConditionScope): string | null {
  const forms = (['all', 'any', 'not', 'feature'] as const).filter((k) => node[k] !== undefined);
  if (forms.length !== 1) {
    const found = forms.length === 0 ? 'none' : forms.join(' and ');
    return problem(scope, path, 'condition_shape', `a condition must be exactly one of all, any, not or a comparison (feature, op, value); found ${found}`);
  }
  if (node.all !== undefined || node.any !== undefined) {
    const isAll = node.all !== undefined;
    const children = (isAll ? node.all : node.any) as readonly ConditionWire[];
    const compiled = children.map((c, i) => compileCondition(c, `${path}/${isAll ? 'all' : 'any'}/${i}`, scope));
    if (compiled.some((p) => p === null) || stray(node, ['op', 'value'], path, scope)) return null;
    return `(${compiled.join(isAll ? ' && ' : ' || ')})`;
  }
  if (node.not !== undefined) {
    const inner = compileCondition(node.not, `${path}/not`, scope);
    if (inner === null || stray(node, ['op', 'value'], path, scope)) return null;
    return `!${inner}`;
  }
  return compileComparison(node, path, scope);
}

function compileComparison(node: ConditionWire, path: string, scope: ConditionScope): string | null {
  const name = node.feature as string;
  let ok = true;
  if (!scope.features.has(name)) {
    const near = closestName(name, scope.features);
    problem(scope, `${path}/feature`, 'unknown_feature', `unknown feature "${name}"${near ? ` (did you mean "${near}"?)` : ''}`);
    ok = false;
  }
  if (node.op === undefined) {
    problem(scope, `${path}/op`, 'required', 'a comparison needs op (one of >, >=, <, <=, ==, !=)');
    ok = false;
  }
  let bound = Number.NaN;
  if (node.value === undefined) {
    problem(scope, `${path}/value`, 'required', 'a comparison needs value (a number or {"param": name})');
    ok = false;
  } else if (typeof node.value === 'number') {
    bound = node.value;
  } else {
    const param = node.value.param;
    scope.usedParams.add(param);
    if (!Object.hasOwn(scope.params, param)) {
      problem(scope, `${path}/value/param`, 'missing_param', `parameter "${param}" is not declared in params`);
      ok = false;
    } else {
      bound = scope.params[param] as number;
    }
  }
  if (ok && !Number.isFinite(bound)) {
    problem(scope, `${path}/value`, 'type', 'value must be a finite number');
    ok = false;
  }
  if (!ok || node.op === undefined) return null;
  let index = scope.readFeatures.get(name);
  if (index === undefined) {
    index = scope.readFeatures.size;
    scope.readFeatures.set(name, index);
  }
  return `(v${index} ${JS_OPERATORS[node.op]} ${numberLiteral(bound)})`;
}

const JS_OPERATORS = { '>': '>', '>=': '>=', '<': '<', '<=': '<=', '==': '===', '!=': '!==' } as const satisfies Record<ComparisonOp, string>;

/** A finite number as JavaScript source; negatives in parentheses so that `- -1` cannot arise. */
function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error('only finite numbers reach generated code');
  return value < 0 ? `(${String(value)})` : String(value);
}

/** A group node carrying comparison members is a mistake worth naming (likely a misplaced brace). */
function stray(node: ConditionWire, keys: readonly ('op' | 'value')[], path: string, scope: ConditionScope): boolean {
  const found = keys.filter((k) => node[k] !== undefined);
  if (found.length === 0) return false;
  problem(scope, path, 'condition_shape', `${found.join(' and ')} belong to a comparison, not to a group`);
  return true;
}

function problem(scope: ConditionScope, path: string, rule: string, message: string): null {
  scope.problems.push({ path, rule, message: `rule ${scope.ruleId}: ${message}` });
  return null;
}

/** The catalogue name nearest to a misspelt one (edit distance at most 3), for the error message. */
function closestName(name: string, names: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

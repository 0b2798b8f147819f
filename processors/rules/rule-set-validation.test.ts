import { describe, expect, it } from 'vitest';
import { RuleSetError, compileRuleSet, compileRuleSetOrThrow, type RuleSetProblem } from './index.js';

type Json = Record<string, unknown>;

function rule(overrides: Json = {}): Json {
  return {
    id: 'FR-TEST-1',
    description: 'a test rule',
    domain: 'fraud',
    typology: 'velocity',
    kinds: ['payment'],
    when: { feature: 'out_count_1m', op: '>', value: { param: 'maxPerMinute' } },
    params: { maxPerMinute: 5 },
    points: 300,
    reason: '{out_count_1m} payments in the last minute (limit {maxPerMinute})',
    ...overrides,
  };
}

function ruleSet(rules: unknown[], extra: Json = {}): Json {
  return { id: 'test-set', version: '1.0.0', rules, ...extra };
}

function problemsOf(input: unknown, options?: Parameters<typeof compileRuleSet>[1]): readonly RuleSetProblem[] {
  const result = compileRuleSet(input, options);
  return result.ok ? [] : result.problems;
}

describe('rule set - validation errors', () => {
  const cases: Array<{ name: string; input: unknown; path: string; rule: string; message: RegExp }> = [
    {
      name: 'unknown feature (with a suggestion)',
      input: ruleSet([rule({ when: { feature: 'out_count_1mm', op: '>', value: 5 } })]),
      path: '/rules/0/when/feature',
      rule: 'unknown_feature',
      message: /FR-TEST-1: unknown feature "out_count_1mm" \(did you mean "out_count_1m"\?\)/,
    },
    {
      name: 'unknown feature deep in a tree',
      input: ruleSet([rule({ when: { all: [{ feature: 'amount', op: '>', value: 1 }, { not: { feature: 'nope', op: '==', value: 1 } }] } })]),
      path: '/rules/0/when/all/1/not/feature',
      rule: 'unknown_feature',
      message: /unknown feature "nope"/,
    },
    {
      name: 'a feature name that tries to smuggle code',
      input: ruleSet([rule({ when: { feature: 'amount"];process.exit(1);//', op: '>', value: 1 } })]),
      path: '/rules/0/when/feature',
      rule: 'pattern',
      message: /feature must match pattern/,
    },
    {
      name: 'duplicate rule id',
      input: ruleSet([rule(), rule()]),
      path: '/rules/1/id',
      rule: 'duplicate_id',
      message: /FR-TEST-1 is defined twice \(at \/rules\/0 and \/rules\/1\)/,
    },
    {
      name: 'bad operator',
      input: ruleSet([rule({ when: { feature: 'amount', op: '=>', value: 5 } })]),
      path: '/rules/0/when/op',
      rule: 'enum',
      message: /FR-TEST-1: op must be one of: >, >=, <, <=, ==, !=/,
    },
    {
      name: 'missing param',
      input: ruleSet([rule({ params: {}, reason: 'x' })]),
      path: '/rules/0/when/value/param',
      rule: 'missing_param',
      message: /parameter "maxPerMinute" is not declared/,
    },
    {
      name: 'value neither number nor param',
      input: ruleSet([rule({ when: { feature: 'amount', op: '>', value: '5' } })]),
      path: '/rules/0/when/value',
      rule: 'type',
      message: /value must be a number or \{"param": name\}/,
    },
    {
      name: 'comparison without op',
      input: ruleSet([rule({ when: { feature: 'amount', value: 5 } })]),
      path: '/rules/0/when/op',
      rule: 'required',
      message: /needs op/,
    },
    {
      name: 'two forms in one node',
      input: ruleSet([rule({ when: { all: [{ feature: 'amount', op: '>', value: 1 }], feature: 'amount', op: '>', value: 1 } })]),
      path: '/rules/0/when',
      rule: 'condition_shape',
      message: /exactly one of all, any, not or a comparison \(feature, op, value\); found all and feature/,
    },
    {
      name: 'empty condition',
      input: ruleSet([rule({ when: {} })]),
      path: '/rules/0/when',
      rule: 'condition_shape',
      message: /found none/,
    },
    {
      name: 'unknown field in a rule',
      input: ruleSet([rule({ weight: 3 })]),
      path: '/rules/0/weight',
      rule: 'unknown_field',
      message: /weight is not a field here/,
    },
    {
      name: 'missing reason',
      input: ruleSet([{ ...rule(), reason: undefined }]),
      path: '/rules/0/reason',
      rule: 'required',
      message: /reason is required/,
    },
    {
      name: 'both points and severity',
      input: ruleSet([rule({ severity: 'high' })]),
      path: '/rules/0',
      rule: 'points',
      message: /either points or severity/,
    },
    {
      name: 'points out of range',
      input: ruleSet([rule({ points: 1200 })]),
      path: '/rules/0/points',
      rule: 'maximum',
      message: /points must be <= 1000/,
    },
    {
      name: 'bad rule id',
      input: ruleSet([rule({ id: 'velocity one' })]),
      path: '/rules/0/id',
      rule: 'pattern',
      message: /id must match pattern/,
    },
    {
      name: 'unknown template name',
      input: ruleSet([rule({ reason: '{out_count} payments' })]),
      path: '/rules/0/reason',
      rule: 'template',
      message: /"\{out_count\}" is neither a known feature nor a parameter/,
    },
    {
      name: 'unknown template format',
      input: ruleSet([rule({ reason: '{amount:eur}' })]),
      path: '/rules/0/reason',
      rule: 'template',
      message: /unknown format "eur"/,
    },
    {
      name: 'unclosed template brace',
      input: ruleSet([rule({ reason: '{amount:usd limit {maxPerMinute}' })]),
      path: '/rules/0/reason',
      rule: 'template',
      message: /"\{" at character 1 is never closed/,
    },
    {
      name: 'unknown name in a translated reason',
      input: ruleSet([rule({ reasonIn: { 'zh-CN': '最近一分钟内 {out_count} 笔付款' } })]),
      path: '/rules/0/reasonIn/zh-CN',
      rule: 'template',
      message: /"\{out_count\}" is neither a known feature nor a parameter/,
    },
    {
      name: 'a reason in a language riskstream has no formats for',
      input: ruleSet([rule({ reasonIn: { fr: '{out_count_1m} paiements' } as never })]),
      path: '/rules/0/reasonIn/fr',
      rule: 'unknown_field',
      message: /fr is not a field here/,
    },
    {
      name: 'unused parameter',
      input: ruleSet([rule({ params: { maxPerMinute: 5, maxPerHour: 20 } })]),
      path: '/rules/0/params/maxPerHour',
      rule: 'unused_param',
      message: /"maxPerHour" is used neither/,
    },
    {
      name: 'parameter named like a feature',
      input: ruleSet([rule({ params: { maxPerMinute: 5, amount: 3 } })]),
      path: '/rules/0/params/amount',
      rule: 'param_name',
      message: /has the name of a feature/,
    },
    {
      name: 'filter on a kind that lacks the field',
      input: ruleSet([rule({ kinds: ['payment', 'customer'], filters: { type: ['card'] } })]),
      path: '/rules/0/filters/type',
      rule: 'filter',
      message: /exists only on payment events, but the rule also runs on customer/,
    },
    {
      name: 'filter value outside the contract',
      input: ruleSet([rule({ filters: { channel: ['fax'] } })]),
      path: '/rules/0/filters/channel/0',
      rule: 'enum',
      message: /must be one of: mobile/,
    },
    {
      name: 'rule set without version',
      input: { id: 'x', rules: [] },
      path: '/version',
      rule: 'required',
      message: /version is required/,
    },
    { name: 'not an object', input: 'rules', path: '', rule: 'type', message: /must be object/ },
  ];

  it.each(cases)('$name', ({ input, path, rule: ruleName, message }) => {
    const problems = problemsOf(input);
    const match = problems.find((p) => p.path === path && p.rule === ruleName);
    expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(match?.message).toMatch(message);
  });

  it('reports every problem of a file at once', () => {
    const problems = problemsOf(ruleSet([rule({ when: { feature: 'bogus', op: '>', value: { param: 'missing' } } }), rule({ id: 'FR-TEST-1' })]));
    expect(problems.map((p) => p.rule).sort()).toEqual(['duplicate_id', 'missing_param', 'unknown_feature']);
  });

  it('throws a RuleSetError listing the problems from compileRuleSetOrThrow', () => {
    expect(() => compileRuleSetOrThrow(ruleSet([rule(), rule()]))).toThrowError(RuleSetError);
    expect(() => compileRuleSetOrThrow(ruleSet([rule(), rule()]))).toThrowError(/\/rules\/1\/id: rule FR-TEST-1 is defined twice/);
  });
});

describe('rule set - loading', () => {
  it('compiles a valid set, keeps disabled rules apart and leaves the input untouched', () => {
    const input = ruleSet([rule(), rule({ id: 'FR-TEST-2', enabled: false })]);
    const before = structuredClone(input);
    const result = compileRuleSet(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ruleSet).toMatchObject({ id: 'test-set', version: '1.0.0', disabled: ['FR-TEST-2'] });
    expect(result.ruleSet.rules.map((r) => r.id)).toEqual(['FR-TEST-1']);
    expect(result.ruleSet.rules[0]).toMatchObject({ points: 300, typology: 'velocity', params: { maxPerMinute: 5 }, features: ['out_count_1m'] });
    expect(input).toEqual(before);
  });

  it('maps a severity to points', () => {
    const result = compileRuleSet(ruleSet([{ ...rule({ severity: 'high' }), points: undefined }]));
    expect(result.ok && result.ruleSet.rules[0]?.points).toBe(500);
  });

  it('applies parameter overrides and refuses unknown ones', () => {
    const ok = compileRuleSet(ruleSet([rule()]), { params: { 'FR-TEST-1': { maxPerMinute: 9 } } });
    expect(ok.ok && ok.ruleSet.rules[0]?.params).toEqual({ maxPerMinute: 9 });
    const problems = problemsOf(ruleSet([rule()]), { params: { 'FR-TEST-1': { maxPerHour: 9 }, 'FR-NOPE-1': { x: 1 } } });
    expect(problems.map((p) => p.rule).sort()).toEqual(['unknown_override', 'unknown_override']);
  });

  it('checks features against a given catalogue', () => {
    const problems = problemsOf(ruleSet([rule()]), { features: ['amount'] });
    expect(problems.some((p) => p.rule === 'unknown_feature')).toBe(true);
  });
});

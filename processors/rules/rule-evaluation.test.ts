import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../core/contracts/index.js';
import { compileRuleSetOrThrow, type CompiledRule, type RuleInput } from './index.js';

function compileOne(rule: Record<string, unknown>): CompiledRule {
  const set = compileRuleSetOrThrow({
    id: 'test-set',
    version: '1',
    rules: [{ id: 'FR-T-1', description: 'd', domain: 'fraud', typology: 't', kinds: ['payment'], points: 400, ...rule }],
  });
  return set.rules[0] as CompiledRule;
}

function input(features: Record<string, unknown>, body: unknown = { type: 'transfer', channel: 'mobile' }, kind: EventKind = 'payment'): RuleInput {
  return { event: { kind, body }, features: features as Record<string, number> };
}

const newDeviceLargeAmount = compileOne({
  when: {
    all: [
      { feature: 'new_device', op: '==', value: 1 },
      { any: [{ feature: 'amount', op: '>=', value: { param: 'minAmount' } }, { feature: 'amount_to_avg', op: '>', value: 8 }] },
      { not: { feature: 'customer_known', op: '==', value: 0 } },
    ],
  },
  params: { minAmount: 100000 },
  filters: { type: ['transfer', 'card'], channel: ['mobile', 'online'] },
  reason: '{amount:usd} from a new device (from {minAmount:usd})',
});

describe('rule evaluation - outcomes', () => {
  const base = { new_device: 1, amount: 125000, amount_to_avg: 1, customer_known: 1 };
  const cases: Array<{ name: string; input: RuleInput; status: string }> = [
    { name: 'fires when every branch holds', input: input(base), status: 'fired' },
    { name: 'fires through the other any branch', input: input({ ...base, amount: 5000, amount_to_avg: 9 }), status: 'fired' },
    { name: 'does not fire below the parameter', input: input({ ...base, amount: 99999 }), status: 'not_fired' },
    { name: 'does not fire when not() holds', input: input({ ...base, customer_known: 0 }), status: 'not_fired' },
    { name: 'not applicable for another kind', input: input(base, {}, 'customer'), status: 'not_applicable' },
    { name: 'not applicable when the type filter fails', input: input(base, { type: 'cheque', channel: 'mobile' }), status: 'not_applicable' },
    { name: 'not applicable when the channel filter fails', input: input(base, { type: 'card', channel: 'atm' }), status: 'not_applicable' },
    { name: 'not applicable when the body lacks the field', input: input(base, {}), status: 'not_applicable' },
    { name: 'not applicable when a read feature is absent', input: input({ new_device: 1, amount: 125000, customer_known: 1 }), status: 'not_applicable' },
    { name: 'error when a feature is NaN', input: input({ ...base, amount: Number.NaN }), status: 'error' },
    { name: 'error when a feature is a string', input: input({ ...base, amount: '125000' }), status: 'error' },
  ];
  it.each(cases)('$name', ({ input: given, status }) => {
    expect(newDeviceLargeAmount.evaluate(given).status).toBe(status);
  });

  it('returns points and the interpolated reason when fired', () => {
    expect(newDeviceLargeAmount.evaluate(input({ new_device: 1, amount: 125000, amount_to_avg: 1, customer_known: 1 }))).toEqual({
      status: 'fired',
      points: 400,
      text: 'USD 1,250.00 from a new device (from USD 1,000.00)',
    });
  });

  it('gives a safe error reason naming the rule and the feature', () => {
    const outcome = newDeviceLargeAmount.evaluate(input({ new_device: 1, amount: Infinity, amount_to_avg: 1, customer_known: 1 }));
    expect(outcome).toEqual({ status: 'error', reason: 'rule FR-T-1: feature amount is not a finite number' });
  });

  it('never throws, even on a malformed input', () => {
    const broken = { event: null, features: null } as unknown as RuleInput;
    expect(newDeviceLargeAmount.evaluate(broken)).toEqual({ status: 'error', reason: 'rule FR-T-1 failed to evaluate' });
  });

  it('lists the features its condition reads', () => {
    expect([...newDeviceLargeAmount.features].sort()).toEqual(['amount', 'amount_to_avg', 'customer_known', 'new_device']);
  });
});

describe('rule evaluation - comparison operators', () => {
  const cases: Array<{ op: string; value: number; fires: boolean }> = [
    { op: '>', value: 5, fires: false },
    { op: '>', value: 4, fires: true },
    { op: '>=', value: 5, fires: true },
    { op: '<', value: 5, fires: false },
    { op: '<', value: 6, fires: true },
    { op: '<=', value: 5, fires: true },
    { op: '==', value: 5, fires: true },
    { op: '!=', value: 5, fires: false },
  ];
  it.each(cases)('out_count_1m=5 $op $value fires: $fires', ({ op, value, fires }) => {
    const rule = compileOne({ when: { feature: 'out_count_1m', op, value }, reason: 'r' });
    expect(rule.evaluate(input({ out_count_1m: 5 })).status).toBe(fires ? 'fired' : 'not_fired');
  });

  it.each([
    { value: -1, seconds: -1, fires: true },
    { value: -1, seconds: 0, fires: false },
    { value: -0.5, seconds: -1, fires: false },
  ])('compares against negative literals ($seconds == $value: $fires)', ({ value, seconds, fires }) => {
    const rule = compileOne({ when: { not: { not: { feature: 'seconds_since_last', op: '==', value } } }, reason: 'r' });
    expect(rule.evaluate(input({ seconds_since_last: seconds })).status).toBe(fires ? 'fired' : 'not_fired');
  });

  it('reads a feature used twice once, and checks it once', () => {
    const rule = compileOne({ when: { any: [{ feature: 'amount', op: '<', value: 10 }, { feature: 'amount', op: '>', value: 100 }] }, reason: 'r' });
    expect(rule.features).toEqual(['amount']);
    expect([5, 50, 500].map((amount) => rule.evaluate(input({ amount })).status)).toEqual(['fired', 'not_fired', 'fired']);
  });
});

describe('rule evaluation - reason text', () => {
  const cases: Array<{ template: string; features: Record<string, number>; params?: Record<string, number>; text: string }> = [
    { template: '{amount:usd}', features: { amount: 125000 }, text: 'USD 1,250.00' },
    { template: '{amount:usd}', features: { amount: 5 }, text: 'USD 0.05' },
    { template: '{amount:usd} above {limit:usd}', features: { amount: 123456789 }, params: { limit: 100000000 }, text: 'USD 1,234,567.89 above USD 1,000,000.00' },
    { template: '{out_count_1m} payments (limit {limit})', features: { out_count_1m: 1234 }, params: { limit: 5 }, text: '1,234 payments (limit 5)' },
    { template: '{amount_to_avg:ratio} times', features: { amount_to_avg: 12.345 }, text: '12.3 times' },
    { template: '{amount_to_avg}', features: { amount_to_avg: 2.5 }, text: '2.5' },
    { template: '{geo_speed_kmh:int} km/h', features: { geo_speed_kmh: 1234.6 }, text: '1,235 km/h' },
    { template: 'idle {seconds_since_last:duration}', features: { seconds_since_last: 8_640_000 }, text: 'idle 100 days' },
    { template: 'idle {seconds_since_last:duration}', features: { seconds_since_last: 3 * 3600 }, text: 'idle 3 hours' },
    { template: '{{literal}} {amount}', features: { amount: 7 }, text: '{literal} 7' },
    { template: 'avg {avg_out_amount:usd}', features: { amount: 7 }, text: 'avg unknown' },
  ];
  it.each(cases)('$template -> $text', ({ template, features, params, text }) => {
    const rule = compileOne({ when: { feature: 'amount', op: '>=', value: 0 }, params, reason: template });
    const outcome = rule.evaluate(input({ amount: 0, ...features }));
    expect(outcome.status === 'fired' && outcome.text).toBe(text);
  });
});

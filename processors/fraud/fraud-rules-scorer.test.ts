import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/contracts/index.js';
import { compileRuleSetOrThrow, type CompiledRuleSet } from '../rules/index.js';
import { UNKNOWN_CUSTOMER, type ScoringEvent, type ScoringInput } from '../scoring.js';
import { FRAUD_RULES_SCORER, RULE_ERROR_CODE, createFraudRulesScorer, paymentVector, readStarterFraudRules, starterFraudRuleSet } from './index.js';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');

function paymentEvent(type = 'transfer'): ScoringEvent {
  const result = validateEvent(
    {
      v: 1,
      kind: 'payment',
      id: 'pay-1',
      ts: '2026-11-29T10:15:00.000Z',
      type,
      channel: 'mobile',
      amount: '1250.00',
      currency: 'USD',
      debtor: { accountId: 'ACC-1', customerId: 'C-1' },
      creditor: { accountId: 'ACC-2' },
    },
    undefined,
    NOW,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const { labels: _labels, ...event } = result.event;
  return event;
}

function input(features: Record<string, number>, event: ScoringEvent = paymentEvent()): ScoringInput {
  return { event, features, profile: UNKNOWN_CUSTOMER };
}

describe('fraud rules scorer - identity', () => {
  it('names itself after the rule set version and scores payments only', () => {
    const scorer = createFraudRulesScorer();
    expect(scorer).toMatchObject({ name: FRAUD_RULES_SCORER, version: starterFraudRuleSet().version, domain: 'fraud', kinds: ['payment'] });
  });

  it('refuses a rule set with rules of another domain', () => {
    const aml = compileRuleSetOrThrow({
      id: 'mixed',
      version: '1',
      rules: [{ id: 'AML-X-1', description: 'd', domain: 'aml', typology: 't', kinds: ['payment'], when: { feature: 'amount', op: '>', value: 1 }, points: 1, reason: 'r' }],
    });
    expect(() => createFraudRulesScorer(aml)).toThrowError(/AML-X-1/);
  });
});

describe('fraud rules scorer - outcomes', () => {
  const scorer = createFraudRulesScorer();

  it('scores an ordinary payment 0 with no reasons and no alert', () => {
    expect(scorer.score(input(paymentVector()))).toEqual({ status: 'scored', score: 0, reasons: [], alerts: [] });
  });

  it('is not applicable to other kinds', () => {
    const customer = { ...paymentEvent(), kind: 'customer' } as ScoringEvent;
    expect(scorer.score(input(paymentVector(), customer))).toEqual({ status: 'not_applicable' });
  });

  it('is not applicable when no feature is known', () => {
    expect(scorer.score(input({}))).toEqual({ status: 'not_applicable' });
  });

  it('sorts reasons by points and combines them into the score', () => {
    const outcome = scorer.score(input(paymentVector({ geo_speed_kmh: 5_000, out_count_1m: 7 })));
    expect(outcome.status).toBe('scored');
    if (outcome.status !== 'scored') return;
    expect(outcome.reasons.map((r) => [r.code, r.points])).toEqual([
      ['FR-VEL-1M', 300],
      ['FR-GEO-SPEED', 250],
    ]);
    expect(outcome.score).toBe(475);
    expect(outcome.reasons[1]).toEqual({
      code: 'FR-GEO-SPEED',
      scorer: FRAUD_RULES_SCORER,
      points: 250,
      text: 'travel at 5,000 km/h since the previous located payment (limit 1,000 km/h)',
      texts: { 'zh-CN': '自上一笔有位置的付款以来移动速度达 5,000 公里/小时（上限 1,000 公里/小时）' },
    });
    // the top rule names the alert's typology
    expect(outcome.alerts).toEqual([{ domain: 'fraud', typology: 'velocity', severity: 'low', score: 475, reasons: outcome.reasons }]);
  });

  it('scores the account-takeover example of docs/rules.md 765', () => {
    const outcome = scorer.score(input(paymentVector({ new_device: 1, new_ip: 1, new_payee: 1, amount: 300_000, amount_to_avg: 10 })));
    expect(outcome.status === 'scored' && [outcome.score, outcome.reasons.map((r) => r.code)]).toEqual([
      765,
      ['FR-AMT-AVG', 'FR-NEWDEV-AMT', 'FR-ATO-PAYOUT', 'FR-NEWIP-NEWDEV', 'FR-NEWPAYEE-AMT'],
    ]);
  });

  it('raises no alert below the threshold', () => {
    const outcome = scorer.score(input(paymentVector({ out_count_1m: 7 })));
    expect(outcome.status === 'scored' && [outcome.score, outcome.alerts.length]).toEqual([300, 0]);
  });

  it('follows a configured alert threshold', () => {
    const eager = createFraudRulesScorer(undefined, { alertThreshold: 300 });
    const outcome = eager.score(input(paymentVector({ out_count_1m: 7 })));
    expect(outcome.status === 'scored' && outcome.alerts[0]).toMatchObject({ typology: 'velocity', severity: 'low', score: 300 });
  });

  it('shows money in reasons as USD with separators', () => {
    const outcome = scorer.score(input(paymentVector({ account_age_days: 1, customer_tenure_days: 1, amount: 1_234_567 })));
    const reason = outcome.status === 'scored' ? outcome.reasons.find((r) => r.code === 'FR-NEWACCT-AMT') : undefined;
    expect(reason?.text).toBe('USD 12,345.67 from an account first seen 1 day ago (new: under 7 days; from USD 2,000.00)');
  });
});

describe('fraud rules scorer - error isolation', () => {
  const scorer = createFraudRulesScorer();

  it('scores with the rules that worked and reports the broken one', () => {
    const outcome = scorer.score(input(paymentVector({ geo_speed_kmh: Number.NaN, out_count_1m: 7 })));
    expect(outcome.status).toBe('scored');
    if (outcome.status !== 'scored') return;
    expect(outcome.score).toBe(300);
    expect(outcome.reasons.at(-1)).toEqual({
      code: RULE_ERROR_CODE,
      scorer: FRAUD_RULES_SCORER,
      points: 0,
      text: 'not evaluated: rule FR-GEO-SPEED: feature geo_speed_kmh is not a finite number',
    });
  });

  it('returns an error when no rule could be evaluated', () => {
    const broken: Record<string, number> = {};
    for (const rule of starterFraudRuleSet().rules) for (const f of rule.features) broken[f] = Number.NaN;
    const outcome = scorer.score(input(broken));
    expect(outcome.status).toBe('error');
    expect(outcome.status === 'error' && outcome.reason).toMatch(/^no fraud rule could be evaluated: rule FR-/);
  });

  it('works with a custom rule set', () => {
    const custom: CompiledRuleSet = compileRuleSetOrThrow({
      id: 'custom',
      version: 'c-2',
      rules: [{ id: 'FR-BIG-1', description: 'd', domain: 'fraud', typology: 'big', kinds: ['payment'], when: { feature: 'amount', op: '>=', value: 100 }, points: 1000, reason: 'big {amount:usd}' }],
    });
    const outcome = createFraudRulesScorer(custom).score(input({ amount: 100 }));
    expect(outcome).toMatchObject({ status: 'scored', score: 1000, alerts: [{ typology: 'big', severity: 'critical' }] });
  });
});

describe('fraud rules scorer - labels', () => {
  it('never reads labels, even when the event object carries them', () => {
    const scorer = createFraudRulesScorer();
    const features = paymentVector({ geo_speed_kmh: 5_000, new_device: 1, amount: 200_000 });
    const clean = paymentEvent();
    let reads = 0;
    const labelled = { ...clean, body: { ...clean.body } };
    for (const target of [labelled, labelled.body]) {
      Object.defineProperty(target, 'labels', {
        enumerable: true,
        get() {
          reads++;
          return { patterns: ['account_takeover'], fraud: true };
        },
      });
    }
    const withLabels = scorer.score(input(features, labelled));
    expect(reads).toBe(0);
    expect(withLabels).toEqual(scorer.score(input(features, clean)));
  });

  it('words every starter rule in Chinese too, with the same numbers, durations in Chinese', () => {
    const scorer = createFraudRulesScorer();
    const outcome = scorer.score(input(paymentVector({ seconds_since_last: 120 * 86_400, amount: 250_000 })));
    if (outcome.status !== 'scored') throw new Error(outcome.status);
    const dormant = outcome.reasons.find((r) => r.code === 'FR-DORMANT')!;
    expect(dormant.text).toBe('USD 2,500.00 after 120 days without a payment (dormant: 90 days or more)');
    expect(dormant.texts).toEqual({ 'zh-CN': '120 天没有付款后付出 USD 2,500.00（休眠：90 天或以上）' });
    // Every rule has a Chinese text naming the same features and parameters as its English one.
    const holes = (text: string): string[] => [...text.matchAll(/\{(\w+)(?::\w+)?\}/g)].map((m) => m[1]!).sort();
    const wire = readStarterFraudRules() as { rules: Array<{ id: string; reason: string; reasonIn?: Record<string, string> }> };
    for (const rule of wire.rules) {
      const zh = rule.reasonIn?.['zh-CN'];
      expect(zh, rule.id).toMatch(/[\u4e00-\u9fff]/);
      expect(holes(zh!), rule.id).toEqual(holes(rule.reason));
    }
  });
});

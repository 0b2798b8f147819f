import { describe, expect, it } from 'vitest';
import type { PaymentFeatureName } from '../features/names.js';
import type { RuleInput } from '../rules/index.js';
import { ORDINARY_PAYMENT, paymentVector, readStarterFraudRules, starterFraudRuleSet } from './index.js';

type Changes = Partial<Record<PaymentFeatureName, number>>;
type Body = { readonly type: string; readonly channel: string };

const TRANSFER: Body = { type: 'transfer', channel: 'mobile' };
const CARD: Body = { type: 'card', channel: 'ecommerce' };

function firedIds(changes: Changes, body: Body = TRANSFER): string[] {
  const input: RuleInput = { event: { kind: 'payment', body }, features: paymentVector(changes) };
  return starterFraudRuleSet()
    .rules.filter((r) => r.evaluate(input).status === 'fired')
    .map((r) => r.id);
}

/** For each starter rule: a vector that should fire it, and a near miss that should not. */
const CASES: Array<{ id: string; fires: Changes; nearMiss: Changes; body?: Body }> = [
  { id: 'FR-VEL-1M', fires: { out_count_1m: 6 }, nearMiss: { out_count_1m: 5 } },
  { id: 'FR-VEL-1H', fires: { out_count_1h: 21 }, nearMiss: { out_count_1h: 20 } },
  { id: 'FR-VEL-24H', fires: { out_count_24h: 51 }, nearMiss: { out_count_24h: 50 } },
  { id: 'FR-SUM-1H', fires: { out_sum_1h: 1_000_001, out_count_1h: 3 }, nearMiss: { out_sum_1h: 1_500_000, out_count_1h: 1 } },
  { id: 'FR-SUM-24H', fires: { out_sum_24h: 2_600_000, out_count_24h: 4 }, nearMiss: { out_sum_24h: 2_500_000, out_count_24h: 4 } },
  { id: 'FR-DRAIN', fires: { balance_used_pct: 100, amount: 150_000 }, nearMiss: { balance_used_pct: 94, amount: 150_000 } },
  { id: 'FR-AMT-AVG', fires: { amount: 60_000, amount_to_avg: 12 }, nearMiss: { amount: 60_000, amount_to_avg: 12, history_count: 4 } },
  { id: 'FR-NEWACCT-AMT', fires: { account_age_days: 2, customer_tenure_days: 2, amount: 250_000 }, nearMiss: { account_age_days: 7, customer_tenure_days: 2, amount: 250_000 } },
  { id: 'FR-NEWDEV-AMT', fires: { new_device: 1, amount: 150_000 }, nearMiss: { new_device: 1, amount: 99_999 } },
  { id: 'FR-NEWPAYEE-AMT', fires: { new_payee: 1, amount: 300_000 }, nearMiss: { new_payee: 0, amount: 300_000 } },
  { id: 'FR-CARD-TEST', fires: { small_out_count_1h: 5 }, nearMiss: { small_out_count_1h: 4 }, body: CARD },
  { id: 'FR-GEO-SPEED', fires: { geo_speed_kmh: 4_000 }, nearMiss: { geo_speed_kmh: 900 } },
  { id: 'FR-DORMANT', fires: { seconds_since_last: 100 * 86_400, amount: 120_000 }, nearMiss: { seconds_since_last: 100 * 86_400, amount: 20_000 } },
  { id: 'FR-NEWIP-NEWDEV', fires: { new_ip: 1, new_device: 1 }, nearMiss: { new_ip: 1, new_device: 0 } },
  { id: 'FR-ATO-PAYOUT', fires: { new_device: 1, new_payee: 1, amount: 60_000 }, nearMiss: { new_device: 1, new_payee: 1, amount: 60_000, history_count: 0 } },
  { id: 'FR-FANOUT-1H', fires: { distinct_payees_1h: 6 }, nearMiss: { distinct_payees_1h: 5 } },
  { id: 'FR-NEWCOUNTRY-AMT', fires: { new_country: 1, amount: 200_000 }, nearMiss: { new_country: 1, amount: 199_999 } },
  {
    id: 'FR-MULE-PAYEE',
    fires: { new_payee: 1, payee_distinct_payers_24h: 12, payee_out_sum_24h: 400_000, amount: 50_000 },
    nearMiss: { new_payee: 1, payee_distinct_payers_24h: 12, payee_out_sum_24h: 0, amount: 50_000 },
  },
];

describe('starter fraud rules - each rule', () => {
  it('loads, and every rule in the file has a case here', () => {
    const ids = starterFraudRuleSet().rules.map((r) => r.id);
    expect(ids.sort()).toEqual(CASES.map((c) => c.id).sort());
  });

  it('fires nothing on an ordinary payment', () => {
    expect(firedIds({})).toEqual([]);
    expect(firedIds({}, CARD)).toEqual([]);
  });

  it.each(CASES)('$id fires on its vector', ({ id, fires, body }) => {
    expect(firedIds(fires, body)).toContain(id);
  });

  it.each(CASES)('$id stays quiet on its near miss', ({ id, nearMiss, body }) => {
    expect(firedIds(nearMiss, body)).not.toContain(id);
  });

  it("takes a new account for new only when it is a customer's, and the customer is new too or their start unknown", () => {
    expect(firedIds({ account_age_days: 0.01, customer_tenure_days: -1, amount: 250_000 })).toContain('FR-NEWACCT-AMT');
    // a customer of the bank for years whose account riskstream only just saw (a fresh deployment)
    expect(firedIds({ account_age_days: 0.01, customer_tenure_days: 1_200, amount: 250_000 })).not.toContain('FR-NEWACCT-AMT');
    // a payer that is not our customer: the age of its account says nothing
    expect(firedIds({ account_age_days: 0.01, customer_tenure_days: -1, customer_known: 0, amount: 250_000 })).not.toContain('FR-NEWACCT-AMT');
  });

  it('does not take a first payment to a popular business for a mule account', () => {
    expect(firedIds({ new_payee: 1, payee_distinct_payers_24h: 5_000, payee_out_sum_24h: 0, amount: 12_000 })).toEqual([]);
  });

  it('keeps card testing to card payments and new-payee rules to push payments', () => {
    expect(firedIds({ small_out_count_1h: 9 }, TRANSFER)).not.toContain('FR-CARD-TEST');
    expect(firedIds({ new_payee: 1, amount: 500_000 }, CARD)).not.toContain('FR-NEWPAYEE-AMT');
  });

  it('takes a draining payment only with a balance given, of a cash-out or a push payment, not more than the balance, not a small one', () => {
    expect(firedIds({ balance_used_pct: 97.5, amount: 150_000 }, { type: 'cash_withdrawal', channel: 'atm' })).toContain('FR-DRAIN');
    expect(firedIds({ balance_used_pct: 100, amount: 150_000 }, { type: 'cash_deposit', channel: 'branch' })).not.toContain('FR-DRAIN');
    expect(firedIds({ balance_used_pct: -1, amount: 150_000 })).not.toContain('FR-DRAIN');
    expect(firedIds({ balance_used_pct: 180, amount: 150_000 })).not.toContain('FR-DRAIN');
    expect(firedIds({ balance_used_pct: 100, amount: 99_999 })).not.toContain('FR-DRAIN');
  });

  it('does not apply when features are absent, instead of reading them as zero', () => {
    const input: RuleInput = { event: { kind: 'payment', body: TRANSFER }, features: {} };
    expect(new Set(starterFraudRuleSet().rules.map((r) => r.evaluate(input).status))).toEqual(new Set(['not_applicable']));
  });
});

describe('starter fraud rules - the file', () => {
  it('explains every rule and states points', () => {
    const file = readStarterFraudRules() as { rules: Array<{ description: string; reason: string; points?: number }> };
    for (const rule of file.rules) {
      expect(rule.description.length).toBeGreaterThan(30);
      expect(rule.points).toBeGreaterThan(0);
    }
  });

  it('accepts operator parameter overrides', () => {
    const tuned = starterFraudRuleSet({ params: { 'FR-VEL-1M': { maxPerMinute: 10 } } });
    const rule = tuned.rules.find((r) => r.id === 'FR-VEL-1M');
    const input: RuleInput = { event: { kind: 'payment', body: TRANSFER }, features: { ...ORDINARY_PAYMENT, out_count_1m: 8 } };
    expect(rule?.evaluate(input).status).toBe('not_fired');
  });
});

// Feature vectors for tests and benchmarks: one ordinary payment from an established account,
// and a way to vary it. Typed against the catalogue so that a renamed feature fails to compile.
import type { PaymentFeatureName } from '../features/names.js';

export type PaymentVector = Readonly<Record<PaymentFeatureName, number>>;

/** A USD 45.00 transfer from a 400-day-old account that pays about this much a few times a day. */
export const ORDINARY_PAYMENT: PaymentVector = Object.freeze({
  amount: 4_500,
  balance_used_pct: -1,
  out_count_1m: 1,
  out_sum_1m: 4_500,
  out_count_1h: 2,
  out_sum_1h: 9_000,
  out_count_24h: 4,
  out_sum_24h: 20_000,
  out_count_7d: 15,
  out_sum_7d: 80_000,
  small_out_count_1h: 0,
  in_count_1h: 0,
  in_sum_1h: 0,
  in_count_24h: 1,
  in_sum_24h: 300_000,
  in_sum_7d: 300_000,
  distinct_payees_1h: 2,
  distinct_payees_24h: 3,
  new_payee: 0,
  new_device: 0,
  new_country: 0,
  new_ip: 0,
  seconds_since_last: 3_600,
  account_age_days: 400,
  history_count: 250,
  avg_out_amount: 5_000,
  amount_to_avg: 0.9,
  geo_speed_kmh: 30,
  payee_in_count_1h: 3,
  payee_in_count_24h: 40,
  payee_in_sum_24h: 500_000,
  payee_distinct_payers_24h: 35,
  payee_out_sum_24h: 0,
  customer_risk: 0,
  customer_pep: 0,
  customer_known: 1,
  customer_tenure_days: 1_200,
});

export function paymentVector(changes: Partial<Record<PaymentFeatureName, number>> = {}): PaymentVector {
  return { ...ORDINARY_PAYMENT, ...changes };
}

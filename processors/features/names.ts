// The names of the features computed per event. Rules refer to features by these names, so the
// list is the contract between the feature store and every scorer. Amounts are integer USD cents
// (see core/fx.ts); counts and sums include the current event; times are event time.

export const PAYMENT_FEATURES = [
  // The payment itself
  'amount', // this payment, USD cents
  'balance_used_pct', // this payment as a percentage of the debtor's available balance before it (debtorBalance): 100 empties it; -1 when not given or zero
  // The debtor (payer) account: money out, in event-time windows
  'out_count_1m',
  'out_sum_1m',
  'out_count_1h',
  'out_sum_1h',
  'out_count_24h',
  'out_sum_24h',
  'out_count_7d',
  'out_sum_7d',
  'small_out_count_1h', // card payments under 5.00 USD in the last hour (card testing)
  // The debtor account: money in (for pass-through)
  'in_count_1h',
  'in_sum_1h',
  'in_count_24h',
  'in_sum_24h',
  'in_sum_7d',
  // Counterparties and novelty
  'distinct_payees_1h',
  'distinct_payees_24h',
  'new_payee', // 1 when the debtor never paid this creditor account before
  'new_device', // 1 when the device id was never seen on this account (0 when no device given)
  'new_country', // 1 when the creditor country was never paid to from this account
  'new_ip', // 1 when the IP was never seen on this account (0 when no IP given)
  // History
  'seconds_since_last', // since the account's previous outgoing payment; -1 when none
  'account_age_days', // since the first event seen for the account
  'history_count', // outgoing payments seen before this one (all time)
  'avg_out_amount', // mean of earlier outgoing amounts (USD cents, exponentially weighted); 0 when none
  'amount_to_avg', // amount / avg_out_amount; 0 when no history
  'geo_speed_kmh', // speed implied by the previous geo-located payment; 0 when unknown
  // The creditor (payee) account
  'payee_in_count_1h',
  'payee_in_count_24h',
  'payee_in_sum_24h',
  'payee_distinct_payers_24h', // fan-in
  'payee_out_sum_24h', // money the payee already moved on (pass-through at the payee)
  // The debtor's customer profile (from customer events)
  'customer_risk', // 0 low, 1 medium, 2 high; 1 when unknown
  'customer_pep', // 1 when a politically exposed person
  'customer_known', // 1 when a customer event was seen for the debtor's customer
  'customer_tenure_days', // since the debtor's customer relationship began (customer event onboardedAt); -1 when unknown
] as const;

export type PaymentFeatureName = (typeof PAYMENT_FEATURES)[number];

/** A feature vector: feature name to value. Unknown or not applicable features are absent. */
export type FeatureVector = Readonly<Record<string, number>>;

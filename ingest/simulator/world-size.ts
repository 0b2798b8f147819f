// How many customers a simulated bank needs for the rate it is played at. Every ordinary
// customer's payments come at about rate × share / customers per second, so a world too small for
// its rate gives each customer hundreds of payments a day: after a few hours of a 50 events/s demo
// with 20,000 customers, most everyday payments broke the 24-hour velocity rule (more than 50
// payments a day) and the alert feed filled with false positives. Sizing the world from the rate
// keeps ordinary customers at a believable count per day however long the stream runs.

/** Ordinary customers' own payments as a share of all events (the rest: payments in from outside, customers, loans, patterns). */
export const OWN_PAYMENT_SHARE = 0.8;

/** Payments an ordinary customer makes per day on average in a world sized for its rate. */
export const PAYMENTS_PER_CUSTOMER_DAY = 20;

/** The smallest world (a low rate still needs enough people for patterns and networks). */
export const MIN_CUSTOMERS = 20_000;

/**
 * The largest world sized automatically: customers are derived on demand, but every active account
 * keeps about a kilobyte of feature state in Redis for 35 days (≈ 500 MB at this size). Above
 * ≈ 145 events/s, customers pay more often than PAYMENTS_PER_CUSTOMER_DAY.
 */
export const MAX_CUSTOMERS = 500_000;

const DAY_SECONDS = 86_400;

/** The number of customers for a stream played at `rate` events per second. */
export function worldSizeFor(rate: number): number {
  if (!(rate > 0)) throw new RangeError(`the rate must be positive, not ${rate}`);
  const wanted = Math.round((rate * DAY_SECONDS * OWN_PAYMENT_SHARE) / PAYMENTS_PER_CUSTOMER_DAY);
  return Math.min(MAX_CUSTOMERS, Math.max(MIN_CUSTOMERS, wanted));
}

/** Customers of the system's own simulator: RISKSTREAM_SIMULATOR_CUSTOMERS, else sized from its rate. */
export function simulatorCustomers(config: { readonly simulatorCustomers: number | undefined; readonly simulatorRate: number }): number {
  return config.simulatorCustomers ?? worldSizeFor(Math.max(1, config.simulatorRate));
}

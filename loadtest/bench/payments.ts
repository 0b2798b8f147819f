// A fast, seeded stream of valid payment events for load: many accounts, a mix of types, channels
// and currencies. The simulator is richer; this one costs almost nothing per event, so that the
// load generator never becomes the bottleneck it measures.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

const TYPES = ['card', 'card', 'card', 'transfer', 'transfer', 'ewallet', 'bill', 'remittance'] as const;
const CHANNELS = ['pos', 'ecommerce', 'mobile', 'online', 'mobile', 'api'] as const;
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'SG', 'CN', 'BR', 'IN'] as const;
const CURRENCIES = ['USD', 'USD', 'USD', 'USD', 'EUR', 'GBP'] as const;

export type BenchPaymentSource = { next(id: string, ts: number): Record<string, unknown> };

/** Card testers: a small pool whose tiny card payments, at 1 % of the load, keep the card-testing rule firing. */
const CARD_TESTERS = 200;

/**
 * The most payments an ordinary account makes in one run. The starter rules alert on more than
 * five payments in a minute (`FR-VEL-1M`) and on more than five payees in an hour
 * (`FR-FANOUT-1H`); every payment here goes to a random payee, so an account that pays six
 * times within the hour alerts. With 50,000 accounts a 60 s run at 10,000 events/s made twelve
 * payments per account and about one event in six an alert — not the 1 % `alertShare` says.
 */
export const MAX_PAYMENTS_PER_ACCOUNT = 5;
const MIN_ACCOUNTS = 50_000;

/** Ordinary accounts for a run of `total` payments: enough that none pays more than MAX_PAYMENTS_PER_ACCOUNT times. */
export function benchAccountsFor(total: number): number {
  return Math.max(MIN_ACCOUNTS, Math.ceil(total / MAX_PAYMENTS_PER_ACCOUNT));
}

export type BenchPaymentOptions = {
  /** Ordinary accounts (default 50,000); payers take turns, so each pays once per `accounts` payments. */
  readonly accounts?: number;
  /** Share of events (0–1) that are card testers' tiny payments (default 0). */
  readonly alertShare?: number;
  /**
   * Put into every account and customer id, the card testers' included (default ''): a run with a
   * prefix of its own starts with accounts no earlier run in the same namespace has used (the suite
   * runs three; an attached riskstream keeps every run's history). Before 2026-12-06 (21:30) the
   * card testers CT-1…200 had no prefix and carried one run's history into the next.
   */
  readonly accountPrefix?: string;
};

/**
 * `alertShare` (0–1) of the events are tiny card payments from a pool of card testers, which the
 * starter rules alert on once a tester has made five in an hour: alert traffic for measuring alert
 * delivery, at a share like a real portfolio's. The other payments take their payers in turn, so
 * that with `benchAccountsFor(total)` accounts none of them alerts.
 */
export function createBenchPayments(seed: number, options: BenchPaymentOptions = {}): BenchPaymentSource {
  const accounts = options.accounts ?? MIN_ACCOUNTS;
  const prefix = options.accountPrefix ?? '';
  const alertShare = options.alertShare ?? 0;
  const rng = xoroshiro128plus(seed);
  const pick = <T>(list: readonly T[]): T => list[uniformInt(rng, 0, list.length - 1)]!;
  const int = (min: number, max: number): number => uniformInt(rng, min, max);
  const alertPerMillion = Math.round(alertShare * 1_000_000);
  let turn = 0;
  return {
    next(id, ts) {
      if (alertPerMillion > 0 && int(1, 1_000_000) <= alertPerMillion) {
        const tester = int(1, CARD_TESTERS);
        return {
          v: 1,
          kind: 'payment',
          id,
          ts: new Date(ts).toISOString(),
          type: 'card',
          channel: 'ecommerce',
          amount: `${int(0, 3)}.${String(int(1, 99)).padStart(2, '0')}`,
          currency: 'USD',
          debtor: { accountId: `CT-${prefix}${tester}`, customerId: `CT-${prefix}${tester}`, country: 'US' },
          creditor: { accountId: `MER-${int(1, 50)}`, country: pick(COUNTRIES) },
          merchant: { id: `MER-${int(1, 50)}`, mcc: '5999' },
        };
      }
      const debtor = (turn++ % accounts) + 1;
      let creditor = int(1, accounts);
      if (creditor === debtor) creditor = (creditor % accounts) + 1;
      // Log-normal around USD 40 (σ 1.2), USD 1–5,000, like everyday spending. It was e^1–e^11
      // cents, uniform in the log: half the payments under USD 5, and five of those in an hour
      // is what the card-testing rule looks for; a flatter tail up to USD 5,000 then tripped the
      // hourly sum limit instead.
      const u1 = int(1, 1_000_000) / 1_000_001;
      const u2 = int(0, 1_000_000) / 1_000_001;
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const cents = Math.min(500_000, Math.max(100, Math.round(4000 * Math.exp(1.2 * z))));
      return {
        v: 1,
        kind: 'payment',
        id,
        ts: new Date(ts).toISOString(),
        type: pick(TYPES),
        channel: pick(CHANNELS),
        amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
        currency: pick(CURRENCIES),
        debtor: { accountId: `ACC-${prefix}${debtor}`, customerId: `C-${prefix}${debtor}`, country: pick(COUNTRIES) },
        creditor: { accountId: `ACC-${prefix}${creditor}`, customerId: `C-${prefix}${creditor}`, country: pick(COUNTRIES) },
        // One device per account: a payment from a third device after a few payments looked like a
        // takeover to the starter rules (new device, new address, new payee, from USD 500).
        device: { id: `dev-${prefix}${debtor}`, ip: `203.0.113.${int(1, 254)}` },
      };
    },
  };
}

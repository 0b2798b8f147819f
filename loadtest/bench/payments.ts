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
 * `alertShare` (0–1) of the events are tiny card payments from a pool of card testers, which the
 * starter rules alert on once a tester has made five in an hour: alert traffic for measuring alert
 * delivery, at a share like a real portfolio's.
 */
export function createBenchPayments(seed: number, accounts = 50_000, alertShare = 0): BenchPaymentSource {
  const rng = xoroshiro128plus(seed);
  const pick = <T>(list: readonly T[]): T => list[uniformInt(rng, 0, list.length - 1)]!;
  const int = (min: number, max: number): number => uniformInt(rng, min, max);
  const alertPerMillion = Math.round(alertShare * 1_000_000);
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
          debtor: { accountId: `CT-${tester}`, customerId: `CT-${tester}`, country: 'US' },
          creditor: { accountId: `MER-${int(1, 50)}`, country: pick(COUNTRIES) },
          merchant: { id: `MER-${int(1, 50)}`, mcc: '5999' },
        };
      }
      const debtor = int(1, accounts);
      let creditor = int(1, accounts);
      if (creditor === debtor) creditor = (creditor % accounts) + 1;
      const cents = Math.min(Math.floor(Math.exp(int(100, 1100) / 100)), 5_000_000);
      return {
        v: 1,
        kind: 'payment',
        id,
        ts: new Date(ts).toISOString(),
        type: pick(TYPES),
        channel: pick(CHANNELS),
        amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
        currency: pick(CURRENCIES),
        debtor: { accountId: `ACC-${debtor}`, customerId: `C-${debtor}`, country: pick(COUNTRIES) },
        creditor: { accountId: `ACC-${creditor}`, customerId: `C-${creditor}`, country: pick(COUNTRIES) },
        device: { id: `dev-${debtor}-${int(0, 2)}`, ip: `203.0.113.${int(1, 254)}` },
      };
    },
  };
}

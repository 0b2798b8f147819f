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

export function createBenchPayments(seed: number, accounts = 50_000): BenchPaymentSource {
  const rng = xoroshiro128plus(seed);
  const pick = <T>(list: readonly T[]): T => list[uniformInt(rng, 0, list.length - 1)]!;
  const int = (min: number, max: number): number => uniformInt(rng, min, max);
  return {
    next(id, ts) {
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

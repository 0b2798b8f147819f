// Test support for the feature store (not used by the product): validated events built from a
// few fields, and an isolated store on the real Redis under a unique prefix that is removed after.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { validateEvent, type ValidatedEvent } from '../../core/contracts/index.js';
import { deleteKeysWithPrefix } from '../../core/redis.js';
import { createFeatureStore, type FeatureStore, type FeatureStoreOptions } from './feature-store.js';

/** A Monday, 00:00 UTC: aligned to every bucket size, so that tests can reason about edges. */
export const T0 = Date.UTC(2026, 0, 5);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Validation refuses events far in the future of "now"; tests use fixed times, so move now. */
const NOW = Date.UTC(2100, 0, 1);

export type PaymentSpec = {
  readonly id: string;
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  readonly amount?: string;
  readonly currency?: string;
  readonly customerId?: string;
  readonly device?: string;
  readonly ip?: string;
  readonly country?: string;
  readonly geo?: { readonly lat: number; readonly lon: number };
  /** The payment type (default transfer). */
  readonly type?: 'transfer' | 'card' | 'cash_deposit' | 'cash_withdrawal';
};

function validated(wire: Record<string, unknown>): ValidatedEvent {
  const result = validateEvent(wire, undefined, NOW);
  if (!result.ok) throw new Error(`test event is invalid: ${JSON.stringify(result.errors)}`);
  return result.event;
}

export function payment(spec: PaymentSpec): ValidatedEvent {
  return validated({
    v: 1,
    kind: 'payment',
    id: spec.id,
    ts: new Date(spec.ts).toISOString(),
    type: spec.type ?? 'transfer',
    channel: spec.type === 'card' ? 'ecommerce' : spec.type?.startsWith('cash') ? 'branch' : 'mobile',
    amount: spec.amount ?? '10.00',
    currency: spec.currency ?? 'USD',
    debtor: { accountId: spec.from, ...(spec.customerId ? { customerId: spec.customerId } : {}) },
    creditor: { accountId: spec.to, ...(spec.country ? { country: spec.country } : {}) },
    ...(spec.device || spec.ip ? { device: { ...(spec.device ? { id: spec.device } : {}), ...(spec.ip ? { ip: spec.ip } : {}) } } : {}),
    ...(spec.geo ? { geo: spec.geo } : {}),
  });
}

export type CustomerSpec = {
  readonly id: string;
  readonly ts: number;
  readonly customerId: string;
  readonly segment?: 'vip' | 'important' | 'standard';
  readonly riskRating?: 'low' | 'medium' | 'high';
  readonly pep?: boolean;
  readonly country?: string;
  readonly onboardedAt?: number;
  readonly accounts?: readonly string[];
};

export function customer(spec: CustomerSpec): ValidatedEvent {
  return validated({
    v: 1,
    kind: 'customer',
    id: spec.id,
    ts: new Date(spec.ts).toISOString(),
    customerId: spec.customerId,
    type: 'individual',
    name: 'Test Customer',
    segment: spec.segment ?? 'standard',
    riskRating: spec.riskRating ?? 'low',
    pep: spec.pep ?? false,
    country: spec.country ?? 'US',
    ...(spec.onboardedAt === undefined ? {} : { onboardedAt: new Date(spec.onboardedAt).toISOString() }),
    ...(spec.accounts === undefined ? {} : { accounts: spec.accounts }),
  });
}

export function loanRepayment(id: string, ts: number, customerId: string): ValidatedEvent {
  return validated({
    v: 1,
    kind: 'loan.repayment',
    id,
    ts: new Date(ts).toISOString(),
    loanId: 'L-' + id,
    customerId,
    amount: '100.00',
    currency: 'USD',
  });
}

export type TestStore = {
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: FeatureStore;
  readonly options: FeatureStoreOptions;
  close(): Promise<void>;
};

/** A store under a fresh `t_<random>:` prefix; close() deletes its keys and disconnects. */
export async function openTestStore(overrides: Partial<FeatureStoreOptions> = {}): Promise<TestStore> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  const prefix = `t_${randomBytes(6).toString('hex')}:`;
  const options: FeatureStoreOptions = { prefix, dedupTtlSeconds: 600, ...overrides };
  return {
    redis,
    prefix,
    options,
    store: createFeatureStore(redis, options),
    async close() {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** Every key under a prefix. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

/** The serialised value of every key under a prefix, to prove that state did not change. */
export async function snapshot(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await keysUnder(redis, prefix)) {
    const dump = await redis.dumpBuffer(key);
    out.set(key, dump === null ? '' : dump.toString('hex'));
  }
  return out;
}

// The bench's ordinary payments must not alert: only its card testers should, at the share asked
// for. Checked through the real feature store (Redis) and the starter rules, as the processors run them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type ValidatedEvent } from '../../core/index.js';
import { createDecider } from '../../processors/decide/index.js';
import { createFeatureStore } from '../../processors/features/index.js';
import { createFraudRulesScorer } from '../../processors/fraud/index.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { benchAccountsFor, createBenchPayments, MAX_PAYMENTS_PER_ACCOUNT } from './payments.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

/** Decides `total` bench payments made 10,000 a second; returns the alerting ones' payers. */
async function alertingPayers(total: number, accounts: number, prefix: string): Promise<string[]> {
  const source = createBenchPayments(5, { accounts, accountPrefix: prefix });
  const features = createFeatureStore(h.redis, { prefix: h.names.redisPrefix, dedupTtlSeconds: 600 });
  const decideEvent = createDecider([createFraudRulesScorer()]);
  const start = Date.now() - 60_000;
  const payers: string[] = [];
  for (let from = 0; from < total; from += 256) {
    const batch: ValidatedEvent[] = [];
    for (let n = from; n < Math.min(total, from + 256); n++) {
      const result = validateEvent(source.next(`${prefix}${n}`, start + n / 10));
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      batch.push(result.event);
    }
    const results = await features.computeBatch(batch);
    batch.forEach((event, i) => {
      const decision = decideEvent({ event, features: results[i]!.features, profile: results[i]!.profile });
      if (decision.alerts.length > 0) payers.push(event.partitionKey);
    });
  }
  return payers;
}

describe('bench payments - quiet unless asked', () => {
  it('sizes the accounts so that none pays more than five times in a run', () => {
    expect(benchAccountsFor(600_000)).toBe(600_000 / MAX_PAYMENTS_PER_ACCOUNT);
    expect(benchAccountsFor(10)).toBe(50_000);
  });

  it('raises no alert for ordinary payments when accounts are sized for the run, and does when they are too few', async () => {
    const total = 6_000;
    // Sized as benchAccountsFor sizes them: five payments each, all within one minute.
    expect(await alertingPayers(total, total / MAX_PAYMENTS_PER_ACCOUNT, 'sized-')).toEqual([]);
    // Twice as many payments per account (the old 50,000 accounts at 10,000/s for 60 s made twelve): alerts.
    const crowded = await alertingPayers(total, total / (2 * MAX_PAYMENTS_PER_ACCOUNT), 'crowded-');
    expect(crowded.length).toBeGreaterThan(total / 10);
  });
});

// Wire fixtures shared by the hub's tests: a decision as the processors publish it.
import type { DecisionWire } from '../../../core/index.js';

let next = 0;

/** A payment decision with a fresh event id (`ev-<n>`), changed by `overrides`. */
export function decisionFixture(overrides: Partial<DecisionWire> = {}): DecisionWire {
  next++;
  return {
    v: 1,
    eventId: `ev-${next}`,
    eventKind: 'payment',
    eventTs: Date.now(),
    ingestTs: Date.now(),
    decidedAt: Date.now(),
    accountId: 'ACC-9',
    customerId: 'C-9',
    counterpartyId: 'ACC-8',
    channel: 'mobile',
    paymentType: 'transfer',
    country: 'US',
    counterpartyCountry: 'MX',
    segment: 'standard',
    amountMinor: 5000,
    currency: 'USD',
    score: 120,
    action: 'allow',
    reasons: [],
    models: { rules: 'r1' },
    features: { velocity1m: 3 },
    latencyMs: { processing: 1, total: 3 },
    labels: { patterns: ['none'] },
    ...overrides,
  };
}

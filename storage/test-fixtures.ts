// Wire messages for the storage tests: a decision and an alert with every field set, to override.
import type { AlertWire, DecisionWire } from '../core/index.js';

/** Half past the previous hour, plus 15.123 s: recent enough for any retention, with milliseconds to check. */
export const TS = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1_800_000 + 15_123;

export function decision(overrides: Partial<Record<keyof DecisionWire, unknown>> = {}): DecisionWire {
  return {
    v: 1,
    eventId: 'ev-1',
    eventKind: 'payment',
    eventTs: TS,
    ingestTs: TS + 2,
    decidedAt: TS + 9,
    accountId: 'ACC-1',
    customerId: 'C-1',
    counterpartyId: 'ACC-2',
    channel: 'mobile',
    paymentType: 'transfer',
    country: 'US',
    counterpartyCountry: 'GB',
    segment: 'standard',
    amountMinor: 125000,
    currency: 'EUR',
    score: 640,
    action: 'review',
    reasons: [{ code: 'VELOCITY_1H', scorer: 'rules', points: 320, text: 'Many payments in the last hour' }],
    models: { rules: 'rules-2026.11' },
    features: { amount_usd: 1350, count_1h: 7.5 },
    latencyMs: { processing: 1.25, total: 7 },
    labels: { patterns: ['ato'], fraud: true, scenarioId: 'ato-0001' },
    ...overrides,
  } as DecisionWire;
}

export function alert(overrides: Partial<Record<keyof AlertWire, unknown>> = {}): AlertWire {
  return {
    v: 1,
    id: 'al-1',
    eventId: 'ev-1',
    eventKind: 'payment',
    ts: TS,
    createdAt: TS + 10,
    domain: 'aml',
    typology: 'structuring',
    severity: 'high',
    score: 810,
    accountId: 'ACC-1',
    customerId: 'C-1',
    segment: 'vip',
    amountMinor: 999_950,
    currency: 'USD',
    reasons: [{ code: 'NEAR_THRESHOLD', scorer: 'aml', points: 500, text: 'Just under the reporting threshold', texts: { 'zh-CN': '略低于申报门槛' } }],
    ...overrides,
  } as AlertWire;
}


import { describe, expect, test } from 'vitest';
import { UNKNOWN_CUSTOMER, type CustomerProfile } from '../scoring.js';
import { PAYMENT_FEATURES } from './names.js';
import { geoSpeedKmh, haversineKm, payeeCountryOf, paymentFeatures, type PaymentFacts } from './payment-features.js';
import { IN_REPLY, OUT_REPLY } from './reply-layout.js';
import { packStruct } from './struct-layout.js';

const T0 = Date.UTC(2026, 0, 5);

type OutValues = Parameters<typeof packStruct<(typeof OUT_REPLY.names)[number]>>[1];
type InValues = Parameters<typeof packStruct<(typeof IN_REPLY.names)[number]>>[1];

function zeros<N extends string>(names: readonly N[]): Record<N, number> {
  return Object.fromEntries(names.map((n) => [n, 0])) as Record<N, number>;
}

function outReply(values: Partial<OutValues>): Buffer {
  return packStruct(OUT_REPLY, { ...zeros(OUT_REPLY.names), lastOutTs: -1, geoTs: -1, ...values });
}

function inReply(values: Partial<InValues>): Buffer {
  return packStruct(IN_REPLY, { ...zeros(IN_REPLY.names), ...values });
}

const facts: PaymentFacts = { ts: T0, amount: 5000, lat: undefined, lon: undefined };
const known: CustomerProfile = { known: true, segment: 'vip', riskRating: 'high', pep: true, country: 'GB' };

describe('payment features - decoding the replies', () => {
  test('every feature name is produced, and nothing else', () => {
    const features = paymentFeatures(facts, outReply({}), inReply({}), UNKNOWN_CUSTOMER);
    expect(Object.keys(features).sort()).toEqual([...PAYMENT_FEATURES].sort());
  });

  test('window values land on their names', () => {
    const features = paymentFeatures(
      facts,
      outReply({ oc_1m: 1, os_1m: 2, oc_1h: 3, os_1h: 4, sc_1h: 5, ic_1h: 6, is_1h: 7, oc_24h: 8, os_24h: 9, ic_24h: 10, is_24h: 11, oc_7d: 12, os_7d: 13, is_7d: 14 }),
      inReply({ ic_1h: 21, ic_24h: 22, is_24h: 23, os_24h: 24, distinctPayers24h: 25 }),
      UNKNOWN_CUSTOMER,
    );
    expect(features).toMatchObject({
      out_count_1m: 1, out_sum_1m: 2, out_count_1h: 3, out_sum_1h: 4, small_out_count_1h: 5, in_count_1h: 6, in_sum_1h: 7,
      out_count_24h: 8, out_sum_24h: 9, in_count_24h: 10, in_sum_24h: 11, out_count_7d: 12, out_sum_7d: 13, in_sum_7d: 14,
      payee_in_count_1h: 21, payee_in_count_24h: 22, payee_in_sum_24h: 23, payee_out_sum_24h: 24, payee_distinct_payers_24h: 25,
    });
  });

  test.each([
    ['first payment of an account', {}, { seconds_since_last: -1, history_count: 0, avg_out_amount: 0, amount_to_avg: 0, account_age_days: 0 }],
    [
      'with history',
      { lastOutTs: T0 - 90_000, historyCount: 4, avgOut: 2500, firstSeenTs: T0 - 2 * 86_400_000 },
      { seconds_since_last: 90, history_count: 4, avg_out_amount: 2500, amount_to_avg: 2, account_age_days: 2 },
    ],
    ['a late payment never has a negative gap', { lastOutTs: T0 + 5000, historyCount: 1, avgOut: 100, firstSeenTs: T0 - 1 }, { seconds_since_last: 0 }],
    ['novelty flags', { newPayee: 1, newDevice: 1, newCountry: 0, newIp: 1 }, { new_payee: 1, new_device: 1, new_country: 0, new_ip: 1 }],
  ] as const)('derived: %s', (_name, values, expected) => {
    const features = paymentFeatures(facts, outReply({ firstSeenTs: T0, ...values }), inReply({}), UNKNOWN_CUSTOMER);
    expect(features).toMatchObject(expected);
  });

  test.each([
    ['unknown customer', UNKNOWN_CUSTOMER, { customer_risk: 1, customer_pep: 0, customer_known: 0 }],
    ['known high-risk PEP', known, { customer_risk: 2, customer_pep: 1, customer_known: 1 }],
    ['known low risk', { ...known, riskRating: 'low', pep: false } as const, { customer_risk: 0, customer_pep: 0, customer_known: 1 }],
  ] as const)('profile: %s', (_name, profile, expected) => {
    expect(paymentFeatures(facts, outReply({}), inReply({}), profile)).toMatchObject(expected);
  });

  test.each([
    ['a string instead of bytes', 'oops', inReply({})],
    ['a short out reply', Buffer.alloc(10), inReply({})],
    ['a short in reply', outReply({}), Buffer.alloc(OUT_REPLY.size)],
  ] as const)('a malformed reply is refused: %s', (_name, out, inn) => {
    expect(() => paymentFeatures(facts, out, inn, UNKNOWN_CUSTOMER)).toThrow(/feature store/);
  });
});

describe('payment features - geography', () => {
  test('Paris to London is about 344 km', () => {
    expect(haversineKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.5, 0);
  });

  test.each([
    ['no previous geo-located payment', -1, 0, 0, { ts: T0, amount: 1, lat: 10, lon: 10 }, 0],
    ['no geo on this payment', T0 - 3_600_000, 10, 10, facts, 0],
    ['within location noise', T0 - 1000, 48.8566, 2.3522, { ts: T0, amount: 1, lat: 48.857, lon: 2.3525 }, 0],
    ['Paris to London in an hour', T0 - 3_600_000, 48.8566, 2.3522, { ts: T0, amount: 1, lat: 51.5074, lon: -0.1278 }, 343.5],
    ['a gap shorter than a minute counts as a minute', T0 - 1000, 48.8566, 2.3522, { ts: T0, amount: 1, lat: 51.5074, lon: -0.1278 }, 343.5 * 60],
    ['a late payment uses the absolute gap', T0 + 3_600_000, 48.8566, 2.3522, { ts: T0, amount: 1, lat: 51.5074, lon: -0.1278 }, 343.5],
  ] as const)('speed: %s', (_name, prevTs, prevLat, prevLon, payment, kmh) => {
    expect(geoSpeedKmh(prevTs, prevLat, prevLon, payment)).toBeCloseTo(kmh, -1);
  });

  test.each([
    ['its own country first', { creditor: { accountId: 'x', country: 'DE', bank: 'BNPAFRPP' }, merchant: { id: 'm', country: 'IT' } }, 'DE'],
    ['then the merchant country', { creditor: { accountId: 'x', bank: 'BNPAFRPP' }, merchant: { id: 'm', country: 'IT' } }, 'IT'],
    ['then the country of its bank', { creditor: { accountId: 'x', bank: 'BNPAFRPP' } }, 'FR'],
    ['else none', { creditor: { accountId: 'x' } }, ''],
  ] as const)('payee country: %s', (_name, body, country) => {
    expect(payeeCountryOf(body)).toBe(country);
  });
});

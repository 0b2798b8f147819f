// From the replies of the two account scripts (money out at the debtor, money in at the
// creditor) and the customer profile to the payment feature vector. Pure, so that the decoding
// and the derived features (averages, speeds, ages) are tested without Redis.
import type { PaymentEventWire } from '../../core/contracts/index.js';
import type { CustomerProfile } from '../scoring.js';
import type { FeatureVector, PaymentFeatureName } from './names.js';
import { RISK_SCORE } from './profile.js';
import { IN_REPLY, OUT_REPLY } from './reply-layout.js';
import { readStructField, type StructLayout } from './struct-layout.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const EARTH_RADIUS_KM = 6371;
/** Closer than this the two points are the same place within location noise: speed 0. */
export const MIN_GEO_DISTANCE_KM = 1;
/** Channels' clocks disagree by up to about a minute, so shorter gaps count as a minute. */
export const MIN_GEO_INTERVAL_MS = 60_000;

/** What the payment itself contributes to its features. */
export type PaymentFacts = {
  readonly ts: number;
  /** USD cents. */
  readonly amount: number;
  readonly lat: number | undefined;
  readonly lon: number | undefined;
  /** When the debtor's customer relationship began (epoch ms), from their customer events; undefined when unknown. */
  readonly customerSince?: number | undefined;
  /** This payment's minor units and the debtor's available balance before it in the same currency (debtorBalance); undefined when not given. */
  readonly amountMinor?: number;
  readonly balanceMinor?: number | undefined;
};

/** The payment as a percentage of the available balance before it; -1 when the balance is not known or is zero. */
export function balanceUsedPct(amountMinor: number | undefined, balanceMinor: number | undefined): number {
  if (amountMinor === undefined || balanceMinor === undefined || !(balanceMinor > 0)) return -1;
  return (100 * amountMinor) / balanceMinor;
}

/** The creditor's country: its own, else the merchant's, else its bank's (BIC letters 5-6). */
export function payeeCountryOf(body: Pick<PaymentEventWire, 'creditor' | 'merchant'>): string {
  return body.creditor.country ?? body.merchant?.country ?? body.creditor.bank?.slice(4, 6) ?? '';
}

/** Great-circle distance in km. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The speed implied by moving from the previous geo-located payment to this one; 0 when unknown. */
export function geoSpeedKmh(prevTs: number, prevLat: number, prevLon: number, facts: PaymentFacts): number {
  if (prevTs < 0 || facts.lat === undefined || facts.lon === undefined) return 0;
  if (!Number.isFinite(prevLat) || !Number.isFinite(prevLon)) return 0;
  const km = haversineKm(prevLat, prevLon, facts.lat, facts.lon);
  if (km < MIN_GEO_DISTANCE_KM) return 0;
  const ms = Math.max(Math.abs(facts.ts - prevTs), MIN_GEO_INTERVAL_MS);
  return km / (ms / HOUR_MS);
}

function replyBuffer<N extends string>(reply: unknown, layout: StructLayout<N>, side: string): Buffer {
  if (!Buffer.isBuffer(reply)) throw new Error(`feature store: the ${side} script returned ${typeof reply}, not bytes`);
  if (reply.length !== layout.size) {
    throw new Error(`feature store: the ${side} script returned ${reply.length} bytes, expected ${layout.size}`);
  }
  return reply;
}


/** Features only the money-out side gives: a cash deposit (money in only) has none of them. */
const OUT_SIDE_FEATURES = [
  'balance_used_pct', 'out_count_1m', 'out_sum_1m', 'out_count_1h', 'out_sum_1h', 'out_count_24h', 'out_sum_24h', 'out_count_7d', 'out_sum_7d',
  'small_out_count_1h', 'distinct_payees_1h', 'distinct_payees_24h', 'new_payee', 'new_device', 'new_country', 'new_ip',
  'seconds_since_last', 'account_age_days', 'history_count', 'avg_out_amount', 'amount_to_avg', 'geo_speed_kmh',
] as const satisfies readonly PaymentFeatureName[];

/** Features of the creditor's side: a cash withdrawal (money out only) has none of them. */
const IN_SIDE_FEATURES = ['payee_in_count_1h', 'payee_in_count_24h', 'payee_in_sum_24h', 'payee_distinct_payers_24h', 'payee_out_sum_24h'] as const satisfies readonly PaymentFeatureName[];

const NO_OUT = Buffer.alloc(OUT_REPLY.size);
const NO_IN = Buffer.alloc(IN_REPLY.size);

/**
 * The feature vector of a payment: every name in PAYMENT_FEATURES — but for cash at the counter,
 * which moves one side only (`paymentSides`; its reply is null): a deposit has no money-out
 * features (rules that read them do not apply) and takes the account's money-in windows from its
 * in side; a withdrawal has no payee features.
 */
export function paymentFeatures(facts: PaymentFacts, outReply: unknown, inReply: unknown, profile: CustomerProfile): FeatureVector {
  const vector = allPaymentFeatures(facts, outReply === null ? NO_OUT : outReply, inReply === null ? NO_IN : inReply, profile);
  if (outReply === null) {
    const i = replyBuffer(inReply, IN_REPLY, 'money-in');
    for (const name of OUT_SIDE_FEATURES) delete vector[name];
    // the account is the creditor: its own money in is its in side's windows (this deposit included)
    vector.in_count_1h = readStructField(IN_REPLY, i, 'ic_1h');
    vector.in_sum_1h = readStructField(IN_REPLY, i, 'is_1h');
    vector.in_count_24h = readStructField(IN_REPLY, i, 'ic_24h');
    vector.in_sum_24h = readStructField(IN_REPLY, i, 'is_24h');
    vector.in_sum_7d = readStructField(IN_REPLY, i, 'is_7d');
  }
  if (inReply === null) for (const name of IN_SIDE_FEATURES) delete vector[name];
  return vector;
}

function allPaymentFeatures(facts: PaymentFacts, outReply: unknown, inReply: unknown, profile: CustomerProfile): Record<string, number> {
  const o = replyBuffer(outReply, OUT_REPLY, 'money-out');
  const i = replyBuffer(inReply, IN_REPLY, 'money-in');
  const lastOut = readStructField(OUT_REPLY, o, 'lastOutTs');
  const historyCount = readStructField(OUT_REPLY, o, 'historyCount');
  const avgOut = historyCount > 0 ? readStructField(OUT_REPLY, o, 'avgOut') : 0;
  return {
    amount: facts.amount,
    balance_used_pct: balanceUsedPct(facts.amountMinor, facts.balanceMinor),
    out_count_1m: readStructField(OUT_REPLY, o, 'oc_1m'),
    out_sum_1m: readStructField(OUT_REPLY, o, 'os_1m'),
    out_count_1h: readStructField(OUT_REPLY, o, 'oc_1h'),
    out_sum_1h: readStructField(OUT_REPLY, o, 'os_1h'),
    out_count_24h: readStructField(OUT_REPLY, o, 'oc_24h'),
    out_sum_24h: readStructField(OUT_REPLY, o, 'os_24h'),
    out_count_7d: readStructField(OUT_REPLY, o, 'oc_7d'),
    out_sum_7d: readStructField(OUT_REPLY, o, 'os_7d'),
    small_out_count_1h: readStructField(OUT_REPLY, o, 'sc_1h'),
    in_count_1h: readStructField(OUT_REPLY, o, 'ic_1h'),
    in_sum_1h: readStructField(OUT_REPLY, o, 'is_1h'),
    in_count_24h: readStructField(OUT_REPLY, o, 'ic_24h'),
    in_sum_24h: readStructField(OUT_REPLY, o, 'is_24h'),
    in_sum_7d: readStructField(OUT_REPLY, o, 'is_7d'),
    distinct_payees_1h: readStructField(OUT_REPLY, o, 'distinctPayees1h'),
    distinct_payees_24h: readStructField(OUT_REPLY, o, 'distinctPayees24h'),
    new_payee: readStructField(OUT_REPLY, o, 'newPayee'),
    new_device: readStructField(OUT_REPLY, o, 'newDevice'),
    new_country: readStructField(OUT_REPLY, o, 'newCountry'),
    new_ip: readStructField(OUT_REPLY, o, 'newIp'),
    seconds_since_last: lastOut < 0 ? -1 : Math.max(0, facts.ts - lastOut) / 1000,
    account_age_days: Math.max(0, facts.ts - readStructField(OUT_REPLY, o, 'firstSeenTs')) / DAY_MS,
    history_count: historyCount,
    avg_out_amount: avgOut,
    amount_to_avg: avgOut > 0 ? facts.amount / avgOut : 0,
    geo_speed_kmh: geoSpeedKmh(
      readStructField(OUT_REPLY, o, 'geoTs'),
      readStructField(OUT_REPLY, o, 'geoLat'),
      readStructField(OUT_REPLY, o, 'geoLon'),
      facts,
    ),
    payee_in_count_1h: readStructField(IN_REPLY, i, 'ic_1h'),
    payee_in_count_24h: readStructField(IN_REPLY, i, 'ic_24h'),
    payee_in_sum_24h: readStructField(IN_REPLY, i, 'is_24h'),
    payee_distinct_payers_24h: readStructField(IN_REPLY, i, 'distinctPayers24h'),
    payee_out_sum_24h: readStructField(IN_REPLY, i, 'os_24h'),
    customer_risk: profile.known ? RISK_SCORE[profile.riskRating] : RISK_SCORE.medium,
    customer_pep: profile.pep ? 1 : 0,
    customer_known: profile.known ? 1 : 0,
    customer_tenure_days: facts.customerSince === undefined ? -1 : Math.max(0, facts.ts - facts.customerSince) / DAY_MS,
  } satisfies Record<PaymentFeatureName, number>;
}

// Customer profiles in the feature store: the arguments a customer event writes, and the step
// from the stored fields back to a CustomerProfile and the customer_* features.
import { eventTime, RISK_RATINGS, SEGMENTS, type CustomerEventWire, type Segment } from '../../core/contracts/index.js';
import { UNKNOWN_CUSTOMER, type CustomerProfile } from '../scoring.js';

type RiskRating = CustomerProfile['riskRating'];

/** customer_risk feature values; an unknown customer counts as medium. */
export const RISK_SCORE = { low: 0, medium: 1, high: 2 } as const satisfies Record<RiskRating, number>;

/**
 * ARGV of the customer script after ts and id: segment, risk rating, pep (0/1), country, and when
 * the relationship began (epoch ms; empty when the event does not say).
 */
export function profileArgs(
  body: Pick<CustomerEventWire, 'segment' | 'riskRating' | 'pep' | 'country' | 'onboardedAt'>,
): [string, string, string, string, string] {
  // read as the contract reads it (a leap second kept in order)
  const since = body.onboardedAt === undefined ? Number.NaN : eventTime(body.onboardedAt);
  return [body.segment, body.riskRating, body.pep ? '1' : '0', body.country, Number.isFinite(since) ? String(since) : ''];
}

/** When the customer relationship began (epoch ms), from the same reply; undefined when unknown. */
export function customerSinceOf(reply: unknown): number | undefined {
  if (!Array.isArray(reply)) return undefined;
  const since = reply[4];
  if (typeof since !== 'string' || since === '') return undefined;
  const ms = Number(since);
  return Number.isFinite(ms) ? ms : undefined;
}

function isSegment(value: string): value is Segment {
  return (SEGMENTS as readonly string[]).includes(value);
}

function isRiskRating(value: string): value is RiskRating {
  return (RISK_RATINGS as readonly string[]).includes(value);
}

/**
 * Decodes the reply of HMGET seg risk pep co (ob). A missing hash is an unknown customer; a field
 * that does not parse falls back to the unknown customer's value rather than failing the batch.
 */
export function decodeProfile(reply: unknown): CustomerProfile {
  if (!Array.isArray(reply)) return UNKNOWN_CUSTOMER;
  const [seg, risk, pep, country] = reply as Array<string | null | undefined>;
  if (typeof seg !== 'string') return UNKNOWN_CUSTOMER;
  return {
    known: true,
    segment: isSegment(seg) ? seg : UNKNOWN_CUSTOMER.segment,
    riskRating: typeof risk === 'string' && isRiskRating(risk) ? risk : UNKNOWN_CUSTOMER.riskRating,
    pep: pep === '1',
    country: typeof country === 'string' ? country : '',
  };
}

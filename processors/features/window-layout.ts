// The shape of the feature state: event-time window rings, set caps and thresholds. The Lua
// scripts are generated from these tables, and the pure bucket math below states (and tests)
// what the scripts do, so that the two cannot drift apart silently.

/**
 * Event-time windows as rings of buckets with running totals. A window of `buckets` buckets of
 * `bucketMs` counts the bucket of the account's latest event and the `buckets - 1` before it,
 * so it covers between `spanMs - bucketMs` and `spanMs` of history: two events at least
 * `spanMs` apart are never counted together; two at most `spanMs - bucketMs` apart always are.
 * The order is the order of the `T1..T4` / `R1..R4` fields in Redis; only append.
 */
export const WINDOWS = [
  { name: '1m', spanMs: 60_000, bucketMs: 5_000, buckets: 12 },
  { name: '1h', spanMs: 3_600_000, bucketMs: 120_000, buckets: 30 },
  { name: '24h', spanMs: 86_400_000, bucketMs: 3_600_000, buckets: 24 },
  { name: '7d', spanMs: 604_800_000, bucketMs: 21_600_000, buckets: 28 },
] as const;

export type WindowSpec = (typeof WINDOWS)[number];
export type WindowName = WindowSpec['name'];

/**
 * Counterparties and novelty members of an account live in its state hash, hashed (32-bit) into
 * MEMBER_GROUPS fields of MEMBERS_PER_GROUP members each (8 bytes: tag, last-seen second, so a
 * group is 64 bytes, a compact hash value). A full group forgets its least recently seen member.
 */
export const MEMBER_GROUPS = 8;
export const MEMBERS_PER_GROUP = 8;

/**
 * The most members of each kind an account keeps (every group full); distinct counts saturate
 * below this, as groups fill unevenly.
 */
export const SET_CAPS = {
  /** Payees of an account (distinct payees, new payee): fields P1..P8. */
  payees: MEMBER_GROUPS * MEMBERS_PER_GROUP,
  /** Payers of an account (fan-in): fields Q1..Q8. */
  payers: MEMBER_GROUPS * MEMBERS_PER_GROUP,
  /** Devices, creditor countries and IPs of an account together (novelty): fields N1..N8. */
  novelty: MEMBER_GROUPS * MEMBERS_PER_GROUP,
} as const;

/** Payments under this many USD cents count as small (card testing). */
export const SMALL_PAYMENT_CENTS = 500;

/**
 * The average outgoing amount is the plain mean for the first 1/EWMA_MIN_ALPHA payments, then
 * an exponentially weighted mean with this weight, so that it follows a changing customer.
 */
export const EWMA_MIN_ALPHA = 0.1;

/** Distinct counts use last-seen times; these are the spans they look back over. */
export const DISTINCT_SPANS_MS = { '1h': 3_600_000, '24h': 86_400_000 } as const;

/** The index of the bucket holding an event time. */
export function bucketOf(ts: number, bucketMs: number): number {
  return Math.floor(ts / bucketMs);
}

/**
 * Whether an event at `eventTs` is inside window `w` once the account's latest event is at
 * `latestTs` (the ring's head). Late events inside the window count; older ones do not.
 */
export function isInWindow(eventTs: number, latestTs: number, w: WindowSpec): boolean {
  const e = bucketOf(eventTs, w.bucketMs);
  const head = bucketOf(latestTs, w.bucketMs);
  return e <= head && e > head - w.buckets;
}

/** The earliest event time still counted by window `w` when the latest event is at `latestTs`. */
export function windowStartMs(latestTs: number, w: WindowSpec): number {
  return (bucketOf(latestTs, w.bucketMs) - w.buckets + 1) * w.bucketMs;
}

/**
 * The ring slots whose contents expire when the head moves from bucket `head` to bucket `next`:
 * every slot the head passes over held a bucket `buckets` older. A jump of a whole ring or more
 * clears every slot. Moving the head is the only time slots are read for expiry, so the work per
 * event is bounded by the ring size and, for a busy account, is usually one slot.
 */
export function slotsToExpire(head: number | undefined, next: number, buckets: number): readonly number[] {
  if (head === undefined || next <= head) return [];
  const slots: number[] = [];
  const last = Math.min(next, head + buckets);
  for (let k = head + 1; k <= last; k++) slots.push(k % buckets);
  return slots;
}

/** The largest number of ring slot fields an account's state hash can hold. */
export const MAX_RING_SLOTS = WINDOWS.reduce((n, w) => n + w.buckets, 0);

// Redis key names of the feature state. Every key of one account (or one customer) carries the
// same hash tag, so that a script touching several of them stays in one Redis Cluster slot.

/** Key suffixes of an account, one place so that docs, tests and scripts agree. */
export const ACCOUNT_KEY_SUFFIX = {
  /**
   * Hash: window rings and totals, first seen, last out, history count, average, last geo, and
   * the member groups (payees P<g>, payers Q<g>, devices/countries/IPs N<g>).
   */
  state: ':s',
  /**
   * String: the reply of an already applied event side and where that event was first read
   * from (idempotency marker).
   */
  marker: ':m:',
  /**
   * String: a copy of the state's scalars (first seen, last out, history count, average, last
   * geo), kept for the history TTL after the state is gone, so that an account idle for longer
   * than the state TTL comes back with its past (dormant reactivation) instead of as a new one.
   * Only for accounts that have paid out.
   */
  history: ':h',
  /**
   * String: the customer who holds the account, from the `accounts` of that customer's latest
   * customer event (profile TTL): a payment that names no `debtor.customerId` is decided with
   * that customer's profile.
   */
  customer: ':c',
} as const;

/**
 * Refuses prefixes that would break hash tags: Redis Cluster hashes the first `{...}` of a key,
 * so a brace in the prefix would put unrelated accounts in one slot or split one account.
 */
export function checkPrefix(prefix: string): void {
  if (/[{}]/.test(prefix)) throw new Error(`feature store prefix must not contain braces: ${JSON.stringify(prefix)}`);
}

/** The common head of every key of an account: `<prefix>{a:<accountId>}`. */
export function accountTag(prefix: string, accountId: string): string {
  return prefix + '{a:' + accountId + '}';
}

/** The profile (KYC) hash of a customer. */
export function profileKey(prefix: string, customerId: string): string {
  return prefix + '{c:' + customerId + '}:kyc';
}

/** The idempotency marker of one side ('o' money out, 'i' money in) of one event on an account. */
export function markerKey(tag: string, side: 'o' | 'i', eventId: string): string {
  return tag + ACCOUNT_KEY_SUFFIX.marker + side + ':' + eventId;
}

/**
 * The idempotency marker of an event of another kind than payment (a payment's sides keep their
 * own): where the event was first read from. Its own hash tag, like the event it belongs to.
 */
export function eventMarkerKey(prefix: string, eventId: string): string {
  return prefix + '{e:' + eventId + '}:m';
}

// Redis key names of the processors' feature state, and of the markers that record each event's
// first application. Every key of one account (or one customer) carries the same hash tag, so that
// a script touching several of them stays in one Redis Cluster slot. In core because the HTTP
// gateway reads the markers too: an event sent again after JetStream's duplicate window is
// answered `duplicate` when the processors have already applied it (ingest/gateway-envelopes.ts).
import type { PaymentEventWire, ValidatedEvent } from './contracts/index.js';

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
   * String: the customer who holds the account, from the `accounts` of the latest customer event
   * that lists it (by event time, then event id; profile TTL), with that event's time and id
   * (AccountLink): a payment that names no `debtor.customerId` is decided with that customer's
   * profile. Its holder's newer event that no longer lists it unlinks it (no customer, the time and
   * id kept: UNLINKED_CUSTOMER).
   */
  customer: ':c',
} as const;

/**
 * An account's link to the customer who holds it (ACCOUNT_KEY_SUFFIX.customer), and the customer
 * event that set it: only a newer event (isNewerLink) replaces it, so an older event arriving late,
 * or another copy of one already applied, never moves the account back to a former holder.
 */
export type AccountLink = { readonly ts: number; readonly eventId: string; readonly customerId: string };

/**
 * The customer of an account link that its holder's newer customer event no longer lists (the
 * account closed, or moved to a holder whose event has not come yet): no customer. The link keeps
 * the time and id of the event that had set it, so that another customer's event older than that
 * one does not take the account (in event-time order it came before the link that was dropped),
 * while a newer one does.
 */
export const UNLINKED_CUSTOMER = '';

/** The event time and id that order customer events (isNewerLink). */
export type CustomerEventOrder = Pick<AccountLink, 'ts' | 'eventId'>;

/**
 * The accounts a customer holds, as its latest customer event that has `accounts` lists them, with
 * that event's time and id: the profile hash's field PROFILE_ACCOUNTS_FIELD. Only a newer event
 * (isNewerLink) replaces it, links its accounts and unlinks those it no longer lists.
 */
export type AccountList = CustomerEventOrder & { readonly accounts: readonly string[] };

/** The profile hash field that holds the customer's AccountList (encodeAccountList). */
export const PROFILE_ACCOUNTS_FIELD = 'acc';

/**
 * Separates the parts of a stored link (`<ts>` `<eventId>` `<customerId>`): a control character,
 * which neither an event id nor a customer id may hold (core/contracts/common.ts).
 */
export const LINK_SEPARATOR = '\x1f';

export function encodeAccountLink(link: AccountLink): string {
  return String(link.ts) + LINK_SEPARATOR + link.eventId + LINK_SEPARATOR + link.customerId;
}

/**
 * A stored link. One written before links carried their event (the customer id alone) reads as
 * older than any event: the next customer event that lists the account replaces it.
 */
export function decodeAccountLink(value: string): AccountLink {
  const a = value.indexOf(LINK_SEPARATOR);
  if (a < 0) return { ts: -Infinity, eventId: '', customerId: value };
  const b = value.indexOf(LINK_SEPARATOR, a + 1);
  const text = value.slice(0, a);
  const ts = text === '' ? NaN : Number(text);
  // a time that does not read as a number is older than any (the batch script reads it so too)
  return { ts: Number.isNaN(ts) ? -Infinity : ts, eventId: value.slice(a + 1, b), customerId: value.slice(b + 1) };
}

/**
 * A stored account list: `<ts>` `<eventId>`, then each account, apart by LINK_SEPARATOR (account
 * ids hold no control character either). An empty list is the time and id alone.
 */
export function encodeAccountList(list: AccountList): string {
  let value = String(list.ts) + LINK_SEPARATOR + list.eventId;
  for (const account of list.accounts) value += LINK_SEPARATOR + account;
  return value;
}

/** A stored account list (a time that does not read as a number is older than any, as for links). */
export function decodeAccountList(value: string): AccountList {
  const parts = value.split(LINK_SEPARATOR);
  const text = parts[0]!;
  const ts = text === '' ? NaN : Number(text);
  return { ts: Number.isNaN(ts) ? -Infinity : ts, eventId: parts[1] ?? '', accounts: parts.slice(2) };
}

/**
 * Whether a customer event (its time and id) replaces an account's link, or a customer's account
 * list: the later event time wins, then the larger event id (compared byte by byte: event ids are
 * ASCII, and the batch script compares them the same way, not by the server's locale). The event
 * that set the link does not replace it, so applying an event again changes nothing.
 */
export function isNewerLink(ts: number, eventId: string, than: CustomerEventOrder | undefined): boolean {
  return than === undefined || ts > than.ts || (ts === than.ts && eventId > than.eventId);
}

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

/**
 * Which account sides a payment moves. Cash at the bank's own counter names the customer's account
 * on both sides (docs/events.md) and is money in one way only: a deposit is money in, not also out;
 * a withdrawal money out, not also in. Everything else (a cash movement between two accounts
 * too) moves money out of the debtor and into the creditor.
 */
export function paymentSides(body: Pick<PaymentEventWire, 'type' | 'debtor' | 'creditor'>): { readonly out: boolean; readonly in: boolean } {
  if (body.debtor.accountId !== body.creditor.accountId) return BOTH_SIDES;
  if (body.type === 'cash_deposit') return IN_ONLY;
  if (body.type === 'cash_withdrawal') return OUT_ONLY;
  return BOTH_SIDES;
}
const BOTH_SIDES = { out: true, in: true } as const;
const IN_ONLY = { out: false, in: true } as const;
const OUT_ONLY = { out: true, in: false } as const;

/**
 * The origin a marker carries once its event was applied but could not be decided (deciding
 * failed, and the event went to the dead letters): the next copy of the event, read from any
 * message, takes the marker over with its own origin, and is decided with the features of the
 * first application instead of being applied again (processors/features/scripts.ts, claimLua).
 */
export const RELEASED_ORIGIN = '!';

/**
 * The marker that tells whether the processors have applied an event: a payment's money-out side
 * (its money-in side for a cash deposit), else the event's own marker. `side` says which, so that
 * a reader knows how many bytes of reply precede the origin (none for `e`).
 */
export function firstMarkerOf(prefix: string, event: ValidatedEvent): { readonly key: string; readonly side: 'o' | 'i' | 'e' } {
  if (event.kind !== 'payment') return { key: eventMarkerKey(prefix, event.id), side: 'e' };
  const body = (event as ValidatedEvent<'payment'>).body;
  if (paymentSides(body).out) return { key: markerKey(accountTag(prefix, body.debtor.accountId), 'o', event.id), side: 'o' };
  return { key: markerKey(accountTag(prefix, body.creditor.accountId), 'i', event.id), side: 'i' };
}

/**
 * The stream sequence of the message an event was first applied from, from its marker's origin
 * (`<seq>` or `<seq>:<place in the envelope>`); null when there is none to tell (no marker, a
 * marker written without an origin, or one released by a failed decision).
 */
export function originSeq(origin: string | null | undefined): number | null {
  if (!origin || origin === RELEASED_ORIGIN) return null;
  const colon = origin.indexOf(':');
  const text = colon < 0 ? origin : origin.slice(0, colon);
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return null;
  return Number(text);
}

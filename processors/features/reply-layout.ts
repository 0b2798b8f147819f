// The binary layouts of the feature state in Redis and of the scripts' replies. The Lua scripts
// pack values in exactly these orders; the decoders read them by name.
import { structLayout, type StructCode, type StructField } from './struct-layout.js';
import { WINDOWS, type WindowName } from './window-layout.js';

/** Per window and per ring slot: out count, out sum, in count, in sum, small-out count. */
const WINDOW_VALUES = [
  ['oc', 'I4'],
  ['os', 'd'],
  ['ic', 'I4'],
  ['is', 'd'],
  ['sc', 'I4'],
] as const satisfies readonly (readonly [string, StructCode])[];
type WindowValue = (typeof WINDOW_VALUES)[number][0];
export type WindowReplyField = `${WindowValue}_${WindowName}`;

function windowBlock(): StructField<WindowReplyField>[] {
  const fields: StructField<WindowReplyField>[] = [];
  for (const w of WINDOWS) for (const [value, code] of WINDOW_VALUES) fields.push([`${value}_${w.name}`, code]);
  return fields;
}

/** A ring slot (hash field `R<w>:<slot>`). */
export const SLOT = structLayout(WINDOW_VALUES);

/**
 * A window's running totals (hash field `T<w>`): the head bucket, a bitmask of the non-empty
 * slots (so that expiry reads and deletes exactly the slots that hold something), the totals.
 */
export const TOTALS = structLayout<'head' | 'mask' | WindowValue>([['head', 'I4'], ['mask', 'i4'], ...WINDOW_VALUES]);

/**
 * Account scalars (hash field `a`): first seen, last outgoing payment, history count, average
 * out, the last geo-located outgoing payment, and when each side last refreshed its TTLs (wall
 * clock, seconds). 60 bytes, within Redis's compact hash values (64).
 */
export const ACCOUNT = structLayout([
  ['firstSeen', 'd'],
  ['lastOut', 'd'],
  ['historyCount', 'I4'],
  ['avgOut', 'd'],
  ['geoTs', 'd'],
  ['geoLat', 'd'],
  ['geoLon', 'd'],
  ['ttlOutAt', 'I4'],
  ['ttlInAt', 'I4'],
] as const);

/** The money-out script's reply, also stored as its idempotency marker. */
export const OUT_REPLY = structLayout([
  ...windowBlock(),
  ['distinctPayees1h', 'I4'],
  ['distinctPayees24h', 'I4'],
  ['newPayee', 'B'],
  ['newDevice', 'B'],
  ['newCountry', 'B'],
  ['newIp', 'B'],
  /** The previous outgoing payment's time; -1 when none. */
  ['lastOutTs', 'd'],
  ['firstSeenTs', 'd'],
  /** Outgoing payments before this one. */
  ['historyCount', 'I4'],
  /** The average of earlier outgoing amounts. */
  ['avgOut', 'd'],
  /** The previous geo-located payment; -1 when none. */
  ['geoTs', 'd'],
  ['geoLat', 'd'],
  ['geoLon', 'd'],
] as const);

/** The money-in script's reply, also stored as its idempotency marker. */
export const IN_REPLY = structLayout([...windowBlock(), ['distinctPayers24h', 'I4']] as const);

/**
 * The money-out side's numeric arguments, packed into one binary argument: unpacking it in Lua
 * costs less than a Lua string and a `tonumber` (strtod) per value. `present` says which of the
 * optional values the event has (OUT_PRESENT); absent ones are 0.
 */
export const OUT_ARGS = structLayout([
  ['ts', 'd'],
  ['amount', 'd'],
  ['payee', 'I4'],
  ['now', 'I4'],
  ['present', 'B'],
  ['lat', 'd'],
  ['lon', 'd'],
  ['device', 'I4'],
  ['country', 'I4'],
  ['ip', 'I4'],
] as const);

/** The bits of OUT_ARGS's `present`. */
/** `card`: the payment is a card payment (only small card payments count as card testing's small ones). */
export const OUT_PRESENT = { geo: 1, device: 2, country: 4, ip: 8, card: 16 } as const;

/** The money-in side's numeric arguments, packed as OUT_ARGS are. */
export const IN_ARGS = structLayout([
  ['ts', 'd'],
  ['amount', 'd'],
  ['payer', 'I4'],
  ['now', 'I4'],
] as const);

/** Bytes of reply before the origin in a marker of each side: what the HTTP gateway skips to read the origin. */
export const MARKER_REPLY_BYTES = { o: OUT_REPLY.size, i: IN_REPLY.size } as const;

// The feature store: computes the features of a micro-batch of events from the shared state in
// Redis, in event time, in ONE pipelined round trip, idempotently per event id and account side.
import type { Redis } from 'ioredis';
import type { ValidatedEvent } from '../../core/contracts/index.js';
import { toReportingMinor } from '../../core/fx.js';
import { UNKNOWN_CUSTOMER, type CustomerProfile } from '../scoring.js';
import {
  ACCOUNT_KEY_SUFFIX,
  accountTag,
  type AccountLink,
  type AccountList,
  checkPrefix,
  decodeAccountLink,
  decodeAccountList,
  encodeAccountLink,
  encodeAccountList,
  eventMarkerKey,
  isNewerLink,
  markerKey,
  paymentSides,
  PROFILE_ACCOUNTS_FIELD,
  profileKey,
  UNLINKED_CUSTOMER,
} from '../../core/feature-keys.js';
import type { FeatureVector } from './names.js';
import { payeeCountryOf, paymentFeatures, type PaymentFacts } from './payment-features.js';
import { customerSinceOf, decodeProfile, profileArgs } from './profile.js';
import { defineFeatureScripts, type ScriptCommands, type ScriptPipeline } from './script-commands.js';
import { IN_ARGS, IN_REPLY, OUT_ARGS, OUT_PRESENT, OUT_REPLY } from './reply-layout.js';
import { BATCH_OPS, NO_MEMBER } from './scripts.js';
import { WINDOWS } from './window-layout.js';

export type FeatureStoreOptions = {
  /** Namespace of every key, e.g. `rs:`; no braces (they are the hash tags). */
  readonly prefix: string;
  /** How long an applied event is remembered per account side: at least the redelivery horizon. */
  readonly dedupTtlSeconds: number;
  /** Idle accounts vanish after this long; at least the longest window. Default 35 days. */
  readonly stateTtlSeconds?: number;
  /**
   * The state of an account that has never paid out (only received) vanishes this long after its
   * last refresh; its first payment out gives it stateTtlSeconds. At least the longest window plus
   * the refresh interval, at most stateTtlSeconds. Default 8 days.
   */
  readonly receiveOnlyTtlSeconds?: number;
  /** Customer profiles vanish this long after their last customer event. Default 400 days. */
  readonly profileTtlSeconds?: number;
  /**
   * An account that has paid out keeps its history (first seen, last payment out, count, average,
   * last place) this long after its last refresh, beyond the state. At least the state TTL.
   * Default 400 days.
   */
  readonly historyTtlSeconds?: number;
};

export type FeatureResult = {
  readonly features: FeatureVector;
  readonly profile: CustomerProfile;
  /**
   * Where the event was read from when it was first applied (the origin given then): the origin
   * given now for a new event or a redelivery of the same message, another one for a copy of the
   * event that arrived again in another message (re-sent by its producer).
   */
  readonly origin: string;
  /**
   * The customer whose profile was read: the event's own, or, for a payment that names no
   * `debtor.customerId`, the customer its debtor account is linked to by a customer event's
   * `accounts`; '' when neither.
   */
  readonly customerId: string;
};

export interface FeatureStore {
  /**
   * One result per event, in the same order. `origins` names where each event was read from
   * (e.g. its stream position; '' for every event when absent); an event applied before keeps
   * the origin and the features of its first application. Throws when Redis fails; retrying is
   * safe.
   */
  computeBatch(events: readonly ValidatedEvent[], origins?: readonly string[]): Promise<FeatureResult[]>;
  /**
   * For events applied and then not decided (deciding failed; they went to the dead letters):
   * the next copy of each, read from any message, is decided with the features of this
   * application instead of being taken for a duplicate, and is not applied again — while the
   * markers live (`dedupTtlSeconds`). Resolves with the markers released.
   */
  release(events: readonly ValidatedEvent[]): Promise<number>;
}

export const DEFAULT_STATE_TTL_SECONDS = 35 * 86_400;
/** Receive-only accounts: the 7-day windows, plus a day for the refresh interval. */
export const DEFAULT_RECEIVE_ONLY_TTL_SECONDS = 8 * 86_400;
export const DEFAULT_PROFILE_TTL_SECONDS = 400 * 86_400;
/** An account's history outlives its state by this much (FR-DORMANT looks for 90 days idle). */
export const DEFAULT_HISTORY_TTL_SECONDS = 400 * 86_400;
/** Account TTLs are refreshed at most once a day, or every tenth of the state TTL if shorter. */
const MAX_TTL_REFRESH_SECONDS = 86_400;
const LONGEST_WINDOW_SECONDS = Math.max(...WINDOWS.map((w) => w.spanMs)) / 1000;

/** A Redis failure inside a batch; nothing is half-counted on retry thanks to the markers. */
export class FeatureStoreError extends Error {
  override readonly name = 'FeatureStoreError';
  constructor(
    message: string,
    readonly failedCommands: number,
  ) {
    super(message);
  }
}

type PipelineReply = [error: Error | null, result: unknown];

const EMPTY_FEATURES: FeatureVector = Object.freeze({});

function isPayment(event: ValidatedEvent): event is ValidatedEvent<'payment'> {
  return event.kind === 'payment';
}

function isCustomer(event: ValidatedEvent): event is ValidatedEvent<'customer'> {
  return event.kind === 'customer';
}

function checkSeconds(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`feature store ${name} must be an integer ${range}, got ${value}`);
  }
}

export function createFeatureStore(redis: Redis, opts: FeatureStoreOptions): FeatureStore {
  checkPrefix(opts.prefix);
  const stateTtl = opts.stateTtlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
  const profileTtl = opts.profileTtlSeconds ?? DEFAULT_PROFILE_TTL_SECONDS;
  checkSeconds('dedupTtlSeconds', opts.dedupTtlSeconds, 1);
  checkSeconds('stateTtlSeconds', stateTtl, LONGEST_WINDOW_SECONDS);
  checkSeconds('profileTtlSeconds', profileTtl, 1);
  const historyTtl = opts.historyTtlSeconds ?? DEFAULT_HISTORY_TTL_SECONDS;
  checkSeconds('historyTtlSeconds', historyTtl, stateTtl);
  const refreshSeconds = Math.floor(Math.min(stateTtl / 10, MAX_TTL_REFRESH_SECONDS));
  // Unless given, never longer than the state TTL (a short state TTL keeps receive-only state as short).
  const receiveOnlyTtl = opts.receiveOnlyTtlSeconds ?? Math.min(DEFAULT_RECEIVE_ONLY_TTL_SECONDS, stateTtl);
  checkSeconds('receiveOnlyTtlSeconds', receiveOnlyTtl, Math.min(LONGEST_WINDOW_SECONDS + refreshSeconds, stateTtl), stateTtl);
  const commands = defineFeatureScripts(redis, {
    markerMs: opts.dedupTtlSeconds * 1000,
    stateMs: stateTtl * 1000,
    receiveOnlyMs: receiveOnlyTtl * 1000,
    historyMs: historyTtl * 1000,
    refreshSeconds,
    profileMs: profileTtl * 1000,
  });
  return new RedisFeatureStore(redis, opts.prefix, commands);
}

/**
 * How far ahead of the stream's time a payment's features may be placed. A payment dated further
 * ahead (a sender's clock set wrong, local time read as UTC) is placed there for its features: the
 * windows are anchored on an account's latest event, and one payment dated hours ahead would
 * otherwise leave every payment at the right time "late" for the minute and hour windows until
 * the clock caught up with it (docs/features.md, Windows).
 */
export const MAX_FEATURE_LEAD_MS = 30_000;

/** How many recent payments the stream's time is the median of (odd: one middle). */
const RECENT_PAYMENTS = 255;

/**
 * The stream's time, as this process sees it: the later of the wall clock and the median time of
 * the last RECENT_PAYMENTS payments it computed, so that a replay of a file dated ahead of the
 * wall clock keeps its own times, while one payment far ahead of the others does not move it.
 * Until a process has seen that many payments, the ones it has not seen count as payments at the
 * wall clock: the median runs ahead of the wall clock only once more than half of a full sample
 * is ahead of it, from the first batch on. (A median of the few payments seen since the start
 * was that payment's time for the first one: one payment dated a day ahead, first after a restart,
 * moved its account's windows a day forward.)
 */
export class EventClock {
  private readonly _recent = new Float64Array(RECENT_PAYMENTS);
  private readonly _sorted = new Float64Array(RECENT_PAYMENTS);
  private _size = 0;
  private _next = 0;

  /** Takes a batch's payment times in, then answers the time payments may lead by MAX_FEATURE_LEAD_MS. */
  reference(times: readonly number[], wallNow: number): number {
    for (const ts of times) {
      this._recent[this._next] = ts;
      this._next = (this._next + 1) % RECENT_PAYMENTS;
      if (this._size < RECENT_PAYMENTS) this._size++;
    }
    if (this._size === 0) return wallNow;
    const sorted = this._sorted;
    sorted.set(this._recent);
    if (this._size < RECENT_PAYMENTS) sorted.fill(wallNow, this._size);
    sorted.sort();
    return Math.max(wallNow, sorted[RECENT_PAYMENTS >> 1]!);
  }
}

class RedisFeatureStore implements FeatureStore {
  private readonly _redis: Redis;
  private readonly _prefix: string;
  private readonly _commands: ScriptCommands;
  private readonly _clock = new EventClock();

  constructor(redis: Redis, prefix: string, commands: ScriptCommands) {
    this._redis = redis;
    this._prefix = prefix;
    this._commands = commands;
  }

  /**
   * The links of the debtor accounts of payments that name no customer, as stored before the
   * batch (null: none): one MGET, only when such payments are in the batch; with it, in the same
   * round trip, the account lists of the customers whose events in the batch list accounts.
   * computeBatch moves them on with the batch's own customer events, in order (LinksInBatch).
   */
  private async _storedLinks(events: readonly ValidatedEvent[]): Promise<LinksInBatch> {
    const accounts = new Set<string>();
    const listers = new Set<string>();
    for (const event of events) {
      if (isPayment(event)) {
        if (event.customerId === '') accounts.add(event.body.debtor.accountId);
      } else if (isCustomer(event) && event.body.accounts !== undefined) {
        listers.add(event.body.customerId);
      }
    }
    if (accounts.size === 0) return NO_LINKS;
    const list = [...accounts];
    const linkKeys = list.map((a) => accountTag(this._prefix, a) + ACCOUNT_KEY_SUFFIX.customer);
    const batch: LinksInBatch = { links: new Map(), lists: new Map() };
    let values: ReadonlyArray<string | null>;
    if (listers.size === 0) {
      values = await this._redis.mget(linkKeys);
    } else {
      const customers = [...listers];
      const pipeline = this._redis.pipeline().mget(linkKeys);
      for (const customerId of customers) pipeline.hget(profileKey(this._prefix, customerId), PROFILE_ACCOUNTS_FIELD);
      const replies = (await pipeline.exec()) as PipelineReply[] | null;
      if (replies === null || replies.length !== customers.length + 1) throw new FeatureStoreError(`feature store: expected ${customers.length + 1} replies to the link reads`, 1);
      throwOnFailures(replies);
      values = replies[0]![1] as Array<string | null>;
      customers.forEach((customerId, i) => {
        const value = replies[i + 1]![1] as string | null;
        batch.lists.set(customerId, value ? decodeAccountList(value) : null);
      });
    }
    list.forEach((account, i) => {
      const value = values[i];
      batch.links.set(account, value ? decodeAccountLink(value) : null);
    });
    return batch;
  }

  async computeBatch(events: readonly ValidatedEvent[], origins?: readonly string[]): Promise<FeatureResult[]> {
    if (events.length === 0) return [];
    if (origins !== undefined && origins.length !== events.length) {
      throw new Error(`feature store: ${origins.length} origins for ${events.length} events`);
    }
    // The whole batch is ONE script call: keys and arguments in flat arrays, each event's
    // operations in order (see BATCH_OPS); one reply entry per operation.
    const keys: string[] = [];
    const args: Array<string | Buffer> = [];
    // every payment side's numbers, packed (OUT_ARGS, IN_ARGS) into views of one buffer
    const packed = new PackedArgs(events.length);
    const firstReply = new Int32Array(events.length);
    const amounts = new Float64Array(events.length);
    const featureTimes = new Float64Array(events.length);
    // wall clock, for TTL refreshes only; features use event time, at most MAX_FEATURE_LEAD_MS ahead of the stream's
    const wallNow = Date.now();
    const now = Math.floor(wallNow / 1000);
    const latestFeatureTs = this._clock.reference(paymentTimes(events), wallNow) + MAX_FEATURE_LEAD_MS;
    const links = await this._storedLinks(events);
    // each payment's customer: the one it names, else the account's holder (empty when unknown)
    const customers = new Array<string>(events.length);
    let ops = 0;
    for (let k = 0; k < events.length; k++) {
      const event = events[k]!;
      const origin = origins?.[k] ?? '';
      firstReply[k] = ops;
      // a payment queues its two account sides (each with its marker) and a profile read, a
      // customer event its upsert, its marker and its accounts' links, any other kind a profile
      // read and its marker
      if (isPayment(event)) {
        amounts[k] = toReportingMinor(event.amountMinor, event.currency);
        featureTimes[k] = Math.min(event.ts, latestFeatureTs);
        customers[k] = event.customerId || (links.links.get(event.body.debtor.accountId)?.customerId ?? '');
        ops += this._queuePayment(keys, args, packed, event, featureTimes[k]!, amounts[k]!, now, origin, customers[k]!);
      } else if (isCustomer(event)) {
        customers[k] = event.customerId;
        if (links !== NO_LINKS) followLinks(links, event);
        ops += this._queueCustomer(keys, args, event);
        ops += this._queueEventMarker(keys, args, event.id, origin);
        ops += this._queueLinks(keys, args, event);
      } else {
        customers[k] = event.customerId;
        ops += this._queueProfileRead(keys, args, event.customerId);
        ops += this._queueEventMarker(keys, args, event.id, origin);
      }
    }
    const pipeline = this._redis.pipeline() as ScriptPipeline;
    pipeline[this._commands.batch]!(keys.length, keys, args);
    const replies = (await pipeline.exec()) as PipelineReply[] | null;
    if (replies === null || replies.length !== 1) {
      throw new FeatureStoreError(`feature store: expected 1 reply, got ${replies?.length ?? 'none'}`, 1);
    }
    throwOnFailures(replies);
    const results = replies[0]![1];
    if (!Array.isArray(results) || results.length !== ops) {
      throw new FeatureStoreError(`feature store: expected ${ops} results, got ${Array.isArray(results) ? results.length : typeof results}`, 1);
    }
    const out = new Array<FeatureResult>(events.length);
    for (let k = 0; k < events.length; k++) {
      out[k] = this._decode(events[k]!, results, firstReply[k]!, amounts[k]!, featureTimes[k]!, customers[k] ?? '');
    }
    return out;
  }

  async release(events: readonly ValidatedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const keys: string[] = [];
    const sizes: string[] = [];
    for (const event of events) {
      if (isPayment(event)) {
        const sides = paymentSides(event.body);
        if (sides.out) {
          keys.push(markerKey(accountTag(this._prefix, event.body.debtor.accountId), 'o', event.id));
          sizes.push(String(OUT_REPLY.size));
        }
        if (sides.in) {
          keys.push(markerKey(accountTag(this._prefix, event.body.creditor.accountId), 'i', event.id));
          sizes.push(String(IN_REPLY.size));
        }
      } else {
        keys.push(eventMarkerKey(this._prefix, event.id));
        sizes.push('0');
      }
    }
    const call = (this._redis as unknown as Record<string, (n: number, k: string[], a: string[]) => Promise<number>>)[this._commands.release]!;
    return call.call(this._redis, keys.length, keys, sizes);
  }

  private _queuePayment(
    keys: string[],
    args: Array<string | Buffer>,
    packed: PackedArgs,
    event: ValidatedEvent<'payment'>,
    ts: number,
    amount: number,
    now: number,
    origin: string,
    customerId: string,
  ): number {
    const body = event.body;
    const sides = paymentSides(body);
    // an account is not its own payee or payer (cash at the counter names it on both sides)
    const toItself = body.debtor.accountId === body.creditor.accountId;
    let ops = 0;
    if (sides.out) {
      const debtor = accountTag(this._prefix, body.debtor.accountId);
      const device = body.device;
      const country = payeeCountryOf(body);
      keys.push(debtor + ACCOUNT_KEY_SUFFIX.state, markerKey(debtor, 'o', event.id), debtor + ACCOUNT_KEY_SUFFIX.history);
      args.push(
        BATCH_OPS.out.op,
        packed.out(
          ts,
          amount,
          toItself ? NO_MEMBER : memberHash('p', body.creditor.accountId),
          now,
          body.geo,
          device?.id ? memberHash('d', device.id) : undefined,
          country === '' ? undefined : memberHash('c', country),
          device?.ip ? memberHash('i', device.ip) : undefined,
          body.type === 'card',
        ),
        origin,
      );
      ops++;
    }
    if (sides.in) {
      const creditor = accountTag(this._prefix, body.creditor.accountId);
      keys.push(creditor + ACCOUNT_KEY_SUFFIX.state, markerKey(creditor, 'i', event.id), creditor + ACCOUNT_KEY_SUFFIX.history);
      args.push(BATCH_OPS.in.op, packed.in(ts, amount, toItself ? NO_MEMBER : memberHash('q', body.debtor.accountId), now), origin);
      ops++;
    }
    return ops + this._queueProfileRead(keys, args, customerId);
  }

  private _queueCustomer(keys: string[], args: Array<string | Buffer>, event: ValidatedEvent<'customer'>): number {
    const p = profileArgs(event.body);
    keys.push(profileKey(this._prefix, event.body.customerId));
    args.push(BATCH_OPS.customer.op, String(event.ts), event.id, ...p);
    return 1;
  }

  /**
   * The accounts a customer event lists, in the batch script after the event's marker: the
   * customer's account list, kept when the event is newer than the stored one, which then unlinks
   * the accounts the customer no longer lists (accountsLua); then a link per account listed, when
   * the list was kept: a newer event replaces a link, an older one or a copy does not (linkLua).
   */
  private _queueLinks(keys: string[], args: Array<string | Buffer>, event: ValidatedEvent<'customer'>): number {
    const accounts = event.body.accounts;
    if (accounts === undefined) return 0;
    const ts = String(event.ts);
    const customerId = event.body.customerId;
    keys.push(profileKey(this._prefix, customerId));
    args.push(BATCH_OPS.accounts.op, ts, event.id, customerId, encodeAccountList({ ts: event.ts, eventId: event.id, accounts }));
    const link = encodeAccountLink({ ts: event.ts, eventId: event.id, customerId });
    for (const account of accounts) {
      keys.push(accountTag(this._prefix, account) + ACCOUNT_KEY_SUFFIX.customer);
      args.push(BATCH_OPS.link.op, ts, event.id, link);
    }
    return accounts.length + 1;
  }

  private _queueEventMarker(keys: string[], args: Array<string | Buffer>, eventId: string, origin: string): number {
    keys.push(eventMarkerKey(this._prefix, eventId));
    args.push(BATCH_OPS.event.op, origin);
    return 1;
  }

  private _queueProfileRead(keys: string[], args: Array<string | Buffer>, customerId: string): number {
    if (customerId === '') return 0;
    keys.push(profileKey(this._prefix, customerId));
    args.push(BATCH_OPS.profile.op);
    return 1;
  }

  private _decode(event: ValidatedEvent, results: readonly unknown[], first: number, amount: number, featureTs: number, customerId: string): FeatureResult {
    if (isPayment(event)) {
      const sides = paymentSides(event.body);
      const inAt = first + (sides.out ? 1 : 0);
      const profileAt = inAt + (sides.in ? 1 : 0);
      const profileReply = customerId === '' ? undefined : profileStrings(results[profileAt]);
      const profile = profileReply === undefined ? UNKNOWN_CUSTOMER : decodeProfile(profileReply);
      const facts: PaymentFacts = {
        ts: featureTs,
        amount,
        lat: event.body.geo?.lat,
        lon: event.body.geo?.lon,
        customerSince: customerSinceOf(profileReply),
        amountMinor: event.amountMinor,
        balanceMinor: event.money.debtorBalance,
      };
      // cash at the counter moves one side (paymentSides): the other's reply is null
      const out = sides.out ? splitMarker(results[first], OUT_REPLY.size, 'money-out') : null;
      const inn = sides.in ? splitMarker(results[inAt], IN_REPLY.size, 'money-in') : null;
      return { features: paymentFeatures(facts, out?.reply ?? null, inn?.reply ?? null, profile), profile, origin: (out ?? inn)!.origin, customerId };
    }
    if (isCustomer(event)) {
      return { features: EMPTY_FEATURES, profile: decodeProfile(profileStrings(results[first])), origin: originOf(results[first + 1]), customerId };
    }
    // Credit features arrive with the credit scorers; until then these kinds carry the profile only.
    if (customerId === '') return { features: EMPTY_FEATURES, profile: UNKNOWN_CUSTOMER, origin: originOf(results[first]), customerId };
    return { features: EMPTY_FEATURES, profile: decodeProfile(profileStrings(results[first])), origin: originOf(results[first + 1]), customerId };
  }
}

/**
 * The links a batch's payments that name no customer read, by debtor account (null: none), and the
 * account lists of the customers whose events in the batch list accounts (null: none): as stored
 * before the batch, then as each customer event in the batch leaves them (followLinks), so that a
 * payment after a customer event that links or unlinks its account reads what the batch script
 * will have made of it by then.
 */
type LinksInBatch = {
  readonly links: Map<string, AccountLink | null>;
  readonly lists: Map<string, AccountList | null>;
};

const NO_LINKS: LinksInBatch = { links: new Map(), lists: new Map() };

/**
 * What the batch script's account list and link operations (accountsLua, linkLua) will make of
 * the accounts the batch's payments read: an event newer than its customer's stored list keeps
 * its list, unlinks the accounts the stored list names and it does not (when its customer holds
 * them by an older event), and links those it lists where it is newer than the link. It takes
 * the event for a new one: another copy of an applied event, read from another message, does
 * nothing in the script, so a payment after it in the same batch, from an account that copy
 * lists and its first copy did not, would read the copy's customer (docs/features.md).
 */
function followLinks(batch: LinksInBatch, event: ValidatedEvent<'customer'>): void {
  const accounts = event.body.accounts;
  if (accounts === undefined) return;
  const customerId = event.body.customerId;
  const stored = batch.lists.get(customerId) ?? null;
  if (!isNewerLink(event.ts, event.id, stored ?? undefined)) return;
  batch.lists.set(customerId, { ts: event.ts, eventId: event.id, accounts });
  const { links } = batch;
  for (const account of stored?.accounts ?? []) {
    if (accounts.includes(account)) continue;
    const current = links.get(account);
    if (current && current.customerId === customerId && isNewerLink(event.ts, event.id, current)) {
      links.set(account, { ts: current.ts, eventId: current.eventId, customerId: UNLINKED_CUSTOMER });
    }
  }
  for (const account of accounts) {
    const current = links.get(account);
    if (current === undefined) continue;
    if (isNewerLink(event.ts, event.id, current ?? undefined)) links.set(account, { ts: event.ts, eventId: event.id, customerId });
  }
}

function paymentTimes(events: readonly ValidatedEvent[]): number[] {
  const times: number[] = [];
  for (const event of events) if (isPayment(event)) times.push(event.ts);
  return times;
}

/**
 * A member of an account's payees, payers or novelty groups as a 32-bit FNV-1a hash of its kind
 * and value (decimal text): the Lua keeps the hash as the member's tag and picks its group from
 * it. Two members of one account with the same hash are one member (odds about n^2 / 2^33). Never
 * NO_MEMBER (a hash of 0 is taken as 1), which says a side has no counterparty member.
 */
export function memberHash(kind: string, value: string): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ kind.charCodeAt(0), 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h === NO_MEMBER ? 1 : h >>> 0;
}

/**
 * The payment sides' numeric arguments of one batch, packed into one buffer (OUT_ARGS, IN_ARGS,
 * little-endian like Redis's struct library): each side's argument is a view of it, so a batch
 * allocates once however many payments it holds.
 */
class PackedArgs {
  private readonly _buf: Buffer;
  private _at = 0;

  constructor(payments: number) {
    this._buf = Buffer.allocUnsafe(payments * (OUT_ARGS.size + IN_ARGS.size));
  }

  out(
    ts: number,
    amount: number,
    payee: number,
    now: number,
    geo: { readonly lat: number; readonly lon: number } | undefined,
    device: number | undefined,
    country: number | undefined,
    ip: number | undefined,
    card: boolean,
  ): Buffer {
    const at = this._head(ts, amount, payee, now);
    const b = this._buf;
    const o = OUT_ARGS.offset;
    let present = 0;
    if (geo !== undefined) present |= OUT_PRESENT.geo;
    if (device !== undefined) present |= OUT_PRESENT.device;
    if (country !== undefined) present |= OUT_PRESENT.country;
    if (ip !== undefined) present |= OUT_PRESENT.ip;
    if (card) present |= OUT_PRESENT.card;
    b.writeUInt8(present, at + o.present);
    b.writeDoubleLE(geo?.lat ?? 0, at + o.lat);
    b.writeDoubleLE(geo?.lon ?? 0, at + o.lon);
    b.writeUInt32LE(device ?? 0, at + o.device);
    b.writeUInt32LE(country ?? 0, at + o.country);
    b.writeUInt32LE(ip ?? 0, at + o.ip);
    this._at = at + OUT_ARGS.size;
    return b.subarray(at, this._at);
  }

  in(ts: number, amount: number, payer: number, now: number): Buffer {
    const at = this._head(ts, amount, payer, now);
    this._at = at + IN_ARGS.size;
    return this._buf.subarray(at, this._at);
  }

  /** The head both sides share (time, amount, counterparty hash, wall clock); returns where the side starts. */
  private _head(ts: number, amount: number, member: number, now: number): number {
    const b = this._buf;
    const at = this._at;
    b.writeDoubleLE(ts, at + SIDE_HEAD.ts);
    b.writeDoubleLE(amount, at + SIDE_HEAD.amount);
    b.writeUInt32LE(member, at + SIDE_HEAD.member);
    b.writeUInt32LE(now, at + SIDE_HEAD.now);
    return at;
  }
}

/** Where the head shared by OUT_ARGS and IN_ARGS lies (checked against both layouts when loaded). */
const SIDE_HEAD = { ts: OUT_ARGS.offset.ts, amount: OUT_ARGS.offset.amount, member: OUT_ARGS.offset.payee, now: OUT_ARGS.offset.now } as const;
if (IN_ARGS.offset.ts !== SIDE_HEAD.ts || IN_ARGS.offset.amount !== SIDE_HEAD.amount || IN_ARGS.offset.payer !== SIDE_HEAD.member || IN_ARGS.offset.now !== SIDE_HEAD.now) {
  throw new Error('OUT_ARGS and IN_ARGS must share their head: time, amount, counterparty hash, wall clock');
}

/**
 * A side's marker: its binary reply of a known size, then the origin of the event's first
 * application as text. Anything else is handed on whole for paymentFeatures to refuse by name.
 */
function splitMarker(marker: unknown, size: number, side: string): { reply: unknown; origin: string } {
  if (!Buffer.isBuffer(marker)) return { reply: marker, origin: '' };
  if (marker.length < size) throw new FeatureStoreError(`feature store: the ${side} script returned ${marker.length} bytes, expected at least ${size}`, 1);
  return { reply: marker.subarray(0, size), origin: marker.toString('utf8', size) };
}

function originOf(reply: unknown): string {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  throw new FeatureStoreError(`feature store: an event marker returned ${typeof reply}, not bytes`, 1);
}

/** The batch script replies bytes; profile fields are text. */
function profileStrings(reply: unknown): unknown {
  if (!Array.isArray(reply)) return reply;
  return reply.map((v: unknown) => (Buffer.isBuffer(v) ? v.toString() : v));
}

function throwOnFailures(replies: readonly PipelineReply[]): void {
  let failed = 0;
  let firstError: Error | null = null;
  for (let k = 0; k < replies.length; k++) {
    const error = replies[k]![0];
    if (error !== null) {
      failed++;
      firstError ??= error;
    }
  }
  if (firstError !== null) {
    throw new FeatureStoreError(`feature store: ${failed} of ${replies.length} Redis commands failed; first: ${firstError.message}`, failed);
  }
}

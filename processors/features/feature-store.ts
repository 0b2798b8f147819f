// The feature store: computes the features of a micro-batch of events from the shared state in
// Redis, in event time, in ONE pipelined round trip, idempotently per event id and account side.
import type { Redis } from 'ioredis';
import type { ValidatedEvent } from '../../core/contracts/index.js';
import { toReportingMinor } from '../../core/fx.js';
import { UNKNOWN_CUSTOMER, type CustomerProfile } from '../scoring.js';
import { ACCOUNT_KEY_SUFFIX, accountTag, checkPrefix, markerKey, profileKey } from './keys.js';
import type { FeatureVector } from './names.js';
import { payeeCountryOf, paymentFeatures, type PaymentFacts } from './payment-features.js';
import { decodeProfile, profileArgs } from './profile.js';
import { defineFeatureScripts, type ScriptCommands, type ScriptPipeline } from './script-commands.js';
import { BATCH_OPS } from './scripts.js';
import { WINDOWS } from './window-layout.js';

export type FeatureStoreOptions = {
  /** Namespace of every key, e.g. `rs:`; no braces (they are the hash tags). */
  readonly prefix: string;
  /** How long an applied event is remembered per account side: at least the redelivery horizon. */
  readonly dedupTtlSeconds: number;
  /** Idle accounts vanish after this long; at least the longest window. Default 35 days. */
  readonly stateTtlSeconds?: number;
  /** Customer profiles vanish this long after their last customer event. Default 400 days. */
  readonly profileTtlSeconds?: number;
};

export type FeatureResult = {
  readonly features: FeatureVector;
  readonly profile: CustomerProfile;
};

export interface FeatureStore {
  /** One result per event, in the same order. Throws when Redis fails; retrying is safe. */
  computeBatch(events: readonly ValidatedEvent[]): Promise<FeatureResult[]>;
}

export const DEFAULT_STATE_TTL_SECONDS = 35 * 86_400;
export const DEFAULT_PROFILE_TTL_SECONDS = 400 * 86_400;
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

function checkSeconds(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new Error(`feature store ${name} must be an integer of at least ${min}, got ${value}`);
}

export function createFeatureStore(redis: Redis, opts: FeatureStoreOptions): FeatureStore {
  checkPrefix(opts.prefix);
  const stateTtl = opts.stateTtlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
  const profileTtl = opts.profileTtlSeconds ?? DEFAULT_PROFILE_TTL_SECONDS;
  checkSeconds('dedupTtlSeconds', opts.dedupTtlSeconds, 1);
  checkSeconds('stateTtlSeconds', stateTtl, LONGEST_WINDOW_SECONDS);
  checkSeconds('profileTtlSeconds', profileTtl, 1);
  const commands = defineFeatureScripts(redis, {
    markerMs: opts.dedupTtlSeconds * 1000,
    stateMs: stateTtl * 1000,
    refreshSeconds: Math.floor(Math.min(stateTtl / 10, MAX_TTL_REFRESH_SECONDS)),
    profileMs: profileTtl * 1000,
  });
  return new RedisFeatureStore(redis, opts.prefix, commands);
}

class RedisFeatureStore implements FeatureStore {
  private readonly _redis: Redis;
  private readonly _prefix: string;
  private readonly _commands: ScriptCommands;

  constructor(redis: Redis, prefix: string, commands: ScriptCommands) {
    this._redis = redis;
    this._prefix = prefix;
    this._commands = commands;
  }

  async computeBatch(events: readonly ValidatedEvent[]): Promise<FeatureResult[]> {
    if (events.length === 0) return [];
    // The whole batch is ONE script call: keys and arguments in flat arrays, each event's
    // operations in order (see BATCH_OPS); one reply entry per operation.
    const keys: string[] = [];
    const args: string[] = [];
    const firstReply = new Int32Array(events.length);
    const amounts = new Float64Array(events.length);
    // wall clock, for TTL refreshes only; features use event time
    const now = String(Math.floor(Date.now() / 1000));
    let ops = 0;
    for (let k = 0; k < events.length; k++) {
      const event = events[k]!;
      firstReply[k] = ops;
      // a payment queues its two account sides and a profile read, a customer event its
      // upsert, any other kind a profile read
      if (isPayment(event)) {
        amounts[k] = toReportingMinor(event.amountMinor, event.currency);
        ops += this._queuePayment(keys, args, event, amounts[k]!, now);
      } else if (isCustomer(event)) {
        ops += this._queueCustomer(keys, args, event);
      } else {
        ops += this._queueProfileRead(keys, args, event.customerId);
      }
    }
    if (ops === 0) return events.map((e) => this._decode(e, [], 0, 0));
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
      out[k] = this._decode(events[k]!, results, firstReply[k]!, amounts[k]!);
    }
    return out;
  }

  private _queuePayment(keys: string[], args: string[], event: ValidatedEvent<'payment'>, amount: number, now: string): number {
    const body = event.body;
    const debtor = accountTag(this._prefix, body.debtor.accountId);
    const creditor = accountTag(this._prefix, body.creditor.accountId);
    const ts = String(event.ts);
    const cents = String(amount);
    const geo = body.geo;
    const device = body.device;
    const country = payeeCountryOf(body);
    keys.push(debtor + ACCOUNT_KEY_SUFFIX.state, markerKey(debtor, 'o', event.id));
    args.push(
      BATCH_OPS.out.op,
      ts,
      cents,
      memberHash('p', body.creditor.accountId),
      now,
      geo === undefined ? '' : String(geo.lat),
      geo === undefined ? '' : String(geo.lon),
      device?.id ? memberHash('d', device.id) : '',
      country === '' ? '' : memberHash('c', country),
      device?.ip ? memberHash('i', device.ip) : '',
    );
    keys.push(creditor + ACCOUNT_KEY_SUFFIX.state, markerKey(creditor, 'i', event.id));
    args.push(BATCH_OPS.in.op, ts, cents, memberHash('q', body.debtor.accountId), now);
    return 2 + this._queueProfileRead(keys, args, event.customerId);
  }

  private _queueCustomer(keys: string[], args: string[], event: ValidatedEvent<'customer'>): number {
    const p = profileArgs(event.body);
    keys.push(profileKey(this._prefix, event.body.customerId));
    args.push(BATCH_OPS.customer.op, String(event.ts), event.id, p[0], p[1], p[2], p[3]);
    return 1;
  }

  private _queueProfileRead(keys: string[], args: string[], customerId: string): number {
    if (customerId === '') return 0;
    keys.push(profileKey(this._prefix, customerId));
    args.push(BATCH_OPS.profile.op);
    return 1;
  }

  private _decode(event: ValidatedEvent, results: readonly unknown[], first: number, amount: number): FeatureResult {
    if (isPayment(event)) {
      const profile = event.customerId === '' ? UNKNOWN_CUSTOMER : decodeProfile(profileStrings(results[first + 2]));
      const facts: PaymentFacts = { ts: event.ts, amount, lat: event.body.geo?.lat, lon: event.body.geo?.lon };
      return { features: paymentFeatures(facts, results[first], results[first + 1], profile), profile };
    }
    if (isCustomer(event)) return { features: EMPTY_FEATURES, profile: decodeProfile(profileStrings(results[first])) };
    // Credit features arrive with the credit scorers; until then these kinds carry the profile only.
    if (event.customerId === '') return { features: EMPTY_FEATURES, profile: UNKNOWN_CUSTOMER };
    return { features: EMPTY_FEATURES, profile: decodeProfile(profileStrings(results[first])) };
  }
}

/**
 * A member of an account's payees, payers or novelty groups as a 32-bit FNV-1a hash of its kind
 * and value (decimal text): the Lua keeps the hash as the member's tag and picks its group from
 * it. Two members of one account with the same hash are one member (odds about n^2 / 2^33).
 */
export function memberHash(kind: string, value: string): string {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ kind.charCodeAt(0), 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return String(h >>> 0);
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

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
import { PROFILE_FIELDS } from './scripts.js';
import { DISTINCT_SPANS_MS, WINDOWS } from './window-layout.js';

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
    const pipeline = this._redis.pipeline() as ScriptPipeline;
    const firstCommand = new Int32Array(events.length);
    const amounts = new Float64Array(events.length);
    // wall clock, for TTL refreshes only; features use event time
    const now = Math.floor(Date.now() / 1000);
    let commands = 0;
    for (let k = 0; k < events.length; k++) {
      const event = events[k]!;
      firstCommand[k] = commands;
      // a payment queues its two account scripts and a profile read, a customer event its
      // upsert, any other kind a profile read
      if (isPayment(event)) {
        amounts[k] = toReportingMinor(event.amountMinor, event.currency);
        commands += this._queuePayment(pipeline, event, amounts[k]!, now);
      } else if (isCustomer(event)) {
        commands += this._queueCustomer(pipeline, event);
      } else {
        commands += this._queueProfileRead(pipeline, event.customerId);
      }
    }
    const replies = (await pipeline.exec()) as PipelineReply[] | null;
    if (replies === null || replies.length !== commands) {
      throw new FeatureStoreError(`feature store: expected ${commands} replies, got ${replies?.length ?? 'none'}`, commands);
    }
    throwOnFailures(replies);
    const results = new Array<FeatureResult>(events.length);
    for (let k = 0; k < events.length; k++) {
      results[k] = this._decode(events[k]!, replies, firstCommand[k]!, amounts[k]!);
    }
    return results;
  }

  private _queuePayment(pipeline: ScriptPipeline, event: ValidatedEvent<'payment'>, amount: number, now: number): number {
    const body = event.body;
    const debtor = accountTag(this._prefix, body.debtor.accountId);
    const creditor = accountTag(this._prefix, body.creditor.accountId);
    pipeline[this._commands.out]!(
      debtor + ACCOUNT_KEY_SUFFIX.state,
      debtor + ACCOUNT_KEY_SUFFIX.payees,
      debtor + ACCOUNT_KEY_SUFFIX.novelty,
      markerKey(debtor, 'o', event.id),
      event.ts,
      amount,
      body.creditor.accountId,
      now,
      '(' + (event.ts - DISTINCT_SPANS_MS['1h']),
      '(' + (event.ts - DISTINCT_SPANS_MS['24h']),
      body.device?.id ?? '',
      payeeCountryOf(body),
      body.device?.ip ?? '',
      body.geo === undefined ? '' : String(body.geo.lat),
      body.geo === undefined ? '' : String(body.geo.lon),
    );
    pipeline[this._commands.in]!(
      creditor + ACCOUNT_KEY_SUFFIX.state,
      creditor + ACCOUNT_KEY_SUFFIX.payers,
      markerKey(creditor, 'i', event.id),
      event.ts,
      amount,
      body.debtor.accountId,
      now,
      '(' + (event.ts - DISTINCT_SPANS_MS['24h']),
    );
    return 2 + this._queueProfileRead(pipeline, event.customerId);
  }

  private _queueCustomer(pipeline: ScriptPipeline, event: ValidatedEvent<'customer'>): number {
    const args = profileArgs(event.body);
    pipeline[this._commands.customer]!(profileKey(this._prefix, event.body.customerId), event.ts, event.id, args[0], args[1], args[2], args[3]);
    return 1;
  }

  private _queueProfileRead(pipeline: ScriptPipeline, customerId: string): number {
    if (customerId === '') return 0;
    pipeline.hmget(profileKey(this._prefix, customerId), ...PROFILE_FIELDS);
    return 1;
  }

  private _decode(event: ValidatedEvent, replies: readonly PipelineReply[], first: number, amount: number): FeatureResult {
    if (isPayment(event)) {
      const profile = event.customerId === '' ? UNKNOWN_CUSTOMER : decodeProfile(replies[first + 2]![1]);
      const facts: PaymentFacts = { ts: event.ts, amount, lat: event.body.geo?.lat, lon: event.body.geo?.lon };
      return { features: paymentFeatures(facts, replies[first]![1], replies[first + 1]![1], profile), profile };
    }
    if (isCustomer(event)) return { features: EMPTY_FEATURES, profile: decodeProfile(replies[first]![1]) };
    // Credit features arrive with the credit scorers; until then these kinds carry the profile only.
    if (event.customerId === '') return { features: EMPTY_FEATURES, profile: UNKNOWN_CUSTOMER };
    return { features: EMPTY_FEATURES, profile: decodeProfile(replies[first]![1]) };
  }
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

// The event bus: NATS connection, JetStream streams and KV buckets, and the consume/publish
// primitives every runner uses (micro-batching, publish with dedup ids).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { headers, nanos, type MsgHdrs } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type PubAck,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { ArrivalRate } from './arrival-rate.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { Logger } from './log.js';
import type { Names } from './names.js';
import { safeUrl, withoutSecretsOf } from './log.js';
import { JetStreamPublisher } from './jetstream-publisher.js';

export type { JsMsg, NatsConnection, JetStreamClient, JetStreamManager, PubAck, MsgHdrs };

export const HEADER_INGEST_TS = 'Rs-Ingest-Ts';
export const HEADER_MSG_ID = 'Nats-Msg-Id';
/** Set by the ingest gateway when a caller waits for the decision: the processor replies there too. */
export const HEADER_REPLY = 'Rs-Reply';
/**
 * What the processor replies there instead of a decision when the event was decided before, from
 * an earlier copy of it: the caller reads the stored decision.
 */
export const DUPLICATE_REPLY = '{"duplicate":true}';

export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

export type Bus = {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** The fast path for publishing many messages: async acks on one inbox. */
  readonly publisher: JetStreamPublisher;
  readonly jsm: JetStreamManager;
  readonly names: Names;
};

/** How to start the NATS server NATS_URL names (its host and port), or point NATS_URL elsewhere. */
export function natsHowToStart(url: string): string {
  const { host, port } = hostAndPort(url, 4222);
  return (
    `Start it with \`nats-server -js\` (on Debian: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- ` +
    `-a ${host} -p ${port} -js -sd /var/lib/nats-server), or point NATS_URL at a running server.`
  );
}

/**
 * NATS_URL as the client takes it: the servers (comma-separated) without credentials, and the
 * credentials as options — the client ignores a `user:pass@` or `token@` in a server URL, so a
 * NATS with authentication refused every connection.
 */
export function natsServersOf(url: string): { servers: string[]; user?: string; pass?: string; token?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  let token: string | undefined;
  const servers = url.split(',').map((one) => {
    const text = one.trim();
    const at = text.lastIndexOf('@');
    if (at < 0) return text;
    const scheme = text.indexOf('://');
    const start = scheme < 0 ? 0 : scheme + 3;
    const credentials = text.slice(start, at);
    if (user === undefined && token === undefined && credentials !== '') {
      const colon = credentials.indexOf(':');
      if (colon < 0) token = decoded(credentials);
      else {
        user = decoded(credentials.slice(0, colon));
        pass = decoded(credentials.slice(colon + 1));
      }
    }
    return text.slice(0, start) + text.slice(at + 1);
  });
  return { servers, ...(user !== undefined ? { user, pass } : {}), ...(token !== undefined ? { token } : {}) };
}

/** Percent-decoded; as written when it is not valid percent-encoding (a password with a bare %). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The host and port of a service URL, for the hints that tell how to start it (defaults when it cannot be read). */
export function hostAndPort(url: string, defaultPort: number): { readonly host: string; readonly port: number } {
  try {
    // the first server, without its credentials (which may hold an unencoded / and read as a host)
    const first = natsServersOf(url).servers[0] ?? '';
    const parsed = new URL(first.includes('://') ? first : `x://${first}`);
    const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    return { host: host === 'localhost' ? '127.0.0.1' : host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
  } catch {
    return { host: '127.0.0.1', port: defaultPort };
  }
}

/**
 * Connects to NATS and checks that JetStream is enabled; fails within a few seconds with a useful
 * message. With a logger, a lost connection is logged once (warn) and its return (info): the
 * client reconnects on its own, and without these lines an outage left no trace in the log.
 */
export async function connectBus(url: string, names: Names, name = 'riskstream', logger?: Logger): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      ...natsServersOf(url),
      name,
      timeout: 3000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // A hidden option: flush outbound data inline only past 1 MiB, so that a micro-batch of
      // decisions leaves in one socket write instead of one per 32 KiB (it is flushed at the end
      // of the current task anyway).
      ...({ pendingLimit: 1024 * 1024 } as object),
    });
  } catch (error) {
    const message = withoutSecretsOf(url, (error as Error).message);
    if (/authorization|authentication/i.test(message)) {
      throw new ServiceUnavailableError(
        `NATS at ${safeUrl(url)} refused riskstream's credentials (${message}): put them in NATS_URL, as nats://user:password@host:4222 or nats://token@host:4222 (percent-encode special characters).`,
      );
    }
    throw new ServiceUnavailableError(`NATS is not reachable at ${safeUrl(url)} (${message}). ${natsHowToStart(url)}`);
  }
  const tooOld = natsVersionProblem(nc.info?.version, url);
  if (tooOld !== null) {
    await nc.close();
    throw new ServiceUnavailableError(tooOld);
  }
  if (logger) void logConnectionChanges(nc, safeUrl(url), logger);
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: 3000 });
  } catch (error) {
    await nc.close();
    throw new ServiceUnavailableError(
      `NATS at ${safeUrl(url)} answers but JetStream is not enabled (${withoutSecretsOf(url, (error as Error).message)}). Restart nats-server with -js.`,
    );
  }
  return { nc, js: jetstream(nc, { timeout: 5000 }), jsm, publisher: new JetStreamPublisher(nc), names };
}

/** The oldest nats-server riskstream runs on: the one it is tested on, whose consumer API (CONSUMER.CREATE with a name) the client uses. */
const MIN_NATS_VERSION = [2, 9] as const;

/** What is wrong with the version a NATS server gave in its INFO, or null (recent enough, or not given). */
export function natsVersionProblem(version: string | undefined, url: string): string | null {
  const [major, minor] = (version ?? '').split('.').map(Number);
  if (major === undefined || minor === undefined || !Number.isFinite(major) || !Number.isFinite(minor)) return null;
  const [needMajor, needMinor] = MIN_NATS_VERSION;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return `NATS at ${safeUrl(url)} is nats-server ${version}; riskstream needs ${needMajor}.${needMinor} or later (its JetStream consumer API): upgrade nats-server or point NATS_URL at a newer one`;
}

async function logConnectionChanges(nc: NatsConnection, url: string, logger: Logger): Promise<void> {
  let lost = false;
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' && !lost) {
      lost = true;
      logger.warn({ nats: url }, 'lost the connection to NATS; reconnecting (events wait, /healthz answers 503)');
    } else if (status.type === 'reconnect' && lost) {
      lost = false;
      logger.info({ nats: url }, 'connected to NATS again');
    }
  }
}

export type StreamLimits = {
  /** Maximum age of events and decisions on the bus. */
  readonly maxAgeHours: number;
  /**
   * Maximum bytes of the events and decisions streams (alerts and dead letters get a quarter).
   * JetStream reserves this much file storage per stream when it is created, so it must fit the
   * server's store; when a stream is full the oldest messages go, processed or not.
   */
  readonly maxBytes: number;
  /** The JetStream publish dedup window (Nats-Msg-Id). */
  readonly duplicateWindowSeconds: number;
};

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxAgeHours: 72,
  maxBytes: 2 * 1024 ** 3,
  duplicateWindowSeconds: 120,
};

/** The limits a configured process uses. */
export function streamLimitsOf(config: { readonly streamMaxMiB: number; readonly streamMaxAgeHours: number }): StreamLimits {
  return { ...DEFAULT_STREAM_LIMITS, maxBytes: config.streamMaxMiB * 1024 ** 2, maxAgeHours: config.streamMaxAgeHours };
}

/** Small limits for tests that create short-lived namespaces; every configured process passes its own. */
export const TEST_STREAM_LIMITS: StreamLimits = { maxAgeHours: 1, maxBytes: 256 * 1024 ** 2, duplicateWindowSeconds: 120 };

function streamConfig(
  name: string,
  subject: string,
  limits: StreamLimits,
  maxAgeHours = limits.maxAgeHours,
  maxBytes = limits.maxBytes,
): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeHours * 3600_000),
    max_bytes: maxBytes,
    duplicate_window: nanos(limits.duplicateWindowSeconds * 1000),
    num_replicas: 1,
  };
}

/** Creates or updates the streams and KV buckets of the namespace. Safe to call from every process. */
/**
 * How ensureStreams treats a stream that exists: `update` gives it these limits (the running
 * system: its configuration is the source of truth); `keep` leaves it as it is (commands run
 * beside a live system — replay, simulate, users, restore — whose environment may lack the
 * operator's settings: shrinking a live stream's limit would discard what it holds, read or not).
 */
export type ExistingStreams = 'update' | 'keep';

export async function ensureStreams(bus: Bus, limits: StreamLimits = TEST_STREAM_LIMITS, existing: ExistingStreams = 'update'): Promise<void> {
  const { jsm, names } = bus;
  const configs = [
    streamConfig(names.streams.events, names.subjects.eventsAll, limits),
    streamConfig(names.streams.decisions, names.subjects.decisionsAll, limits),
    streamConfig(names.streams.alerts, names.subjects.alertsAll, limits, Math.max(limits.maxAgeHours, 30 * 24), Math.ceil(limits.maxBytes / 4)),
    streamConfig(names.streams.dlq, names.subjects.dlqAll, limits, Math.max(limits.maxAgeHours, 30 * 24), Math.ceil(limits.maxBytes / 4)),
  ];
  for (const config of configs) {
    try {
      try {
        await jsm.streams.info(config.name);
        if (existing === 'update') await jsm.streams.update(config.name, config);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        try {
          await jsm.streams.add(config);
        } catch (addError) {
          // Another process may have created it between our look and our add.
          if (!/already in use|exists/i.test((addError as Error).message)) throw addError;
        }
      }
    } catch (error) {
      if (!isInsufficientStorage(error)) throw error;
      throw new ServiceUnavailableError(insufficientStorageMessage(config.name, config.max_bytes ?? 0, await storageReservations(jsm).catch(() => [])));
    }
  }
  await ensureKvBuckets(bus);
}

/**
 * Creates the namespace's KV buckets (users, cases, lists, config) that do not exist, and nothing
 * else: `restore` into a NATS that lost its store, or a namespace not started yet, needs them and
 * not the streams, whose limits JetStream reserves (5 GiB by default) for a namespace that may be
 * a typo.
 */
export async function ensureKvBuckets(bus: Bus): Promise<void> {
  for (const bucket of Object.values(bus.names.kv)) await ensureKvBucket(bus, bucket);
}

/** Creates one of the namespace's KV buckets if it does not exist, with the settings every start gives it. */
export async function ensureKvBucket(bus: Bus, bucket: string): Promise<void> {
  await new Kvm(bus.nc).create(bucket, { history: 5, storage: StorageType.File });
}

/** Whether JetStream holds a stream of this name (a KV bucket's is `KV_<bucket>`). */
export async function streamExists(bus: Bus, stream: string): Promise<boolean> {
  return bus.jsm.streams.info(stream).then(
    () => true,
    (error: unknown) => {
      if (isNotFound(error)) return false;
      throw error;
    },
  );
}

/** JetStream refused to reserve a stream's max_bytes: its file store is taken by other reservations. */
function isInsufficientStorage(error: unknown): boolean {
  return /insufficient storage resources/i.test((error as Error)?.message ?? '');
}

/** File storage reserved by the streams of one namespace (streams are named `<NAMESPACE>_<STREAM>`). */
export type StorageReservation = { readonly namespace: string; readonly streams: number; readonly bytes: number };

/** The file storage each namespace's streams reserve on the server (their max_bytes), largest first. */
export async function storageReservations(jsm: JetStreamManager): Promise<StorageReservation[]> {
  const byNamespace = new Map<string, { streams: number; bytes: number }>();
  for await (const info of jsm.streams.list()) {
    if (info.config.storage !== StorageType.File || !(info.config.max_bytes > 0)) continue;
    const cut = info.config.name.lastIndexOf('_');
    const namespace = cut > 0 ? info.config.name.slice(0, cut).toLowerCase() : info.config.name;
    const entry = byNamespace.get(namespace) ?? { streams: 0, bytes: 0 };
    entry.streams += 1;
    entry.bytes += info.config.max_bytes;
    byNamespace.set(namespace, entry);
  }
  return [...byNamespace].map(([namespace, v]) => ({ namespace, ...v })).sort((a, b) => b.bytes - a.bytes);
}

const GIB = 1024 ** 3;
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 1 : 0)} GiB`;

/** What to tell the user when JetStream cannot reserve a stream's storage. Pure, for tests. */
export function insufficientStorageMessage(stream: string, maxBytes: number, reservations: readonly StorageReservation[]): string {
  const total = reservations.reduce((sum, r) => sum + r.bytes, 0);
  const largest = reservations
    .slice(0, 5)
    .map((r) => `${r.namespace} ${gib(r.bytes)}`)
    .join(', ');
  const held = reservations.length === 0 ? '' : ` Streams already reserve ${gib(total)} (by namespace: ${largest}${reservations.length > 5 ? ', …' : ''}).`;
  return (
    `JetStream has no room to reserve ${Math.round(maxBytes / 1024 ** 2)} MiB of file storage for stream ${stream}: every stream reserves its ` +
    `maximum size when it is created, and the server's store is taken.${held} Lower RISKSTREAM_STREAM_MAX_MB (the events and decisions ` +
    `streams reserve it each, alerts and dead letters a quarter), give nats-server a larger max_file_store, or delete the streams of ` +
    `namespaces no longer in use.`
  );
}

/** JetStream's answer for a stream or consumer it does not know. */
export function isNotFound(error: unknown): boolean {
  return /not found/i.test((error as Error)?.message ?? '');
}

export type KeepStreamsOptions = {
  readonly everyMs?: number;
  /** Runs after the streams and buckets were created again (e.g. to put back what a fresh installation starts with). */
  readonly afterRecreate?: () => Promise<void>;
};

/**
 * Puts the namespace's streams and KV buckets back when they vanish while the process runs (a NATS
 * server restarted without its store): looks every `everyMs` and, when one is missing, runs
 * ensureStreams again, then `afterRecreate`. What they held is lost with the server's store; from
 * then on, events are accepted and decided again without a restart. Returns a function that stops the watch.
 */
export function keepStreams(bus: Bus, limits: StreamLimits, logger: Logger, options: KeepStreamsOptions = {}): () => void {
  const everyMs = options.everyMs ?? 5000;
  const streams = Object.values(bus.names.streams);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        let missing: string | undefined;
        for (const name of streams) {
          try {
            await bus.jsm.streams.info(name);
          } catch (error) {
            if (isNotFound(error)) {
              missing = name;
              break;
            }
            return; // NATS away or slow: the connection's own reconnects deal with that
          }
        }
        if (missing === undefined) return;
        await ensureStreams(bus, limits);
        logger.warn({ stream: missing }, "the namespace's streams were gone from NATS (a server restarted without its store?); created them again: what they held is lost");
        await options.afterRecreate?.().catch((error: unknown) => logger.error({ err: error }, 'could not put back what the recreated buckets start with'));
      } catch (error) {
        logger.warn({ err: error }, "the namespace's streams are gone from NATS and could not be created again yet; trying again");
      } finally {
        busy = false;
      }
    })();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export type ConsumerSpec = {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject?: string;
  readonly ackWaitMs?: number;
  /** Upper bound on messages delivered and not yet acknowledged: the consumer's backpressure. */
  readonly maxAckPending?: number;
  readonly maxDeliver?: number;
};

/** Creates the durable pull consumer if needed and returns it. */
export async function ensureConsumer(bus: Bus, spec: ConsumerSpec): Promise<Consumer> {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_ack_pending: spec.maxAckPending ?? 20_000,
    max_deliver: spec.maxDeliver ?? -1,
    ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
  };
  try {
    await bus.jsm.consumers.info(spec.stream, spec.durable);
    await bus.jsm.consumers.update(spec.stream, spec.durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
      max_deliver: config.max_deliver,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await bus.jsm.consumers.add(spec.stream, config);
    } catch (addError) {
      if (!/already in use|exists/i.test((addError as Error).message)) throw addError;
    }
  }
  return bus.js.consumers.get(spec.stream, spec.durable);
}

export type BatchHandler = (messages: JsMsg[]) => Promise<void>;

export type BatchConsumerOptions = {
  readonly maxBatch: number;
  /** Flush a partial batch after this long; 0 flushes after the current burst of socket input. */
  readonly maxWaitMs: number;
  /**
   * With it, a partial batch waits maxWaitMs only while messages arrive at this rate or faster (in
   * weight per second: events, with weightOf); slower, it is flushed after the current burst of
   * socket input, as with maxWaitMs 0. At a few events a second nothing else comes within the
   * wait, so waiting only delays every event; at high rates the wait fills batches. Unset: always wait.
   */
  readonly waitAbovePerSecond?: number;
  /** Batches handled at once; later ones queue, and the consumer's max_ack_pending bounds the queue. */
  readonly concurrency: number;
  readonly pullSize?: number;
  /**
   * What one message counts for against maxBatch (default 1). Envelopes count their records, so
   * that a batch holds about maxBatch events whatever the producers' envelope sizes.
   */
  readonly weightOf?: (message: JsMsg) => number;
  /**
   * With weightOf: also flush a batch holding this many messages, whatever its weight. Set it
   * below the consumer's max_ack_pending, or a batch of light messages could never fill.
   */
  readonly maxMessages?: number;
  readonly logger: Logger;
  readonly onError?: (error: unknown, messages: JsMsg[]) => void;
  /** Back-off after a failed batch (default 1 s doubling to 15 s): see BatchConsumer. */
  readonly backoff?: BackoffPolicy;
  /**
   * Creates the durable consumer again (ensureConsumer with its spec), called when JetStream no
   * longer knows it — a NATS server restarted without its store. Without it, nothing would bring
   * the consumer back, and the process would wait for messages for ever.
   */
  readonly recreate?: () => Promise<Consumer>;
  /** How often to look whether the consumer is still there (default 5,000 ms; with recreate). */
  readonly recreateCheckMs?: number;
  /**
   * The consumer's ack wait. Given, the messages held (queued behind a back-off or a backlog, or in
   * the handler) for a third of it tell JetStream they are still being worked on (`working()`), so
   * that it does not deliver them again meanwhile — a second copy in the queue would be handled twice.
   */
  readonly ackWaitMs?: number;
};

/**
 * Consumes a durable consumer in micro-batches. The handler acks (or naks) the messages; when it
 * throws, the batch is nak'ed with a delay so that JetStream delivers it again, and the consumer
 * starts no other batch for that delay: a failing dependency (Redis full or gone) is retried at
 * 1 s, 2 s, 4 s … up to 15 s, not hammered with every batch received meanwhile, and the log says
 * so once per failure, not once per message. The first batch handled resets it.
 */
export class BatchConsumer {
  private readonly _handler: BatchHandler;
  private readonly _options: BatchConsumerOptions;
  private _batch: JsMsg[] = [];
  private _batchWeight = 0;
  private _flushScheduled = false;
  private _inFlight = 0;
  /** The batches the handler is working on. */
  private readonly _handling = new Set<JsMsg[]>();
  private readonly _queue: JsMsg[][] = [];
  private _messages: ConsumerMessages | undefined;
  private _idle: Array<() => void> = [];
  private _stopped = false;
  private readonly _backoff: Backoff;
  /** No new batch starts before this time (epoch ms): the back-off after a failure. */
  private _pausedUntil = 0;
  private _resumeTimer: NodeJS.Timeout | null = null;
  private _failures = 0;
  private _consumer: Consumer;
  private _watchdog: NodeJS.Timeout | null = null;
  private _recreating = false;
  /** When each held batch was received, or last told JetStream that it is still being worked on. */
  private readonly _heldSince = new WeakMap<JsMsg[], number>();
  private _keepAlive: NodeJS.Timeout | null = null;
  /** The messages' arrival rate, with waitAbovePerSecond. */
  private readonly _arrivals: ArrivalRate | null;

  constructor(consumer: Consumer, handler: BatchHandler, options: BatchConsumerOptions) {
    this._consumer = consumer;
    this._handler = handler;
    this._options = options;
    this._flush = this._flush.bind(this);
    this._onMessage = this._onMessage.bind(this);
    this._backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this._arrivals = options.waitAbovePerSecond === undefined ? null : new ArrivalRate();
  }

  /** Failed batches since the last one handled. */
  get failures(): number {
    return this._failures;
  }

  async start(): Promise<void> {
    this._messages = await this._consumer.consume({
      max_messages: this._options.pullSize ?? Math.max(this._options.maxBatch * 4, 512),
      callback: this._onMessage,
    });
    if (this._options.recreate && this._watchdog === null) {
      this._watchdog = setInterval(() => void this._recreateIfGone(), this._options.recreateCheckMs ?? 5000);
      this._watchdog.unref();
    }
    const ackWaitMs = this._options.ackWaitMs;
    if (ackWaitMs !== undefined && this._keepAlive === null) {
      this._keepAlive = setInterval(() => this._keepHeldAlive(ackWaitMs / 3), ackWaitMs / 4);
      this._keepAlive.unref();
    }
  }

  /**
   * Tells JetStream that the batches held for `afterMs` or more are still being worked on: a
   * Redis outage holds the queue for back-offs of up to 15 s at a time, and after the ack wait
   * JetStream would deliver every queued message again (each then decided twice, the second
   * decision dropped by its message id but counted).
   */
  private _keepHeldAlive(afterMs: number): void {
    const now = Date.now();
    const tell = (batch: JsMsg[]): void => {
      const since = this._heldSince.get(batch);
      if (since === undefined || now - since < afterMs) return;
      for (const m of batch) m.working();
      this._heldSince.set(batch, now);
    };
    for (const batch of this._queue) tell(batch);
    for (const batch of this._handling) tell(batch);
  }

  /**
   * Puts the durable consumer back when JetStream no longer knows it (a NATS server restarted
   * without its store), and pulls from the new one at once: the old pull loop would wait out its
   * own back-off, up to half a minute, before asking again.
   */
  private async _recreateIfGone(): Promise<void> {
    const recreate = this._options.recreate;
    if (!recreate || this._stopped || this._recreating) return;
    this._recreating = true;
    try {
      try {
        await this._consumer.info();
        return;
      } catch (error) {
        if (!isNotFound(error)) return; // NATS away or slow: nothing to recreate
      }
      let consumer: Consumer;
      try {
        consumer = await recreate();
      } catch (error) {
        // The stream may not be back yet: the next round tries again.
        this._options.logger.warn({ err: error }, 'the durable consumer is gone from JetStream and could not be created again yet; trying again');
        return;
      }
      if (this._stopped) return;
      const old = this._messages;
      this._consumer = consumer;
      await old?.close().catch(() => undefined);
      await this.start();
      // Drained meanwhile: drain() closed the old subscription, not this one.
      if (this._stopped) {
        await this._messages?.close().catch(() => undefined);
        return;
      }
      this._options.logger.warn(
        'the durable consumer was gone from JetStream (a NATS server restarted without its store?); created it again: it delivers what the stream holds now',
      );
    } finally {
      this._recreating = false;
    }
  }

  /** Messages received and not yet handled (queued or in flight). */
  get pending(): number {
    return this._batch.length + this._queue.reduce((n, b) => n + b.length, 0);
  }

  /**
   * When the oldest message received and not yet handled (queued or in flight) was stored in the
   * stream (epoch ms; the first message of each batch stands for it); null when none is held.
   */
  oldestHeldMs(): number | null {
    let oldest: number | null = null;
    const consider = (batch: readonly JsMsg[] | undefined): void => {
      const first = batch?.[0];
      if (first === undefined) return;
      const ms = first.info.timestampNanos / 1e6;
      if (oldest === null || ms < oldest) oldest = ms;
    };
    for (const batch of this._handling) consider(batch);
    consider(this._queue[0]);
    consider(this._batch);
    return oldest;
  }

  private _onMessage(message: JsMsg): void {
    if (this._stopped) {
      // Handed back at once, so that another process (or this one after a restart) gets it
      // without waiting out the ack wait.
      message.nak();
      return;
    }
    this._batch.push(message);
    const now = this._arrivals === null ? 0 : performance.now();
    const weight = this._options.weightOf ? this._options.weightOf(message) : 1;
    this._batchWeight += weight;
    if (this._batchWeight >= this._options.maxBatch || this._batch.length >= (this._options.maxMessages ?? Infinity)) {
      this._flush();
    } else if (!this._flushScheduled) {
      this._flushScheduled = true;
      if (this._waitsForMore(now)) setTimeout(this._flush, this._options.maxWaitMs);
      else setImmediate(this._flush);
    }
    // counted after the decision: a message's own weight says nothing of what comes after it
    this._arrivals?.add(weight, now);
  }

  /** Whether a partial batch should wait maxWaitMs for more messages (see waitAbovePerSecond). */
  private _waitsForMore(nowMs: number): boolean {
    if (this._options.maxWaitMs <= 0) return false;
    if (this._arrivals === null) return true;
    return this._arrivals.perSecond(nowMs) >= this._options.waitAbovePerSecond!;
  }

  private _flush(): void {
    this._flushScheduled = false;
    if (this._batch.length === 0) return;
    const batch = this._batch;
    this._batch = [];
    this._batchWeight = 0;
    if (this._keepAlive !== null) this._heldSince.set(batch, Date.now());
    this._queue.push(batch);
    this._drainQueue();
  }

  private _drainQueue(): void {
    if (this._stopped && this._failures > 0 && this._queue.length > 0) this._handBackQueued();
    const wait = this._pausedUntil - Date.now();
    if (wait > 0 && !this._stopped) {
      this._resumeTimer ??= setTimeout(() => {
        this._resumeTimer = null;
        this._drainQueue();
      }, wait);
      return;
    }
    while (this._inFlight < this._options.concurrency && this._queue.length > 0) {
      const batch = this._queue.shift()!;
      this._inFlight++;
      this._handling.add(batch);
      this._handler(batch)
        .then(() => {
          this._failures = 0;
          this._backoff.reset();
        })
        .catch((error: unknown) => {
          this._options.onError?.(error, batch);
          const delay = this._backoff.next();
          this._failures++;
          this._pausedUntil = Math.max(this._pausedUntil, Date.now() + delay);
          this._options.logger.error(
            { err: error, size: batch.length, failures: this._failures, retryInMs: delay },
            'batch failed; it will be delivered again, and no batch starts before then',
          );
          for (const m of batch) m.nak(delay);
        })
        .finally(() => {
          this._inFlight--;
          this._handling.delete(batch);
          if (this._inFlight === 0 && this._queue.length === 0 && this._batch.length === 0) {
            for (const resolve of this._idle.splice(0)) resolve();
          }
          this._drainQueue();
        });
    }
  }

  /**
   * Stopping after a batch failed: the batches still queued are handed back unhandled (delivered
   * again, here after a restart or to another process) instead of each failing in turn on what is
   * most likely the same cause (Redis or storage away), with an error logged for every one.
   */
  private _handBackQueued(): void {
    let messages = 0;
    for (const batch of this._queue.splice(0)) {
      for (const m of batch) m.nak();
      messages += batch.length;
    }
    this._options.logger.warn({ messages }, 'stopping after a failed batch: handed back the messages not yet handled; they are delivered again');
    if (this._inFlight === 0 && this._batch.length === 0) for (const resolve of this._idle.splice(0)) resolve();
  }

  /**
   * Stops taking new messages, handles what was already received (or, once a batch has failed,
   * hands it back), then closes the subscription.
   */
  async drain(): Promise<void> {
    this._stopped = true;
    if (this._watchdog) clearInterval(this._watchdog);
    if (this._keepAlive) clearInterval(this._keepAlive);
    this._keepAlive = null;
    // What is queued is still handled (and acked or nak'ed), back-off or not; after a failure it
    // is handed back instead (_handBackQueued).
    if (this._resumeTimer) clearTimeout(this._resumeTimer);
    this._resumeTimer = null;
    this._pausedUntil = 0;
    this._flush();
    // Batches queued during a back-off start now (_flush starts them only when it closes one).
    this._drainQueue();
    if (this._inFlight > 0 || this._queue.length > 0) {
      await new Promise<void>((resolve) => this._idle.push(resolve));
    }
    await this._messages?.close().catch(() => undefined);
  }
}

/** Headers for a message published with a dedup id (and, from ingest, the acceptance time). */
export function messageHeaders(ingestTs?: number): MsgHdrs {
  const h = headers();
  if (ingestTs !== undefined) h.set(HEADER_INGEST_TS, String(ingestTs));
  return h;
}

/** The ingest times a message may carry: whole epoch ms from 2000 to 2100, as storage takes them. */
const MIN_INGEST_MS = Date.UTC(2000, 0, 1);
const MAX_INGEST_MS = Date.UTC(2100, 0, 1);

/**
 * The message's ingest time (Rs-Ingest-Ts), or null when it has none or one no clock gives (`0`,
 * `1e300`, a fraction: a producer's mistake). Such a time in a decision made storage refuse the
 * decision, and it would read as decades of latency.
 */
export function ingestTsOf(message: JsMsg): number | null {
  return ingestTsFromHeader(message.headers?.get(HEADER_INGEST_TS));
}

/** An Rs-Ingest-Ts header's value read as ingestTsOf reads it (null for none, or one no clock gives). */
export function ingestTsFromHeader(value: string | null | undefined): number | null {
  if (!value) return null;
  const ts = Number(value);
  return Number.isInteger(ts) && ts >= MIN_INGEST_MS && ts < MAX_INGEST_MS ? ts : null;
}

/** Pending messages of a durable consumer (its lag), or null when it does not exist yet. */
export async function consumerLag(bus: Bus, stream: string, durable: string): Promise<{ pending: number; ackPending: number } | null> {
  try {
    const info = await bus.jsm.consumers.info(stream, durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  } catch {
    return null;
  }
}

/**
 * Whether the processors of this namespace have run before: their durable consumer exists and has
 * delivered something. Then Redis should hold the namespace's state (watchRedisState); false when
 * it cannot be told (no consumer yet, NATS away).
 */
export async function processorsHaveRun(bus: Bus): Promise<boolean> {
  try {
    const info = await bus.jsm.consumers.info(bus.names.streams.events, bus.names.consumers.processors);
    return info.delivered.stream_seq > 0;
  } catch {
    return false;
  }
}

/** Deletes every stream and KV bucket of the namespace (tests and `riskstream reset`). */
export async function deleteNamespace(bus: Bus): Promise<void> {
  const { jsm, names } = bus;
  const all = [
    ...Object.values(names.streams),
    ...Object.values(names.kv).map((bucket) => `KV_${bucket}`),
  ];
  for (const stream of all) {
    await jsm.streams.delete(stream).catch(() => false);
  }
}

/** How much a consumer may hold delivered and not yet acknowledged, in messages and in records. */
export type PendingBudget = {
  /** The limit for single-record messages, and the most ever. */
  readonly maxMessages: number;
  /** Records (an envelope's events or rows) the pending messages may bring, at most. */
  readonly maxRecords: number;
  /** The least, however large the envelopes. */
  readonly minMessages: number;
};

/** max_ack_pending for messages of `recordsPerMessage` records on average, within the budget. */
export function pendingLimit(recordsPerMessage: number, budget: PendingBudget): number {
  if (!(recordsPerMessage > 1)) return budget.maxMessages;
  return Math.max(budget.minMessages, Math.min(budget.maxMessages, Math.round(budget.maxRecords / recordsPerMessage)));
}

/**
 * Keeps a durable consumer's max_ack_pending in step with the records per message it sees:
 * messages are counted with `count`, and `resize` (called now and then) updates the consumer when
 * the limit moved by a quarter or more. With envelopes a message holds up to 256 records, so a
 * limit in messages alone would let a backlog fill memory, or outlast the ack wait.
 *
 * At start, `allowHeld` raises the limit by what other holders have delivered and not yet
 * acknowledged, for one ack wait: when a process killed under a backlog left the consumer at its
 * limit, the server would otherwise deliver nothing to the new one until those deliveries time out
 * (30 s for the processors, 60 s for the writer). What the dead held comes back after the ack wait
 * as before (decided or stored once: the feature store's markers and the writer's id look-up).
 */
export class PendingLimiter {
  private readonly _bus: Bus;
  private readonly _stream: string;
  private readonly _durable: string;
  private readonly _budget: PendingBudget;
  private readonly _logger: Logger;
  /** What the consumer was last given. */
  private _limit: number;
  /** The limit for the records per message seen, before any allowance. */
  private _base: number;
  private _extra = 0;
  private _extraUntil = 0;
  private _messages = 0;
  private _records = 0;

  constructor(bus: Bus, stream: string, durable: string, budget: PendingBudget, logger: Logger) {
    this._bus = bus;
    this._stream = stream;
    this._durable = durable;
    this._budget = budget;
    this._logger = logger;
    this._limit = budget.maxMessages;
    this._base = budget.maxMessages;
  }

  /** The limit the consumer was last given. */
  get limit(): number {
    return this._limit;
  }

  count(messages: number, records: number): void {
    this._messages += messages;
    this._records += records;
  }

  /**
   * Raises the limit by the messages delivered and not yet acknowledged right now (by a process
   * that died, or by live ones), for `forMs` (the ack wait and a margin). Returns that number.
   */
  async allowHeld(forMs: number, now = Date.now()): Promise<number> {
    const info = await this._bus.jsm.consumers.info(this._stream, this._durable);
    const held = info.num_ack_pending;
    if (!(held > 0)) return 0;
    this._extra = held;
    this._extraUntil = now + forMs;
    const limit = this._base + held;
    await this._bus.jsm.consumers.update(this._stream, this._durable, { max_ack_pending: limit });
    this._logger.info(
      { stream: this._stream, durable: this._durable, held, limit, forMs },
      'messages delivered before this start are not acknowledged yet (a process stopped without draining?): the consumer delivers past them until they come back',
    );
    this._limit = limit;
    return held;
  }

  async resize(now = Date.now()): Promise<void> {
    const expired = this._extra > 0 && now >= this._extraUntil;
    if (expired) this._extra = 0;
    if (this._messages < 100 && !expired) return;
    const perMessage = this._messages > 0 ? this._records / this._messages : Number.NaN;
    if (this._messages >= 100) this._base = pendingLimit(perMessage, this._budget);
    this._messages = 0;
    this._records = 0;
    const limit = this._base + this._extra;
    // The limit as the server has it: another process starting on the same durable consumer
    // (ensureConsumer) sets it back to the budget's message count.
    const info = await this._bus.jsm.consumers.info(this._stream, this._durable);
    this._limit = info.config.max_ack_pending ?? this._limit;
    if (limit === this._limit || (!expired && Math.abs(limit - this._limit) < this._limit / 4)) return;
    await this._bus.jsm.consumers.update(this._stream, this._durable, { max_ack_pending: limit });
    this._logger.debug({ stream: this._stream, durable: this._durable, from: this._limit, to: limit, recordsPerMessage: perMessage }, 'consumer pending limit resized');
    this._limit = limit;
  }
}

/**
 * Reads a stream as it is now, from its start or from a time on, with an ephemeral consumer of its
 * own (no acks) that is deleted when done: for tools that look back (dead letters, a replay's
 * earlier decisions, the ids a stopped processor published) without disturbing the durable
 * consumers. Stops at the last message stored
 * when it began. Nothing when the stream is empty or missing.
 */
export async function scanStream(
  bus: Bus,
  stream: string,
  from: {
    readonly sinceMs?: number;
    /** Stop at the first message stored after this time (epoch ms). */
    readonly untilMs?: number;
    /** Headers without the bodies. */
    readonly headersOnly?: boolean;
  },
  /** Returns false to stop reading. */
  each: (message: JsMsg) => void | boolean,
): Promise<void> {
  const info = await bus.jsm.streams.info(stream).catch(() => null);
  if (info === null || info.state.messages === 0) return;
  const last = info.state.last_seq;
  const untilNanos = from.untilMs === undefined ? undefined : BigInt(Math.floor(from.untilMs)) * 1_000_000n;
  const created = await bus.jsm.consumers.add(stream, {
    ...(from.sinceMs === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(from.sinceMs).toISOString() }),
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(60_000),
    ...(from.headersOnly ? { headers_only: true } : {}),
  });
  try {
    const consumer = await bus.js.consumers.get(stream, created.name);
    let remaining = created.num_pending;
    while (remaining > 0) {
      const messages = await consumer.fetch({ max_messages: Math.min(remaining, 1000), expires: 5000 });
      let got = 0;
      for await (const message of messages) {
        got++;
        if ((untilNanos !== undefined && message.info.timestampNanos > untilNanos) || each(message) === false) {
          remaining = 0;
          messages.stop();
          break;
        }
        remaining = message.seq >= last ? 0 : message.info.pending;
      }
      if (got === 0) break;
    }
  } finally {
    await bus.jsm.consumers.delete(stream, created.name).catch(() => false);
  }
}

// The storage writer: its own durable consumers on RS_EVENTS, RS_DECISIONS, RS_ALERTS and RS_DLQ,
// off the decision path, inserting large batches into ClickHouse and acknowledging only what is
// stored. Reports its lag per table (metrics and status()).
import type { ClickHouseSettings } from '@clickhouse/client';
import { BatchConsumer, PendingLimiter, consumerLag, heldBy, declaredRecords, diskSpaceOf, ensureConsumer, isDiskFullText, oneLine, pendingLimit, type PendingBudget, type Bus, type JsMsg, type Logger, type Metrics, type Names } from '../../core/index.js';
import type { RawTable } from '../schema/tables.js';
import type { SqlClient } from '../sql.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../core/backoff.js';
import { createLineMapper } from './mapping-host.js';
import { createSinks } from './sinks.js';

export type WriterOptions = {
  readonly bus: Bus;
  readonly client: SqlClient;
  readonly names: Names;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Rows per insert (default 5,000). */
  readonly maxBatch?: number;
  /** Insert a partial batch after this long (default 1,000 ms). */
  readonly maxWaitMs?: number;
  /** How often consumer lag is read from JetStream (default 5,000 ms). */
  readonly lagPollMs?: number;
  readonly backoff?: BackoffPolicy;
  /** CLICKHOUSE_CLUSTER: inserts through Distributed tables then wait for the shards (server only). */
  readonly cluster?: string | undefined;
  /**
   * Map events and decisions on the writer's mapping thread (default true; used when running from
   * the compiled build). `fxRates` are the process's USD rate overrides (RISKSTREAM_FX_RATES).
   */
  readonly mappingThread?: boolean;
  readonly fxRates?: Readonly<Record<string, number>>;
  /** RISKSTREAM_RETENTION_DAYS: rows already past it are acknowledged, not inserted (unset: all inserted). */
  readonly retentionDays?: number;
  /**
   * The data folder (RISKSTREAM_DATA_DIR), given on embedded chDB: before each insert into a table
   * with a minute aggregate, the writer records its minutes there for the start-up repair
   * (repairMinuteAggregates with the same folder). Unset: nothing is recorded.
   */
  readonly dataDir?: string | undefined;
};

export type WriterTableStatus = {
  readonly table: RawTable;
  /** Seconds between now and the newest row inserted; 0 when nothing waits; null when unknown. */
  readonly lagSeconds: number | null;
  /** Messages of the stream not yet inserted (pending + delivered and not yet acknowledged); null when unknown. */
  readonly lagMessages: number | null;
  readonly rowsInserted: number;
  readonly duplicatesSkipped: number;
  /** Rows already past the retention when they arrived: acknowledged, not inserted. */
  readonly expired: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly failures: number;
  /** The current back-off after a failure; 0 when healthy. */
  readonly backoffMs: number;
  readonly lastError: string | null;
  /** Since when (epoch ms) every batch for this table has failed; null while inserts succeed. */
  readonly failingSinceMs: number | null;
};

export type WriterStatus = {
  readonly type: 'writer_status';
  readonly running: boolean;
  readonly tables: readonly WriterTableStatus[];
};

export type Writer = {
  start(): Promise<void>;
  /**
   * Stops taking messages, inserts and acknowledges what it holds, then closes its subscriptions
   * and clears the record of the minutes of its inserts (only minutes in doubt stay). Final.
   */
  drain(): Promise<void>;
  status(): WriterStatus;
};

/**
 * What a table's consumer may hold delivered and not yet acknowledged: 4,000 single-row messages,
 * but only as many envelopes as make 50,000 rows, so that a backlog of envelopes cannot fill memory
 * while the writer catches up.
 */
const PENDING: PendingBudget = { maxMessages: 4_000, maxRecords: 50_000, minMessages: 250 };

/** The writer's pending limit (messages) for messages of `rowsPerMessage` rows on average. */
export function pendingLimitFor(rowsPerMessage: number): number {
  return pendingLimit(rowsPerMessage, PENDING);
}

type Lag = { seconds: number | null; messages: number | null };

/** Rows a message brings: an envelope's records, or one. */
function rowsOf(message: JsMsg): number {
  return declaredRecords(message.headers);
}

/**
 * How far a table trails its stream, in seconds. Without a backlog (every message delivered),
 * what waits is in the writer's hands (a batch filling or being inserted): the lag is the age of
 * the oldest of it, by the time the stream stored it, and 0 when it holds nothing. With a backlog,
 * now − the newest row inserted (or the oldest held, if older). (Now − the newest row inserted, alone,
 * overstated a quiet table: an alert every few seconds read as a lag of seconds while it waited
 * the batch's second.) Null when unknown.
 */
export function lagSeconds(undelivered: number, newestInsertedMs: number | null, oldestHeldMs: number | null, now = Date.now()): number | null {
  const age = (ms: number): number => Math.max(0, (now - ms) / 1000);
  if (undelivered === 0) return oldestHeldMs === null ? 0 : age(oldestHeldMs);
  // A backlog: its oldest message is not in hand; the newest row stored is the best known bound.
  const known = [newestInsertedMs, oldestHeldMs].filter((ms): ms is number => ms !== null);
  return known.length === 0 ? null : Math.max(...known.map(age));
}

export function createWriter(options: WriterOptions): Writer {
  const { bus, names, metrics, logger } = options;
  // Large batches: every insert costs chDB a duplicate lookup and a part per table and view, and
  // batches of 1,000 cost a third more CPU per event than batches of 5,000 (measured).
  const maxBatch = options.maxBatch ?? 5000;
  const abort = new AbortController();
  const lineMapper = options.mappingThread === false ? undefined : createLineMapper(options.fxRates ?? {}, logger);
  const sinks = createSinks(names, {
    bus,
    client: options.client,
    database: names.database,
    metrics,
    logger,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    insertSettings: options.cluster ? ({ insert_distributed_sync: 1 } satisfies ClickHouseSettings) : undefined,
    signal: abort.signal,
    ...(lineMapper ? { lineMapper } : {}),
    ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  }, options.dataDir);
  const lags = new Map<RawTable, Lag>(sinks.map((s) => [s.spec.table, { seconds: null, messages: null }]));
  const consumers: BatchConsumer[] = [];
  const held = new Map<RawTable, BatchConsumer>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let drained = false;
  let polling = false;

  const limiters = new Map<RawTable, PendingLimiter>(
    sinks.map((s) => [s.spec.table, new PendingLimiter(bus, s.spec.stream, s.spec.durable, PENDING, logger)]),
  );
  const handled = new Map<RawTable, { messages: number; records: number }>(sinks.map((s) => [s.spec.table, { messages: 0, records: 0 }]));

  /** Sets the consumer's pending limit from the rows per message seen since the last poll. */
  async function resizePending(sink: (typeof sinks)[number]): Promise<void> {
    const seen = handled.get(sink.spec.table)!;
    const limiter = limiters.get(sink.spec.table)!;
    limiter.count(sink.counters.messagesHandled - seen.messages, sink.counters.recordsHandled - seen.records);
    seen.messages = sink.counters.messagesHandled;
    seen.records = sink.counters.recordsHandled;
    await limiter.resize();
  }

  async function pollLag(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      // Embedded chDB's disk: once full every insert fails; the gauge lets an alert fire before that.
      const space = options.dataDir === undefined ? null : diskSpaceOf(options.dataDir);
      if (space !== null) metrics.dataDirFreeBytes.set({ path: space.path }, space.freeBytes);
      await Promise.all(
        sinks.map(async (sink) => {
          const { table, stream, durable } = sink.spec;
          const since = sink.counters.failingSinceMs;
          metrics.writerFailingSeconds.set({ table }, since === null ? 0 : Math.max(0, (Date.now() - since) / 1000));
          const lag = await consumerLag(bus, stream, durable);
          const entry = lags.get(table)!;
          if (lag === null) return;
          entry.messages = lag.pending + lag.ackPending;
          entry.seconds = lagSeconds(lag.pending, sink.counters.newestMs, held.get(table)?.oldestHeldMs() ?? null);
          metrics.writerLagMessages.set({ table }, entry.messages);
          if (entry.seconds !== null) metrics.writerLagSeconds.set({ table }, entry.seconds);
          await resizePending(sink);
        }),
      );
    } catch (error) {
      logger.debug({ err: error }, 'writer lag poll failed');
    } finally {
      polling = false;
    }
  }

  return {
    async start() {
      if (running) return;
      // The abort signal that cuts back-off pauses short is spent by drain(): a restart would retry without pausing.
      if (drained) throw new Error('a drained writer cannot start again; create a new one');
      running = true;
      for (const sink of sinks) {
        const spec = {
          stream: sink.spec.stream,
          durable: sink.spec.durable,
          // A batch may wait a second to fill, queue behind one in back-off, then insert.
          ackWaitMs: 60_000,
          // Messages, not rows: envelopes hold many rows, and what is delivered must be inserted
          // within the ack wait (or it is delivered again) and held in memory until then. With
          // envelopes of 64, 4,000 messages are 256,000 rows; single-event messages still make
          // batches of 2,000 rows (maxMessages below).
          maxAckPending: PENDING.maxMessages,
        };
        const consumer = await ensureConsumer(bus, spec);
        // After a kill under a backlog the dead process's deliveries fill the limit until they time out.
        await limiters
          .get(sink.spec.table)!
          .allowHeld(spec.ackWaitMs + 10_000)
          .catch((error: unknown) => logger.warn({ err: error, table: sink.spec.table }, 'could not look for deliveries held by earlier processes'));
        // The dead letters the dead process published for them, if they may be older than the duplicate window when they come back.
        if (sink.spec.deadLetterRefusals) {
          await heldBy(bus, spec.stream, spec.durable)
            .then((held) => sink.published.lookBack(bus, [bus.names.streams.dlq], held, spec.ackWaitMs + 10_000, logger))
            .catch((error: unknown) =>
              logger.warn({ err: error, table: sink.spec.table }, 'could not read back the dead letters an earlier process published: ones it published more than 2 minutes ago may be published again'),
            );
        }
        const batches = new BatchConsumer(consumer, sink.handle, {
          maxBatch,
          maxWaitMs: options.maxWaitMs ?? 1000,
          // One batch at a time per table: the dedup check must see the previous batch's rows.
          concurrency: 1,
          weightOf: rowsOf,
          maxMessages: PENDING.maxMessages / 2,
          logger,
          recreate: () => ensureConsumer(bus, spec),
          ackWaitMs: spec.ackWaitMs,
        });
        await batches.start();
        consumers.push(batches);
        held.set(sink.spec.table, batches);
      }
      timer = setInterval(() => void pollLag(), options.lagPollMs ?? 5000);
      timer.unref();
      void pollLag();
    },

    async drain() {
      drained = true;
      if (timer) clearInterval(timer);
      abort.abort();
      await Promise.all(consumers.splice(0).map((c) => c.drain()));
      // Every insert has ended: the next start need not compare their minutes (inflight-minutes.ts).
      await Promise.all(sinks.map((sink) => sink.stopped()));
      await lineMapper?.close();
      running = false;
    },

    status(): WriterStatus {
      return {
        type: 'writer_status',
        running,
        tables: sinks.map((sink) => {
          const lag = lags.get(sink.spec.table)!;
          const c = sink.counters;
          return {
            table: sink.spec.table,
            lagSeconds: lag.seconds,
            lagMessages: lag.messages,
            rowsInserted: c.rowsInserted,
            duplicatesSkipped: c.duplicatesSkipped,
            expired: c.expired,
            deadLettered: c.deadLettered,
            dropped: c.dropped,
            failures: c.failures,
            backoffMs: c.backoffMs,
            lastError: c.lastError,
            failingSinceMs: c.failingSinceMs,
          };
        }),
      };
    },
  };
}

/** How long inserts may fail before the writer counts as unhealthy: a few back-offs, not a blip. */
export const WRITER_FAILING_AFTER_MS = 30_000;

/**
 * What is wrong with storage, for `/healthz`: the tables whose every insert has failed for at
 * least `afterMs`, how long, and ClickHouse's last answer; null when inserts succeed (or have
 * failed only briefly). ClickHouse can answer pings while refusing every insert (disk full, too
 * many parts): decisions carry on, rows wait on the streams.
 */
export function writerProblem(status: WriterStatus, nowMs: number, afterMs = WRITER_FAILING_AFTER_MS): string | null {
  const failing = status.tables.filter((t) => t.failingSinceMs !== null && nowMs - t.failingSinceMs >= afterMs);
  if (failing.length === 0) return null;
  const longest = Math.max(...failing.map((t) => nowMs - t.failingSinceMs!));
  const tables = failing.map((t) => t.table).join(', ');
  const last = failing.find((t) => t.lastError !== null)?.lastError ?? 'no error text';
  // A full disk is the usual cause of an outage that lasts: named, with what to do, before ClickHouse's words.
  const disk = isDiskFullText(last) ? "; ClickHouse's disk is full: free space on it (with embedded chDB, the data folder's), and what waits is stored" : '';
  return `inserts into ${tables} failing for ${Math.round(longest / 1000)} s; rows wait on the streams${disk}; last error: ${oneLine(last, 300)}`;
}

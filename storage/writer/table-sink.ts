// One raw table's side of the writer: takes a batch of messages from its durable consumer, maps
// them to rows, drops what is already stored, inserts, and only then acknowledges. Failures are
// data (status, metrics), never exceptions: the batch is nak'ed with a growing delay.
import type { ClickHouseSettings } from '@clickhouse/client';
import { PublishedOutputs, diskSpaceOf, expiredMinuteAt, ingestTsOf, isDiskFullText, isEnvelope, splitEnvelope, type Bus, type ErrorCode, type JsMsg, type Logger, type Metrics } from '../../core/index.js';
import { MINUTE_RETENTION_DAYS, type RawTable } from '../schema/tables.js';
import type { SqlClient } from '../sql.js';
import { Backoff, pause, type BackoffPolicy } from '../../core/backoff.js';
import { insertRows, storedKeys, type BatchTarget, type KeyedRow, type KeyProbe, type RejectedRow } from './batch-insert.js';
import { deadLetterIdOf, publishDeadLetters, type RecordSource, type Refusal } from './dead-letter.js';
import type { InflightMinutes } from './inflight-minutes.js';
import { InsertFailureLog, insertFailureText, type InsertFailureReport, type InsertTarget } from './insert-failure-log.js';
import { repairAggregateMinutes } from './repair-aggregates.js';
import { prepareRow, type LineTable, type PreparedRow, type RowSpec } from './line-tables.js';
import type { LineMapper } from './mapping-host.js';
import type { WireMessage } from './rows/row-outcome.js';
import type { RowEncoding } from './rows/tsv.js';

export type SinkSpec<R> = RowSpec<R> & {
  readonly table: RawTable;
  readonly stream: string;
  readonly durable: string;
  /**
   * Set for events and decisions: their records are mapped through the writer's line mapper (the
   * mapping thread), which hands back each row already written as its TabSeparated line.
   */
  readonly lines?: LineTable;
  /** False for the dead-letter table itself: a bad dead letter is dropped, never re-published (no loop). */
  readonly deadLetterRefusals: boolean;
};

export type SinkDeps = {
  readonly bus: Bus;
  readonly client: SqlClient;
  readonly database: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly backoff: BackoffPolicy;
  readonly insertSettings: ClickHouseSettings | undefined;
  /** Aborted when the writer drains: cuts a back-off pause short. */
  readonly signal: AbortSignal;
  /** Maps the tables written as lines off the main thread; without it every table maps here. */
  readonly lineMapper?: LineMapper;
  /**
   * The raw tables' retention (RISKSTREAM_RETENTION_DAYS): a row whose event minute is already past
   * it is not inserted, since its TTL would delete it at once. Unset: every row is inserted.
   */
  readonly retentionDays?: number;
  /** Embedded chDB's data folder (RISKSTREAM_DATA_DIR), named with its free space when inserts fail for a full disk; unset for a server. */
  readonly dataDir?: string;
};

/** The codes the writer dead-letters with: a message its rows cannot take, as the processors name it, or a row storage refuses. */
const WRITER_DEAD_LETTER_CODES = ['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT', 'RS_ERR_STORAGE_ROW'] as const satisfies readonly ErrorCode[];

/** What a table's writer has done since start; the lag fields are filled by the writer's poll. */
export type TableSinkCounters = {
  rowsInserted: number;
  duplicatesSkipped: number;
  /** Rows already past the retention when they arrived: acknowledged, not inserted. */
  expired: number;
  deadLettered: number;
  /** Bad dead letters (dead_letters table only): dropped and logged. */
  dropped: number;
  failures: number;
  backoffMs: number;
  lastError: string | null;
  /** Since when (epoch ms) every batch has failed: the first failure after the last success; null while inserts succeed. */
  failingSinceMs: number | null;
  /** Recency (epoch ms) of the newest row inserted; null until the first insert. */
  newestMs: number | null;
  /** Batches being handled right now. */
  inFlight: number;
  /** Messages and records (an envelope's rows, else one) handled so far: the writer sizes its pending limit by their ratio. */
  messagesHandled: number;
  recordsHandled: number;
};

type Mapped<R> = KeyedRow<R> & KeyProbe & { readonly recencyMs: number };

/**
 * Mapping a batch is synchronous work: a turn for the event loop every this many rows keeps a
 * 2,000-row batch from delaying decisions and alert delivery (250 showed as ~20 ms more decision
 * p99 at 2,000 events/s than 50, at no measurable CPU cost).
 */
const YIELD_EVERY = 50;

/** A row that is already its TabSeparated line (text, or UTF-8 bytes from the mapping thread). */
function asLine(row: unknown): string | Uint8Array {
  return row as string | Uint8Array;
}

/** How a dead letter names a record of an envelope; nothing for a single message. */
function recordPrefix(source: RecordSource): string {
  return source.index === null ? '' : `record ${source.index + 1} of ${source.of} in the envelope: `;
}

/** The error's message, led by ClickHouse's error name when the message does not carry it (`TOO_MANY_PARTS: Too many parts …`). */
function errorText(error: unknown): string {
  const message = (error as Error | null)?.message ?? String(error);
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.length > 0 && !message.includes(type) ? `${type}: ${message}` : message;
}

const NO_MINUTES: ReadonlySet<number> = new Set();

/** How long after a comparison that failed the minutes in doubt are compared again (after an insert that succeeds). */
const MEND_RETRY_MS = 60_000;

/** The distinct event minutes of the rows. */
function minutesOf(rows: readonly KeyProbe[]): Set<number> {
  const minutes = new Set<number>();
  for (const row of rows) minutes.add(row.minute);
  return minutes;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class TableSink<R> {
  readonly spec: SinkSpec<R>;
  readonly counters: TableSinkCounters = {
    rowsInserted: 0,
    duplicatesSkipped: 0,
    expired: 0,
    deadLettered: 0,
    dropped: 0,
    failures: 0,
    backoffMs: 0,
    lastError: null,
    failingSinceMs: null,
    newestMs: null,
    inFlight: 0,
    messagesHandled: 0,
    recordsHandled: 0,
  };
  private readonly _deps: SinkDeps;
  private readonly _target: BatchTarget;
  /** How rows are encoded for the insert: lines from the mapping thread are inserted as they are. */
  private readonly _encoding: RowEncoding<unknown> | undefined;
  private readonly _backoff: Backoff;
  /** Where the minutes of each insert are recorded before it is made (a table with a minute aggregate, on chDB); else unset. */
  private readonly _inflight: InflightMinutes | undefined;
  /** Not before this (epoch ms) are the minutes in doubt compared again: a comparison that failed is retried once a minute, not every batch. */
  private _mendNotBeforeMs = -Infinity;
  private readonly _failureLog = new InsertFailureLog();
  /** Dead letters an earlier attempt published: not again when the batch is retried or redelivered later than the duplicate window. */
  readonly published = new PublishedOutputs();

  constructor(spec: SinkSpec<R>, deps: SinkDeps, inflight?: InflightMinutes) {
    this.spec = spec;
    this._deps = deps;
    this._inflight = inflight;
    this._target = { client: deps.client, database: deps.database, table: spec.table, insertSettings: deps.insertSettings };
    const encoding = spec.encoding as RowEncoding<unknown> | undefined;
    this._encoding = encoding && spec.lines !== undefined && deps.lineMapper ? { columns: encoding.columns, line: asLine } : encoding;
    this._backoff = new Backoff(deps.backoff);
    this.handle = this.handle.bind(this);
    // at 0 from the start, so that the first failure shows in Prometheus's increase()
    deps.metrics.writerInsertFailures.inc({ table: spec.table }, 0);
    for (const code of WRITER_DEAD_LETTER_CODES) deps.metrics.deadLettered.inc({ source: 'writer', code }, 0);
  }

  /** The BatchConsumer handler. Never throws: it acks, naks or dead-letters every message. */
  async handle(messages: JsMsg[]): Promise<void> {
    this.counters.inFlight++;
    try {
      const inserted = await this._store(messages);
      // Only an insert made tells that inserts work again: a retry whose rows were all stored
      // already (the raw part of an insert whose view part failed on a full disk) makes none, and
      // said "inserts succeed again" and read healthy while the disk was still full.
      if (inserted) {
        this._backoff.reset();
        this.counters.backoffMs = 0;
        this.counters.failingSinceMs = null;
        const recovered = this._failureLog.succeeded();
        if (recovered) this._sayFailure(recovered, null);
      }
      // Between two batches of this table: nothing else inserts into it while its minutes are compared.
      await this._mendAggregate();
    } catch (error) {
      const delay = this._backoff.next();
      this.counters.failures++;
      this.counters.backoffMs = delay;
      this.counters.lastError = errorText(error);
      this.counters.failingSinceMs ??= Date.now();
      this._deps.metrics.writerInsertFailures.inc({ table: this.spec.table });
      const report = this._failureLog.failed(Date.now());
      if (report) this._sayFailure(report, report.first ? error : null, { size: messages.length, retryInMs: delay });
      for (const message of messages) message.nak(delay);
      // Hold this consumer back too: the next queued batch would most likely fail the same way.
      await pause(delay, this._deps.signal);
    } finally {
      this.counters.inFlight--;
    }
  }

  /**
   * The writer drained: no batch of this sink is in flight or will be. Leaves the record of the
   * minutes of its inserts with only those in doubt (none after inserts that all ended well).
   */
  async stopped(): Promise<void> {
    await this._inflight?.stopped();
  }

  /**
   * Logs a report of the insert failure log: the first failure of an outage with the error itself
   * (its stack, for a defect), later ones in a line a minute, the recovery once. A full disk is an
   * error, named with the data folder, its free space and what to do.
   */
  private _sayFailure(report: InsertFailureReport, error: unknown, fields: Record<string, unknown> = {}): void {
    const { table } = this.spec;
    const lastError = this.counters.lastError ?? '';
    const { dataDir } = this._deps;
    const target: InsertTarget = dataDir === undefined ? { kind: 'server' } : { kind: 'chdb', dataDir, space: diskSpaceOf(dataDir) };
    const text = insertFailureText(table, report, lastError, target, Date.now());
    const base = { table, failures: report.failures, failingSinceMs: report.sinceMs, ...fields, ...(error === null ? {} : { err: error }) };
    if (report.type === 'insert_recovered') this._deps.logger.info(base, text);
    else if (isDiskFullText(lastError)) this._deps.logger.error(base, text);
    else this._deps.logger.warn(base, text);
  }

  /**
   * Inserts that failed part-way (a disk that filled, ClickHouse refusing) may have stored their raw
   * rows without their view's, or the reverse; the retry cannot mend the minute aggregate (it finds
   * the rows stored and skips them, or the view counts them again). Once an insert succeeds, their
   * minutes are compared with the stored rows and rebuilt where they differ, so that the dashboard's
   * figures are right without waiting for the next start. Never throws.
   */
  private async _mendAggregate(): Promise<void> {
    const inflight = this._inflight;
    if (inflight === undefined) return;
    const minutes = inflight.inDoubt();
    // Not throttled after a comparison that succeeded: a disk failing and storing by turns tears
    // a minute again seconds later, and the last insert of a backlog may be the last for a while.
    if (minutes.length === 0 || Date.now() < this._mendNotBeforeMs) return;
    const { table } = this.spec;
    const options = { client: this._deps.client, database: this._deps.database, retentionDays: this._deps.retentionDays ?? MINUTE_RETENTION_DAYS, logger: this._deps.logger };
    try {
      const rebuilt = await repairAggregateMinutes(options, table, minutes);
      inflight.mended(minutes);
      if (rebuilt.length > 0) {
        this._deps.logger.warn(
          { table, minutes: rebuilt.length, first: new Date(rebuilt[0]! * 1000).toISOString() },
          `the minute aggregate of ${table} disagreed with the stored rows after failed inserts; rebuilt those minutes from them`,
        );
      }
    } catch (error) {
      this._mendNotBeforeMs = Date.now() + MEND_RETRY_MS;
      this._deps.logger.warn(
        { err: error, table, minutes: minutes.length },
        `could not compare the minutes of failed inserts into ${table} with the stored rows; tried again in a minute, and at the next start`,
      );
    }
  }

  /** Stores a batch; resolves whether it made an insert (false when every row was stored, expired or refused). */
  private async _store(messages: JsMsg[]): Promise<boolean> {
    const { table } = this.spec;
    // Every record of the batch: an envelope's records are rows of their own, a single message is one.
    const records: WireMessage[] = [];
    const sources: RecordSource[] = [];
    for (const message of messages) {
      const ingestTs = ingestTsOf(message);
      if (!isEnvelope(message.headers)) {
        records.push({ subject: message.subject, data: message.data, ingestTs });
        sources.push({ message, index: null, of: 1, data: message.data });
        continue;
      }
      const parts = splitEnvelope(message.data);
      for (let index = 0; index < parts.length; index++) {
        records.push({ subject: message.subject, data: parts[index]!, ingestTs });
        sources.push({ message, index, of: parts.length, data: parts[index]! });
      }
    }

    this.counters.messagesHandled += messages.length;
    this.counters.recordsHandled += records.length;
    const prepared = await this._prepare(records);
    const unique = new Map<string, Mapped<unknown>>();
    const sourceOf = new Map<string, RecordSource>();
    const refusals: Refusal[] = [];
    let duplicates = 0;
    let expired = 0;
    // Rows whose whole event minute is past the retention: the table's TTL would delete them at
    // the next merge, after each had cost a part in its own old partition (a backfill, or the demo's
    // months-old customer history, made chDB create and drop ~90 parts a second).
    const expiredBefore = this._deps.retentionDays === undefined ? -Infinity : expiredMinuteAt(Date.now(), this._deps.retentionDays);
    for (let i = 0; i < prepared.length; i++) {
      const outcome = prepared[i]!;
      const source = sources[i]!;
      if (!outcome.ok) {
        refusals.push({ ...source, code: outcome.code, reason: `${recordPrefix(source)}${outcome.reason}` });
      } else if (outcome.minute <= expiredBefore) {
        expired++;
      } else if (unique.has(outcome.key)) {
        duplicates++; // the same record twice in one batch (re-published, or re-delivered)
      } else {
        unique.set(outcome.key, outcome);
        sourceOf.set(outcome.key, source);
      }
    }

    const stored = await storedKeys(this._target, [...unique.values()]);
    const fresh = [...unique.values()].filter((r) => !stored.has(r.key));
    duplicates += unique.size - fresh.length;

    // Before the insert, its minutes go to the record that the next start's repair reads: a kill
    // between the insert's raw part and its view's part would leave them torn (repair-aggregates.ts).
    const inflight = fresh.length > 0 ? this._inflight : undefined;
    const minutes = inflight ? minutesOf(fresh) : NO_MINUTES;
    if (inflight) await inflight.beforeInsert(minutes);
    const started = performance.now();
    let rejected: RejectedRow<unknown>[];
    try {
      rejected = await insertRows(this._target, fresh, this._encoding);
    } catch (error) {
      // Part of it may be stored (a chunk, a half of a bisection, a raw part without its view's).
      inflight?.insertFailed(minutes);
      throw error;
    }
    if (fresh.length > 0) this._deps.metrics.stageLatency.observe({ stage: 'writer_insert' }, (performance.now() - started) / 1000);
    for (const r of rejected) {
      const source = sourceOf.get(r.row.key)!;
      refusals.push({ ...source, code: 'RS_ERR_STORAGE_ROW', reason: `${recordPrefix(source)}${r.reason}` });
    }

    await this._refuse(refusals);
    for (const message of messages) message.ack();
    if (refusals.length > 0) this.published.forget(refusals.map(deadLetterIdOf));

    const inserted = fresh.length - rejected.length;
    this.counters.rowsInserted += inserted;
    this.counters.duplicatesSkipped += duplicates;
    this.counters.expired += expired;
    if (inserted > 0) this._deps.metrics.writerRows.inc({ table }, inserted);
    if (expired > 0) this._deps.metrics.writerRowsExpired.inc({ table }, expired);
    const rejectedKeys = new Set(rejected.map((r) => r.row.key));
    for (const row of fresh) {
      if (!rejectedKeys.has(row.key) && (this.counters.newestMs === null || row.recencyMs > this.counters.newestMs)) this.counters.newestMs = row.recencyMs;
    }
    return fresh.length > 0;
  }

  /**
   * Maps the records: on the mapping thread for tables written as lines (rows come back as their
   * lines), else here, a turn for the event loop every YIELD_EVERY records.
   */
  private async _prepare(records: readonly WireMessage[]): Promise<ReadonlyArray<PreparedRow<unknown>>> {
    const { lines } = this.spec;
    if (lines !== undefined && this._deps.lineMapper) return this._deps.lineMapper.map(lines, records);
    const out: PreparedRow<unknown>[] = [];
    for (let i = 0; i < records.length; i++) {
      // Let other work on the event loop (the processors' batches, the dashboard) run between slices.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      out.push(prepareRow(this.spec, records[i]!));
    }
    return out;
  }

  private async _refuse(refusals: readonly Refusal[]): Promise<void> {
    if (refusals.length === 0) return;
    if (this.spec.deadLetterRefusals) {
      const skipped = await publishDeadLetters(this._deps.bus, refusals, this.published);
      if (skipped > 0) this._deps.metrics.notRepublished.inc(skipped);
      this.counters.deadLettered += refusals.length;
      for (const r of refusals) this._deps.metrics.deadLettered.inc({ source: 'writer', code: r.code });
      this._deps.logger.warn({ table: this.spec.table, count: refusals.length, first: refusals[0]!.reason }, 'messages sent to the dead-letter stream');
      return;
    }
    this.counters.dropped += refusals.length;
    for (const r of refusals) {
      this._deps.logger.error({ subject: r.message.subject, seq: r.message.seq, index: r.index, code: r.code, reason: r.reason }, 'a dead letter cannot be stored; dropped');
    }
  }
}

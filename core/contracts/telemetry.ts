// Live telemetry on core NATS (not stored, not replayed): each processor publishes what it decided
// in each wall-clock second, and every process publishes a health heartbeat. The dashboard hub merges
// them across processes; nothing else depends on them, so losing one costs a dot on a chart.
import type { Action, Domain, Severity } from './decision.js';
import type { EventKind } from './kinds.js';

/**
 * Upper bounds (ms) of the ingest-to-decision latency buckets of `latencyTotalMs`; its last bucket is
 * everything above 5 s, which `latencyTotalLongMs` splits by KPI_LATENCY_LONG_BOUNDS_MS.
 */
export const KPI_LATENCY_BOUNDS_MS = [1, 2, 3, 5, 7, 10, 15, 20, 25, 35, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000] as const;
/**
 * Upper bounds (ms) of `latencyTotalLongMs`'s buckets: the decisions above the last of
 * KPI_LATENCY_BOUNDS_MS (5 s, a backlog) by how long they took; its last bucket is everything above 300 s.
 */
export const KPI_LATENCY_LONG_BOUNDS_MS = [10_000, 30_000, 60_000, 120_000, 300_000] as const;
/** Score histogram: SCORE_BUCKETS buckets of equal width over 0–1000 (score 1000 falls in the last). */
export const KPI_SCORE_BUCKETS = 20;
/** At most this many country corridors per snapshot (the largest by count; the rest are summed into one row from '' to ''). */
export const KPI_MAX_CORRIDORS = 50;

export type ActionCounts = Readonly<Record<Action, number>>;

/** Decisions of one event kind in one second. Amounts are USD cents at the indicative rates. */
export type KindSecond = {
  readonly count: number;
  readonly byAction: ActionCounts;
  readonly amountUsdCents: number;
  readonly blockedUsdCents: number;
};

/** Money moving from the payer's country to the payee's, in one second. */
export type CorridorSecond = {
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly amountUsdCents: number;
  readonly alerts: number;
};

/** What one processor decided during one wall-clock second (by decision time). */
export type KpiSecondWire = {
  readonly v: 1;
  readonly procId: string;
  /** Start of the second, epoch ms (a multiple of 1000). */
  readonly second: number;
  readonly decisions: number;
  readonly byAction: ActionCounts;
  readonly byKind: Partial<Readonly<Record<EventKind, KindSecond>>>;
  readonly amountUsdCents: number;
  readonly blockedUsdCents: number;
  /** Counts per bucket of KPI_LATENCY_BOUNDS_MS (length bounds + 1); decisions without an ingest time are not counted. */
  readonly latencyTotalMs: readonly number[];
  /**
   * The decisions of latencyTotalMs's last bucket (above 5 s) per bucket of KPI_LATENCY_LONG_BOUNDS_MS
   * (length bounds + 1), summing to that bucket. A field of its own rather than a longer
   * latencyTotalMs: hubs of earlier releases refuse a latencyTotalMs of another length, and would drop
   * every snapshot of an upgraded processor during a rolling upgrade. Absent from processors of
   * earlier releases, whose decisions above 5 s are known only to be above 5 s.
   */
  readonly latencyTotalLongMs?: readonly number[];
  /** Counts per score bucket (length KPI_SCORE_BUCKETS). */
  readonly scores: readonly number[];
  readonly alerts: number;
  readonly alertsByDomain: Partial<Readonly<Record<Domain, number>>>;
  readonly alertsBySeverity: Partial<Readonly<Record<Severity, number>>>;
  readonly alertsByTypology: Readonly<Record<string, number>>;
  readonly corridors: readonly CorridorSecond[];
};

/** A durable consumer's backlog as seen by one process. */
export type ConsumerLagWire = { readonly name: string; readonly pending: number; readonly ackPending: number };

/**
 * One stage's p50 / p99 (ms): the upper edge of the histogram bucket that holds each (core/metrics.ts's
 * buckets), not a measured value; null when the stage has not run since the previous beat. A quantile
 * in the +Inf bucket has no upper edge: it is sent as the largest finite edge with `p50Beyond` /
 * `p99Beyond` true, as it lies above that edge. The flags are absent otherwise, and from processes
 * older than them (which sent the largest finite edge alone).
 */
export type StageQuantilesWire = {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly p50Beyond?: true;
  readonly p99Beyond?: true;
};

/** One process's heartbeat, every HEALTH_INTERVAL_MS. Counters are totals since the process started. */
export type ProcessHealthWire = {
  readonly v: 1;
  readonly procId: string;
  readonly roles: readonly string[];
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly at: number;
  /** CPU used by the process since the previous heartbeat, percent of one core. */
  readonly cpuPercent: number;
  /**
   * The same by thread group (main, processors, writer_mapping, storage_engine, runtime: see
   * rs_thread_cpu_seconds_total), percent of one core; absent where not measured (not Linux) and
   * from older processes.
   */
  readonly cpuByThread?: Readonly<Record<string, number>>;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay p99 since the previous heartbeat. */
  readonly eventLoopDelayP99Ms: number;
  readonly counters: {
    readonly eventsIn: number;
    readonly eventsRejected: number;
    readonly decisions: number;
    readonly alerts: number;
    readonly deadLettered: number;
    readonly rowsWritten: number;
  };
  /** p50 / p99 per stage of the observations since the previous beat. */
  readonly stages: Readonly<Record<string, StageQuantilesWire>>;
  readonly consumers: readonly ConsumerLagWire[];
  /** Seconds between the newest stored row's event and now, per writer sink; empty when not a writer. */
  readonly writerLagSeconds: Readonly<Record<string, number>>;
  /** Per writer sink, how long every insert has been failing (0 while inserts succeed); absent from processes before it was added. */
  readonly writerFailingSeconds?: Readonly<Record<string, number>>;
  /** Per stream this process watches, its bytes over its byte limit (at 1 it discards its oldest messages, read or not); absent from older processes. */
  readonly streamFill?: Readonly<Record<string, number>>;
  /** Per consumer, messages a full stream discarded before it read them, since the process started; absent from older processes. */
  readonly discardedUnread?: Readonly<Record<string, number>>;
  /** True while this process's HTTP gateway refuses new events because a stream holds too much unread (RS_ERR_INGEST_BACKLOG); absent from older processes. */
  readonly ingestRefusing?: boolean;
  /** Free space (bytes) on the disk of the data folder that embedded chDB stores in, read by this process's writer; absent without one, with a ClickHouse server, or from older processes. */
  readonly dataDirFreeBytes?: number;
};

export const HEALTH_INTERVAL_MS = 2000;

// Every riskstream process says how it is doing every HEALTH_INTERVAL_MS on core NATS: roles, CPU,
// memory, event-loop delay, its counters, per-stage latency since the last beat, consumer lag and
// writer lag, all read from its Prometheus metrics (every thread's). The dashboard's health page merges them;
// a missed beat is data (the page marks the process stale), never an error here.
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { Bus } from './bus.js';
import type { Logger } from './log.js';
import type { MetricsSnapshot } from './metrics.js';
import { HEALTH_INTERVAL_MS, type ConsumerLagWire, type ProcessHealthWire, type StageQuantilesWire } from './contracts/telemetry.js';

/** A process id unique across hosts and restarts, safe as a NATS subject token. */
export function newProcId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export type HeartbeatOptions = {
  readonly bus: Bus;
  /** The process's metrics, merged over its threads (`mergedSnapshot`). */
  readonly snapshot: () => Promise<MetricsSnapshot>;
  readonly procId: string;
  readonly roles: readonly string[];
  readonly logger: Logger;
  readonly intervalMs?: number;
};

export type Heartbeat = { stop(): void; beat(): Promise<ProcessHealthWire> };

type BucketCounts = Map<string, Map<number, number>>;

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { bus, snapshot, procId, roles, logger } = options;
  const startedAt = Date.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastBuckets: BucketCounts = new Map();
  let lastThreadCpu: Record<string, number> = {};

  async function beat(): Promise<ProcessHealthWire> {
    const nowPerf = performance.now();
    const cpu = process.cpuUsage();
    const cpuMicros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    const elapsedMs = nowPerf - lastAt;
    const cpuPercent = elapsedMs > 0 ? (cpuMicros / 1000 / elapsedMs) * 100 : 0;
    lastCpu = cpu;
    lastAt = nowPerf;
    const memory = process.memoryUsage();
    const all = await snapshot();
    const metric = (name: string): MetricJson | undefined => all.find((m) => m.name === name);
    const buckets = bucketCountsOf(metric('rs_stage_latency_seconds'));
    const stages = stageQuantiles(buckets, lastBuckets);
    lastBuckets = buckets;
    const threadCpu = byLabel(metric('rs_thread_cpu_seconds_total'), 'thread');
    // The first beat has nothing to compare with (the totals run from the process's start).
    const cpuByThread = Object.keys(lastThreadCpu).length === 0 ? {} : percentOfCore(threadCpu, lastThreadCpu, elapsedMs / 1000);
    lastThreadCpu = threadCpu;
    const wire: ProcessHealthWire = {
      v: 1,
      procId,
      roles,
      host: hostname(),
      pid: process.pid,
      startedAt,
      at: Date.now(),
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      ...(Object.keys(cpuByThread).length > 0 ? { cpuByThread } : {}),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopDelayP99Ms: Math.round((delay.percentile(99) / 1e6) * 100) / 100,
      counters: {
        eventsIn: sumOf(metric('rs_events_in_total')),
        eventsRejected: sumOf(metric('rs_events_rejected_total')),
        decisions: sumOf(metric('rs_decisions_total')),
        alerts: sumOf(metric('rs_alerts_total')),
        deadLettered: sumOf(metric('rs_dead_lettered_total')),
        rowsWritten: sumOf(metric('rs_writer_rows_total')),
      },
      stages,
      consumers: consumersOf(metric('rs_consumer_lag_messages'), metric('rs_consumer_ack_pending_messages')),
      writerLagSeconds: byLabel(metric('rs_writer_lag_seconds'), 'table'),
      writerFailingSeconds: byLabel(metric('rs_writer_failing_seconds'), 'table'),
      streamFill: byLabel(metric('rs_stream_fill_ratio'), 'stream'),
      discardedUnread: byLabel(metric('rs_stream_discarded_unread_total'), 'consumer'),
      ingestRefusing: sumOf(metric('rs_ingest_refusing')) > 0,
      ...dataDirFree(metric('rs_data_dir_free_bytes')),
    };
    delay.reset();
    return wire;
  }

  const timer = setInterval(() => {
    beat()
      .then((wire) => bus.nc.publish(bus.names.healthSubject(procId), JSON.stringify(wire)))
      .catch((error: unknown) => logger.debug({ err: error }, 'heartbeat not sent'));
  }, options.intervalMs ?? HEALTH_INTERVAL_MS);
  timer.unref();
  return {
    beat,
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}

type MetricJson = MetricsSnapshot[number];

function sumOf(metric: MetricJson | undefined): number {
  return metric ? metric.values.reduce((n, v) => n + v.value, 0) : 0;
}

/**
 * Each thread group's CPU between two readings of rs_thread_cpu_seconds_total, in percent of one
 * core (one decimal); a group first seen now counts from zero. Empty when the metric is absent.
 */
export function percentOfCore(now: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>, elapsedSeconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (!(elapsedSeconds > 0)) return out;
  for (const [thread, seconds] of Object.entries(now)) {
    out[thread] = Math.round(((seconds - (before[thread] ?? 0)) / elapsedSeconds) * 1000) / 10;
  }
  return out;
}

/** The data folder's free space, when this process's writer reads it (one folder per process). */
function dataDirFree(metric: MetricJson | undefined): { dataDirFreeBytes?: number } {
  const value = metric?.values[0]?.value;
  return value === undefined ? {} : { dataDirFreeBytes: value };
}

function byLabel(metric: MetricJson | undefined, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? []) out[String(v.labels[label])] = v.value;
  return out;
}

function consumersOf(lag: MetricJson | undefined, ackPending: MetricJson | undefined): ConsumerLagWire[] {
  const pending = byLabel(ackPending, 'consumer');
  // a lag not known (NaN while its stream could not be read) is left out, not sent as null
  return (lag?.values ?? [])
    .filter((v) => Number.isFinite(v.value))
    .map((v) => ({ name: String(v.labels.consumer), pending: v.value, ackPending: pending[String(v.labels.consumer)] ?? 0 }));
}

/** Cumulative bucket counts per stage: stage -> (upper bound -> count). */
function bucketCountsOf(metric: MetricJson | undefined): BucketCounts {
  const out: BucketCounts = new Map();
  for (const v of metric?.values ?? []) {
    if (!(v as { metricName?: string }).metricName?.endsWith('_bucket')) continue;
    const stage = String(v.labels.stage);
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    let stageBuckets = out.get(stage);
    if (!stageBuckets) out.set(stage, (stageBuckets = new Map()));
    stageBuckets.set(le, v.value);
  }
  return out;
}

/** p50 / p99 (ms) per stage over the observations since the previous beat, from bucket deltas. */
export function stageQuantiles(now: BucketCounts, before: BucketCounts): ProcessHealthWire['stages'] {
  const out: Record<string, StageQuantilesWire> = {};
  for (const [stage, buckets] of now) {
    const previous = before.get(stage);
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    const cumulative = bounds.map((le) => (buckets.get(le) ?? 0) - (previous?.get(le) ?? 0));
    const count = cumulative[cumulative.length - 1] ?? 0;
    const p50 = quantileOf(bounds, cumulative, count, 0.5);
    const p99 = quantileOf(bounds, cumulative, count, 0.99);
    out[stage] = {
      count,
      p50Ms: p50?.ms ?? null,
      p99Ms: p99?.ms ?? null,
      // only when true: the wire of a quantile within the buckets is as it was
      ...(p50?.beyond ? { p50Beyond: true } : {}),
      ...(p99?.beyond ? { p99Beyond: true } : {}),
    };
  }
  return out;
}

/**
 * The upper bound (ms) of the bucket holding the q-quantile. In the +Inf bucket it has none: then the
 * largest finite bound, with `beyond`, as the quantile is above it (not at most it).
 */
function quantileOf(bounds: readonly number[], cumulative: readonly number[], count: number, q: number): { ms: number; beyond: boolean } | null {
  if (count === 0) return null;
  const rank = q * count;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i]! >= rank) {
      const le = bounds[i]!;
      const beyond = !Number.isFinite(le);
      const edge = beyond ? (bounds[i - 1] ?? 0) : le;
      return { ms: Math.round(edge * 1000 * 100) / 100, beyond };
    }
  }
  return null;
}

// Every riskstream process says how it is doing every HEALTH_INTERVAL_MS on core NATS: roles, CPU,
// memory, event-loop delay, its counters, per-stage latency since the last beat, consumer lag and
// writer lag, all read from its own Prometheus registry. The dashboard's health page merges them;
// a missed beat is data (the page marks the process stale), never an error here.
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Bus } from './bus.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { HEALTH_INTERVAL_MS, type ConsumerLagWire, type ProcessHealthWire } from './contracts/telemetry.js';

/** A process id unique across hosts and restarts, safe as a NATS subject token. */
export function newProcId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export type HeartbeatOptions = {
  readonly bus: Bus;
  readonly metrics: Metrics;
  readonly procId: string;
  readonly roles: readonly string[];
  readonly logger: Logger;
  readonly intervalMs?: number;
};

export type Heartbeat = { stop(): void; beat(): Promise<ProcessHealthWire> };

type BucketCounts = Map<string, Map<number, number>>;

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { bus, metrics, procId, roles, logger } = options;
  const startedAt = Date.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastBuckets: BucketCounts = new Map();

  async function beat(): Promise<ProcessHealthWire> {
    const nowPerf = performance.now();
    const cpu = process.cpuUsage();
    const cpuMicros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    const cpuPercent = nowPerf > lastAt ? (cpuMicros / 1000 / (nowPerf - lastAt)) * 100 : 0;
    lastCpu = cpu;
    lastAt = nowPerf;
    const memory = process.memoryUsage();
    const stageMetric = await metrics.stageLatency.get();
    const buckets = bucketCountsOf(stageMetric);
    const stages = stageQuantiles(buckets, lastBuckets);
    lastBuckets = buckets;
    const wire: ProcessHealthWire = {
      v: 1,
      procId,
      roles,
      host: hostname(),
      pid: process.pid,
      startedAt,
      at: Date.now(),
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopDelayP99Ms: Math.round((delay.percentile(99) / 1e6) * 100) / 100,
      counters: {
        eventsIn: sumOf(await metrics.eventsIn.get()),
        eventsRejected: sumOf(await metrics.eventsRejected.get()),
        decisions: sumOf(await metrics.decisions.get()),
        alerts: sumOf(await metrics.alerts.get()),
        deadLettered: sumOf(await metrics.deadLettered.get()),
        rowsWritten: sumOf(await metrics.writerRows.get()),
      },
      stages,
      consumers: consumersOf(await metrics.consumerLag.get(), await metrics.consumerAckPending.get()),
      writerLagSeconds: byLabel(await metrics.writerLagSeconds.get(), 'table'),
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

function sumOf(metric: MetricObjectWithValues<MetricValue<string>>): number {
  return metric.values.reduce((n, v) => n + v.value, 0);
}

function byLabel(metric: MetricObjectWithValues<MetricValue<string>>, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of metric.values) out[String(v.labels[label])] = v.value;
  return out;
}

function consumersOf(
  lag: MetricObjectWithValues<MetricValue<string>>,
  ackPending: MetricObjectWithValues<MetricValue<string>>,
): ConsumerLagWire[] {
  const pending = byLabel(ackPending, 'consumer');
  return lag.values.map((v) => ({ name: String(v.labels.consumer), pending: v.value, ackPending: pending[String(v.labels.consumer)] ?? 0 }));
}

/** Cumulative bucket counts per stage: stage -> (upper bound -> count). */
function bucketCountsOf(metric: MetricObjectWithValues<MetricValue<string>>): BucketCounts {
  const out: BucketCounts = new Map();
  for (const v of metric.values) {
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
  const out: Record<string, { count: number; p50Ms: number | null; p99Ms: number | null }> = {};
  for (const [stage, buckets] of now) {
    const previous = before.get(stage);
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    const cumulative = bounds.map((le) => (buckets.get(le) ?? 0) - (previous?.get(le) ?? 0));
    const count = cumulative[cumulative.length - 1] ?? 0;
    out[stage] = { count, p50Ms: quantileOf(bounds, cumulative, count, 0.5), p99Ms: quantileOf(bounds, cumulative, count, 0.99) };
  }
  return out;
}

/** The upper bound (ms) of the bucket holding the q-quantile; the largest finite bound for +Inf. */
function quantileOf(bounds: readonly number[], cumulative: readonly number[], count: number, q: number): number | null {
  if (count === 0) return null;
  const rank = q * count;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i]! >= rank) {
      const le = bounds[i]!;
      const finite = Number.isFinite(le) ? le : (bounds[i - 1] ?? 0);
      return Math.round(finite * 1000 * 100) / 100;
    }
  }
  return null;
}

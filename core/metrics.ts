// Prometheus metrics shared by every role of a process (served at GET /metrics). A processors
// thread keeps its own registry (without the process-wide defaults) and sends snapshots to the
// main thread, which serves the two merged.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { threadCpuReader } from './thread-cpu.js';

/** Seconds: sub-millisecond stages up to the minutes a backlog or an outage makes an event wait. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * prom-client's defaults that are gauges named like counters (`…_total`), which Prometheus's own
 * checks refuse; their per-type series (`rs_nodejs_active_handles{type}`) stay, and sum to them.
 */
const GAUGES_NAMED_TOTAL = ['rs_nodejs_active_handles_total', 'rs_nodejs_active_requests_total', 'rs_nodejs_active_resources_total'];

export type Metrics = ReturnType<typeof createMetrics>;

/** A registry's metrics as JSON (prom-client's `getMetricsAsJSON`), what threads exchange. */
export type MetricsSnapshot = ReadonlyArray<MetricObjectWithValues<MetricValue<string>>>;

export type MetricsOptions = {
  /** Collect the process metrics (CPU, memory, GC, event loop): once per process, so not in a worker thread. */
  readonly processMetrics?: boolean;
};

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    // rs_process_cpu_seconds_total, rs_process_resident_memory_bytes, rs_nodejs_eventloop_lag_seconds, …
    collectDefaultMetrics({ register: registry, prefix: 'rs_' });
    for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
    registerThreadCpu(registry);
  }
  return {
    registry,
    eventsIn: new Counter({
      name: 'rs_events_in_total',
      help: 'Events accepted onto the bus, by kind and entry point',
      labelNames: ['kind', 'via'] as const,
      registers: [registry],
    }),
    ingestMessageEvents: new Histogram({
      name: 'rs_ingest_message_events',
      help: 'Events per bus message sent by the HTTP gateway (1: alone; more: an envelope of concurrent requests)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    ingestRefusing: new Gauge({
      name: 'rs_ingest_refusing',
      help: '1 while the HTTP gateway refuses new events because a stream holds too much unread (events, decisions or alerts) (RS_ERR_INGEST_BACKLOG), else 0',
      registers: [registry],
    }),
    redisStateLost: new Counter({
      name: 'rs_redis_state_lost_total',
      help: 'Times Redis was found without the namespace\'s state (restarted without persistence, flushed, evicting): features and duplicate checks started again from nothing',
      registers: [registry],
    }),
    ingestUnchecked: new Counter({
      name: 'rs_ingest_unchecked_events_total',
      help: 'Events the HTTP gateway sent or answered without its duplicate check because Redis could not be asked',
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'rs_events_rejected_total',
      help: 'Events refused at ingest, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'rs_decisions_total',
      help: 'Decisions published, by event kind and action',
      labelNames: ['kind', 'action'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'rs_duplicate_events_total',
      help: 'Events the processors saw again in another message (re-sent by their producer) and did not decide twice, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    notRepublished: new Counter({
      name: 'rs_outputs_not_republished_total',
      help: 'Decisions, alerts and dead letters not published again when a message was handled again (processors, writer), because an earlier attempt had published them and the duplicate window might no longer drop the copy',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'rs_alerts_total',
      help: 'Alerts published, by domain and severity',
      labelNames: ['domain', 'severity'] as const,
      registers: [registry],
    }),
    batchFailures: new Counter({
      name: 'rs_processor_batch_failures_total',
      help: 'Micro-batches the processors failed to decide (Redis or NATS refusing) and will retry after a back-off',
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'rs_dead_lettered_total',
      help: 'Messages sent to the dead-letter stream, by source and code',
      labelNames: ['source', 'code'] as const,
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'rs_consumer_lag_messages',
      help: 'Messages of a stream not yet delivered to a durable consumer',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
    consumerAckPending: new Gauge({
      name: 'rs_consumer_ack_pending_messages',
      help: 'Messages delivered to a durable consumer and not yet acknowledged',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
    stageLatency: new Histogram({
      name: 'rs_stage_latency_seconds',
      help: 'Time spent per stage: ingest_publish, batch_features, batch_score, batch_publish, batch_total, ingest_to_decision, writer_insert',
      labelNames: ['stage'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'rs_processor_batch_size',
      help: 'Events per processor micro-batch',
      buckets: [1, 4, 16, 64, 128, 256, 512, 1024],
      registers: [registry],
    }),
    writerRows: new Counter({
      name: 'rs_writer_rows_total',
      help: 'Rows inserted into ClickHouse, by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    writerLagSeconds: new Gauge({
      name: 'rs_writer_lag_seconds',
      help: 'How far storage trails the stream, by table, in seconds: the age of the oldest message the writer holds; with messages not yet delivered to it, since the newest row it inserted (polled every 5 s)',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    writerLagMessages: new Gauge({
      name: 'rs_writer_lag_messages',
      help: 'Messages of a stream not yet inserted by the writer',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    streamFill: new Gauge({
      name: 'rs_stream_fill_ratio',
      help: 'How full a stream is: its bytes over its byte limit (at 1 it discards its oldest messages, read or not)',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    streamDiscardedUnread: new Counter({
      name: 'rs_stream_discarded_unread_total',
      help: 'Messages a full stream discarded before a durable consumer read them (lost to it), by consumer',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
    writerRowsExpired: new Counter({
      name: 'rs_writer_rows_expired_total',
      help: 'Rows not inserted because their event time was already past the retention (their TTL would drop them at once), by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    writerInsertFailures: new Counter({
      name: 'rs_writer_insert_failures_total',
      help: 'Writer batches ClickHouse refused (retried after a back-off), by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    writerFailingSeconds: new Gauge({
      name: 'rs_writer_failing_seconds',
      help: 'How long every insert into a table has been failing (0 while inserts succeed), by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    dataDirFreeBytes: new Gauge({
      name: 'rs_data_dir_free_bytes',
      help: 'Free space on the disk of the data folder (RISKSTREAM_DATA_DIR, its path the label) that embedded chDB stores in, read by the writer every 5 s; absent with a ClickHouse server and in processes without the writer role',
      labelNames: ['path'] as const,
      registers: [registry],
    }),
    wsClients: new Gauge({
      name: 'rs_ws_clients',
      help: 'WebSocket clients connected to the dashboard hub',
      registers: [registry],
    }),
    wsRefused: new Counter({
      name: 'rs_ws_refused_total',
      help: 'Dashboard WebSocket upgrades and sockets refused, by reason: origin (403), unauthenticated (401), protocol (4426), process_full (1013), user_limit (1008), shutting_down (1001)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    wsMessagesSent: new Counter({
      name: 'rs_ws_messages_sent_total',
      help: 'Messages written to dashboard WebSocket clients, by message type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    wsMessagesDropped: new Counter({
      name: 'rs_ws_messages_dropped_total',
      help: 'Messages not sent to a slow dashboard client: alerts and decisions dropped, KPI and health views replaced by newer ones',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    wsAlertsPastRetention: new Counter({
      name: 'rs_ws_alerts_past_retention_total',
      help: 'Alerts not pushed to the dashboard because their event was already past the retention (RISKSTREAM_RETENTION_DAYS): the writer does not store them, so they could not be opened',
      registers: [registry],
    }),
    wsAlertDelivery: new Histogram({
      name: 'rs_ws_alert_delivery_seconds',
      help: 'From an alert being created to its being written to a dashboard WebSocket',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

/**
 * rs_thread_cpu_seconds_total{thread}: the process's CPU by thread group (core/thread-cpu.ts), read
 * from /proc when scraped. Absent where /proc is not (the counter then has no values).
 */
function registerThreadCpu(registry: Registry): void {
  const read = threadCpuReader();
  const exported = new Map<string, number>();
  new Counter({
    name: 'rs_thread_cpu_seconds_total',
    help: 'CPU seconds (user + system) of this process by thread: main, processors, writer_mapping (worker threads), storage_engine (embedded chDB), runtime (V8 garbage collection and compiler helpers, libuv pool)',
    labelNames: ['thread'] as const,
    registers: [registry],
    collect() {
      for (const [thread, seconds] of read()) {
        const delta = seconds - (exported.get(thread) ?? 0);
        if (delta <= 0) continue;
        exported.set(thread, seconds);
        this.inc({ thread }, delta);
      }
    },
  });
}

/**
 * The metrics of this thread merged with snapshots from other threads of the process: counters and
 * histograms summed, gauges summed per label set (each gauge is set in one thread only).
 */
export async function mergedSnapshot(metrics: Metrics, others: readonly MetricsSnapshot[]): Promise<MetricsSnapshot> {
  const own = (await metrics.registry.getMetricsAsJSON()) as MetricsSnapshot;
  if (others.length === 0) return own;
  const merged = AggregatorRegistry.aggregate([own, ...others] as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  return (await merged.getMetricsAsJSON()) as MetricsSnapshot;
}

/** Prometheus text of this thread's metrics and the other threads' snapshots. */
export async function mergedMetricsText(metrics: Metrics, others: readonly MetricsSnapshot[]): Promise<string> {
  if (others.length === 0) return metrics.registry.metrics();
  const own = (await metrics.registry.getMetricsAsJSON()) as MetricsSnapshot;
  return AggregatorRegistry.aggregate([own, ...others] as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
}

// Every stream, subject, consumer, KV bucket, Redis key prefix and ClickHouse database is
// derived from the namespace, so that tests and tenants can run side by side on one server.
import type { EventKind } from './contracts/index.js';

export type Names = {
  readonly namespace: string;
  readonly streams: { readonly events: string; readonly decisions: string; readonly alerts: string; readonly dlq: string };
  readonly subjects: {
    /** Wildcard for every event of every kind. */
    readonly eventsAll: string;
    readonly decisionsAll: string;
    readonly alertsAll: string;
    readonly dlqAll: string;
    readonly status: string;
    /** Wildcard for per-second KPI snapshots and process health heartbeats (core NATS, not stored). */
    readonly telemetryAll: string;
    readonly kpiAll: string;
    readonly healthAll: string;
  };
  readonly consumers: {
    readonly processors: string;
    readonly writerEvents: string;
    readonly writerDecisions: string;
    readonly writerAlerts: string;
    readonly writerDlq: string;
  };
  readonly kv: { readonly cases: string; readonly lists: string; readonly config: string; readonly users: string };
  readonly redisPrefix: string;
  readonly database: string;
  eventSubject(kind: EventKind, partition: number): string;
  /** Where envelopes of events of one kind from any partitions go (docs/events.md, Envelopes). */
  mixedEventSubject(kind: EventKind): string;
  decisionSubject(kind: EventKind): string;
  alertSubject(domain: string): string;
  dlqSubject(source: string): string;
  /** Where one process publishes its per-second KPI snapshot / its health heartbeat. */
  kpiSubject(procId: string): string;
  healthSubject(procId: string): string;
};

/** The partition token of envelopes that group events of several partitions. */
export const MIXED_PARTITION = 'mixed';

/** Kinds with dots (`loan.repayment`) become one subject token (`loan_repayment`). */
export function kindToken(kind: string): string {
  return kind.replace(/\./g, '_');
}

export function names(namespace: string): Names {
  const upper = namespace.toUpperCase();
  return {
    namespace,
    streams: {
      events: `${upper}_EVENTS`,
      decisions: `${upper}_DECISIONS`,
      alerts: `${upper}_ALERTS`,
      dlq: `${upper}_DLQ`,
    },
    subjects: {
      eventsAll: `${namespace}.ev.>`,
      decisionsAll: `${namespace}.dec.>`,
      alertsAll: `${namespace}.alert.>`,
      dlqAll: `${namespace}.dlq.>`,
      status: `${namespace}.status`,
      telemetryAll: `${namespace}.tel.>`,
      kpiAll: `${namespace}.tel.kpi.>`,
      healthAll: `${namespace}.tel.health.>`,
    },
    consumers: {
      processors: 'processors',
      writerEvents: 'writer-events',
      writerDecisions: 'writer-decisions',
      writerAlerts: 'writer-alerts',
      writerDlq: 'writer-dlq',
    },
    kv: { cases: `${namespace}_cases`, lists: `${namespace}_lists`, config: `${namespace}_config`, users: `${namespace}_users` },
    redisPrefix: `${namespace}:`,
    database: namespace,
    eventSubject: (kind, partition) => `${namespace}.ev.${kindToken(kind)}.${partition}`,
    mixedEventSubject: (kind) => `${namespace}.ev.${kindToken(kind)}.${MIXED_PARTITION}`,
    decisionSubject: (kind) => `${namespace}.dec.${kindToken(kind)}`,
    alertSubject: (domain) => `${namespace}.alert.${domain}`,
    dlqSubject: (source) => `${namespace}.dlq.${source}`,
    kpiSubject: (procId) => `${namespace}.tel.kpi.${procId}`,
    healthSubject: (procId) => `${namespace}.tel.health.${procId}`,
  };
}

/** FNV-1a over the key: a stable, cheap partition for an account. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

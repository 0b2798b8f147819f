// Migration 001: the raw tables (events, decisions, alerts, dead letters). ReplacingMergeTree keyed
// by the message id, so that a row stored twice collapses on merge; partitioned by day of event
// time, so that TTL drops whole days and the dedup lookups prune by partition.
import { createTable, retentionTtl, type DdlContext, type TableSpec } from '../ddl.js';
import { AMOUNT_TYPE, RETENTION_COLUMN, USD_TYPE } from '../tables.js';

const TS = "DateTime64(3, 'UTC')";
const LC = 'LowCardinality(String)';
// The insert time on the server; tells a late write from a late event when investigating.
const STORED_AT = `stored_at ${TS} DEFAULT now64(3)`;
const LABELS = `label_patterns Array(${LC})`;

function events(ctx: DdlContext): TableSpec {
  return {
    name: 'events',
    columns: [
      'id String',
      `kind ${LC}`,
      `ts ${TS}`,
      `ingest_ts Nullable(${TS})`,
      STORED_AT,
      'partition_key String',
      'customer_id String',
      'counterparty_account String',
      `type ${LC}`,
      `channel ${LC}`,
      `debtor_country ${LC}`,
      `creditor_country ${LC}`,
      'merchant_id String',
      `mcc ${LC}`,
      'device_id String',
      'ip String',
      `amount ${AMOUNT_TYPE}`,
      'amount_minor Int64',
      `currency ${LC}`,
      `amount_usd ${USD_TYPE}`,
      LABELS,
      'raw String CODEC(ZSTD(3))',
      // Ordered by id for the writer's dedup lookups; account and customer reads use these.
      'INDEX idx_partition_key partition_key TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_customer customer_id TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_ts ts TYPE minmax GRANULARITY 1',
    ],
    engine: 'ReplacingMergeTree',
    partitionBy: 'toDate(ts)',
    orderBy: 'id',
    ttl: retentionTtl(RETENTION_COLUMN.events, ctx.retentionDays),
    shardingKey: 'cityHash64(id)',
  };
}

function decisions(ctx: DdlContext): TableSpec {
  return {
    name: 'decisions',
    columns: [
      'event_id String',
      `event_kind ${LC}`,
      `event_ts ${TS}`,
      `ingest_ts Nullable(${TS})`,
      `decided_at ${TS}`,
      STORED_AT,
      'account_id String',
      'customer_id String',
      'counterparty_id String',
      `segment ${LC}`,
      `amount ${AMOUNT_TYPE}`,
      'amount_minor Int64',
      `currency ${LC}`,
      `amount_usd ${USD_TYPE}`,
      'score UInt16',
      `action ${LC}`,
      // Codes for filtering and counting; the full reasons (scorer, points, text) as JSON.
      `reason_codes Array(${LC})`,
      'reasons String CODEC(ZSTD(3))',
      `models Map(${LC}, String)`,
      `features Map(${LC}, Float64)`,
      'latency_processing_ms Float64',
      'latency_total_ms Nullable(Float64)',
      'has_labels Bool',
      LABELS,
      'label_fraud Nullable(Bool)',
      'label_aml Nullable(Bool)',
      'label_credit Nullable(Bool)',
      'INDEX idx_account account_id TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_customer customer_id TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_decided_at decided_at TYPE minmax GRANULARITY 1',
    ],
    engine: 'ReplacingMergeTree',
    partitionBy: 'toDate(event_ts)',
    orderBy: 'event_id',
    ttl: retentionTtl(RETENTION_COLUMN.decisions, ctx.retentionDays),
    shardingKey: 'cityHash64(event_id)',
  };
}

function alerts(ctx: DdlContext): TableSpec {
  return {
    name: 'alerts',
    columns: [
      'id String',
      'event_id String',
      `event_kind ${LC}`,
      `ts ${TS}`,
      `created_at ${TS}`,
      STORED_AT,
      `domain ${LC}`,
      `typology ${LC}`,
      `severity ${LC}`,
      'score UInt16',
      'account_id String',
      'customer_id String',
      `segment ${LC}`,
      `amount ${AMOUNT_TYPE}`,
      'amount_minor Int64',
      `currency ${LC}`,
      `amount_usd ${USD_TYPE}`,
      `reason_codes Array(${LC})`,
      'reasons String CODEC(ZSTD(3))',
      'INDEX idx_account account_id TYPE bloom_filter(0.01) GRANULARITY 4',
      'INDEX idx_created_at created_at TYPE minmax GRANULARITY 1',
    ],
    engine: 'ReplacingMergeTree',
    partitionBy: 'toDate(ts)',
    orderBy: 'id',
    ttl: retentionTtl(RETENTION_COLUMN.alerts, ctx.retentionDays),
    shardingKey: 'cityHash64(id)',
  };
}

function deadLetters(ctx: DdlContext): TableSpec {
  return {
    name: 'dead_letters',
    columns: [
      // A digest of the dead-letter message: re-deliveries of it share the id.
      'id String',
      `source ${LC}`,
      'subject String',
      'stream_seq Nullable(UInt64)',
      `code ${LC}`,
      'reason String',
      `at ${TS}`,
      STORED_AT,
      'payload String CODEC(ZSTD(3))',
    ],
    engine: 'ReplacingMergeTree',
    partitionBy: 'toYYYYMM(at)',
    orderBy: 'id',
    ttl: retentionTtl(RETENTION_COLUMN.dead_letters, ctx.retentionDays),
    shardingKey: 'cityHash64(id)',
  };
}

export const RAW_TABLE_SPECS = { events, decisions, alerts, dead_letters: deadLetters } as const;

export function rawTables(ctx: DdlContext): string[] {
  return Object.values(RAW_TABLE_SPECS).flatMap((spec) => createTable(ctx, spec(ctx)));
}

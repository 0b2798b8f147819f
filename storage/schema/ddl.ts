// The DDL generator: the same table specs become plain MergeTree tables on one node (chDB or a
// single server), or `ON CLUSTER` Replicated*MergeTree tables behind Distributed tables when
// CLICKHOUSE_CLUSTER is set. Code outside this file always names the logical table (`events`).
import { assertDatabaseName } from '../sql.js';

export type DdlContext = {
  readonly database: string;
  /** Cluster name from CLICKHOUSE_CLUSTER; undefined on one node. */
  readonly cluster?: string | undefined;
  readonly retentionDays: number;
};

export type MergeTreeEngine = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

export type TableSpec = {
  readonly name: string;
  /** Column, index and projection definitions, one per entry. */
  readonly columns: readonly string[];
  readonly engine: MergeTreeEngine;
  readonly partitionBy?: string;
  readonly orderBy: string;
  readonly ttl?: string;
  readonly settings?: string;
  /** Cluster mode: how inserts through the Distributed table spread rows over shards. */
  readonly shardingKey?: string;
  /** Cluster mode: one replica group across every node instead of one per shard (bookkeeping tables). */
  readonly everywhere?: boolean;
};

export type ViewSpec = {
  readonly name: string;
  /** Logical name of the table the view writes into. */
  readonly to: string;
  /** Logical name of the table whose inserts feed the view. */
  readonly from: string;
  /** The SELECT, given the quoted source table (the local table in cluster mode). */
  readonly select: (source: string) => string;
};

const CLUSTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function checkContext(ctx: DdlContext): void {
  assertDatabaseName(ctx.database);
  if (ctx.cluster !== undefined && !CLUSTER_NAME.test(ctx.cluster)) {
    throw new Error(`"${ctx.cluster}" is not a valid ClickHouse cluster name`);
  }
  if (!Number.isInteger(ctx.retentionDays) || ctx.retentionDays < 1) {
    throw new Error(`retentionDays must be a positive integer, not ${ctx.retentionDays}`);
  }
}

function onCluster(ctx: DdlContext): string {
  return ctx.cluster === undefined ? '' : ` ON CLUSTER \`${ctx.cluster}\``;
}

/** The table that holds the rows: the logical name on one node, `<name>_local` on a cluster. */
export function storageTableName(ctx: DdlContext, name: string): string {
  return ctx.cluster === undefined ? name : `${name}_local`;
}

function quoted(ctx: DdlContext, table: string): string {
  return `\`${ctx.database}\`.\`${table}\``;
}

export function createDatabase(ctx: DdlContext): string {
  checkContext(ctx);
  return `CREATE DATABASE IF NOT EXISTS \`${ctx.database}\`${onCluster(ctx)}`;
}

function engineClause(ctx: DdlContext, spec: TableSpec): string {
  if (ctx.cluster === undefined) return spec.engine;
  // {shard} and {replica} are server macros; {database} and {table} expand to the real names, so
  // each namespace gets its own replication path.
  const path = spec.everywhere ? '/clickhouse/tables/all/{database}/{table}' : '/clickhouse/tables/{shard}/{database}/{table}';
  return `Replicated${spec.engine}('${path}', '{replica}')`;
}

/** CREATE statements for one table: the table itself, plus its Distributed face on a cluster. */
export function createTable(ctx: DdlContext, spec: TableSpec): string[] {
  checkContext(ctx);
  // A table replicated everywhere is complete on every node: it needs no Distributed face.
  const local = spec.everywhere ? spec.name : storageTableName(ctx, spec.name);
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${quoted(ctx, local)}${onCluster(ctx)}`,
    '(',
    spec.columns.map((c) => `    ${c}`).join(',\n'),
    ')',
    `ENGINE = ${engineClause(ctx, spec)}`,
  ];
  if (spec.partitionBy) lines.push(`PARTITION BY ${spec.partitionBy}`);
  lines.push(`ORDER BY ${spec.orderBy}`);
  if (spec.ttl) lines.push(`TTL ${spec.ttl}`);
  if (spec.settings) lines.push(`SETTINGS ${spec.settings}`);
  const statements = [lines.join('\n')];
  if (ctx.cluster !== undefined && !spec.everywhere) {
    const key = spec.shardingKey ? `, ${spec.shardingKey}` : '';
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${quoted(ctx, spec.name)}${onCluster(ctx)} AS ${quoted(ctx, local)}\n` +
        `ENGINE = Distributed('${ctx.cluster}', '${ctx.database}', '${local}'${key})`,
    );
  }
  return statements;
}

/**
 * A materialized view from one table into another. On a cluster it reads the local source and
 * writes the local target on every shard, so each shard aggregates the rows it holds and readers
 * merge the states through the Distributed table.
 */
export function createMaterializedView(ctx: DdlContext, spec: ViewSpec): string {
  checkContext(ctx);
  const target = quoted(ctx, storageTableName(ctx, spec.to));
  const source = quoted(ctx, storageTableName(ctx, spec.from));
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${quoted(ctx, spec.name)}${onCluster(ctx)} TO ${target} AS\n${spec.select(source)}`;
}

export type AddColumnsSpec = {
  /** Logical name of the table. */
  readonly table: string;
  /** Column definitions (`name Type [DEFAULT …] [AFTER …]`), each added IF NOT EXISTS, in order. */
  readonly columns: readonly string[];
  /**
   * A new sorting key: the old one with some of the columns added by this same ALTER appended
   * (ClickHouse allows nothing else, and refuses key columns that have a DEFAULT expression).
   * Re-running with the key already in place is accepted, so the statement stays idempotent.
   */
  readonly orderBy?: string;
};

/**
 * ALTER statements adding columns to a table created by an earlier migration (metadata only, no
 * rewrite of the parts). On a cluster the local tables change ON CLUSTER and the Distributed face
 * gets the same columns, so that inserts and reads through it see them; the sorting key is only
 * the local table's business.
 */
export function addColumns(ctx: DdlContext, spec: AddColumnsSpec): string[] {
  checkContext(ctx);
  const add = spec.columns.map((c) => `ADD COLUMN IF NOT EXISTS ${c}`);
  const local = spec.orderBy === undefined ? add : [...add, `MODIFY ORDER BY ${spec.orderBy}`];
  const statements = [`ALTER TABLE ${quoted(ctx, storageTableName(ctx, spec.table))}${onCluster(ctx)}\n    ${local.join(',\n    ')}`];
  if (ctx.cluster !== undefined) statements.push(`ALTER TABLE ${quoted(ctx, spec.table)}${onCluster(ctx)}\n    ${add.join(',\n    ')}`);
  return statements;
}

/**
 * Replaces the SELECT of an existing materialized view in place (`MODIFY QUERY`): the view keeps
 * its name and target (`spec.to` is not changed by this), and inserts after it use the new query.
 * Idempotent: the same query again is accepted.
 */
export function modifyViewQuery(ctx: DdlContext, spec: ViewSpec): string {
  checkContext(ctx);
  const source = quoted(ctx, storageTableName(ctx, spec.from));
  return `ALTER TABLE ${quoted(ctx, spec.name)}${onCluster(ctx)} MODIFY QUERY\n${spec.select(source)}`;
}

/** Changes a table's TTL (retention changed since the table was created). */
export function modifyTtl(ctx: DdlContext, table: string, ttl: string): string {
  checkContext(ctx);
  return `ALTER TABLE ${quoted(ctx, storageTableName(ctx, table))}${onCluster(ctx)} MODIFY TTL ${ttl}`;
}

/** The TTL clause for a raw table, expiring rows retentionDays after the given time column. */
export function retentionTtl(column: string, days: number): string {
  return `toDateTime(${column}) + INTERVAL ${days} DAY`;
}

/**
 * Swaps two tables' names in one atomic step (Atomic databases; chDB and servers default to
 * them). Materialized views resolve their source by name, so after the swap they are fed by
 * inserts into the table now holding the name; the Distributed face of a cluster table likewise
 * points at `<name>_local` by name. On a cluster the local tables swap on every node.
 */
export function exchangeTables(ctx: DdlContext, a: string, b: string): string {
  checkContext(ctx);
  return `EXCHANGE TABLES ${quoted(ctx, storageTableName(ctx, a))} AND ${quoted(ctx, storageTableName(ctx, b))}${onCluster(ctx)}`;
}

/** Drops a table created by createTable: its Distributed face first on a cluster, then the rows. */
export function dropTable(ctx: DdlContext, name: string): string[] {
  checkContext(ctx);
  const local = `DROP TABLE IF EXISTS ${quoted(ctx, storageTableName(ctx, name))}${onCluster(ctx)} SYNC`;
  return ctx.cluster === undefined ? [local] : [`DROP TABLE IF EXISTS ${quoted(ctx, name)}${onCluster(ctx)} SYNC`, local];
}

export type CopyRowsSpec = {
  /** Logical names; on a cluster the copy reads and writes through the Distributed faces. */
  readonly from: string;
  readonly to: string;
  /** Column names, copied by name (never by position: an ALTER may have placed them differently). */
  readonly columns: readonly string[];
  /** A WHERE condition, which may use server-side parameters. */
  readonly where?: string;
};

/**
 * INSERT … SELECT between two tables of one database. INSERT has no ON CLUSTER: on a cluster the
 * rows go through the Distributed tables, synchronously, so that each row lands on the shard its
 * sharding key picks (the same shard as before when both tables shard by the same key).
 */
export function copyRows(ctx: DdlContext, spec: CopyRowsSpec): string {
  checkContext(ctx);
  const columns = spec.columns.join(', ');
  const settings = ctx.cluster === undefined ? '' : ' SETTINGS insert_distributed_sync = 1';
  const where = spec.where === undefined ? '' : `\nWHERE ${spec.where}`;
  return `INSERT INTO ${quoted(ctx, spec.to)} (${columns})${settings}\nSELECT ${columns}\nFROM ${quoted(ctx, spec.from)}${where}`;
}

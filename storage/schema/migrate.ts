// Applies the schema migrations at start-up: creates the namespace's database, runs each version
// not yet recorded in schema_migrations, and brings raw-table TTLs in line with the configured
// retention. Safe to run from several processes at once: every statement is idempotent — except
// 004's one-time table rebuild, which one process must apply first (see that migration).
import type { Logger } from '../../core/index.js';
import { createDatabase, createTable, modifyTtl, retentionTtl, storageTableName, type DdlContext, type TableSpec } from './ddl.js';
import { MIGRATIONS } from './migrations/index.js';
import { MIGRATIONS_TABLE, RAW_TABLES, RETENTION_COLUMN } from './tables.js';
import { dateTime64Text, numberOf, qualified, selectRows, type SqlClient } from '../sql.js';

export type MigrateOptions = {
  readonly database: string;
  readonly cluster?: string | undefined;
  readonly retentionDays: number;
  readonly logger?: Logger;
};

export type MigrateResult = {
  /** Names of the migrations this call applied; empty when the schema was up to date. */
  readonly applied: readonly string[];
  /** Raw tables whose TTL this call changed to the configured retention. */
  readonly retentionUpdated: readonly string[];
};

/** The bookkeeping table; exported so that tests can build a database as an older version left it. */
export const MIGRATIONS_SPEC: TableSpec = {
  name: MIGRATIONS_TABLE,
  columns: ['version UInt32', 'name String', "applied_at DateTime64(3, 'UTC')"],
  // Two processes migrating at once may both record a version; the duplicate collapses.
  engine: 'ReplacingMergeTree',
  orderBy: 'version',
  everywhere: true,
};

export async function migrate(client: SqlClient, options: MigrateOptions): Promise<MigrateResult> {
  const ctx: DdlContext = { database: options.database, cluster: options.cluster, retentionDays: options.retentionDays };
  await client.command({ query: createDatabase(ctx) });
  for (const statement of createTable(ctx, MIGRATIONS_SPEC)) await client.command({ query: statement });

  const done = new Set(
    (await selectRows<{ version: unknown }>(client, `SELECT DISTINCT version FROM ${qualified(ctx.database, MIGRATIONS_TABLE)}`)).map((r) =>
      numberOf(r.version),
    ),
  );
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    if (migration.apply) await migration.apply(client, ctx, options.logger);
    else for (const statement of migration.statements(ctx)) await client.command({ query: statement });
    // Recorded only after every statement succeeded; a failure part-way re-runs the whole version.
    await client.insert({
      table: qualified(ctx.database, MIGRATIONS_TABLE),
      values: [{ version: migration.version, name: migration.name, applied_at: dateTime64Text(Date.now()) }],
      format: 'JSONEachRow',
    });
    applied.push(migration.name);
    options.logger?.info({ migration: migration.name, database: ctx.database }, 'schema migration applied');
  }
  const retentionUpdated = await reconcileRetention(client, ctx, options.logger);
  return { applied, retentionUpdated };
}

const TTL_DAYS = /TTL .*?toIntervalDay\((\d+)\)/;

/** CREATE … IF NOT EXISTS keeps an old TTL; a changed RISKSTREAM_RETENTION_DAYS is applied here. */
async function reconcileRetention(client: SqlClient, ctx: DdlContext, logger: Logger | undefined): Promise<string[]> {
  const updated: string[] = [];
  for (const table of RAW_TABLES) {
    const rows = await selectRows<{ engine_full: string }>(
      client,
      'SELECT engine_full FROM system.tables WHERE database = {database:String} AND name = {name:String}',
      { database: ctx.database, name: storageTableName(ctx, table) },
    );
    const match = TTL_DAYS.exec(rows[0]?.engine_full ?? '');
    if (!match || Number(match[1]) === ctx.retentionDays) continue;
    await client.command({ query: modifyTtl(ctx, table, retentionTtl(RETENTION_COLUMN[table], ctx.retentionDays)) });
    updated.push(table);
    logger?.info({ table, from: Number(match[1]), to: ctx.retentionDays }, 'retention changed');
  }
  return updated;
}

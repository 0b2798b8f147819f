// The public face of storage/: the ClickHouse client factory, migrations, the batched writer and
// the read models. Other folders import from here only.
export { createClickHouse, type ClickHouse, type ClickHouseKind, type ClickHouseOptions } from './clickhouse.js';
export { DataFolderInUseError } from './data-folder-lock.js';
export { migrate, type MigrateOptions, type MigrateResult } from './schema/migrate.js';
export { MIGRATIONS, type Migration } from './schema/migrations/index.js';
export { RAW_TABLES, MINUTE_TABLES, QUANTILE_LEVELS, type RawTable, type MinuteTable } from './schema/tables.js';
export { createWriter, type Writer, type WriterOptions, type WriterStatus, type WriterTableStatus } from './writer/writer.js';
export type { BackoffPolicy } from './writer/backoff.js';
export {
  createReadModels,
  type AlertPage,
  type AlertQuery,
  type AlertReader,
  type DecisionCut,
  type DecisionCuts,
  type DecisionKpi,
  type DecisionReader,
  type KpiQuery,
  type KpiReader,
  type MinuteKpi,
  type Quantiles,
  type ReadModels,
  type RowCounter,
  type StoredAlert,
} from './read-models/index.js';
export type { SqlClient } from './sql.js';

// A chDB database for a storage test, in the harness's data folder and named by its namespace:
// migrated on open, dropped with the harness on close.
import type { Harness } from '../test/harness.js';
import { createClickHouse, type ClickHouse } from './clickhouse.js';
import { migrate } from './schema/migrate.js';

export async function openTestDatabase(h: Harness, retentionDays = 30): Promise<ClickHouse> {
  const ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database });
  await migrate(ch.client, { database: h.names.database, retentionDays });
  return ch;
}

/** Drops the database, closes chDB and cleans the harness up; either may be missing (a set-up that failed). */
export async function closeTestDatabase(h: Harness | undefined, ch: ClickHouse | undefined): Promise<void> {
  if (h && ch) await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${h.names.database}\`` });
  await ch?.close();
  await h?.cleanup();
}

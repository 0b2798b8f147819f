// Migrations against real chDB: applied once, a no-op the second time, retention kept in line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { selectRows } from '../sql.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

const database = `t_migrate_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-migrate-'));
  ch = await createClickHouse({ dataDir, database });
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function tables(): Promise<string[]> {
  const rows = await selectRows<{ name: string }>(ch.client, 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: database });
  return rows.map((r) => r.name);
}

describe('migrate', () => {
  it('migrate - applies every version on an empty database and records it', async () => {
    const result = await migrate(ch.client, { database, retentionDays: 30 });
    expect(result.applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await tables()).toEqual([
      'alerts',
      'alerts_minute',
      'alerts_minute_mv',
      'dead_letters',
      'decisions',
      'decisions_minute',
      'decisions_minute_mv',
      'events',
      'events_minute',
      'events_minute_mv',
      'schema_migrations',
    ]);
    // A new database ends up as an upgraded one (migrate-upgrade.test.ts): the decision minutes cut by channel and country.
    const key = await selectRows<{ sorting_key: string }>(ch.client, "SELECT sorting_key FROM system.tables WHERE database = {db:String} AND name = 'decisions_minute'", { db: database });
    expect(key[0]?.sorting_key).toBe('minute, kind, segment, channel, country');
    const recorded = await selectRows<{ version: number; name: string }>(ch.client, `SELECT version, name FROM \`${database}\`.schema_migrations ORDER BY version`);
    expect(recorded.map((r) => [Number(r.version), r.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('migrate - a second run is a no-op', async () => {
    const before = await tables();
    const result = await migrate(ch.client, { database, retentionDays: 30 });
    expect(result).toEqual({ applied: [], retentionUpdated: [] });
    expect(await tables()).toEqual(before);
    const count = await selectRows<{ n: number }>(ch.client, `SELECT count() AS n FROM \`${database}\`.schema_migrations`);
    expect(Number(count[0]?.n)).toBe(MIGRATIONS.length);
  });

  it('migrate - brings the raw tables to a changed retention, once', async () => {
    const changed = await migrate(ch.client, { database, retentionDays: 7 });
    expect(changed).toEqual({ applied: [], retentionUpdated: ['events', 'decisions', 'alerts', 'dead_letters'] });
    const engine = await selectRows<{ engine_full: string }>(ch.client, 'SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}', {
      db: database,
      t: 'events',
    });
    expect(engine[0]?.engine_full).toContain('toIntervalDay(7)');
    expect((await migrate(ch.client, { database, retentionDays: 7 })).retentionUpdated).toEqual([]);
  });

  it('migrate - re-runs a version whose record is missing without failing (statements are idempotent)', async () => {
    await ch.client.command({ query: `TRUNCATE TABLE \`${database}\`.schema_migrations` });
    const result = await migrate(ch.client, { database, retentionDays: 7 });
    expect(result.applied).toEqual(MIGRATIONS.map((m) => m.name));
  });
});

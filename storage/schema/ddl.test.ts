// The DDL generator as text, on one node and ON CLUSTER (no cluster runs here).
import { describe, expect, it } from 'vitest';
import { addColumns, copyRows, createDatabase, createMaterializedView, createTable, dropTable, exchangeTables, modifyTtl, modifyViewQuery, type DdlContext, type TableSpec } from './ddl.js';
import { MIGRATIONS } from './migrations/index.js';
import { rebuildPlan } from './migrations/004_minute_sorted_raw_tables.js';

const single: DdlContext = { database: 'rs', retentionDays: 30 };
const cluster: DdlContext = { database: 'rs', cluster: 'risk', retentionDays: 30 };

const spec: TableSpec = {
  name: 'events',
  columns: ['id String', "ts DateTime64(3, 'UTC')"],
  engine: 'ReplacingMergeTree',
  partitionBy: 'toDate(ts)',
  orderBy: 'id',
  ttl: 'toDateTime(ts) + INTERVAL 30 DAY',
  shardingKey: 'cityHash64(id)',
};

describe('cluster DDL generator', () => {
  it('ddl - one node: a plain MergeTree table under its logical name', () => {
    expect(createTable(single, spec)).toEqual([
      [
        'CREATE TABLE IF NOT EXISTS `rs`.`events`',
        '(',
        '    id String,',
        "    ts DateTime64(3, 'UTC')",
        ')',
        'ENGINE = ReplacingMergeTree',
        'PARTITION BY toDate(ts)',
        'ORDER BY id',
        'TTL toDateTime(ts) + INTERVAL 30 DAY',
      ].join('\n'),
    ]);
  });

  it('ddl - cluster: a replicated local table ON CLUSTER plus a Distributed table under the logical name', () => {
    const [local, distributed] = createTable(cluster, spec);
    expect(local).toContain('CREATE TABLE IF NOT EXISTS `rs`.`events_local` ON CLUSTER `risk`');
    expect(local).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
    expect(local).toContain('ORDER BY id');
    expect(distributed).toBe(
      "CREATE TABLE IF NOT EXISTS `rs`.`events` ON CLUSTER `risk` AS `rs`.`events_local`\nENGINE = Distributed('risk', 'rs', 'events_local', cityHash64(id))",
    );
  });

  it('ddl - cluster: a bookkeeping table replicated to every node keeps its name and gets no Distributed face', () => {
    const statements = createTable(cluster, { name: 'schema_migrations', columns: ['version UInt32'], engine: 'ReplacingMergeTree', orderBy: 'version', everywhere: true });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('`rs`.`schema_migrations` ON CLUSTER `risk`');
    expect(statements[0]).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')");
  });

  it('ddl - cluster: materialized views read and write the local tables on each shard', () => {
    const view = createMaterializedView(cluster, { name: 'events_minute_mv', to: 'events_minute', from: 'events', select: (source) => `SELECT 1 FROM ${source}` });
    expect(view).toBe('CREATE MATERIALIZED VIEW IF NOT EXISTS `rs`.`events_minute_mv` ON CLUSTER `risk` TO `rs`.`events_minute_local` AS\nSELECT 1 FROM `rs`.`events_local`');
  });

  it('ddl - added columns: one ALTER on one node; on a cluster the local tables ON CLUSTER and the Distributed face without the key', () => {
    const spec = { table: 'decisions_minute', columns: ['channel String AFTER segment'], orderBy: '(minute, channel)' };
    expect(addColumns(single, spec)).toEqual(['ALTER TABLE `rs`.`decisions_minute`\n    ADD COLUMN IF NOT EXISTS channel String AFTER segment,\n    MODIFY ORDER BY (minute, channel)']);
    expect(addColumns(cluster, spec)).toEqual([
      'ALTER TABLE `rs`.`decisions_minute_local` ON CLUSTER `risk`\n    ADD COLUMN IF NOT EXISTS channel String AFTER segment,\n    MODIFY ORDER BY (minute, channel)',
      'ALTER TABLE `rs`.`decisions_minute` ON CLUSTER `risk`\n    ADD COLUMN IF NOT EXISTS channel String AFTER segment',
    ]);
  });

  it('ddl - a view query is replaced in place, reading the local source on a cluster', () => {
    const view = { name: 'decisions_minute_mv', to: 'decisions_minute', from: 'decisions', select: (source: string) => `SELECT 1 FROM ${source}` };
    expect(modifyViewQuery(single, view)).toBe('ALTER TABLE `rs`.`decisions_minute_mv` MODIFY QUERY\nSELECT 1 FROM `rs`.`decisions`');
    expect(modifyViewQuery(cluster, view)).toBe('ALTER TABLE `rs`.`decisions_minute_mv` ON CLUSTER `risk` MODIFY QUERY\nSELECT 1 FROM `rs`.`decisions_local`');
  });

  it('ddl - migration 003 on a cluster: new columns on both faces of decisions and decisions_minute, key and view on the shards', () => {
    const statements = MIGRATIONS.find((m) => m.version === 3)!.statements(cluster);
    const altered = statements.map((s) => /^ALTER TABLE `rs`\.`(\w+)`/.exec(s)?.[1]);
    expect(altered).toEqual(['decisions_local', 'decisions', 'decisions_minute_local', 'decisions_minute', 'decisions_minute_mv']);
    expect(statements[0]).toContain("ADD COLUMN IF NOT EXISTS counterparty_country LowCardinality(String) DEFAULT ''");
    expect(statements[2]).toContain('MODIFY ORDER BY (minute, kind, segment, channel, country)');
    expect(statements[3]).not.toContain('ORDER BY');
    expect(statements[4]).toMatch(/MODIFY QUERY\n[\s\S]*FROM `rs`\.`decisions_local` AS d\nGROUP BY minute, kind, segment, channel, country$/);
  });

  it.each([
    [single, 'CREATE DATABASE IF NOT EXISTS `rs`', 'ALTER TABLE `rs`.`events` MODIFY TTL x'],
    [cluster, 'CREATE DATABASE IF NOT EXISTS `rs` ON CLUSTER `risk`', 'ALTER TABLE `rs`.`events_local` ON CLUSTER `risk` MODIFY TTL x'],
  ])('ddl - database and TTL statements follow the mode', (ctx, database, ttl) => {
    expect(createDatabase(ctx)).toBe(database);
    expect(modifyTtl(ctx, 'events', 'x')).toBe(ttl);
  });

  it.each([
    [{ database: 'rs; DROP', retentionDays: 30 }],
    [{ database: 'rs', cluster: "risk'", retentionDays: 30 }],
    [{ database: 'rs', retentionDays: 0 }],
  ])('ddl - refuses identifiers and retention that are not safe to interpolate: %j', (ctx) => {
    expect(() => createDatabase(ctx)).toThrow();
  });

  it('ddl - every migration statement on a cluster is ON CLUSTER and every MergeTree is replicated', () => {
    const statements = MIGRATIONS.flatMap((m) => m.statements(cluster));
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      // INSERT has no ON CLUSTER: 004's copies go through the Distributed faces, synchronously.
      if (statement.startsWith('INSERT INTO')) {
        expect(statement).toContain('SETTINGS insert_distributed_sync = 1');
        continue;
      }
      expect(statement).toContain('ON CLUSTER `risk`');
      const engine = /ENGINE = (\w+)/.exec(statement)?.[1];
      if (engine !== undefined) expect(engine === 'Distributed' || engine.startsWith('Replicated')).toBe(true);
    }
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views).toHaveLength(3);
    for (const view of views) expect(view).toMatch(/TO `rs`\.`\w+_minute_local` AS/);
    for (const view of views) expect(view).toMatch(/FROM `rs`\.`(events|decisions|alerts)_local` AS/);
  });

  it('ddl - raw tables expire after the retention and shard by their id on a cluster', () => {
    const statements = MIGRATIONS[0]!.statements({ ...cluster, retentionDays: 45 });
    const distributed = statements.filter((s) => s.includes('ENGINE = Distributed'));
    expect(distributed.map((s) => /Distributed\('risk', 'rs', '(\w+)', (.+)\)/.exec(s)?.slice(1))).toEqual([
      ['events_local', 'cityHash64(id)'],
      ['decisions_local', 'cityHash64(event_id)'],
      ['alerts_local', 'cityHash64(id)'],
      ['dead_letters_local', 'cityHash64(id)'],
    ]);
    expect(statements.filter((s) => s.includes('INTERVAL 45 DAY'))).toHaveLength(4);
  });

  it('ddl - a table swap, a drop and a copy follow the mode', () => {
    expect(exchangeTables(single, 'events', 'events__v4')).toBe('EXCHANGE TABLES `rs`.`events` AND `rs`.`events__v4`');
    expect(exchangeTables(cluster, 'events', 'events__v4')).toBe('EXCHANGE TABLES `rs`.`events_local` AND `rs`.`events__v4_local` ON CLUSTER `risk`');
    expect(dropTable(single, 'events__v4')).toEqual(['DROP TABLE IF EXISTS `rs`.`events__v4` SYNC']);
    expect(dropTable(cluster, 'events__v4')).toEqual([
      'DROP TABLE IF EXISTS `rs`.`events__v4` ON CLUSTER `risk` SYNC',
      'DROP TABLE IF EXISTS `rs`.`events__v4_local` ON CLUSTER `risk` SYNC',
    ]);
    expect(copyRows(single, { from: 'a', to: 'b', columns: ['id', 'ts'] })).toBe('INSERT INTO `rs`.`b` (id, ts)\nSELECT id, ts\nFROM `rs`.`a`');
    expect(copyRows(cluster, { from: 'a', to: 'b', columns: ['id'], where: 'id != {x:String}' })).toBe(
      'INSERT INTO `rs`.`b` (id) SETTINGS insert_distributed_sync = 1\nSELECT id\nFROM `rs`.`a`\nWHERE id != {x:String}',
    );
  });

  it('ddl - migration 004 on a cluster: builds a replicated minute-sorted table with its Distributed face, copies through them, swaps the local tables', () => {
    const plan = rebuildPlan(cluster, 'decisions');
    expect(plan.create[0]).toBe('DROP TABLE IF EXISTS `rs`.`decisions__v4` ON CLUSTER `risk` SYNC');
    const local = plan.create.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS `rs`.`decisions__v4_local` ON CLUSTER `risk`'))!;
    expect(local).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
    expect(local).toContain('ORDER BY (toStartOfMinute(event_ts), event_id)');
    expect(local).toContain('PARTITION BY toDate(event_ts)');
    // 003's columns in the place its ALTER put them, so that the copy and fresh databases agree.
    expect(local).toMatch(/counterparty_id String,\n\s+channel LowCardinality\(String\) DEFAULT '',\n\s+payment_type/);
    expect(plan.create).toContain(
      "CREATE TABLE IF NOT EXISTS `rs`.`decisions__v4` ON CLUSTER `risk` AS `rs`.`decisions__v4_local`\nENGINE = Distributed('risk', 'rs', 'decisions__v4_local', cityHash64(event_id))",
    );
    expect(plan.copy).toMatch(/^INSERT INTO `rs`\.`decisions__v4` \(event_id, .*counterparty_id, channel, payment_type, country, counterparty_country, segment, .*\) SETTINGS insert_distributed_sync = 1\nSELECT event_id, [^\n]*\nFROM `rs`\.`decisions`$/);
    expect(plan.catchUp('decisions', 'decisions__v4')).toContain('event_id GLOBAL NOT IN (SELECT event_id FROM `rs`.`decisions__v4` WHERE stored_at >= {since:');
    expect(plan.exchange).toBe('EXCHANGE TABLES `rs`.`decisions_local` AND `rs`.`decisions__v4_local` ON CLUSTER `risk`');
    expect(plan.dropOld).toEqual(dropTable(cluster, 'decisions__v4'));
    // decisions.counterparty_id is never filtered by; events.counterparty_account is (payments in).
    expect(local).not.toContain('idx_counterparty');
    expect(rebuildPlan(cluster, 'events').create.join('\n')).toContain('INDEX idx_counterparty counterparty_account TYPE bloom_filter(0.01) GRANULARITY 4');
  });
});

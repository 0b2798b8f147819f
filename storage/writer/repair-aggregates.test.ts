// Repairing minute aggregates torn by an unclean stop, against real chDB: the raw rows are written
// through the real views, then an aggregate is torn the three ways a stop between two part
// commits can tear it, and the repair must bring back exactly what the views had computed.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { CURRENT_MINUTE_VIEWS } from '../schema/migrations/index.js';
import { selectRows, type SqlClient } from '../sql.js';
import { InflightMinutes, inflightPath } from './inflight-minutes.js';
import { checkedSeconds, repairMinuteAggregates } from './repair-aggregates.js';

let h: Harness;
let ch: ClickHouse;
const logger = createLogger('silent');

/** Four whole minutes, an hour ago: M1..M4. And one 40 days ago, beyond a 30-day retention. */
const BASE = Math.floor(Date.now() / 60_000) * 60 - 3600;
const MINUTES = [BASE, BASE + 60, BASE + 120, BASE + 180];
const OLD = BASE - 40 * 86_400;

async function sql(query: string): Promise<void> {
  await ch.client.command({ query: query.replaceAll('{db}', `\`${h.names.database}\``) });
}

async function rows(query: string): Promise<Array<Record<string, unknown>>> {
  return selectRows<Record<string, unknown>>(ch.client, query.replaceAll('{db}', `\`${h.names.database}\``));
}

/** Every aggregate, finalised per minute and dimension: what the dashboard reads. */
async function snapshot(): Promise<string> {
  const events = await rows(
    'SELECT minute, kind, channel, country, sum(events) AS n, toString(sum(amount_usd)) AS usd FROM {db}.events_minute GROUP BY ALL ORDER BY ALL',
  );
  const decisions = await rows(
    'SELECT minute, kind, segment, channel, country, sum(decisions) AS n, sum(blocked) AS blocked, toString(sum(blocked_amount_usd)) AS blocked_usd, ' +
      'quantilesMerge(0.5, 0.9, 0.99)(score_quantiles) AS score, quantilesTDigestMerge(0.5, 0.9, 0.99)(latency_total_ms) AS total_ms ' +
      'FROM {db}.decisions_minute GROUP BY ALL ORDER BY ALL',
  );
  const alerts = await rows('SELECT minute, domain, typology, severity, sum(alerts) AS n FROM {db}.alerts_minute GROUP BY ALL ORDER BY ALL');
  return JSON.stringify({ events, decisions, alerts });
}

beforeAll(async () => {
  h = await createHarness();
  ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database });
  await migrate(ch.client, { database: h.names.database, retentionDays: 30 });
  // 40 rows per table in each of M1..M4 and the old minute, through the views as the writer stores them.
  for (const minute of [...MINUTES, OLD]) {
    await sql(
      `INSERT INTO {db}.events (id, kind, ts, channel, debtor_country, amount_usd) SELECT concat('e-${minute}-', toString(number)), 'payment', ` +
        `toDateTime64(${minute} + number, 3, 'UTC'), ['mobile', 'web'][number % 2 + 1], ['US', 'GB', 'DE'][number % 3 + 1], toDecimal64(number * 3 + 0.25, 2) FROM numbers(40)`,
    );
    await sql(
      `INSERT INTO {db}.decisions (event_id, event_kind, event_ts, decided_at, segment, channel, country, action, score, amount_usd, latency_processing_ms, latency_total_ms) ` +
        `SELECT concat('e-${minute}-', toString(number)), 'payment', toDateTime64(${minute} + number, 3, 'UTC'), toDateTime64(${minute} + number + 1, 3, 'UTC'), ` +
        `['standard', 'vip'][number % 2 + 1], 'mobile', 'US', ['allow', 'review', 'block'][number % 3 + 1], number * 20, toDecimal64(number + 0.5, 2), number / 3, number * 1.5 FROM numbers(40)`,
    );
    await sql(
      `INSERT INTO {db}.alerts (id, event_id, ts, created_at, domain, typology, severity, amount_usd) SELECT concat('a-${minute}-', toString(number)), ` +
        `concat('e-${minute}-', toString(number)), toDateTime64(${minute} + number, 3, 'UTC'), toDateTime64(${minute} + number + 1, 3, 'UTC'), ` +
        `['fraud', 'aml'][number % 2 + 1], 'velocity', 'high', toDecimal64(number, 2) FROM numbers(40)`,
    );
  }
});

afterAll(async () => {
  await ch?.client.command({ query: `DROP DATABASE IF EXISTS \`${h.names.database}\`` });
  await ch?.close();
  await h?.cleanup();
});

const inMinute = (minute: number) => `minute = toDateTime(${minute}, 'UTC')`;

/** What the view would add for the raw rows of one minute, added once more (the view committed twice). */
async function countAgain(table: 'decisions_minute', raw: 'decisions', minute: number): Promise<void> {
  const source = `(SELECT * FROM {db}.${raw} WHERE toStartOfMinute(event_ts) = toDateTime(${minute}, 'UTC'))`;
  const columns = (await rows(`SELECT name FROM system.columns WHERE database = '${h.names.database}' AND table = '${table}' ORDER BY position`)).map((c) => String(c.name));
  await sql(`INSERT INTO {db}.${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM (${CURRENT_MINUTE_VIEWS[table].select(source)})`);
}

describe('repairing minute aggregates', () => {
  it('finds nothing to do when every aggregate agrees with its rows', async () => {
    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(repairs.map((r) => [r.table, r.rebuilt])).toEqual([
      ['events_minute', 0],
      ['decisions_minute', 0],
      ['alerts_minute', 0],
    ]);
    // It looked at the recent minutes only, not at the one beyond the retention.
    expect(repairs.every((r) => r.checked === MINUTES.length)).toBe(true);
  });

  it('rebuilds what the views had computed after a stop tore them', async () => {
    const before = await snapshot();
    const [m1, m2, , m4] = MINUTES as [number, number, number, number];
    // The raw rows committed, the view's rows not: M1 missing from events_minute, M4 from alerts_minute.
    await sql(`DELETE FROM {db}.events_minute WHERE ${inMinute(m1)}`);
    await sql(`DELETE FROM {db}.alerts_minute WHERE ${inMinute(m4)}`);
    // The raw rows redelivered and stored again after the view had counted them: M2 counted twice.
    await countAgain('decisions_minute', 'decisions', m2);
    // A torn minute beyond the retention is left alone: its raw rows may have expired on purpose.
    await sql(`DELETE FROM {db}.events_minute WHERE ${inMinute(OLD)}`);
    expect(await snapshot()).not.toBe(before);

    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(repairs.map((r) => [r.table, r.rebuilt])).toEqual([
      ['events_minute', 1],
      ['decisions_minute', 1],
      ['alerts_minute', 1],
    ]);
    const after = JSON.parse(await snapshot()) as { events: Array<{ minute: string }> };
    const expected = JSON.parse(before) as { events: Array<{ minute: string }> };
    // Identical, dimension by dimension and quantile by quantile, except the old minute, still torn.
    const oldMinute = new Date(OLD * 1000).toISOString().slice(0, 19).replace('T', ' ');
    expect(after).toEqual({ ...expected, events: expected.events.filter((r) => r.minute !== oldMinute) });

    // A second pass finds them whole.
    const again = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(again.every((r) => r.rebuilt === 0)).toBe(true);
  });

  it('leaves alone a minute older than the aggregates keep, whatever the raw retention', async () => {
    expect(checkedSeconds({ retentionDays: 30 })).toBe(30 * 86_400 - 3600);
    expect(checkedSeconds({ retentionDays: 3650 })).toBe(400 * 86_400 - 3600);
    // raw rows 500 days old, kept by a 10-year raw retention; their aggregate is past its own 400 days (the TTL's doing)
    const ancient = BASE - 500 * 86_400;
    await sql(`INSERT INTO {db}.events (id, kind, ts, amount_usd) SELECT concat('ancient-', toString(number)), 'payment', toDateTime64(${ancient} + number, 3, 'UTC'), 1 FROM numbers(3)`);
    await sql(`DELETE FROM {db}.events_minute WHERE ${inMinute(ancient)}`);
    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 3650, logger });
    expect(repairs.find((r) => r.table === 'events_minute')?.rebuilt).toBe(0);
  });

  it('rebuilds a torn minute of the retention\'s last day: its rows have not expired yet', async () => {
    // Backdated events (the demo's history, a replay) stored 29.5 days after their time, torn by a kill.
    const lastDay = Math.floor((Date.now() / 1000 - 29.5 * 86_400) / 60) * 60;
    await sql(`INSERT INTO {db}.events (id, kind, ts, amount_usd) SELECT concat('last-day-', toString(number)), 'payment', toDateTime64(${lastDay} + number, 3, 'UTC'), 1 FROM numbers(3)`);
    await sql(`DELETE FROM {db}.events_minute WHERE ${inMinute(lastDay)}`);
    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(repairs.find((r) => r.table === 'events_minute')?.rebuilt).toBe(1);
    const [row] = await rows(`SELECT sum(events) AS n FROM {db}.events_minute WHERE ${inMinute(lastDay)}`);
    expect(Number(row?.n)).toBe(3);
  });

  it('drops the counts of rows the raw table lost (their insert was the one torn)', async () => {
    const [, , m3] = MINUTES as [number, number, number, number];
    await sql(`DELETE FROM {db}.alerts WHERE toStartOfMinute(ts) = toDateTime(${m3}, 'UTC') AND id LIKE '%-1_'`);
    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(repairs.find((r) => r.table === 'alerts_minute')?.rebuilt).toBe(1);
    const [row] = await rows(`SELECT sum(alerts) AS n FROM {db}.alerts_minute WHERE ${inMinute(m3)}`);
    expect(Number(row?.n)).toBe(30);
  });
});

describe('repairing minute aggregates - the minutes the writer recorded', () => {
  const NOW_MIN = Math.floor(Date.now() / 60_000) * 60;
  /** A minute three hours ago that nothing else writes: late events. */
  const LATE = NOW_MIN - 3 * 3600;
  const lateCount = async (): Promise<number> => Number((await rows(`SELECT sum(events) AS n FROM {db}.events_minute WHERE ${inMinute(LATE)}`))[0]?.n ?? 0);

  it('repairing minute aggregates - a minute whose view part alone committed is found from the record, and its redelivered rows count once', async () => {
    // Traffic now: the raw table's newest parts hold this minute only.
    await sql(
      `INSERT INTO {db}.events (id, kind, ts, amount_usd) SELECT concat('now-', toString(number)), 'payment', toDateTime64(${NOW_MIN} + number, 3, 'UTC'), 1 FROM numbers(10)`,
    );
    // The writer recorded the late batch's minute, then was killed after the view's part of its
    // insert committed and before the raw part did.
    await new InflightMinutes(h.dataDir, h.names.database, 'events', logger).beforeInsert([LATE]);
    await sql(`INSERT INTO {db}.events_minute (minute, kind, channel, country, events, amount_usd) VALUES (toDateTime(${LATE}, 'UTC'), 'payment', '', '', 5, 5)`);

    // The newest parts alone do not name it (the defect).
    const blind = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger });
    expect(blind.find((r) => r.table === 'events_minute')?.rebuilt).toBe(0);
    expect(await lateCount()).toBe(5);

    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger, dataDir: h.dataDir });
    expect(repairs.map((r) => [r.table, r.rebuilt])).toEqual([
      ['events_minute', 1],
      ['decisions_minute', 0],
      ['alerts_minute', 0],
    ]);
    expect(await lateCount()).toBe(0);
    // Repaired, the record is removed: the next start compares only what the writer records anew.
    expect(existsSync(inflightPath(h.dataDir, h.names.database, 'events'))).toBe(false);

    // The writer starts and stores the redelivered batch: counted once.
    await sql(
      `INSERT INTO {db}.events (id, kind, ts, amount_usd) SELECT concat('late-', toString(number)), 'payment', toDateTime64(${LATE} + number, 3, 'UTC'), 1 FROM numbers(5)`,
    );
    expect(await lateCount()).toBe(5);
    const again = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger, dataDir: h.dataDir });
    expect(again.every((r) => r.rebuilt === 0)).toBe(true);
  });

  it('repairing minute aggregates - a record that cannot be read is ignored with a warning: the newest parts are still compared and start-up goes on', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const watching = createLogger('warn', 'test', { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
    const path = inflightPath(h.dataDir, h.names.database, 'decisions');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"v":1,"database":"cut short');
    // A torn minute the newest parts name is still found.
    await sql(`DELETE FROM {db}.events_minute WHERE minute = toDateTime(${NOW_MIN}, 'UTC')`);

    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger: watching, dataDir: h.dataDir });
    expect(repairs.map((r) => [r.table, r.rebuilt])).toEqual([
      ['events_minute', 1],
      ['decisions_minute', 0],
      ['alerts_minute', 0],
    ]);
    expect(warnings.some((w) => w.path === path && String(w.msg).includes('not readable'))).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('repairing minute aggregates - a repair that fails leaves the record for the next start', async () => {
    await new InflightMinutes(h.dataDir, h.names.database, 'alerts', logger).beforeInsert([LATE]);
    const failing: SqlClient = {
      query: (() => Promise.reject(new Error('ClickHouse went away'))) as SqlClient['query'],
      command: ch.client.command.bind(ch.client),
      insert: ch.client.insert.bind(ch.client),
    };
    await expect(repairMinuteAggregates({ client: failing, database: h.names.database, retentionDays: 30, logger, dataDir: h.dataDir })).rejects.toThrow(/went away/);
    expect(existsSync(inflightPath(h.dataDir, h.names.database, 'alerts'))).toBe(true);
    await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger, dataDir: h.dataDir });
    expect(existsSync(inflightPath(h.dataDir, h.names.database, 'alerts'))).toBe(false);
  });
});

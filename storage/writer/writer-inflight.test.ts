// The writer records the minutes of each insert before making it, against real NATS and chDB: the
// client is wrapped to read the record at the moment each insert reaches ClickHouse.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, messageHeaders } from '../../core/index.js';
import { createHarness, eventually, payment, type Harness } from '../../test/harness.js';
import type { ClickHouse } from '../clickhouse.js';
import { closeTestDatabase, openTestDatabase } from '../test-database.js';
import type { RawTable } from '../schema/tables.js';
import { numberOf, selectRows, type SqlClient } from '../sql.js';
import { alert } from '../test-fixtures.js';
import { inflightPath, readInflightMinutes } from './inflight-minutes.js';
import { repairMinuteAggregates } from './repair-aggregates.js';
import { createWriter, type Writer } from './writer.js';

let h: Harness;
let ch: ClickHouse;
let writer: Writer | undefined;
const logger = createLogger('silent');

/** What each insert found recorded when it reached ClickHouse: its table and the record's minutes. */
const seen: Array<{ table: RawTable; recorded: number[] }> = [];

function recordingClient(real: SqlClient): SqlClient {
  return {
    query: real.query.bind(real),
    command: real.command.bind(real),
    insert: (async (params: Parameters<ClickHouseClient['insert']>[0]) => {
      const table = /`([a-z_]+)`$/.exec(params.table)![1] as RawTable;
      seen.push({ table, recorded: table === 'dead_letters' ? [] : readInflightMinutes(h.dataDir, h.names.database, table, logger) });
      return real.insert(params);
    }) as ClickHouseClient['insert'],
  };
}

const NOW = Date.now();
const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60;
/** A late event, three hours old, and one of now: one batch, two minutes. */
const LATE_MS = NOW - 3 * 3600_000;

beforeAll(async () => {
  h = await createHarness();
  ch = await openTestDatabase(h);
});

afterAll(async () => {
  await writer?.drain();
  await closeTestDatabase(h, ch);
});

describe('writer - the minutes of each insert', () => {
  it('writer - records the minutes of a batch in the data folder before inserting it, for the tables with an aggregate', async () => {
    // Left by a process killed while writing it: the writer starts all the same.
    const corrupt = inflightPath(h.dataDir, h.names.database, 'decisions');
    mkdirSync(dirname(corrupt), { recursive: true });
    writeFileSync(corrupt, '{"v":1,"datab');

    // Published before the writer starts, so that they come in one batch per table.
    const js = h.bus.js;
    await js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('wi-late', { ts: new Date(LATE_MS).toISOString() })), { msgID: 'wi-1', headers: messageHeaders() });
    await js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('wi-now', { ts: new Date(NOW).toISOString() })), { msgID: 'wi-2', headers: messageHeaders() });
    await js.publish(h.names.alertSubject('aml'), JSON.stringify(alert({ id: 'wi-al', eventId: 'wi-late', ts: LATE_MS, createdAt: NOW })), { msgID: 'wi-3', headers: messageHeaders() });

    writer = createWriter({ bus: h.bus, client: recordingClient(ch.client), names: h.names, metrics: createMetrics(), logger, maxWaitMs: 100, lagPollMs: 100, retentionDays: 30, mappingThread: false, dataDir: h.dataDir });
    await writer.start();
    await eventually(() => (writer!.status().tables.filter((t) => t.rowsInserted > 0).length === 2 ? true : undefined), 20_000, 'the events and the alert stored');

    // Each insert found its batch's minutes recorded already.
    expect(seen.find((s) => s.table === 'events')?.recorded).toEqual([minuteOf(LATE_MS), minuteOf(NOW)].sort((a, b) => a - b));
    expect(seen.find((s) => s.table === 'alerts')?.recorded).toEqual([minuteOf(LATE_MS)]);
    // No aggregate reads dead letters; nothing inserted into decisions yet, and its unreadable record left as it was.
    expect(existsSync(inflightPath(h.dataDir, h.names.database, 'dead_letters'))).toBe(false);
    expect(readInflightMinutes(h.dataDir, h.names.database, 'decisions', logger)).toEqual([]);

    // After the insert the record stays (one write per insert) while the writer runs: a kill now would leave it for the next start.
    expect(readInflightMinutes(h.dataDir, h.names.database, 'events', logger)).toHaveLength(2);
    // A clean stop (every insert ended) removes it: the next start has none of these minutes to compare.
    await writer.drain();
    writer = undefined;
    for (const table of ['events', 'decisions', 'alerts'] as const) expect(existsSync(inflightPath(h.dataDir, h.names.database, table))).toBe(false);
    // The newest raw parts still name their minutes: the start compares them and finds them whole.
    const repairs = await repairMinuteAggregates({ client: ch.client, database: h.names.database, retentionDays: 30, logger, dataDir: h.dataDir });
    expect(repairs.map((r) => [r.table, r.checked, r.rebuilt])).toEqual([
      ['events_minute', 2, 0],
      ['decisions_minute', 0, 0],
      ['alerts_minute', 1, 0],
    ]);
    for (const table of ['events', 'decisions', 'alerts'] as const) expect(existsSync(inflightPath(h.dataDir, h.names.database, table))).toBe(false);
    const [row] = await selectRows<{ n: unknown }>(ch.client, `SELECT sum(events) AS n FROM \`${h.names.database}\`.events_minute`);
    expect(numberOf(row?.n)).toBe(2);
  });
});

describe('writer - minutes of inserts that failed part-way', () => {
  it('writer - after an insert that stored its raw rows and lost its view\'s, the next insert that succeeds rebuilds the minute, without a restart', async () => {
    const TORN_MS = NOW - 2 * 3600_000;
    const minute = minuteOf(TORN_MS);
    const db = `\`${h.names.database}\``;
    /** Inserts into events torn so far; the next one is torn while tearNext (each torn event's retry finds it stored and inserts nothing). */
    let tears = 0;
    let tearNext = true;
    // The first insert of a torn event is stored, then its minute is taken out of the aggregate and
    // the insert fails: as when the disk fills between the raw part and the view's (NOT_ENOUGH_SPACE
    // "while pushing to view", seen with chDB's folder on a full file system).
    const tearing: SqlClient = {
      query: ch.client.query.bind(ch.client),
      command: ch.client.command.bind(ch.client),
      insert: (async (params: Parameters<ClickHouseClient['insert']>[0]) => {
        const result = await ch.client.insert(params);
        if (tearNext && /`events`$/.test(params.table)) {
          tearNext = false;
          tears++;
          await ch.client.command({ query: `DELETE FROM ${db}.events_minute WHERE minute = toDateTime({m:UInt32}, 'UTC')`, query_params: { m: minute } });
          throw Object.assign(new Error('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space: while pushing to view events_minute_mv. (NOT_ENOUGH_SPACE)'), { type: 'NOT_ENOUGH_SPACE' });
        }
        return result;
      }) as ClickHouseClient['insert'],
    };
    const counted = async (): Promise<number> => {
      const [row] = await selectRows<{ n: unknown }>(ch.client, `SELECT sum(events) AS n FROM ${db}.events_minute WHERE minute = toDateTime({m:UInt32}, 'UTC')`, { m: minute });
      return numberOf(row?.n);
    };

    const metrics = createMetrics();
    const lines: Array<{ level: number; msg: string }> = [];
    const said = createLogger('info', 'riskstream', { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    writer = createWriter({
      bus: h.bus,
      client: tearing,
      names: h.names,
      metrics,
      logger: said,
      maxWaitMs: 100,
      lagPollMs: 100,
      retentionDays: 30,
      mappingThread: false,
      dataDir: h.dataDir,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    await writer.start();
    await h.bus.js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('wi-torn', { ts: new Date(TORN_MS).toISOString() })), { msgID: 'wi-torn', headers: messageHeaders() });
    const events = () => writer!.status().tables.find((t) => t.table === 'events')!;
    await eventually(() => (tears === 1 && events().failures === 1 && events().duplicatesSkipped === 1 ? true : undefined), 20_000, 'the torn insert retried');
    // The retry found the row stored and skipped it: only the comparison can give the minute its count.
    await eventually(async () => ((await counted()) === 1 ? true : undefined), 10_000, 'the torn minute rebuilt by the running writer');
    // A retry that inserted nothing says nothing of whether inserts work: still failing, no recovery said…
    expect(events().failingSinceMs).not.toBeNull();
    expect(lines.filter((l) => l.msg.startsWith('inserts into events succeed again'))).toEqual([]);
    // …until an insert is made.
    await h.bus.js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('wi-after', { ts: new Date(NOW).toISOString() })), { msgID: 'wi-after', headers: messageHeaders() });
    await eventually(() => (events().failingSinceMs === null ? true : undefined), 20_000, 'an insert made after the torn one');
    // The failure said once, as an error naming the data folder and what to do; the recovery once.
    const about = lines.filter((l) => l.msg.startsWith('inserts into events'));
    expect(about.map((l) => l.level)).toEqual([50, 30]);
    expect(about[0]!.msg.startsWith(`inserts into events fail: the disk of the data folder ${h.dataDir} is full (`)).toBe(true);
    expect(about[1]!.msg).toMatch(/^inserts into events succeed again after \d+ s \(1 failed batch\); storing what waited on the stream$/);
    expect(about[0]!.msg).toMatch(/free space there, or move RISKSTREAM_DATA_DIR to a larger disk, and the writer stores them, without a restart\. ClickHouse said: .*NOT_ENOUGH_SPACE/);
    expect(lines.some((l) => l.msg.startsWith('the minute aggregate of events disagreed with the stored rows after failed inserts'))).toBe(true);
    // Torn again seconds later, as a disk at the edge of full does: mended again, not a minute later
    // (the last insert of a backlog may be the last for a while).
    tearNext = true;
    await h.bus.js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('wi-torn-again', { ts: new Date(TORN_MS).toISOString() })), { msgID: 'wi-torn-again', headers: messageHeaders() });
    await eventually(() => (tears === 2 && events().failures === 2 && events().duplicatesSkipped === 2 ? true : undefined), 20_000, 'the second torn insert retried');
    await eventually(async () => ((await counted()) === 2 ? true : undefined), 10_000, 'the minute torn again rebuilt');
    // The data folder's free space, for an alert before the disk is full.
    const freeBytes = async (): Promise<number> =>
      (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rs_data_dir_free_bytes')?.values.find((v) => v.labels.path === h.dataDir)?.value ?? 0;
    expect(await eventually(async () => ((await freeBytes()) > 0 ? true : undefined), 10_000, 'the free space gauge')).toBe(true);
    // Mended: the minute is no longer in doubt, so the record of later inserts and the clean stop drop it.
    await writer.drain();
    writer = undefined;
    expect(existsSync(inflightPath(h.dataDir, h.names.database, 'events'))).toBe(false);
  });
});

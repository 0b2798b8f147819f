// Insert throughput into chDB in batches of 5,000 (a measurement, not a pass/fail bar): run with
// RS_BENCH=1 npx vitest run storage/writer/insert-throughput. Skipped otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, messageHeaders } from '../../core/index.js';
import { createHarness, eventually, payment, type Harness } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { numberOf, selectRows } from '../sql.js';
import { decision } from '../test-fixtures.js';
import { minuteOfTimeText, insertRows, storedKeys, type BatchTarget, type KeyedRow, type KeyProbe } from './batch-insert.js';
import { decisionRow } from './rows/decision-row.js';
import { eventRow } from './rows/event-row.js';
import type { RowOutcome, WireMessage } from './rows/row-outcome.js';
import { createWriter } from './writer.js';

const BATCH = 5000;
const BATCHES = 20;
const enc = new TextEncoder();

/** The event time of an events or decisions row (DateTime64 text). */
function timeOf(row: unknown): string {
  const r = row as { ts?: string; event_ts?: string };
  return r.ts ?? r.event_ts ?? '0';
}

describe.skipIf(!process.env.RS_BENCH)('insert throughput', () => {
  let h: Harness;
  let ch: ClickHouse;
  let dataDir: string;

  beforeAll(async () => {
    h = await createHarness();
    dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-bench-'));
    ch = await createClickHouse({ dataDir, database: h.names.database });
    await migrate(ch.client, { database: h.names.database, retentionDays: 30 });
  });

  afterAll(async () => {
    await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${h.names.database}\`` });
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
    await h.cleanup();
  });

  async function measure<R>(table: 'events' | 'decisions', make: (i: number) => unknown, map: (m: WireMessage) => RowOutcome<R>): Promise<void> {
    const target: BatchTarget = { client: ch.client, database: h.names.database, table, insertSettings: undefined };
    let insertMs = 0;
    let totalMs = 0;
    let cpuMicros = 0;
    for (let b = 0; b < BATCHES; b++) {
      const messages = Array.from({ length: BATCH }, (_, i) => ({ subject: 't.ev.payment.0', data: enc.encode(JSON.stringify(make(b * BATCH + i))), ingestTs: Date.now() }));
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const rows: Array<KeyedRow<R> & KeyProbe> = messages.map((m) => {
        const o = map(m);
        if (!o.ok) throw new Error(o.reason);
        return { key: o.key, row: o.row, partition: '0', minute: minuteOfTimeText(timeOf(o.row)) };
      });
      const stored = await storedKeys(target, rows);
      const beforeInsert = performance.now();
      await insertRows(target, rows.filter((r) => !stored.has(r.key)));
      insertMs += performance.now() - beforeInsert;
      totalMs += performance.now() - started;
      const cpu = process.cpuUsage(cpuStart);
      cpuMicros += cpu.user + cpu.system;
    }
    const n = BATCH * BATCHES;
    console.log(`${table}: ${n} rows in batches of ${BATCH}: insert only ${Math.round(n / (insertMs / 1000))} rows/s; map + dedup check + insert ${Math.round(n / (totalMs / 1000))} rows/s, ${(cpuMicros / n).toFixed(1)} µs CPU per row (this process, chDB threads included)`);
  }

  it('bench - events and decisions into chDB', async () => {
    const ts = new Date().toISOString();
    await measure('events', (i) => payment(`bench-${i}`, { ts, amount: `${i % 1000}.25` }), (m) => eventRow(m));
    await measure('decisions', (i) => decision({ eventId: `bench-${i}`, eventTs: Date.now(), amountMinor: i }), decisionRow);
  }, 300_000);

  it('bench - the writer end to end from RS_EVENTS', async () => {
    const total = 50_000;
    const ts = new Date().toISOString();
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i++) {
      acks.push(h.bus.js.publish(h.names.eventSubject('payment', i % 8), JSON.stringify(payment(`e2e-${i}`, { ts })), { msgID: `e2e-${i}`, headers: messageHeaders(Date.now()) }));
      if (acks.length >= 2000) await Promise.all(acks.splice(0));
    }
    await Promise.all(acks);
    const writer = createWriter({ bus: h.bus, client: ch.client, names: h.names, metrics: createMetrics(), logger: createLogger('silent') });
    const started = performance.now();
    await writer.start();
    await eventually(async () => {
      const rows = await selectRows<{ n: unknown }>(ch.client, `SELECT count() AS n FROM \`${h.names.database}\`.events WHERE id LIKE 'e2e-%'`);
      return numberOf(rows[0]?.n) >= total ? true : undefined;
    }, 240_000, 'all events stored');
    const seconds = (performance.now() - started) / 1000;
    await writer.drain();
    console.log(`writer: ${total} events from RS_EVENTS stored in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s`);
    expect(seconds).toBeGreaterThan(0);
  }, 300_000);
});

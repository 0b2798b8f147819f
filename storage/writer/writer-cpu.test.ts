// The writer's CPU per row, end to end (a measurement, not a pass/fail bar): RS_EVENTS and
// RS_DECISIONS are pre-filled with simulator events and processor-like decisions, then a writer
// stores them all. Run with RS_BENCH=1 npx vitest run storage/writer/writer-cpu; skipped otherwise.
//
// Reported per row (events + decisions rows):
// - main thread: utime + stime of this process's main thread (/proc/self/task/<pid>/stat), i.e.
//   the Node CPU the writer takes from ingest and the processors;
// - process: process.cpuUsage(), which adds chDB's threads (parsing, merges) and libuv/GC threads.
// Pre-filling is outside the measured span. RS_BENCH_ROWS sets the events (default 50,000);
// RS_BENCH_PROFILE=<file> writes a CPU profile of the measured span.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, messageHeaders, validateEvent, type DecisionWire, type EventKind } from '../../core/index.js';
import { createSimulator } from '../../ingest/simulator/index.js';
import { createHarness, eventually, type Harness } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { numberOf, selectRows } from '../sql.js';
import { createWriter } from './writer.js';

const EVENTS = Number(process.env.RS_BENCH_ROWS ?? 50_000);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU of this process's main thread (the event loop), microseconds. */
function mainThreadCpuMicros(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}

const FEATURES = Array.from({ length: 35 }, (_, i) => `feature_${String(i).padStart(2, '0')}`);

/** A decision shaped like the processors' (35 features, two reasons, two models, labels when the event has them). */
function decisionFor(event: ReturnType<typeof validateEvent> & { ok: true }, i: number, now: number): DecisionWire {
  const e = event.event;
  const body = e.body as Record<string, unknown>;
  const debtor = (body.debtor ?? {}) as Record<string, unknown>;
  const creditor = (body.creditor ?? {}) as Record<string, unknown>;
  const features: Record<string, number> = {};
  if (e.kind === 'payment') for (let f = 0; f < FEATURES.length; f++) features[FEATURES[f]!] = f % 3 === 0 ? (i * 7 + f) % 1000 : ((i + f) % 97) / 7;
  const score = (i * 37) % 1001;
  return {
    v: 1,
    eventId: e.id,
    eventKind: e.kind,
    eventTs: e.ts,
    ingestTs: now,
    decidedAt: now + 3,
    accountId: e.partitionKey,
    customerId: e.customerId,
    counterpartyId: typeof creditor.accountId === 'string' ? creditor.accountId : '',
    channel: typeof body.channel === 'string' ? body.channel : '',
    paymentType: e.kind === 'payment' && typeof body.type === 'string' ? body.type : '',
    country: typeof debtor.country === 'string' ? debtor.country : '',
    counterpartyCountry: typeof creditor.country === 'string' ? creditor.country : '',
    segment: (['standard', 'important', 'vip'] as const)[i % 3]!,
    amountMinor: e.amountMinor,
    currency: e.currency,
    score,
    action: score > 800 ? 'block' : score > 500 ? 'review' : 'allow',
    reasons: [
      { code: 'VELOCITY_1H', scorer: 'rules', points: 120, text: 'Many payments from the account in the last hour' },
      { code: 'NEW_PAYEE', scorer: 'rules', points: 80, text: 'First payment to this payee' },
    ],
    models: { rules: 'rules-2026.11', fraud: 'gbm-2026.10.3' },
    features,
    latencyMs: { processing: 1.25 + (i % 10) / 8, total: 4 + (i % 13) },
    ...(e.labels ? { labels: e.labels } : {}),
  } as DecisionWire;
}

describe.skipIf(!process.env.RS_BENCH)('writer CPU per row', () => {
  let h: Harness;
  let ch: ClickHouse;

  beforeAll(async () => {
    h = await createHarness();
    ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database });
    await migrate(ch.client, { database: h.names.database, retentionDays: 3650 });
  }, 120_000);

  afterAll(async () => {
    await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${h.names.database}\`` });
    await ch.close();
    await h.cleanup();
  });

  it('bench - writer CPU per row on pre-filled RS_EVENTS and RS_DECISIONS', async () => {
    const sim = createSimulator({ seed: 7, rate: 10_000, startTs: Date.now() - 600_000 });
    const now = Date.now();
    const acks: Array<Promise<unknown>> = [];
    let skipped = 0;
    for (let i = 0; i < EVENTS; ) {
      const wire = sim.next();
      // The simulator starts by introducing its customers (a third of the first events, with
      // back-dated times); keep one in ten of those so that the mix is mostly payments.
      if (wire.kind === 'customer' && skipped++ % 10 !== 0) continue;
      const checked = validateEvent(wire, undefined, now + 86_400_000);
      if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
      const kind: EventKind = checked.event.kind;
      acks.push(h.bus.js.publish(h.names.eventSubject(kind, i % 8), JSON.stringify(wire), { msgID: checked.event.id, headers: messageHeaders(now) }));
      acks.push(h.bus.js.publish(h.names.decisionSubject(kind), JSON.stringify(decisionFor(checked, i, now)), { msgID: `d:${checked.event.id}` }));
      if (acks.length >= 4000) await Promise.all(acks.splice(0));
      i++;
    }
    await Promise.all(acks);

    const writer = createWriter({ bus: h.bus, client: ch.client, names: h.names, metrics: createMetrics(), logger: createLogger('silent') });
    const count = async (table: string): Promise<number> =>
      numberOf((await selectRows<{ n: unknown }>(ch.client, `SELECT count() AS n FROM \`${h.names.database}\`.${table}`))[0]?.n);
    // RS_BENCH_PROFILE=<file>: a CPU profile of the measured span only (open in Chrome DevTools).
    const profiler = process.env.RS_BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const mainStart = mainThreadCpuMicros();
    const processStart = process.cpuUsage();
    const started = performance.now();
    await writer.start();
    await eventually(async () => {
      const s = writer.status().tables;
      const done = (t: string) => {
        const x = s.find((r) => r.table === t)!;
        return x.rowsInserted + x.duplicatesSkipped + x.deadLettered;
      };
      return done('events') >= EVENTS && done('decisions') >= EVENTS ? true : undefined;
    }, 600_000, 'all rows stored');
    const seconds = (performance.now() - started) / 1000;
    const mainMicros = mainThreadCpuMicros() - mainStart;
    const cpu = process.cpuUsage(processStart);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env.RS_BENCH_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    await writer.drain();
    const rows = 2 * EVENTS;
    const deadLettered = writer.status().tables.reduce((n, t) => n + t.deadLettered, 0);
    console.log(
      `writer: ${EVENTS} events + ${EVENTS} decisions in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s); ` +
        `main thread ${(mainMicros / rows).toFixed(1)} µs CPU per row; process (chDB threads included) ${((cpu.user + cpu.system) / rows).toFixed(1)} µs per row; ` +
        `dead-lettered ${deadLettered}`,
    );
    expect(await count('events')).toBe(EVENTS);
    expect(await count('decisions')).toBe(EVENTS);
  }, 900_000);
});

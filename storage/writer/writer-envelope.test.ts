// The writer and envelopes, against real NATS and chDB: every record of an event or decision
// envelope is a row, a bad record is dead-lettered alone, and records already stored are not
// stored again whichever envelope brings them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BATCH, HEADER_MSG_ID, createLogger, createMetrics, encodeEnvelope, messageHeaders } from '../../core/index.js';
import { createHarness, eventually, payment, type Harness } from '../../test/harness.js';
import type { ClickHouse } from '../clickhouse.js';
import { closeTestDatabase, openTestDatabase } from '../test-database.js';
import { numberOf, selectRows } from '../sql.js';
import { decision } from '../test-fixtures.js';
import { createWriter, pendingLimitFor, type Writer } from './writer.js';

let h: Harness;
let ch: ClickHouse;
let writer: Writer;
let envelopes = 0;

beforeAll(async () => {
  h = await createHarness();
  ch = await openTestDatabase(h);
  writer = createWriter({ bus: h.bus, client: ch.client, names: h.names, metrics: createMetrics(), logger: createLogger('silent'), maxWaitMs: 100, lagPollMs: 100 });
  await writer.start();
});

afterAll(async () => {
  await writer?.drain();
  await closeTestDatabase(h, ch);
});

/** Publishes records as one envelope, with a fresh dedup id each time; resolves with its stream sequence. */
async function publishEnvelope(subject: string, records: readonly unknown[], ingestTs?: number): Promise<number> {
  const headers = messageHeaders(ingestTs);
  headers.set(HEADER_BATCH, String(records.length));
  const lines = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  const ack = await h.bus.publisher.publish(subject, encodeEnvelope(lines), `writer-env-${++envelopes}`, headers);
  return ack.seq;
}

async function rows<T>(sql: string): Promise<T[]> {
  return selectRows<T>(ch.client, sql.replaceAll('{db}', `\`${h.names.database}\``));
}

async function count(table: 'events' | 'decisions' | 'dead_letters'): Promise<number> {
  const [row] = await rows<{ n: unknown }>(`SELECT count() AS n FROM {db}.${table}`);
  return numberOf(row!.n);
}

async function countReaches(table: 'events' | 'decisions' | 'dead_letters', n: number): Promise<void> {
  await eventually(async () => ((await count(table)) >= n ? true : undefined), 15_000, `${n} rows in ${table}`);
}

const sinkStatus = (table: string) => writer.status().tables.find((t) => t.table === table)!;

/** The sink counts a batch just after its rows are visible in ClickHouse: wait for the count to catch up. */
async function counterReaches(table: string, counter: 'rowsInserted' | 'duplicatesSkipped' | 'deadLettered', n: number): Promise<void> {
  await eventually(() => (sinkStatus(table)[counter] >= n ? true : undefined), 15_000, `${counter} of ${table} to reach ${n}`);
}

const now = Date.now();
const EVENTS = ['we-1', 'we-2', 'we-3', 'we-4'].map((id, i) => payment(id, { amount: `${10 + i}.25`, ts: new Date(now - 1000 * i).toISOString() }));
const DECISIONS = ['we-1', 'we-2', 'we-3'].map((eventId) => decision({ eventId, eventTs: now, decidedAt: now + 5 }));

describe('writer - envelopes', () => {
  it('writer - stores every record of an event envelope and of a decision envelope as a row', async () => {
    await publishEnvelope(h.names.eventSubject('payment', 0), EVENTS, now + 1);
    await publishEnvelope(h.names.decisionSubject('payment'), DECISIONS);
    await countReaches('events', 4);
    await countReaches('decisions', 3);
    const events = await rows<{ id: string; amount: string; ingest: unknown }>(
      'SELECT id, toString(amount) AS amount, toUnixTimestamp64Milli(ingest_ts) AS ingest FROM {db}.events ORDER BY id',
    );
    // The envelope's ingest time is every record's.
    expect(events.map((r) => [r.id, r.amount, numberOf(r.ingest)])).toEqual([
      ['we-1', '10.25', now + 1],
      ['we-2', '11.25', now + 1],
      ['we-3', '12.25', now + 1],
      ['we-4', '13.25', now + 1],
    ]);
    expect((await rows<{ event_id: string }>('SELECT event_id FROM {db}.decisions ORDER BY event_id')).map((r) => r.event_id)).toEqual(['we-1', 'we-2', 'we-3']);
    await counterReaches('events', 'rowsInserted', 4);
    await counterReaches('decisions', 'rowsInserted', 3);
    expect(sinkStatus('events')).toMatchObject({ rowsInserted: 4, deadLettered: 0 });
    expect(sinkStatus('decisions')).toMatchObject({ rowsInserted: 3, deadLettered: 0 });
  });

  it('writer - a bad record in an envelope is dead-lettered alone, with its own payload, and the others are stored', async () => {
    const BROKEN = '{"v":1,"kind":"payment","id":"we-broken"';
    const BAD_DECISION = decision({ eventId: 'wd-bad', score: 5000 });
    const eventSeq = await publishEnvelope(h.names.eventSubject('payment', 1), [payment('we-5'), BROKEN, payment('we-6')]);
    const decisionSeq = await publishEnvelope(h.names.decisionSubject('payment'), [decision({ eventId: 'we-5' }), decision({ eventId: 'we-6' }), BAD_DECISION]);
    await countReaches('events', 6);
    await countReaches('decisions', 5);
    await countReaches('dead_letters', 2);

    const letters = await rows<{ code: string; reason: string; source: string; subject: string; stream_seq: unknown; payload: string }>(
      'SELECT code, reason, source, subject, stream_seq, payload FROM {db}.dead_letters ORDER BY subject',
    );
    expect(letters).toHaveLength(2);
    const [decisionLetter, eventLetter] = letters;
    expect(eventLetter).toMatchObject({ source: 'writer', subject: h.names.eventSubject('payment', 1), code: 'RS_ERR_BUS_JSON', payload: BROKEN });
    expect(numberOf(eventLetter!.stream_seq)).toBe(eventSeq);
    expect(eventLetter!.reason).toMatch(/^record 2 of 3 in the envelope: /);
    expect(decisionLetter).toMatchObject({ source: 'writer', subject: h.names.decisionSubject('payment'), code: 'RS_ERR_BUS_SCHEMA', payload: JSON.stringify(BAD_DECISION) });
    expect(numberOf(decisionLetter!.stream_seq)).toBe(decisionSeq);
    expect(decisionLetter!.reason).toMatch(/^record 3 of 3 in the envelope: \/score/);

    expect((await rows<{ id: string }>("SELECT id FROM {db}.events WHERE id IN ('we-5', 'we-6') ORDER BY id")).map((r) => r.id)).toEqual(['we-5', 'we-6']);
    expect((await rows<{ event_id: string }>("SELECT event_id FROM {db}.decisions WHERE event_id IN ('we-5', 'we-6', 'wd-bad') ORDER BY event_id")).map((r) => r.event_id)).toEqual(['we-5', 'we-6']);

    // On the DLQ stream each letter's dedup id names the record's place in its envelope.
    const info = await h.bus.jsm.streams.info(h.names.streams.dlq);
    const ids: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await h.bus.jsm.streams.getMessage(h.names.streams.dlq, { seq });
      if (m) ids.push(m.header.get(HEADER_MSG_ID));
    }
    expect(ids.sort()).toEqual([`writer:${h.names.streams.decisions}:${decisionSeq}:2`, `writer:${h.names.streams.events}:${eventSeq}:1`].sort());
    await counterReaches('events', 'deadLettered', 1);
    await counterReaches('decisions', 'deadLettered', 1);
    expect(sinkStatus('events').deadLettered).toBe(1);
    expect(sinkStatus('decisions').deadLettered).toBe(1);
  });

  it('writer - records already stored add no row when a new envelope brings them again', async () => {
    const eventsBefore = await count('events');
    const decisionsBefore = await count('decisions');
    const skippedBefore = { events: sinkStatus('events').duplicatesSkipped, decisions: sinkStatus('decisions').duplicatesSkipped };
    // The same records in new envelopes (new dedup ids, other grouping), each with one new record.
    await publishEnvelope(h.names.eventSubject('payment', 2), [EVENTS[2], payment('we-new'), EVENTS[0], EVENTS[3], EVENTS[1]]);
    await publishEnvelope(h.names.decisionSubject('payment'), [...DECISIONS, decision({ eventId: 'we-new' })]);
    await countReaches('events', eventsBefore + 1);
    await countReaches('decisions', decisionsBefore + 1);
    await counterReaches('events', 'duplicatesSkipped', skippedBefore.events + 4);
    await counterReaches('decisions', 'duplicatesSkipped', skippedBefore.decisions + 3);
    expect(await count('events')).toBe(eventsBefore + 1);
    expect(await count('decisions')).toBe(decisionsBefore + 1);
    expect((await rows<{ n: unknown }>("SELECT count() AS n FROM {db}.events WHERE id = 'we-2'")).map((r) => numberOf(r.n))).toEqual([1]);
  });

  it('writer - holds fewer envelopes than single messages: the pending limit follows the rows per message', async () => {
    const consumerLimit = async (): Promise<number> => (await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.writerEvents)).config.max_ack_pending ?? -1;
    expect(await consumerLimit()).toBe(pendingLimitFor(1));
    // 120 envelopes of 25 events: 50,000 rows / 25 = 2,000 messages.
    for (let e = 0; e < 120; e++) {
      await publishEnvelope(h.names.eventSubject('payment', 3), Array.from({ length: 25 }, (_, i) => payment(`we-limit-${e}-${i}`)));
    }
    // About 50,000 / 25 (the envelopes of the tests before count into the average too).
    const limit = await eventually(async () => {
      const now = await consumerLimit();
      return now < pendingLimitFor(1) ? now : undefined;
    }, 15_000, 'the pending limit resized');
    expect(limit).toBeGreaterThanOrEqual(1800);
    expect(limit).toBeLessThanOrEqual(2200);
  });
});

describe('writer - pending limit by rows per message', () => {
  it.each([
    [1, 4000],
    [0, 4000],
    [Number.NaN, 4000],
    [12.5, 4000],
    [25, 2000],
    [64, 781],
    [256, 250],
  ])('%s rows per message: at most %s messages pending', (rowsPerMessage, limit) => {
    expect(pendingLimitFor(rowsPerMessage)).toBe(limit);
  });
});

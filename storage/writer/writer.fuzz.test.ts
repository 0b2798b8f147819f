// Property-based test of the writer against the real NATS and chDB: mutated events (single and in
// envelopes, with odd headers), decisions and alerts published straight onto their streams, as a
// producer that bypasses the gateway could. Each record is stored or dead-lettered with its reason;
// no insert fails for a row the mappers accepted, and no consumer stalls.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLag, createLogger, createMetrics, ingestTsFromHeader, messageHeaders, type DeadLetterWire } from '../../core/index.js';
import { FUZZ_SEED, busBytes, busMessage, mutatedText, recordsOnBus, withUniqueIds, type BusMessage, type Json } from '../../test/event-mutations.js';
import { createHarness, eventually, type Harness } from '../../test/harness.js';
import type { ClickHouse } from '../clickhouse.js';
import { closeTestDatabase, openTestDatabase } from '../test-database.js';
import { selectRows } from '../sql.js';
import { alert, decision } from '../test-fixtures.js';
import { prepareRow, EVENT_ROWS, DECISION_ROWS, type RowSpec } from './line-tables.js';
import { alertRow } from './rows/alert-row.js';
import type { WireMessage } from './rows/row-outcome.js';
import { createWriter, type Writer } from './writer.js';

const RETENTION_DAYS = 30;
let h: Harness;
let ch: ClickHouse;
let writer: Writer;

beforeAll(async () => {
  h = await createHarness();
  ch = await openTestDatabase(h, RETENTION_DAYS);
  writer = createWriter({ bus: h.bus, client: ch.client, names: h.names, metrics: createMetrics(), logger: createLogger('silent'), maxWaitMs: 100, lagPollMs: 100, retentionDays: RETENTION_DAYS });
  await writer.start();
});

afterAll(async () => {
  await writer?.drain();
  await closeTestDatabase(h, ch);
});

const ALERT_ROWS: RowSpec<{ ts: string }> = { map: alertRow, partitionOf: () => '', minuteOf: (r) => Number.parseInt(r.ts, 10) - (Number.parseInt(r.ts, 10) % 60) };

/** One record on a stream, and what the writer's own mappers say of it. */
type Sent = { readonly table: 'events' | 'decisions' | 'alerts'; readonly seq: number; readonly index: number; readonly text: string; readonly note: string };

/** What storing a record must give: its key in the table, nothing (past the retention), or a dead letter. */
function expected(spec: RowSpec<unknown>, record: WireMessage): { store: string } | { expired: true } | { refuse: true } {
  const prepared = prepareRow(spec, record);
  if (!prepared.ok) return { refuse: true };
  const expiredBefore = Math.floor(Date.now() / 1000) - RETENTION_DAYS * 86_400 - 60;
  return prepared.minute <= expiredBefore ? { expired: true } : { store: prepared.key };
}

async function keysOf(table: string, column: string): Promise<Set<string>> {
  const rows = await selectRows<{ k: string }>(ch.client, `SELECT ${column} AS k FROM \`${h.names.database}\`.${table}`);
  return new Set(rows.map((r) => r.k));
}

async function writerLetters(from: number): Promise<Map<string, DeadLetterWire>> {
  const info = await h.bus.jsm.streams.info(h.names.streams.dlq);
  const letters = new Map<string, DeadLetterWire>();
  for (let seq = Math.max(from, info.state.first_seq); seq <= info.state.last_seq; seq++) {
    const letter = (await h.bus.jsm.streams.getMessage(h.names.streams.dlq, { seq }))?.json<DeadLetterWire>();
    if (!letter || letter.source !== 'writer' || letter.streamSeq === null) continue;
    const index = /^record (\d+) of \d+ in the envelope: /.exec(letter.reason);
    letters.set(`${letter.subject}#${letter.streamSeq}:${index ? Number(index[1]) - 1 : 0}`, letter);
  }
  return letters;
}

const decisions = mutatedText(fc.constant(null).map(() => decision() as unknown as Json));
const alerts = mutatedText(fc.constant(null).map(() => alert() as unknown as Json));
let run = 0;

describe('writer fuzz - messages straight onto the bus', () => {
  it('stores or dead-letters every event, decision and alert record, and drains its consumers', async () => {
    const checked = { stored: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(busMessage, { minLength: 5, maxLength: 20 }), fc.array(decisions, { maxLength: 10 }), fc.array(alerts, { maxLength: 10 }), async (events, decided, alerted) => {
        const tag = `w${++run}`;
        const lettersFrom = (await h.bus.jsm.streams.info(h.names.streams.dlq)).state.last_seq + 1;
        const sent: Sent[] = [];
        const expectations: Array<{ sent: Sent; want: ReturnType<typeof expected> }> = [];
        for (const [i, generated] of events.entries()) {
          const message: BusMessage = { ...generated, records: generated.records.map((r, j) => ({ ...r, text: withUniqueIds(r.text, `${tag}-${i}-${j}`) })) };
          const headers = messageHeaders();
          for (const [name, value] of message.headers) headers.set(name, value);
          const subject = h.names.eventSubject(message.subjectKind, message.partition);
          const payload = busBytes(message);
          const ack = await h.bus.publisher.publish(subject, payload, `${tag}-e${i}`, headers);
          // read as the writer reads it: an odd value is none, and then the event gets the whole contract
          const ingest = ingestTsFromHeader(headers.get('Rs-Ingest-Ts'));
          recordsOnBus(message, payload).forEach((bytes, index) => {
            const one: Sent = { table: 'events', seq: ack.seq, index, text: bytes.toString(), note: `${subject} headers ${JSON.stringify(message.headers)}` };
            expectations.push({ sent: one, want: expected(EVENT_ROWS as RowSpec<unknown>, { subject, data: bytes, ingestTs: ingest }) });
            sent.push(one);
          });
        }
        for (const [i, d] of decided.entries()) {
          const text = d.text.split('"ev-1"').join(`"ev-${tag}-${i}"`);
          const subject = h.names.decisionSubject('payment');
          const ack = await h.bus.publisher.publish(subject, text, `${tag}-d${i}`);
          const one: Sent = { table: 'decisions', seq: ack.seq, index: 0, text, note: d.mutations.join('; ') };
          expectations.push({ sent: one, want: expected(DECISION_ROWS as RowSpec<unknown>, { subject, data: Buffer.from(text), ingestTs: null }) });
        }
        for (const [i, a] of alerted.entries()) {
          const text = a.text.split('"al-1"').join(`"al-${tag}-${i}"`);
          const subject = h.names.alertSubject('aml');
          const ack = await h.bus.publisher.publish(subject, text, `${tag}-a${i}`);
          const one: Sent = { table: 'alerts', seq: ack.seq, index: 0, text, note: a.mutations.join('; ') };
          expectations.push({ sent: one, want: expected(ALERT_ROWS as RowSpec<unknown>, { subject, data: Buffer.from(text), ingestTs: null }) });
        }
        for (const durable of [h.names.consumers.writerEvents, h.names.consumers.writerDecisions, h.names.consumers.writerAlerts]) {
          const stream = durable === h.names.consumers.writerEvents ? h.names.streams.events : durable === h.names.consumers.writerDecisions ? h.names.streams.decisions : h.names.streams.alerts;
          await eventually(async () => {
            const lag = await consumerLag(h.bus, stream, durable);
            return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
          }, 30_000, `the writer to acknowledge every message of ${stream}`);
        }
        for (const table of writer.status().tables) expect(table.failingSinceMs ?? null, `${table.table}: ${table.lastError}`).toBeNull();

        const stored = { events: await keysOf('events', 'id'), decisions: await keysOf('decisions', 'event_id'), alerts: await keysOf('alerts', 'id') };
        const letters = await writerLetters(lettersFrom);
        const subjectOf = { events: '', decisions: h.names.decisionSubject('payment'), alerts: h.names.alertSubject('aml') };
        for (const { sent: one, want } of expectations) {
          const what = `${one.table} record ${one.index + 1} of message ${one.seq} (${one.note}): ${one.text.slice(0, 300)}`;
          const letter = [...letters.entries()].find(([key]) => key.endsWith(`#${one.seq}:${one.index}`) && (one.table === 'events' ? key.includes('.ev.') : key.startsWith(subjectOf[one.table])))?.[1];
          if ('store' in want) {
            checked.stored++;
            expect(stored[one.table].has(want.store), `${what} was not stored${letter ? `: dead-lettered ${letter.code} ${letter.reason}` : ''}`).toBe(true);
          } else if ('refuse' in want) {
            checked.refused++;
            expect(letter, `${what} was neither stored nor dead-lettered`).toBeDefined();
            expect(letter!.reason.length).toBeGreaterThan(0);
          }
        }
      }),
      { seed: FUZZ_SEED, numRuns: 4, endOnFailure: true },
    );
    // both halves of the property must have been exercised, or it says little
    expect(checked.stored).toBeGreaterThan(20);
    expect(checked.refused).toBeGreaterThan(20);
  });
});

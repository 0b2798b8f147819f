// Property-based test of the processors against the real NATS and Redis: mutated events of every
// kind published straight onto the events stream, as `replay`, `simulate` or a third-party
// producer could, bypassing the gateway. Each is decided or dead-lettered with its reason; none is
// redelivered forever or stalls the consumer.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLag, createLogger, createMetrics, jsonTextErrors, messageHeaders, validateEvent, type AlertWire, type DeadLetterWire, type DecisionWire, type EventKind } from '../core/index.js';
import { FUZZ_SEED, busBytes, busMessage, recordsOnBus, withUniqueIds, type BusMessage } from '../test/event-mutations.js';
import { alertRow } from '../storage/writer/rows/alert-row.js';
import { decisionRow } from '../storage/writer/rows/decision-row.js';
import { createHarness, eventually, type Harness } from '../test/harness.js';
import { createProductProcessor } from './compose.js';
import { type Processor } from './runner.js';
import { KpiAccumulator } from './telemetry/kpi-accumulator.js';

let h: Harness;
let processor: Processor;
let published = 0;

beforeAll(async () => {
  h = await createHarness();
  processor = createProductProcessor({
    bus: h.bus,
    redis: h.redis,
    config: { dedupTtlSeconds: 600 },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    kpis: new KpiAccumulator('fuzz'),
  });
  await processor.start();
});

afterAll(async () => {
  await processor?.drain();
  await h?.cleanup();
});

/** The records of a stream's messages from `first` to its end, decoded (an envelope holds one per line). */
async function readFrom<T>(stream: string, first: number): Promise<T[]> {
  const info = await h.bus.jsm.streams.info(stream);
  const out: T[] = [];
  for (let seq = Math.max(first, info.state.first_seq); seq <= info.state.last_seq; seq++) {
    const message = await h.bus.jsm.streams.getMessage(stream, { seq });
    if (message) for (const line of message.string().split('\n')) if (line.length > 0) out.push(JSON.parse(line) as T);
  }
  return out;
}

async function lastSeq(stream: string): Promise<number> {
  return (await h.bus.jsm.streams.info(stream)).state.last_seq;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What the contract says of a record on the bus: the id of an event to decide, or a refusal. */
function verdict(bytes: Buffer, subjectKind: EventKind): { ok: true; id: string } | { ok: false } {
  let value: unknown;
  let record: string;
  try {
    record = strictUtf8.decode(bytes);
    value = JSON.parse(record);
  } catch {
    return { ok: false };
  }
  const result = validateEvent(value);
  if (!result.ok || jsonTextErrors(record, value).length > 0 || result.event.kind !== subjectKind) return { ok: false };
  return { ok: true, id: result.event.id };
}

/** A dead letter's record within its message: 0 for a single event, else from "record <n> of <m> in the envelope: ". */
function recordIndex(letter: DeadLetterWire): number {
  const match = /^record (\d+) of \d+ in the envelope: /.exec(letter.reason);
  return match ? Number(match[1]) - 1 : 0;
}

/** The message with each record's example ids made unique to this run. */
function unique(message: BusMessage, tag: string): BusMessage {
  return { ...message, records: message.records.map((r, j) => ({ ...r, text: withUniqueIds(r.text, `${tag}-${j}`) })) };
}

const DEAD_LETTER_CODES = ['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT'];
/** Every event id decided so far (a copy of one is acknowledged as a duplicate, not decided again). */
const decided = new Set<string>();

describe('processors fuzz - messages straight onto the bus', () => {
  it('decide every valid event and dead-letter every other message with its reason, and drain the consumer', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(busMessage, { minLength: 10, maxLength: 30 }), async (messages) => {
        const run = ++published;
        const decisionsFrom = (await lastSeq(h.names.streams.decisions)) + 1;
        const lettersFrom = (await lastSeq(h.names.streams.dlq)) + 1;
        const alertsFrom = (await lastSeq(h.names.streams.alerts)) + 1;
        const sent: Array<{ seq: number; message: BusMessage }> = [];
        for (const [i, generated] of messages.entries()) {
          const message = unique(generated, `${run}-${i}`);
          const headers = messageHeaders();
          for (const [name, value] of message.headers) headers.set(name, value);
          const ack = await h.bus.publisher.publish(h.names.eventSubject(message.subjectKind, message.partition), busBytes(message), `fuzz-${run}-${i}`, headers);
          sent.push({ seq: ack.seq, message });
        }
        await eventually(async () => {
          const lag = await consumerLag(h.bus, h.names.streams.events, h.names.consumers.processors);
          return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
        }, 20_000, 'the processors to acknowledge every message');
        expect(processor.status().failingSinceMs).toBeNull();

        const letters = new Map<string, DeadLetterWire>();
        for (const value of await readFrom<DeadLetterWire>(h.names.streams.dlq, lettersFrom)) {
          if (value.source !== 'processors' || value.streamSeq === null) continue;
          const key = `${value.streamSeq}:${recordIndex(value)}`;
          expect(letters.has(key), `a second dead letter for record ${key}`).toBe(false);
          letters.set(key, value);
        }
        for (const decision of await readFrom<DecisionWire>(h.names.streams.decisions, decisionsFrom)) {
          decided.add(decision.eventId);
          // whatever the processors decide, storage must take: a decision the writer refuses is a decided event without a stored decision
          const row = decisionRow({ subject: h.names.decisionSubject(decision.eventKind), data: Buffer.from(JSON.stringify(decision)), ingestTs: null });
          expect(row.ok ? null : row.reason, `the writer refuses the decision of ${decision.eventId}`).toBeNull();
        }
        for (const alert of await readFrom<AlertWire>(h.names.streams.alerts, alertsFrom)) {
          const row = alertRow({ subject: h.names.alertSubject(alert.domain), data: Buffer.from(JSON.stringify(alert)), ingestTs: null });
          expect(row.ok ? null : row.reason, `the writer refuses alert ${alert.id}`).toBeNull();
        }
        for (const { seq, message } of sent) {
          for (const [index, bytes] of recordsOnBus(message, busBytes(message)).entries()) {
            const expected = verdict(bytes, message.subjectKind);
            // as a dead letter carries it: decoded, bytes that are not UTF-8 (and a surrogate cut in half by a truncation) as U+FFFD
            const record = bytes.toString();
            const letter = letters.get(`${seq}:${index}`);
            const what = `record ${index + 1} of message ${seq} (headers ${JSON.stringify(message.headers)}; ${message.records[index]?.mutations.join('; ') || 'unchanged'}; on ${message.subjectKind}): ${record.slice(0, 300)}`;
            if (expected.ok) {
              valid++;
              expect(letter, `${what} was dead-lettered: ${letter?.code} ${letter?.reason}`).toBeUndefined();
              expect(decided.has(expected.id), `${what} was not decided`).toBe(true);
            } else {
              expect(letter, `${what} was neither decided nor dead-lettered`).toBeDefined();
              expect(DEAD_LETTER_CODES).toContain(letter!.code);
              expect(letter!.reason.length).toBeGreaterThan(0);
              expect(letter!.payload).toBe(record.length > 64 * 1024 ? record.slice(0, 64 * 1024) : record);
            }
          }
        }
      }),
      { seed: FUZZ_SEED, numRuns: 8, endOnFailure: true },
    );
    expect(valid).toBeGreaterThan(10); // the generator must also make valid events, or half the property says nothing
    // nothing waits to be delivered again
    const info = await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.processors);
    expect(info.num_redelivered).toBe(0);
  });
});

// The envelope publisher against the real NATS: how records are grouped into envelopes, and what
// an envelope looks like once JetStream has stored it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';
import { HEADER_INGEST_TS, HEADER_MSG_ID } from './bus.js';
import { EnvelopePublisher } from './envelope-publisher.js';
import { HEADER_BATCH, splitEnvelopeText } from './envelope.js';
import type { PublishAck } from './jetstream-publisher.js';

let h: Harness;
let prefixes = 0;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

/** A publisher with its own dedup-id prefix, so that the tests' envelopes never collide. */
function envelopes(maxRecords: number, lingerMs: number): { publisher: EnvelopePublisher; prefix: string } {
  const prefix = `${h.namespace}-p${++prefixes}`;
  return { publisher: new EnvelopePublisher(h.bus.publisher, { maxRecords, lingerMs, idPrefix: prefix }), prefix };
}

type Stored = { subject: string; records: string[]; batch: string | undefined; ingestTs: string | undefined; msgId: string | undefined };

async function stored(ack: PublishAck): Promise<Stored> {
  const m = (await h.bus.jsm.streams.getMessage(ack.stream, { seq: ack.seq }))!;
  return {
    subject: m.subject,
    records: splitEnvelopeText(m.string()),
    batch: m.header.get(HEADER_BATCH) || undefined,
    ingestTs: m.header.get(HEADER_INGEST_TS) || undefined,
    msgId: m.header.get(HEADER_MSG_ID) || undefined,
  };
}

const record = (tag: string, i: number) => JSON.stringify({ tag, i });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('envelope publisher - grouping', () => {
  it('envelope publisher - records for two subjects go out as separate envelopes', async () => {
    const { publisher } = envelopes(10, 0);
    const a = h.names.eventSubject('payment', 0);
    const b = h.names.eventSubject('payment', 1);
    const promises = [publisher.add(a, record('a', 0)), publisher.add(b, record('b', 0)), publisher.add(a, record('a', 1)), publisher.add(b, record('b', 1)), publisher.add(a, record('a', 2))];
    // One promise per envelope: every record of a subject shares its envelope's.
    expect(promises[0]).toBe(promises[2]);
    expect(promises[0]).toBe(promises[4]);
    expect(promises[1]).toBe(promises[3]);
    expect(promises[0]).not.toBe(promises[1]);
    const [ackA, ackB] = await Promise.all([promises[0]!, promises[1]!]);
    expect(ackA.seq).not.toBe(ackB.seq);
    expect(await stored(ackA)).toMatchObject({ subject: a, batch: '3', records: [record('a', 0), record('a', 1), record('a', 2)] });
    expect(await stored(ackB)).toMatchObject({ subject: b, batch: '2', records: [record('b', 0), record('b', 1)] });
  });

  it('envelope publisher - a full envelope leaves at once, without waiting for the linger', async () => {
    // A linger far longer than the test's time-out: only maxRecords can send these.
    const { publisher } = envelopes(3, 600_000);
    const subject = h.names.eventSubject('payment', 2);
    const first = publisher.add(subject, record('full', 0));
    publisher.add(subject, record('full', 1));
    expect(publisher.waiting).toBe(2);
    expect(publisher.add(subject, record('full', 2))).toBe(first);
    expect(publisher.waiting).toBe(0);
    const next = publisher.add(subject, record('full', 3));
    expect(next).not.toBe(first);
    expect(publisher.waiting).toBe(1);
    expect(await stored(await first)).toMatchObject({ batch: '3', records: [record('full', 0), record('full', 1), record('full', 2)] });
    publisher.flush(); // the fourth record, so that no timer outlives the test
    expect(await stored(await next)).toMatchObject({ batch: '1', records: [record('full', 3)] });
  });

  it('envelope publisher - with lingerMs 0, what is added in one turn of the event loop is one envelope', async () => {
    const { publisher } = envelopes(256, 0);
    const subject = h.names.eventSubject('payment', 3);
    const turn1 = Array.from({ length: 7 }, (_, i) => publisher.add(subject, record('turn1', i)));
    expect(new Set(turn1).size).toBe(1);
    expect(publisher.waiting).toBe(7);
    const ack1 = await turn1[0]!;
    expect(publisher.waiting).toBe(0);
    const turn2 = Array.from({ length: 2 }, (_, i) => publisher.add(subject, record('turn2', i)));
    expect(turn2[0]).not.toBe(turn1[0]);
    const ack2 = await turn2[0]!;
    expect(ack2.seq).toBeGreaterThan(ack1.seq);
    expect((await stored(ack1)).records).toEqual(Array.from({ length: 7 }, (_, i) => record('turn1', i)));
    expect((await stored(ack2)).records).toEqual([record('turn2', 0), record('turn2', 1)]);
  });

  it('envelope publisher - with a linger, records added over several turns wait and go out together', async () => {
    const { publisher } = envelopes(256, 300);
    const subject = h.names.eventSubject('payment', 0);
    const first = publisher.add(subject, record('linger', 0));
    await nextTurn();
    // Not sent on the next turn, as lingerMs 0 would be: the envelope stays open for more.
    expect(publisher.waiting).toBe(1);
    expect(publisher.add(subject, record('linger', 1))).toBe(first);
    await nextTurn();
    expect(publisher.add(subject, record('linger', 2))).toBe(first);
    const ack = await first;
    expect(publisher.waiting).toBe(0);
    expect(await stored(ack)).toMatchObject({ batch: '3', records: [record('linger', 0), record('linger', 1), record('linger', 2)] });
  });

  it('envelope publisher - flush() sends every open envelope now', async () => {
    const { publisher } = envelopes(256, 600_000);
    const a = publisher.add(h.names.eventSubject('payment', 1), record('flush', 0));
    const b = publisher.add(h.names.eventSubject('payment', 2), record('flush', 1));
    expect(publisher.waiting).toBe(2);
    publisher.flush();
    expect(publisher.waiting).toBe(0);
    expect((await stored(await a)).records).toEqual([record('flush', 0)]);
    expect((await stored(await b)).records).toEqual([record('flush', 1)]);
  });
});

describe('envelope publisher - size', () => {
  it("envelope publisher - never puts more in one message than the server takes: an envelope that a record would take past max_payload leaves first", async () => {
    const { publisher } = envelopes(256, 0);
    const subject = h.names.eventSubject('payment', 0);
    // 64 records of ~30 KB (three bytes a character): ~1.9 MB, twice what one message may carry
    const big = (i: number) => JSON.stringify({ i, pad: '東'.repeat(10_000) });
    const acks = await Promise.all(Array.from({ length: 64 }, (_, i) => publisher.add(subject, big(i))));
    const seqs = [...new Set(acks.map((a) => a.seq))].sort((a, b) => a - b);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    const records: string[] = [];
    for (const seq of seqs) {
      const m = (await h.bus.jsm.streams.getMessage(acks[0]!.stream, { seq }))!;
      expect(m.data.length).toBeLessThanOrEqual(h.bus.nc.info!.max_payload);
      expect(m.header.get(HEADER_BATCH)).toBe(String(splitEnvelopeText(m.string()).length));
      records.push(...splitEnvelopeText(m.string()));
    }
    expect(records).toEqual(Array.from({ length: 64 }, (_, i) => big(i)));
  });
});

describe('envelope publisher - the stored message', () => {
  it('envelope publisher - carries Rs-Batch = its records, an Rs-Ingest-Ts, and the dedup id <prefix>:<n>', async () => {
    const { publisher, prefix } = envelopes(2, 0);
    const subject = h.names.eventSubject('payment', 1);
    const before = Date.now();
    // 2 + 2 + 1 records: maxRecords 2 cuts them into three envelopes, numbered in the order they leave.
    const promises = Array.from({ length: 5 }, (_, i) => publisher.add(subject, record('hdr', i)));
    const acks = await Promise.all([promises[0]!, promises[2]!, promises[4]!]);
    const after = Date.now();
    const messages = await Promise.all(acks.map(stored));
    expect(messages.map((m) => [m.batch, m.records.length, m.msgId])).toEqual([
      ['2', 2, `${prefix}:1`],
      ['2', 2, `${prefix}:2`],
      ['1', 1, `${prefix}:3`],
    ]);
    for (const m of messages) {
      expect(m.ingestTs).toMatch(/^\d+$/);
      expect(Number(m.ingestTs)).toBeGreaterThanOrEqual(before);
      expect(Number(m.ingestTs)).toBeLessThanOrEqual(after);
    }
  });

  it('envelope publisher - resolves with the stream acknowledgement; a second producer reusing the prefix is a duplicate', async () => {
    const subject = h.names.eventSubject('payment', 2);
    const idPrefix = `${h.namespace}-shared`;
    const one = new EnvelopePublisher(h.bus.publisher, { maxRecords: 8, lingerMs: 0, idPrefix });
    const ack = await one.add(subject, record('ack', 0));
    expect(ack).toMatchObject({ stream: h.names.streams.events, duplicate: false });
    expect(ack.seq).toBeGreaterThan(0);
    expect(await stored(ack)).toMatchObject({ subject, msgId: `${idPrefix}:1`, records: [record('ack', 0)] });
    // Why the prefix must be unique per producer run: the same id is dropped within the duplicate window.
    const two = new EnvelopePublisher(h.bus.publisher, { maxRecords: 8, lingerMs: 0, idPrefix });
    expect(await two.add(subject, record('ack', 1))).toEqual({ ...ack, duplicate: true });
  });

  it('envelope publisher - rejects every record of an envelope that no stream takes', async () => {
    const { publisher } = envelopes(8, 0);
    const subject = `${h.namespace}.nowhere`;
    const waiting = [publisher.add(subject, record('lost', 0)), publisher.add(subject, record('lost', 1))];
    for (const p of waiting) await expect(p).rejects.toThrow(/no JetStream stream/);
  });
});

describe('envelope publisher - options', () => {
  it.each([
    [0, false],
    [1, true],
    [256, true],
    [257, false],
    [-1, false],
    [Number.NaN, false],
  ])('maxRecords %s → accepted: %s', (maxRecords, accepted) => {
    const make = () => new EnvelopePublisher(h.bus.publisher, { maxRecords, lingerMs: 0, idPrefix: 'opts' });
    if (accepted) expect(make).not.toThrow();
    else expect(make).toThrow(RangeError);
  });
});

// The processor runner and envelopes, against the real NATS and Redis: one decision envelope per
// input envelope, dead letters per bad record, single-event messages unchanged beside them, and
// dedup ids that make a redelivered envelope add nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DUPLICATE_REPLY,
  HEADER_BATCH,
  HEADER_MSG_ID,
  HEADER_REPLIES,
  consumerLag,
  createLogger,
  createMetrics,
  encodeEnvelope,
  encodeReplies,
  messageHeaders,
  partitionOf,
  splitEnvelopeText,
  type DeadLetterWire,
  type DecisionWire,
} from '../core/index.js';
import { EVENT_EXAMPLES } from '../core/contracts/examples.js';
import { createHarness, deleteConsumer, eventually, payment, type Harness } from '../test/harness.js';
import { createDecider } from './decide/index.js';
import { createFeatureStore } from './features/index.js';
import { createFraudRulesScorer } from './fraud/index.js';
import { createProcessor, type Processor } from './runner.js';

let h: Harness;
let processor: Processor;
let metrics = createMetrics();

function startProcessor(): Processor {
  metrics = createMetrics();
  return createProcessor({
    bus: h.bus,
    features: createFeatureStore(h.redis, { prefix: h.names.redisPrefix, dedupTtlSeconds: 600 }),
    decide: createDecider([createFraudRulesScorer()]),
    metrics,
    logger: createLogger('silent'),
  });
}

beforeAll(async () => {
  h = await createHarness();
  processor = startProcessor();
  await processor.start();
});

afterAll(async () => {
  await processor?.drain();
  await h?.cleanup();
});

type StoredMessage = { seq: number; subject: string; text: string; bytes: number; batch: string; msgId: string };

/** Every message a stream holds, with the headers the tests look at. */
async function storedMessages(stream: string): Promise<StoredMessage[]> {
  const info = await h.bus.jsm.streams.info(stream);
  const out: StoredMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await h.bus.jsm.streams.getMessage(stream, { seq });
    if (!m) continue;
    out.push({ seq, subject: m.subject, text: m.string(), bytes: m.data.length, batch: m.header.get(HEADER_BATCH), msgId: m.header.get(HEADER_MSG_ID) });
  }
  return out;
}

/** Waits until the processors' consumer has every input acknowledged: by then their outputs are stored. */
async function allInputsAcknowledged(): Promise<void> {
  await eventually(async () => {
    const lag = await consumerLag(h.bus, h.names.streams.events, h.names.consumers.processors);
    return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
  }, 15_000, 'every input acknowledged');
}

/** Publishes records as one envelope; resolves with its stream sequence. */
async function publishEnvelope(subject: string, records: string[], msgId: string, ingestTs?: number, replies?: Array<[number, string]>): Promise<number> {
  const headers = messageHeaders(ingestTs);
  headers.set(HEADER_BATCH, String(records.length));
  if (replies) headers.set(HEADER_REPLIES, encodeReplies(replies));
  const ack = await h.bus.publisher.publish(subject, encodeEnvelope(records), msgId, headers);
  return ack.seq;
}

const decisionsIn = (m: StoredMessage) => splitEnvelopeText(m.text).map((line) => JSON.parse(line) as DecisionWire);

describe('processor runner - envelopes', () => {
  let envelopeSeq = 0;
  const ingestTs = Date.now();
  const BROKEN = '{"v":1,"kind":"payment","id":"env-broken",';
  const BAD_AMOUNT = JSON.stringify(payment('env-bad-amount', { amount: 12.5 }));

  it('processor runner - decides the good records of an envelope in ONE decision envelope and dead-letters each bad record alone', async () => {
    const subject = h.names.eventSubject('payment', 0);
    const records = [JSON.stringify(payment('env-1')), BROKEN, JSON.stringify(payment('env-2')), BAD_AMOUNT, JSON.stringify(payment('env-3'))];
    envelopeSeq = await publishEnvelope(subject, records, 'env-in-1', ingestTs);
    await allInputsAcknowledged();

    const decisions = await storedMessages(h.names.streams.decisions);
    expect(decisions).toHaveLength(1);
    const [envelope] = decisions;
    expect(envelope).toMatchObject({ subject: h.names.decisionSubject('payment'), batch: '3' });
    // The dedup id is the input's stream position: a redelivery of the input republishes the same id.
    expect(envelope!.msgId).toBe(`dec:${h.names.streams.events}:${envelopeSeq}`);
    const lines = decisionsIn(envelope!);
    expect(lines.map((d) => d.eventId)).toEqual(['env-1', 'env-2', 'env-3']);
    for (const d of lines) expect(d).toMatchObject({ v: 1, eventKind: 'payment', ingestTs, amountMinor: 125000, currency: 'USD' });

    const letters = await storedMessages(h.names.streams.dlq);
    expect(letters).toHaveLength(2);
    const byIndex = letters.map((m) => ({ msgId: m.msgId, letter: JSON.parse(m.text) as DeadLetterWire })).sort((a, b) => a.msgId.localeCompare(b.msgId));
    expect(byIndex.map((l) => l.msgId)).toEqual([1, 3].map((i) => `dlq:processors:${h.names.streams.events}:${envelopeSeq}:${i}`));
    const [broken, badAmount] = byIndex.map((l) => l.letter);
    expect(broken).toMatchObject({ source: 'processors', subject, streamSeq: envelopeSeq, code: 'RS_ERR_BUS_JSON', payload: BROKEN });
    expect(broken!.reason).toMatch(/^record 2 of 5 in the envelope: not valid JSON/);
    expect(badAmount).toMatchObject({ source: 'processors', subject, streamSeq: envelopeSeq, code: 'RS_ERR_BUS_SCHEMA', payload: BAD_AMOUNT });
    expect(badAmount!.reason).toMatch(/^record 4 of 5 in the envelope: \/amount/);
  });

  it('processor runner - decides an envelope and single-event messages published together, each in its own form', async () => {
    const decisionsBefore = (await storedMessages(h.names.streams.decisions)).length;
    const singles = ['one-1', 'one-2'].map((id) => payment(id, { debtor: { accountId: 'ACC-MIX', customerId: 'C-MIX', country: 'US' } }));
    await Promise.all([
      ...singles.map((e) => h.bus.publisher.publish(h.names.eventSubject('payment', 1), JSON.stringify(e), e.id as string, messageHeaders(Date.now()))),
      publishEnvelope(h.names.eventSubject('payment', 2), ['mix-1', 'mix-2'].map((id) => JSON.stringify(payment(id))), 'env-in-mix'),
    ]);
    await allInputsAcknowledged();

    const added = (await storedMessages(h.names.streams.decisions)).slice(decisionsBefore);
    expect(added).toHaveLength(3);
    const envelopes = added.filter((m) => m.batch !== '');
    const plain = added.filter((m) => m.batch === '');
    expect(envelopes).toHaveLength(1);
    expect(envelopes[0]).toMatchObject({ batch: '2', msgId: expect.stringMatching(new RegExp(`^dec:${h.names.streams.events}:\\d+$`)) });
    expect(decisionsIn(envelopes[0]!).map((d) => d.eventId)).toEqual(['mix-1', 'mix-2']);
    // A single event is decided as before: one decision message whose dedup id is the event id.
    expect(plain.map((m) => [m.msgId, (JSON.parse(m.text) as DecisionWire).eventId]).sort()).toEqual([
      ['one-1', 'one-1'],
      ['one-2', 'one-2'],
    ]);
  });

  it('processor runner - answers an envelope of a kind with a dot in its name on that kind\'s decision subject', async () => {
    const decisionsBefore = (await storedMessages(h.names.streams.decisions)).length;
    const example = EVENT_EXAMPLES['loan.missed_payment'][0]!.event;
    const records = ['lm-env-1', 'lm-env-2'].map((id) => JSON.stringify({ ...example, id, ts: new Date().toISOString() }));
    await publishEnvelope(h.names.eventSubject('loan.missed_payment', 0), records, 'env-in-loan');
    await allInputsAcknowledged();
    const added = (await storedMessages(h.names.streams.decisions)).slice(decisionsBefore);
    expect(added.map((m) => [m.subject, m.batch])).toEqual([[h.names.decisionSubject('loan.missed_payment'), '2']]);
    expect(decisionsIn(added[0]!).map((d) => [d.eventId, d.eventKind])).toEqual([
      ['lm-env-1', 'loan.missed_payment'],
      ['lm-env-2', 'loan.missed_payment'],
    ]);
  });

  it('processor runner - a restart that delivers every input again adds no decision and no dead letter', async () => {
    const decisionsBefore = await storedMessages(h.names.streams.decisions);
    const lettersBefore = await storedMessages(h.names.streams.dlq);
    const eventsStored = (await h.bus.jsm.streams.info(h.names.streams.events)).state.messages;
    await processor.drain();
    // Without its durable consumer the next processor starts again from the first input.
    await deleteConsumer(h.bus, h.names.streams.events, h.names.consumers.processors);
    processor = startProcessor();
    await processor.start();
    await allInputsAcknowledged();
    const consumer = await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.processors);
    expect(consumer.delivered.stream_seq).toBeGreaterThanOrEqual(eventsStored); // every input was seen again

    expect((await storedMessages(h.names.streams.decisions)).map((m) => m.msgId)).toEqual(decisionsBefore.map((m) => m.msgId));
    expect((await storedMessages(h.names.streams.dlq)).map((m) => m.msgId)).toEqual(lettersBefore.map((m) => m.msgId));
    expect(decisionsBefore.find((m) => m.msgId === `dec:${h.names.streams.events}:${envelopeSeq}`)).toBeDefined();
  });
});

describe('processor runner - large, mixed and wrong-kind envelopes', () => {
  /** NATS's default max_payload: no message, in or out, may be larger. */
  const MAX_PAYLOAD = 1024 * 1024;
  const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');
  /** Messages of a stream whose dedup id is `prefix` or starts with `prefix:`. */
  const withIdPrefix = (messages: StoredMessage[], prefix: string) => messages.filter((m) => m.msgId === prefix || m.msgId.startsWith(`${prefix}:`));

  it('processor runner - answers an envelope of 800 payments with decision parts that hold every decision once, each under 1 MiB', async () => {
    const ids = Array.from({ length: 800 }, (_, i) => `big-${i}`);
    const records = ids.map((id, i) =>
      JSON.stringify(payment(id, { debtor: { accountId: `ACC-BIG-${i % 40}`, customerId: `C-BIG-${i % 40}`, country: 'US' } })),
    );
    const payload = encodeEnvelope(records);
    expect(byteLength(payload)).toBeLessThan(MAX_PAYLOAD);
    expect(byteLength(payload)).toBeLessThanOrEqual(h.bus.nc.info!.max_payload);
    const seq = await publishEnvelope(h.names.eventSubject('payment', 3), records, 'env-in-big', Date.now());
    await allInputsAcknowledged();
    const consumer = await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.processors);
    expect(consumer.ack_floor.stream_seq).toBeGreaterThanOrEqual(seq);

    const baseId = `dec:${h.names.streams.events}:${seq}`;
    const parts = withIdPrefix(await storedMessages(h.names.streams.decisions), baseId);
    const partOf = (m: StoredMessage) => (m.msgId === baseId ? 0 : Number(m.msgId.slice(baseId.length + 1)));
    parts.sort((a, b) => partOf(a) - partOf(b));
    // The answer comes in parts of 64 decisions, cut by position (so a redelivery cuts the same
    // parts whatever the length of its decisions): 12 full parts and one of 32.
    expect(parts.map((m) => Number(m.batch))).toEqual([...Array.from({ length: 12 }, () => 64), 32]);
    expect(parts.map((m) => m.msgId)).toEqual(parts.map((_, part) => (part === 0 ? baseId : `${baseId}:${part}`)));
    let declared = 0;
    for (const part of parts) {
      expect(part.subject).toBe(h.names.decisionSubject('payment'));
      expect(part.bytes).toBeLessThan(MAX_PAYLOAD);
      expect(Number(part.batch)).toBe(decisionsIn(part).length);
      declared += Number(part.batch);
    }
    expect(declared).toBe(800);
    // Every event once, and the parts in order give the events' order.
    expect(parts.flatMap((part) => decisionsIn(part).map((d) => d.eventId))).toEqual(ids);
    expect(withIdPrefix(await storedMessages(h.names.streams.dlq), `dlq:processors:${h.names.streams.events}:${seq}`)).toEqual([]);
  });

  it('processor runner - decides an envelope of several partitions on the mixed subject like any other', async () => {
    const accounts = Array.from({ length: 6 }, (_, i) => `ACC-MIXED-${i}`);
    // The test means something only if the envelope's events belong to different partitions.
    expect(new Set(accounts.map((a) => partitionOf(a, h.config.partitions))).size).toBeGreaterThan(1);
    const events = accounts.map((accountId, i) => payment(`mixed-${i}`, { debtor: { accountId, customerId: `C-MIXED-${i}`, country: 'US' } }));
    const subject = h.names.mixedEventSubject('payment');
    expect(subject).toBe(`${h.namespace}.ev.payment.mixed`);
    const seq = await publishEnvelope(subject, events.map((e) => JSON.stringify(e)), 'env-in-mixed', Date.now());
    await allInputsAcknowledged();

    const answer = withIdPrefix(await storedMessages(h.names.streams.decisions), `dec:${h.names.streams.events}:${seq}`);
    expect(answer.map((m) => [m.subject, m.batch, m.msgId])).toEqual([[h.names.decisionSubject('payment'), '6', `dec:${h.names.streams.events}:${seq}`]]);
    expect(decisionsIn(answer[0]!).map((d) => [d.eventId, d.accountId, d.eventKind])).toEqual(
      accounts.map((accountId, i) => [`mixed-${i}`, accountId, 'payment']),
    );
    expect(withIdPrefix(await storedMessages(h.names.streams.dlq), `dlq:processors:${h.names.streams.events}:${seq}`)).toEqual([]);
  });

  it('processor runner - dead-letters a customer record in a payment envelope with RS_ERR_BUS_SUBJECT and decides the others', async () => {
    const subject = h.names.eventSubject('payment', 4);
    const customer = JSON.stringify({ ...EVENT_EXAMPLES.customer[0]!.event, id: 'cust-in-payments', ts: new Date().toISOString() });
    const records = [JSON.stringify(payment('kind-1')), customer, JSON.stringify(payment('kind-2')), JSON.stringify(payment('kind-3'))];
    const seq = await publishEnvelope(subject, records, 'env-in-wrong-kind', Date.now());
    await allInputsAcknowledged();

    const answer = withIdPrefix(await storedMessages(h.names.streams.decisions), `dec:${h.names.streams.events}:${seq}`);
    expect(answer.map((m) => [m.subject, m.batch])).toEqual([[h.names.decisionSubject('payment'), '3']]);
    expect(decisionsIn(answer[0]!).map((d) => d.eventId)).toEqual(['kind-1', 'kind-2', 'kind-3']);

    const letters = withIdPrefix(await storedMessages(h.names.streams.dlq), `dlq:processors:${h.names.streams.events}:${seq}`);
    expect(letters.map((m) => m.msgId)).toEqual([`dlq:processors:${h.names.streams.events}:${seq}:1`]);
    const letter = JSON.parse(letters[0]!.text) as DeadLetterWire;
    expect(letter).toMatchObject({ source: 'processors', subject, streamSeq: seq, code: 'RS_ERR_BUS_SUBJECT', payload: customer });
    expect(letter.reason).toMatch(/^record 2 of 4 in the envelope: a customer event arrived on /);
    expect(letter.reason).toContain(subject);
  });

  it('processor runner - an event re-sent in another envelope, twice in one, or alone is decided once; the copies count as duplicates', async () => {
    const events = ['again-1', 'again-2'].map((id) => payment(id));
    const loan = JSON.stringify({ ...EVENT_EXAMPLES['loan.repayment'][0]!.event, id: 'again-loan', ts: new Date().toISOString() });
    const first = await publishEnvelope(h.names.eventSubject('payment', 5), events.map((e) => JSON.stringify(e)), 'env-again-1', Date.now());
    await publishEnvelope(h.names.eventSubject('loan.repayment', 5), [loan], 'env-again-loan-1', Date.now());
    await allInputsAcknowledged();
    const before = await storedMessages(h.names.streams.decisions);

    // The producer sends them again under new message ids: in another envelope (one of them twice), and alone.
    const again = await publishEnvelope(h.names.mixedEventSubject('payment'), [events[0]!, events[1]!, events[0]!].map((e) => JSON.stringify(e)), 'env-again-2', Date.now());
    await h.bus.publisher.publish(h.names.eventSubject('payment', 5), JSON.stringify(events[1]), 'again-2-alone', messageHeaders(Date.now()));
    await publishEnvelope(h.names.eventSubject('loan.repayment', 6), [loan], 'env-again-loan-2', Date.now());
    await allInputsAcknowledged();

    const added = (await storedMessages(h.names.streams.decisions)).slice(before.length);
    expect(added).toEqual([]);
    const decided = before.flatMap((m) => (m.batch === '' ? [JSON.parse(m.text) as DecisionWire] : decisionsIn(m))).filter((d) => d.eventId.startsWith('again-'));
    expect(decided.map((d) => d.eventId).sort()).toEqual(['again-1', 'again-2', 'again-loan']);
    expect(withIdPrefix(before, `dec:${h.names.streams.events}:${first}`)).toHaveLength(1);
    expect(again).toBeGreaterThan(first);
    const counted = (await metrics.duplicates.get()).values.filter((v) => v.value > 0).map((v) => [v.labels.kind, v.value]);
    expect(counted.sort()).toEqual([['loan.repayment', 1], ['payment', 4]]);
  });

  it('processor runner - sends each waiting record of an envelope its decision (Rs-Replies), and a copy decided before the duplicate reply', async () => {
    const inbox = `_INBOX.${h.namespace}.replies`;
    const got = new Map<string, string>();
    const sub = h.bus.nc.subscribe(`${inbox}.*`, { callback: (_error, m) => void got.set(m.subject.slice(inbox.length + 1), m.string()) });
    try {
      await h.bus.nc.flush();
      await publishEnvelope(h.names.eventSubject('payment', 7), [JSON.stringify(payment('reply-0'))], 'env-reply-0', Date.now());
      await allInputsAcknowledged();
      const records = ['reply-1', 'reply-2', 'reply-3', 'reply-0'].map((id) => JSON.stringify(payment(id)));
      await publishEnvelope(h.names.mixedEventSubject('payment'), records, 'env-reply-1', Date.now(), [
        [0, `${inbox}.a`],
        [2, `${inbox}.c`],
        [3, `${inbox}.d`],
      ]);
      await allInputsAcknowledged();
      await eventually(() => (got.size === 3 ? true : undefined), 5_000, 'three replies');
      expect((JSON.parse(got.get('a')!) as DecisionWire).eventId).toBe('reply-1');
      expect((JSON.parse(got.get('c')!) as DecisionWire).eventId).toBe('reply-3');
      expect(got.get('d')).toBe(DUPLICATE_REPLY);
    } finally {
      sub.unsubscribe();
    }
  });
});

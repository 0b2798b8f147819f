// A message decided again later than JetStream's duplicate window publishes none of its outputs a
// second time (PublishedOutputs), against the real NATS and Redis. The streams' duplicate window
// is cut to 1 s so that "later than the window" takes seconds, not minutes.
import { afterEach, describe, expect, it } from 'vitest';
import {
  HEADER_BATCH,
  HEADER_MSG_ID,
  HEADER_RECORDS,
  splitEnvelope,
  TEST_STREAM_LIMITS,
  consumerLag,
  createLogger,
  createMetrics,
  encodeEnvelope,
  ensureConsumer,
  ensureStreams,
  messageHeaders,
  type JsMsg,
  type Metrics,
} from '../core/index.js';
import { createHarness, eventually, payment, type Harness } from '../test/harness.js';
import { createDecider } from './decide/index.js';
import { createFeatureStore } from './features/index.js';
import { createFraudRulesScorer } from './fraud/index.js';
import { createProcessor, type Processor } from './runner.js';

const SHORT_WINDOW = { ...TEST_STREAM_LIMITS, duplicateWindowSeconds: 1 };

let h: Harness | undefined;
let processor: Processor | undefined;

afterEach(async () => {
  await processor?.drain();
  processor = undefined;
  await h?.cleanup();
  h = undefined;
});

function startProcessor(harness: Harness, metrics: Metrics): Processor {
  return createProcessor({
    bus: harness.bus,
    features: createFeatureStore(harness.redis, { prefix: harness.names.redisPrefix, dedupTtlSeconds: 600 }),
    decide: createDecider([createFraudRulesScorer()]),
    metrics,
    logger: createLogger('silent'),
  });
}

/** The dedup ids of every message a stream holds, in order. */
async function msgIds(harness: Harness, stream: string): Promise<string[]> {
  const info = await harness.bus.jsm.streams.info(stream);
  const out: string[] = [];
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const m = await harness.bus.jsm.streams.getMessage(stream, { seq });
    if (m) out.push(m.header.get(HEADER_MSG_ID));
  }
  return out;
}

async function counted(metrics: Metrics): Promise<number> {
  return (await metrics.notRepublished.get()).values[0]?.value ?? 0;
}

async function allInputsAcknowledged(harness: Harness): Promise<void> {
  await eventually(async () => {
    const lag = await consumerLag(harness.bus, harness.names.streams.events, harness.names.consumers.processors);
    return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
  }, 20_000, 'every input acknowledged');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Past the 1 s duplicate window, a new processor starts where a stopped one held `held`; the
 * message comes back at once (nak) rather than after the 30 s ack wait. Resolves with the new
 * processor's metrics once every input is acknowledged.
 */
async function restartAfterWindow(harness: Harness, held: JsMsg): Promise<Metrics> {
  await sleep(1_500);
  const metrics = createMetrics();
  processor = startProcessor(harness, metrics);
  await processor.start();
  held.nak();
  await allInputsAcknowledged(harness);
  return metrics;
}

describe('outputs are not published twice beyond the duplicate window', () => {
  it('a processor started after one that stopped holding a message does not publish that message’s decision again', async () => {
    h = await createHarness();
    await ensureStreams(h.bus, SHORT_WINDOW);
    const { names } = h;
    // The stopped process: it took the message from the processors' consumer, published its
    // decision, and died before acknowledging it.
    await ensureConsumer(h.bus, { stream: names.streams.events, durable: names.consumers.processors, filterSubject: names.subjects.eventsAll, ackWaitMs: 30_000, maxAckPending: 1_000 });
    await h.bus.publisher.publish(names.eventSubject('payment', 0), JSON.stringify(payment('held-1')), 'held-1');
    const dead = await h.bus.js.consumers.get(names.streams.events, names.consumers.processors);
    const fetched = await dead.fetch({ max_messages: 1, expires: 5_000 });
    const held = [];
    for await (const m of fetched) held.push(m);
    expect(held).toHaveLength(1);
    await h.bus.publisher.publish(names.decisionSubject('payment'), JSON.stringify({ eventId: 'held-1', by: 'the stopped process' }), 'held-1');
    const metrics = await restartAfterWindow(h, held[0]!);

    expect(await msgIds(h, names.streams.decisions)).toEqual(['held-1']);
    expect(await counted(metrics)).toBe(1);
  });

  it('a batch that failed part-way does not publish what JetStream stored again when it is retried later than the window', async () => {
    h = await createHarness();
    await ensureStreams(h.bus, SHORT_WINDOW);
    const { names } = h;
    const metrics = createMetrics();
    processor = startProcessor(h, metrics);
    await processor.start();
    // The dead-letter stream is gone: the envelope's decision is stored, its bad record's dead
    // letter is not, and the batch fails and is retried (1 s, then 2 s, 4 s …).
    await h.bus.jsm.streams.delete(names.streams.dlq);
    const headers = messageHeaders();
    headers.set(HEADER_BATCH, '2');
    const ack = await h.bus.publisher.publish(names.eventSubject('payment', 0), encodeEnvelope([JSON.stringify(payment('env-good')), '{"not":"an event"}']), 'env-1', headers);
    const decisionId = `dec:${names.streams.events}:${ack.seq}`;
    await eventually(async () => ((await msgIds(h!, names.streams.decisions)).length > 0 ? true : undefined), 15_000, 'the decision stored');
    await eventually(async () => ((await metrics.batchFailures.get()).values[0]?.value ?? 0) >= 2 ? true : undefined, 15_000, 'two failed attempts');
    await ensureStreams(h.bus, SHORT_WINDOW);
    await allInputsAcknowledged(h);

    expect(await msgIds(h, names.streams.decisions)).toEqual([decisionId]);
    expect(await msgIds(h, names.streams.dlq)).toEqual([`dlq:processors:${names.streams.events}:${ack.seq}:1`]);
    expect(await counted(metrics)).toBeGreaterThanOrEqual(2);
  });

  it('a retried envelope whose decided records changed (a copy’s marker expired meanwhile) still publishes every record’s decision', async () => {
    h = await createHarness();
    await ensureStreams(h.bus, SHORT_WINDOW);
    const harness = h;
    const { names } = harness;
    const metrics = createMetrics();
    processor = startProcessor(harness, metrics);
    await processor.start();
    // 'copy-1' is decided alone first, so that in the envelope below it is a copy (not decided again)
    await harness.bus.publisher.publish(names.eventSubject('payment', 0), JSON.stringify(payment('copy-1')), 'copy-1');
    await allInputsAcknowledged(harness);
    // The envelope's part 0 (records 0–63) is refused once; its part 1 (records 64–99) is stored.
    // Before the retry the copy's marker expires, so the retry decides record 10 as well: cut by
    // position among the decisions, part 1 would then hold records 63–98 under the id already
    // stored — and record 99's decision would never be published.
    const publisher = harness.bus.publisher;
    const original = publisher.publish.bind(publisher);
    let refused = false;
    (publisher as { publish: typeof publisher.publish }).publish = (subject, data, id, headers) => {
      if (!refused && id !== undefined && /^dec:[^:]+:\d+$/.test(id)) {
        refused = true;
        return (async () => {
          const keys = await harness.redis.keys(`${names.redisPrefix}*copy-1*`);
          if (keys.length > 0) await harness.redis.del(...keys);
          throw new Error('part 0 refused (the test)');
        })();
      }
      return original(subject, data, id, headers);
    };
    const ids = Array.from({ length: 100 }, (_, i) => (i === 10 ? 'copy-1' : `rec-${i}`));
    const headers = messageHeaders();
    headers.set(HEADER_BATCH, '100');
    await original(names.eventSubject('payment', 0), encodeEnvelope(ids.map((id) => JSON.stringify(payment(id)))), 'env-100', headers);
    await allInputsAcknowledged(harness);
    expect(refused).toBe(true);

    const decided = new Set<string>();
    const info = await harness.bus.jsm.streams.info(names.streams.decisions);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await harness.bus.jsm.streams.getMessage(names.streams.decisions, { seq });
      if (!m) continue;
      const lines = m.header.get(HEADER_BATCH) ? splitEnvelope(m.data) : [m.data];
      for (const line of lines) decided.add((JSON.parse(new TextDecoder().decode(line)) as { eventId: string }).eventId);
    }
    expect(ids.filter((id) => !decided.has(id))).toEqual([]);
    expect(await counted(metrics)).toBeGreaterThanOrEqual(1);
  });

  // before: the part was skipped whole, and a record it did not hold (a copy when it was stored,
  // decided now that its marker is gone) had no decision anywhere
  it('a stored part that did not hold a record decided now: that record’s decision goes out alone', async () => {
    h = await createHarness();
    await ensureStreams(h.bus, SHORT_WINDOW);
    const harness = h;
    const { names } = harness;
    await ensureConsumer(harness.bus, { stream: names.streams.events, durable: names.consumers.processors, filterSubject: names.subjects.eventsAll, ackWaitMs: 30_000, maxAckPending: 1_000 });
    const ids = Array.from({ length: 12 }, (_, i) => (i === 10 ? 'was-a-copy' : `part-rec-${i}`));
    const headers = messageHeaders();
    headers.set(HEADER_BATCH, String(ids.length));
    const input = await harness.bus.publisher.publish(names.eventSubject('payment', 0), encodeEnvelope(ids.map((id) => JSON.stringify(payment(id)))), 'env-12', headers);
    // The stopped process took the envelope, stored its part 0 without record 10 (a copy of an
    // event first read elsewhere, whose marker has since been lost), and died before the ack.
    const dead = await harness.bus.js.consumers.get(names.streams.events, names.consumers.processors);
    const held = [];
    for await (const m of await dead.fetch({ max_messages: 1, expires: 5_000 })) held.push(m);
    expect(held).toHaveLength(1);
    const partId = `dec:${names.streams.events}:${input.seq}`;
    const stored = ids.filter((_, i) => i !== 10);
    const part = messageHeaders();
    part.set(HEADER_BATCH, String(stored.length));
    part.set(HEADER_RECORDS, ids.flatMap((_, i) => (i === 10 ? [] : [String(i)])).join(' '));
    await harness.bus.publisher.publish(names.decisionSubject('payment'), encodeEnvelope(stored.map((eventId) => JSON.stringify({ eventId }))), partId, part);
    const metrics = await restartAfterWindow(harness, held[0]!);

    expect(await msgIds(harness, names.streams.decisions)).toEqual([partId, 'was-a-copy']);
    expect(await counted(metrics)).toBe(1);
  });
});

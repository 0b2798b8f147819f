// BatchConsumer against the real JetStream: batches close by weight (envelopes count their
// records) or by message count, whichever comes first, and every message reaches the handler once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, eventually, type Harness } from '../test/harness.js';
import { BatchConsumer, ensureConsumer, messageHeaders, type JsMsg } from './bus.js';
import { HEADER_BATCH, declaredRecords } from './envelope.js';
import { createLogger } from './log.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

/** Publishes `records` as one message each (0 = a single message without the header). */
async function publishAll(subject: string, records: readonly number[], tag: string): Promise<void> {
  for (const [i, n] of records.entries()) {
    const headers = messageHeaders();
    if (n > 0) headers.set(HEADER_BATCH, String(n));
    await h.bus.publisher.publish(subject, 'x', `${tag}-${i}`, headers);
  }
}

/** Consumes every message of the subject in batches; returns each batch's message count and weight. */
async function batchesOf(subject: string, durable: string, expected: number, options: { maxBatch: number; maxMessages?: number }): Promise<Array<[number, number]>> {
  const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable, filterSubject: subject, maxAckPending: 1000 });
  const batches: Array<[number, number]> = [];
  let seen = 0;
  const batcher = new BatchConsumer(
    consumer,
    async (messages: JsMsg[]) => {
      batches.push([messages.length, messages.reduce((w, m) => w + declaredRecords(m.headers), 0)]);
      seen += messages.length;
      for (const m of messages) m.ack();
    },
    // A long wait: batches close by weight or count, not by the timer, while messages keep coming.
    { maxBatch: options.maxBatch, maxMessages: options.maxMessages, maxWaitMs: 2000, concurrency: 1, weightOf: (m) => declaredRecords(m.headers), logger: createLogger('silent') },
  );
  await batcher.start();
  await eventually(() => (seen >= expected ? true : undefined), 15_000, `${expected} messages handled`);
  await batcher.drain();
  return batches;
}

describe('batch consumer - weights and counts', () => {
  it('closes a batch once the records of its envelopes reach maxBatch', async () => {
    const subject = h.names.eventSubject('payment', 1);
    // Envelopes of 40 records: 256 is passed by the 7th envelope (280).
    await publishAll(subject, Array.from({ length: 14 }, () => 40), 'w');
    const batches = await batchesOf(subject, 'weights', 14, { maxBatch: 256 });
    expect(batches).toEqual([
      [7, 280],
      [7, 280],
    ]);
  });

  it('closes a batch of light messages at maxMessages, whatever its weight', async () => {
    const subject = h.names.eventSubject('payment', 2);
    await publishAll(subject, Array.from({ length: 25 }, () => 0), 'c');
    const batches = await batchesOf(subject, 'counts', 25, { maxBatch: 5000, maxMessages: 10 });
    expect(batches.map(([messages]) => messages)).toEqual([10, 10, 5]);
    expect(batches.reduce((n, [, weight]) => n + weight, 0)).toBe(25);
  });
});

// BatchConsumer against the real JetStream: batches close by weight (envelopes count their
// records) or by message count, whichever comes first, and every message reaches the handler once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, deleteConsumer, eventually, type Harness } from '../test/harness.js';
import { BatchConsumer, PendingLimiter, connectBus, ensureConsumer, messageHeaders, pendingLimit, type JsMsg } from './bus.js';
import { HEADER_BATCH, declaredRecords } from './envelope.js';
import { createLogger } from './log.js';

let h: Harness;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

describe('batch consumer - waiting for more only when more is coming (waitAbovePerSecond)', () => {
  /** Handles every message of the subject, one at a time, recording each batch's size and when it started. */
  async function watchBatches(subject: string, durable: string, options: { maxWaitMs: number; waitAbovePerSecond?: number }) {
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable, filterSubject: subject, maxAckPending: 1000 });
    const batches: Array<{ size: number; at: number }> = [];
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        batches.push({ size: messages.length, at: Date.now() });
        for (const m of messages) m.ack();
      },
      { maxBatch: 1000, concurrency: 1, logger: createLogger('silent'), ...options },
    );
    await batcher.start();
    return { batches, batcher };
  }

  it('a message arriving alone is handled at once, not after the wait', async () => {
    const subject = h.names.eventSubject('payment', 11);
    const { batches, batcher } = await watchBatches(subject, 'alone', { maxWaitMs: 4000, waitAbovePerSecond: 5 });
    const published = Date.now();
    await publishAll(subject, [0], 'alone');
    await eventually(() => (batches.length > 0 ? true : undefined), 10_000, 'the message handled');
    await batcher.drain();
    // 4 s if it had waited; a loaded host delivers one message in far less than 2 s
    expect(batches[0]!.at - published).toBeLessThan(2000);
  });

  it('without waitAbovePerSecond a message arriving alone waits the whole maxWaitMs', async () => {
    const subject = h.names.eventSubject('payment', 12);
    const { batches, batcher } = await watchBatches(subject, 'alone-waits', { maxWaitMs: 1500 });
    const published = Date.now();
    await publishAll(subject, [0], 'waits');
    await eventually(() => (batches.length > 0 ? true : undefined), 10_000, 'the message handled');
    await batcher.drain();
    expect(batches[0]!.at - published).toBeGreaterThanOrEqual(1400);
  });

  it('messages arriving one after another, faster than the rate, are held for the wait and batched', async () => {
    const subject = h.names.eventSubject('payment', 13);
    // 5 a second: publishes awaited one by one come far faster on any host (a gap of 110 ms or
    // less reads as 5 a second or more), so after the first each partial batch waits its second
    const { batches, batcher } = await watchBatches(subject, 'steady', { maxWaitMs: 1000, waitAbovePerSecond: 5 });
    await publishAll(subject, Array.from({ length: 40 }, () => 0), 'steady');
    await eventually(() => (batches.reduce((n, b) => n + b.size, 0) >= 40 ? true : undefined), 15_000, '40 messages handled');
    await batcher.drain();
    // without the wait, each message would be a batch of its own (each publish waits for its ack)
    expect(batches.length).toBeLessThanOrEqual(8);
  });
});

describe('pending limiter - max_ack_pending follows the records per message', () => {
  const budget = { maxMessages: 1000, maxRecords: 20_000, minMessages: 50 };

  it.each([
    [1, 1000],
    [Number.NaN, 1000],
    [10, 1000],
    [64, 313],
    [256, 78],
    [1000, 50],
  ])('%s records per message: %s messages', (perMessage, limit) => {
    expect(pendingLimit(perMessage, budget)).toBe(limit);
  });

  it('resizes the durable consumer, and back, only after enough messages and a real change', async () => {
    const durable = 'limited';
    await ensureConsumer(h.bus, { stream: h.names.streams.events, durable, filterSubject: h.names.eventSubject('payment', 3), maxAckPending: 1000 });
    const limitOf = async (): Promise<number | undefined> => (await h.bus.jsm.consumers.info(h.names.streams.events, durable)).config.max_ack_pending;
    const limiter = new PendingLimiter(h.bus, h.names.streams.events, durable, budget, createLogger('silent'));
    limiter.count(50, 50 * 64);
    await limiter.resize(); // too few messages to judge
    expect(await limitOf()).toBe(1000);
    limiter.count(150, 150 * 64);
    await limiter.resize();
    expect(await limitOf()).toBe(313);
    limiter.count(200, 200 * 60); // 333: within a quarter of 313, left alone
    await limiter.resize();
    expect(await limitOf()).toBe(313);
    limiter.count(200, 200);
    await limiter.resize();
    expect(await limitOf()).toBe(1000);
    expect(limiter.limit).toBe(1000);
    // Envelopes again; then another process starts on the consumer and sets it back to its budget:
    // the next resize sees the server's value, not the one it set last.
    limiter.count(150, 150 * 64);
    await limiter.resize();
    expect(await limitOf()).toBe(313);
    await h.bus.jsm.consumers.update(h.names.streams.events, durable, { max_ack_pending: 1000 });
    limiter.count(150, 150 * 64);
    await limiter.resize();
    expect(await limitOf()).toBe(313);
  });
});

describe('pending limiter - after a holder died at the limit', () => {
  it('a new start is delivered to at once, what the dead held comes back after the ack wait, and the limit returns to its budget', async () => {
    const subject = h.names.eventSubject('payment', 8);
    const stream = h.names.streams.events;
    const ackWaitMs = 8_000;
    const spec = { stream, durable: 'died-holding', filterSubject: subject, maxAckPending: 10, ackWaitMs };
    await ensureConsumer(h.bus, spec);
    await publishAll(subject, Array.from({ length: 10 }, () => 0), 'dead');

    // A process pulls the limit's worth and dies without acknowledging (its connection closes).
    const dead = await connectBus(h.config.natsUrl, h.names, 'test-dead-holder');
    const pulled = await (await dead.js.consumers.get(stream, spec.durable)).fetch({ max_messages: 10, expires: 2_000 });
    let held = 0;
    for await (const m of pulled) if (m.seq > 0) held++;
    expect(held).toBe(10);
    await dead.nc.close();
    await publishAll(subject, Array.from({ length: 5 }, () => 0), 'after');
    const info = async () => h.bus.jsm.consumers.info(stream, spec.durable);
    // The scenario: the consumer stays at its limit, so the server would deliver nothing new.
    expect((await info()).num_ack_pending).toBe(10);

    const consumer = await ensureConsumer(h.bus, spec);
    const budget = { maxMessages: 10, maxRecords: 1000, minMessages: 5 };
    const limiter = new PendingLimiter(h.bus, stream, spec.durable, budget, createLogger('silent'));
    const started = Date.now();
    expect(await limiter.allowHeld(ackWaitMs + 2_000, started)).toBe(10);
    expect((await info()).config.max_ack_pending).toBe(20);

    const seen: Array<{ seq: number; at: number }> = [];
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        for (const m of messages) {
          seen.push({ seq: m.seq, at: Date.now() });
          m.ack();
        }
      },
      { maxBatch: 100, maxWaitMs: 10, concurrency: 1, logger: createLogger('silent') },
    );
    await batcher.start();
    try {
      // The five published after the death arrive well within the ack wait...
      await eventually(() => (seen.length >= 5 ? true : undefined), ackWaitMs - 3_000, 'the messages sent after the death');
      expect(seen.slice(0, 5).every((m) => m.at - started < ackWaitMs)).toBe(true);
      // ...and the ten the dead held once their ack wait is over: every message once.
      await eventually(() => (seen.length >= 15 ? true : undefined), ackWaitMs + 10_000, 'what the dead held, redelivered');
      expect(new Set(seen.map((m) => m.seq)).size).toBe(15);
    } finally {
      await batcher.drain();
    }
    // Once the allowance is over, the next resize gives the consumer its budget back.
    await limiter.resize(started + ackWaitMs + 2_001);
    expect((await info()).config.max_ack_pending).toBe(10);
    expect(limiter.limit).toBe(10);
  }, 40_000);

  it('nothing held: nothing allowed, the limit left as it is', async () => {
    const spec = { stream: h.names.streams.events, durable: 'held-nothing', filterSubject: h.names.eventSubject('payment', 9), maxAckPending: 10 };
    await ensureConsumer(h.bus, spec);
    const limiter = new PendingLimiter(h.bus, spec.stream, spec.durable, { maxMessages: 10, maxRecords: 1000, minMessages: 5 }, createLogger('silent'));
    expect(await limiter.allowHeld(30_000)).toBe(0);
    expect((await h.bus.jsm.consumers.info(spec.stream, spec.durable)).config.max_ack_pending).toBe(10);
  });
});

describe('batch consumer - what it holds', () => {
  it('knows when the oldest message it holds was stored, until the handler is done with it', async () => {
    const subject = h.names.eventSubject('payment', 4);
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable: 'held', filterSubject: subject, maxAckPending: 100 });
    let release: () => void = () => {};
    const handled = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        received += messages.length;
        await handled;
        for (const m of messages) m.ack();
      },
      { maxBatch: 100, maxWaitMs: 10, concurrency: 1, logger: createLogger('silent') },
    );
    expect(batcher.oldestHeldMs()).toBeNull();
    await batcher.start();
    const before = Date.now();
    await publishAll(subject, [0, 0, 0], 'held');
    // the first batch stays in the handler; the others queue behind it (concurrency 1)
    await eventually(() => (received >= 1 && batcher.pending + received >= 3 ? true : undefined), 10_000, 'all three held');
    const oldest = batcher.oldestHeldMs();
    expect(oldest).not.toBeNull();
    // the stream's clock and this one are the same machine's
    expect(oldest!).toBeGreaterThanOrEqual(before - 50);
    expect(oldest!).toBeLessThanOrEqual(Date.now());
    release();
    await eventually(() => (batcher.oldestHeldMs() === null ? true : undefined), 10_000, 'nothing held');
    await batcher.drain();
  });
});

describe('batch consumer - failures', () => {
  it('backs off after a failed batch, longer each time, starting no batch meanwhile; the first success resets it', async () => {
    const subject = h.names.eventSubject('payment', 5);
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable: 'failing', filterSubject: subject, maxAckPending: 100 });
    const calls: Array<{ at: number; size: number }> = [];
    let failuresLeft = 3;
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        calls.push({ at: Date.now(), size: messages.length });
        if (failuresLeft-- > 0) throw new Error('Redis is full');
        for (const m of messages) m.ack();
      },
      { maxBatch: 100, maxWaitMs: 5, concurrency: 1, logger: createLogger('silent'), backoff: { initialMs: 200, maxMs: 1000 } },
    );
    await batcher.start();
    await publishAll(subject, [0], 'fail-a');
    await eventually(() => (calls.length >= 1 ? true : undefined), 10_000, 'the first attempt');
    // published during the back-off: without it, this batch would start at once
    await publishAll(subject, [0], 'fail-b');
    await eventually(() => (calls.length >= 4 && batcher.failures === 0 ? true : undefined), 15_000, 'three failures, then success');
    // after each failure no batch started for 200, 400, 800 ms (each ±20 %)
    const gaps = calls.slice(1, 4).map((c, i) => c.at - calls[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(160);
    expect(gaps[1]).toBeGreaterThanOrEqual(320);
    expect(gaps[2]).toBeGreaterThanOrEqual(640);
    // and both messages were handled in the end
    await eventually(async () => ((await consumer.info()).num_ack_pending === 0 ? true : undefined), 10_000, 'everything acknowledged');
    await batcher.drain();
  });

  it('keeps what it holds through back-offs longer than the ack wait from being delivered again', async () => {
    const subject = h.names.eventSubject('payment', 10);
    const ackWaitMs = 2000;
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable: 'kept-alive', filterSubject: subject, maxAckPending: 100, ackWaitMs });
    await publishAll(subject, Array.from({ length: 20 }, () => 0), 'alive');
    const deliveries = new Map<string, number>();
    let failuresLeft = 2;
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        if (failuresLeft-- > 0) throw new Error('Redis is not reachable');
        for (const m of messages) {
          const id = m.headers?.get('Nats-Msg-Id') ?? '';
          deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
          m.ack();
        }
      },
      // Two back-offs of 3 s: the queued batches wait ≈ 6 s, three ack waits.
      { maxBatch: 5, maxWaitMs: 5, concurrency: 1, logger: createLogger('silent'), backoff: { initialMs: 3000, maxMs: 3000 }, ackWaitMs },
    );
    await batcher.start();
    await eventually(() => (deliveries.size === 20 ? true : undefined), 30_000, 'all 20 handled');
    await sleep(ackWaitMs + 500);
    await batcher.drain();
    // The failed batch comes back (nak'ed) once; the 15 queued behind it were never delivered twice.
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(deliveries.size).toBe(20);
  });

  it('stopping after a failed batch, hands back what it has not handled instead of failing each batch in turn', async () => {
    const subject = h.names.eventSubject('payment', 6);
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.events, durable: 'stopping', filterSubject: subject, maxAckPending: 100, ackWaitMs: 3000 });
    await publishAll(subject, Array.from({ length: 40 }, () => 0), 'stop');
    let calls = 0;
    const failing = new BatchConsumer(
      consumer,
      async () => {
        calls++;
        throw new Error('Redis is not reachable');
      },
      { maxBatch: 5, maxWaitMs: 5, concurrency: 1, logger: createLogger('silent'), backoff: { initialMs: 5000, maxMs: 5000 } },
    );
    await failing.start();
    // The first batch failed; the others wait out the back-off (5 s) in the queue.
    await eventually(() => (failing.failures >= 1 && failing.pending === 35 ? true : undefined), 10_000, 'the first batch failed, the rest queued');
    await failing.drain();
    expect(calls).toBe(1);

    // Every message comes back: nothing was acknowledged, nothing is lost. (One handed back while
    // the subscription closed may be in flight to it: that one returns after the ack wait.)
    const seen = new Set<string>();
    const next = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        for (const m of messages) {
          seen.add(m.headers?.get('Nats-Msg-Id') ?? '');
          m.ack();
        }
      },
      { maxBatch: 100, maxWaitMs: 5, concurrency: 1, logger: createLogger('silent') },
    );
    await next.start();
    await eventually(() => (seen.size === 40 ? true : undefined), 20_000, 'all 40 messages delivered again');
    await next.drain();
  });

  it('puts its durable consumer back when JetStream loses it, and carries on from what the stream holds', async () => {
    const subject = h.names.eventSubject('payment', 7);
    const spec = { stream: h.names.streams.events, durable: 'recreated', filterSubject: subject, maxAckPending: 100 };
    const consumer = await ensureConsumer(h.bus, spec);
    const seen = new Set<string>();
    const batcher = new BatchConsumer(
      consumer,
      async (messages: JsMsg[]) => {
        for (const m of messages) {
          seen.add(m.headers?.get('Nats-Msg-Id') ?? '');
          m.ack();
        }
      },
      { maxBatch: 100, maxWaitMs: 5, concurrency: 1, logger: createLogger('silent'), recreate: () => ensureConsumer(h.bus, spec), recreateCheckMs: 200 },
    );
    await batcher.start();
    await publishAll(subject, [0], 'kept-a');
    await eventually(() => (seen.has('kept-a-0') ? true : undefined), 10_000, 'the first message');

    // As when a server comes back without its store (here the stream stays, the consumer goes).
    await eventually(async () => ((await consumer.info()).num_ack_pending === 0 ? true : undefined), 10_000, 'the first message acknowledged');
    await deleteConsumer(h.bus, spec.stream, spec.durable);
    await publishAll(subject, [0], 'kept-b');
    await eventually(() => (seen.has('kept-b-0') ? true : undefined), 15_000, 'a message published after the consumer was lost');
    expect((await h.bus.jsm.consumers.info(spec.stream, spec.durable)).name).toBe('recreated');
    await batcher.drain();
  });
});

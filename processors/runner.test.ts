// The processor runner against the real NATS and Redis: decisions for good events, dead letters
// with reasons for bad messages, and inputs acknowledged only after their outputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_REPLY, consumerLag, createLogger, createMetrics, messageHeaders, processorsHaveRun, validateEvent, type DeadLetterWire, type DecisionWire } from '../core/index.js';
import { createEventPublisher } from '../ingest/publisher.js';
import { EVENT_EXAMPLES } from '../core/contracts/examples.js';
import { createHarness, eventually, payment, validated, type Harness } from '../test/harness.js';
import { createDecider } from './decide/index.js';
import { createFeatureStore } from './features/index.js';
import { createFraudRulesScorer } from './fraud/index.js';
import { createProcessor, finiteFeatures, processorsProblem, type Processor } from './runner.js';

let h: Harness;
let processor: Processor;

async function readAll<T>(stream: string, expected: number, on: Harness = h): Promise<T[]> {
  return eventually(async () => {
    const info = await on.bus.jsm.streams.info(stream);
    if (info.state.messages < expected) return undefined;
    const consumer = await on.bus.js.consumers.get(stream);
    const out: T[] = [];
    const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 3000 });
    for await (const m of messages) {
      out.push(m.json<T>());
      if (out.length >= info.state.messages) break;
    }
    return out;
  }, 20_000, `${expected} messages on ${stream}`);
}

beforeAll(async () => {
  h = await createHarness();
  processor = createProcessor({
    bus: h.bus,
    features: createFeatureStore(h.redis, { prefix: h.names.redisPrefix, dedupTtlSeconds: 600 }),
    decide: createDecider([createFraudRulesScorer()]),
    metrics: createMetrics(),
    logger: createLogger('silent'),
  });
  await processor.start();
});

afterAll(async () => {
  await processor?.drain();
  await h?.cleanup();
});

describe('processor runner - decisions and dead letters', () => {
  it('decides good events and dead-letters bad messages with their reasons, without stopping', async () => {
    const publisher = createEventPublisher(h.bus, 4, createMetrics());
    const subject = h.names.eventSubject('payment', 0);
    await h.bus.publisher.publish(subject, '{"v":1,"kind":"payment",', 'bad-json');
    await h.bus.publisher.publish(subject, JSON.stringify(payment('bad-amount', { amount: 12.5 })), 'bad-amount');
    await h.bus.publisher.publish(subject, JSON.stringify({ ...payment('no-id'), id: undefined }), 'no-id');
    await h.bus.publisher.publish(subject, JSON.stringify(payment('twice')).replace('"amount":', '"amount":"99999.00","amount":'), 'twice');
    // nested far deeper than any event: a dead letter, not a batch that fails again and again
    await h.bus.publisher.publish(subject, JSON.stringify(payment('deep')).replace('"amount":', `"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},"amount":`), 'deep');
    await h.bus.publisher.publish(
      h.names.eventSubject('customer', 0),
      JSON.stringify(payment('wrong-subject')),
      'wrong-subject',
    );
    for (let i = 0; i < 20; i++) {
      const result = validateEvent(payment(`good-${i}`, { debtor: { accountId: `ACC-R${i % 3}`, customerId: `C-R${i % 3}`, country: 'US' } }));
      if (!result.ok) throw new Error('fixture');
      await publisher.publish(result.event, 'test');
    }

    const letters = await readAll<DeadLetterWire>(h.names.streams.dlq, 6);
    const byPayload = (text: string) => letters.find((l) => l.payload.includes(text));
    expect(letters.map((l) => l.code).sort()).toEqual(['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT']);
    expect(letters.find((l) => l.reason.includes('levels deep'))).toMatchObject({ code: 'RS_ERR_BUS_SCHEMA' });
    // a field named twice would be read two ways (a check before the bus may read the first copy)
    expect(byPayload('"twice"')).toMatchObject({ code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringMatching(/^\/amount amount appears more than once/) });
    expect(byPayload('bad-amount')).toMatchObject({ source: 'processors', code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringContaining('/amount') });
    expect(byPayload('"no-id"') ?? letters.find((l) => l.reason.includes('/id'))).toMatchObject({ reason: expect.stringContaining('/id') });
    expect(byPayload('wrong-subject')).toMatchObject({ code: 'RS_ERR_BUS_SUBJECT', subject: h.names.eventSubject('customer', 0) });
    for (const letter of letters) expect(letter.streamSeq).toBeGreaterThan(0);

    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 20);
    expect(new Set(decisions.map((d) => d.eventId))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `good-${i}`)));
    for (const d of decisions) {
      expect(d).toMatchObject({ v: 1, eventKind: 'payment', currency: 'USD', amountMinor: 125000, channel: 'mobile', country: 'US', counterpartyCountry: 'GB' });
      expect(d.features.out_count_1h).toBeGreaterThan(0);
    }
    // Every input, good or bad, was acknowledged once its outputs were stored.
    await eventually(async () => {
      const lag = await consumerLag(h.bus, h.names.streams.events, h.names.consumers.processors);
      return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
    }, 10_000, 'the consumer to be drained');
    // so that a Redis emptied while they are stopped is noticed at their next start (watchRedisState)
    expect(await processorsHaveRun(h.bus)).toBe(true);
  });

  it('counts the third payment of an account in a minute as the third', async () => {
    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 20);
    const counts = decisions.filter((d) => d.accountId === 'ACC-R0').map((d) => d.features.out_count_1m).sort((a, b) => a! - b!);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('names the holder in the decision of a payment that names no customer, once a customer event links the account', async () => {
    const publisher = createEventPublisher(h.bus, 4, createMetrics());
    const holder = { ...EVENT_EXAMPLES.customer[0]!.event, id: 'link-cust', customerId: 'C-LINK', segment: 'vip', accounts: ['ACC-LINK'], ts: new Date().toISOString() };
    await publisher.publish(validated(holder), 'test');
    await readAll<DecisionWire>(h.names.streams.decisions, 21);
    await publisher.publish(validated(payment('link-pay', { debtor: { accountId: 'ACC-LINK', country: 'US' } })), 'test');
    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 22);
    expect(decisions.find((d) => d.eventId === 'link-pay')).toMatchObject({ accountId: 'ACC-LINK', customerId: 'C-LINK', segment: 'vip' });
  });

  it('decides an event whose reply subject NATS refuses, instead of failing its batch again and again', async () => {
    // a producer on the bus may copy any header; a subject with a space or a tab cannot be answered
    for (const [i, reply] of ['a b', 'a\tb'].entries()) {
      const headers = messageHeaders(Date.now());
      headers.set(HEADER_REPLY, reply);
      await h.bus.publisher.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment(`bad-reply-${i}`)), `bad-reply-${i}`, headers);
    }
    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 24);
    expect(decisions.filter((d) => d.eventId.startsWith('bad-reply-')).map((d) => d.eventId).sort()).toEqual(['bad-reply-0', 'bad-reply-1']);
    await eventually(async () => {
      const lag = await consumerLag(h.bus, h.names.streams.events, h.names.consumers.processors);
      return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
    }, 10_000, 'the consumer to be drained');
    expect(processor.status().failingSinceMs).toBeNull();
  });

  it('dead-letters a message that is not UTF-8 instead of deciding it with U+FFFD in place of its bytes', async () => {
    const [before, after] = JSON.stringify(payment('latin-1', { debtor: { accountId: 'ACC-L', name: 'HOLDER', country: 'FR' } })).split('HOLDER') as [string, string];
    // "René" as a Latin-1 producer writes it: é is the one byte 0xE9
    const bytes = Buffer.concat([Buffer.from(`${before}Ren`), Buffer.from([0xe9]), Buffer.from(after)]);
    await h.bus.publisher.publish(h.names.eventSubject('payment', 0), bytes, 'latin-1');
    const letters = await readAll<DeadLetterWire>(h.names.streams.dlq, 7);
    expect(letters.find((l) => l.payload.includes('"latin-1"'))).toMatchObject({ source: 'processors', code: 'RS_ERR_BUS_JSON', reason: 'not UTF-8 text' });
    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 24);
    expect(decisions.find((d) => d.eventId === 'latin-1')).toBeUndefined();
  });

  it('reads an ingest time no clock gives (Rs-Ingest-Ts 0) as none, so that storage takes the decision', async () => {
    const headers = messageHeaders();
    headers.set('Rs-Ingest-Ts', '0');
    await h.bus.publisher.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment('ingest-zero')), 'ingest-zero', headers);
    const decisions = await readAll<DecisionWire>(h.names.streams.decisions, 25);
    // with ingestTs 0 the writer dead-lettered the decision (/ingestTs must be epoch milliseconds between 2000 and 2100)
    expect(decisions.find((d) => d.eventId === 'ingest-zero')).toMatchObject({ ingestTs: null, latencyMs: { total: null } });
  });
});

describe('processor runner - a failing feature store', () => {
  it('counts the failed batches, backs off, and decides the event once the store answers', async () => {
    const own = await createHarness();
    const metrics = createMetrics();
    const store = createFeatureStore(own.redis, { prefix: own.names.redisPrefix, dedupTtlSeconds: 600 });
    let refusals = 2;
    const failing = createProcessor({
      bus: own.bus,
      // Redis refusing twice (full, or gone), then answering
      features: {
        computeBatch: (events, origins) => (refusals-- > 0 ? Promise.reject(new Error('OOM command not allowed')) : store.computeBatch(events, origins)),
      },
      decide: createDecider([createFraudRulesScorer()]),
      metrics,
      logger: createLogger('silent'),
    });
    try {
      await failing.start();
      expect(failing.status()).toEqual({ failingSinceMs: null, lastError: null });
      const started = Date.now();
      await own.bus.publisher.publish(own.names.eventSubject('payment', 0), JSON.stringify(payment('after-refusals')), 'after-refusals');
      // while it fails, its status says since when and why (what /healthz reports after 30 s)
      const failingStatus = await eventually(() => (failing.status().failingSinceMs !== null ? failing.status() : undefined), 10_000, 'the failure seen');
      expect(failingStatus.lastError).toBe('OOM command not allowed');
      expect(processorsProblem(failingStatus, failingStatus.failingSinceMs! + 31_000)).toBe(
        'every batch has failed for 31 s, so nothing is decided; events wait on the stream; last error: OOM command not allowed',
      );
      expect(processorsProblem(failingStatus, failingStatus.failingSinceMs! + 5_000)).toBeNull();
      await eventually(async () => ((await own.bus.jsm.streams.info(own.names.streams.decisions)).state.messages === 1 ? true : undefined), 20_000, 'the decision');
      expect(failing.status()).toEqual({ failingSinceMs: null, lastError: null });
      // two back-offs (1 s, then 2 s, each ±20 %) before the batch that went through
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
      const failures = (await metrics.registry.getSingleMetricAsString('rs_processor_batch_failures_total')).split('\n').find((l) => l.startsWith('rs_processor_batch_failures_total'));
      expect(failures).toBe('rs_processor_batch_failures_total 2');
    } finally {
      await failing.drain();
      await own.cleanup();
    }
  }, 30_000);
});

describe('processor runner - a bug in deciding', () => {
  it('files the event as RS_ERR_SCORER, and once sent again after the fix decides it once, counted once', async () => {
    const own = await createHarness();
    const decider = createDecider([createFraudRulesScorer()]);
    let broken = true;
    const processor = createProcessor({
      bus: own.bus,
      features: createFeatureStore(own.redis, { prefix: own.names.redisPrefix, dedupTtlSeconds: 600 }),
      decide: (input) => {
        if (broken && input.event.id === 'bug-1') throw new Error('a bug in deciding');
        return decider(input);
      },
      metrics: createMetrics(),
      logger: createLogger('silent'),
    });
    const publisher = createEventPublisher(own.bus, 4, createMetrics());
    const validated = (raw: unknown) => {
      const result = validateEvent(raw);
      if (!result.ok) throw new Error('fixture');
      return result.event;
    };
    const account = { accountId: 'ACC-BUG', customerId: 'C-BUG', country: 'US' };
    try {
      await processor.start();
      await publisher.publish(validated(payment('bug-1', { debtor: account })), 'test');
      const [letter] = await readAll<DeadLetterWire>(own.names.streams.dlq, 1, own);
      expect(letter).toMatchObject({ source: 'processors', code: 'RS_ERR_SCORER', reason: expect.stringContaining('a bug in deciding') });

      // Fixed; the letter's payload sent again as `riskstream replay` sends it (a message of its own).
      broken = false;
      await publisher.publishMany([validated(JSON.parse(letter!.payload))], 'replay');
      const [decision] = await readAll<DecisionWire>(own.names.streams.decisions, 1, own);
      // decided with the features of its first application: the payment counted once
      expect(decision).toMatchObject({ eventId: 'bug-1', accountId: 'ACC-BUG' });
      expect(decision!.features.out_count_1m).toBe(1);

      // a third copy is a duplicate of the second, and the account's next payment is its second
      await publisher.publishMany([validated(JSON.parse(letter!.payload))], 'replay');
      await publisher.publish(validated(payment('bug-2', { debtor: account })), 'test');
      const decisions = await readAll<DecisionWire>(own.names.streams.decisions, 2, own);
      expect(decisions.map((d) => d.eventId)).toEqual(['bug-1', 'bug-2']);
      expect(decisions[1]!.features.out_count_1m).toBe(2);
      await eventually(async () => {
        const lag = await consumerLag(own.bus, own.names.streams.events, own.names.consumers.processors);
        return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
      }, 10_000, 'the consumer to be drained');
      expect((await own.bus.jsm.streams.info(own.names.streams.decisions)).state.messages).toBe(2);
    } finally {
      await processor.drain();
      await own.cleanup();
    }
  }, 30_000);
});

describe('runner - the features a decision carries', () => {
  it('leaves out a feature that is not finite, so that storage takes the decision', () => {
    const features = { amount_usd: 125_000, out_count_1h: Number.NaN, seconds_since_last: Number.POSITIVE_INFINITY };
    expect(finiteFeatures(features)).toEqual({ amount_usd: 125_000 });
    // the same object when every feature is a number (the usual case costs no copy)
    const whole = { amount_usd: 1, out_count_1h: 2 };
    expect(finiteFeatures(whole)).toBe(whole);
  });
});

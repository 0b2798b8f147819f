// A writer started after one that stopped holding a bad message does not publish that message's
// dead letter a second time once JetStream's duplicate window is past (PublishedOutputs), against
// the real NATS and chDB. The streams' duplicate window is cut to 1 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_MSG_ID,
  TEST_STREAM_LIMITS,
  consumerLag,
  createLogger,
  createMetrics,
  ensureConsumer,
  ensureStreams,
  type DeadLetterWire,
} from '../../core/index.js';
import { createHarness, eventually, type Harness } from '../../test/harness.js';
import type { ClickHouse } from '../clickhouse.js';
import { closeTestDatabase, openTestDatabase } from '../test-database.js';
import { createWriter, type Writer } from './writer.js';

let h: Harness;
let ch: ClickHouse;
let writer: Writer | undefined;

beforeAll(async () => {
  h = await createHarness();
  await ensureStreams(h.bus, { ...TEST_STREAM_LIMITS, duplicateWindowSeconds: 1 });
  ch = await openTestDatabase(h);
});

afterAll(async () => {
  await writer?.drain();
  await closeTestDatabase(h, ch);
});

describe('writer - dead letters beyond the duplicate window', () => {
  it('a writer started after one that stopped holding a bad message does not dead-letter it again', async () => {
    const { names } = h;
    const metrics = createMetrics();
    // The stopped writer: it took the bad message from its consumer, published the dead letter and
    // died before acknowledging it.
    await ensureConsumer(h.bus, { stream: names.streams.events, durable: names.consumers.writerEvents, ackWaitMs: 60_000, maxAckPending: 4_000 });
    const bad = await h.bus.publisher.publish(names.eventSubject('payment', 0), '{"v":1,"kind":"payment"', 'broken-1');
    const dead = await h.bus.js.consumers.get(names.streams.events, names.consumers.writerEvents);
    const held = [];
    for await (const m of await dead.fetch({ max_messages: 1, expires: 5_000 })) held.push(m);
    expect(held).toHaveLength(1);
    const letterId = `writer:${names.streams.events}:${bad.seq}`;
    const letter: DeadLetterWire = {
      v: 1,
      source: 'writer',
      subject: names.eventSubject('payment', 0),
      streamSeq: bad.seq,
      code: 'RS_ERR_BUS_JSON',
      reason: 'not valid JSON (the stopped writer)',
      at: Date.now(),
      payload: '{"v":1,"kind":"payment"',
    };
    await h.bus.publisher.publish(names.dlqSubject('writer'), JSON.stringify(letter), letterId);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the 1 s duplicate window

    writer = createWriter({ bus: h.bus, client: ch.client, names, metrics, logger: createLogger('silent'), maxWaitMs: 100, lagPollMs: 100 });
    await writer.start();
    held[0]!.nak(); // back now rather than after the 60 s ack wait
    await eventually(async () => {
      const lag = await consumerLag(h.bus, names.streams.events, names.consumers.writerEvents);
      return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
    }, 20_000, 'the bad message acknowledged');

    const info = await h.bus.jsm.streams.info(names.streams.dlq);
    const ids: string[] = [];
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      const m = await h.bus.jsm.streams.getMessage(names.streams.dlq, { seq });
      if (m) ids.push(m.header.get(HEADER_MSG_ID));
    }
    expect(ids).toEqual([letterId]);
    expect((await metrics.notRepublished.get()).values[0]?.value).toBe(1);
  });
});

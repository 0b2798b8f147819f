// The backlog watch: a full stream discarding what a consumer has not read is counted and logged,
// from pure readings and against the real JetStream (a stream of ten messages at most).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, DiscardPolicy } from '@nats-io/jetstream';
import { createHarness, type Harness } from '../test/harness.js';
import { BacklogWatch, backlogFinding, backlogVerdict, worstVerdict, type BacklogReading } from './backlog-watch.js';
import { createLogger } from './log.js';
import { createMetrics } from './metrics.js';

const reading = (r: Partial<BacklogReading>): BacklogReading => ({
  firstSeq: 1,
  messages: 100,
  bytes: 1000,
  maxBytes: 10_000,
  deliveredStreamSeq: 0,
  deliveredConsumerSeq: 0,
  pending: 0,
  ...r,
});

describe('backlog finding', () => {
  it('counts nothing while the consumer reads every message', () => {
    const before = reading({ deliveredStreamSeq: 40, deliveredConsumerSeq: 40 });
    const after = reading({ firstSeq: 30, deliveredStreamSeq: 90, deliveredConsumerSeq: 90 });
    expect(backlogFinding(before, after).discardedUnread).toBe(0);
    // Redeliveries are deliveries too: never a negative count.
    expect(backlogFinding(before, reading({ deliveredStreamSeq: 45, deliveredConsumerSeq: 60 })).discardedUnread).toBe(0);
  });

  it('counts the stream sequences a consumer passed over without a delivery', () => {
    const before = reading({ deliveredStreamSeq: 3, deliveredConsumerSeq: 3 });
    const after = reading({ firstSeq: 16, deliveredStreamSeq: 18, deliveredConsumerSeq: 6 });
    expect(backlogFinding(before, after).discardedUnread).toBe(12);
  });

  it('counts a gap in front of a waiting consumer once: when it appears and as it grows, not again when it jumps', () => {
    const waiting = reading({ deliveredStreamSeq: 3, deliveredConsumerSeq: 3 });
    const gap = reading({ firstSeq: 16, deliveredStreamSeq: 3, deliveredConsumerSeq: 3 });
    expect(backlogFinding(waiting, gap).discardedUnread).toBe(12);
    const wider = reading({ firstSeq: 20, deliveredStreamSeq: 3, deliveredConsumerSeq: 3 });
    expect(backlogFinding(gap, wider).discardedUnread).toBe(4);
    const jumped = reading({ firstSeq: 20, deliveredStreamSeq: 22, deliveredConsumerSeq: 6 });
    expect(backlogFinding(wider, jumped).discardedUnread).toBe(0);
  });

  it('at start, counts a gap already there, but not for a consumer that never delivered (what aged out before it existed)', () => {
    expect(backlogFinding(undefined, reading({ firstSeq: 500, deliveredStreamSeq: 120, deliveredConsumerSeq: 130 })).discardedUnread).toBe(379);
    expect(backlogFinding(undefined, reading({ firstSeq: 500, deliveredStreamSeq: 0, deliveredConsumerSeq: 0 })).discardedUnread).toBe(0);
  });

  it('says how full the stream is and how much of it the consumer has not read', () => {
    expect(backlogFinding(undefined, reading({ bytes: 8_500, maxBytes: 10_000, messages: 200, pending: 150 }))).toMatchObject({ fill: 0.85, unreadShare: 0.75 });
    expect(backlogFinding(undefined, reading({ maxBytes: -1 })).fill).toBeNull();
  });
});

describe('backlog verdict - when producers hold back', () => {
  const mib = 1024 * 1024;
  const stream = { what: 'events', bytes: 100 * mib, messages: 100_000, maxBytes: 100 * mib, sentBytes: 0 };
  it('holds back while the slowest reader has more than the share of the stream unread', () => {
    expect(backlogVerdict({ ...stream, consumers: [{ name: 'processors', pending: 1_000 }, { name: 'writer', pending: 24_000 }] }, 0.25)).toEqual({ wait: false });
    expect(backlogVerdict({ ...stream, consumers: [{ name: 'processors', pending: 1_000 }, { name: 'writer', pending: 26_000 }] }, 0.25)).toMatchObject({
      wait: true,
      unreadBytes: 26 * mib,
      reason: 'writer has not read them yet',
    });
    expect(backlogVerdict({ ...stream, consumers: [{ name: 'writer', pending: 13_000 }] }, 0.125)).toMatchObject({ wait: true });
    expect(backlogVerdict({ ...stream, consumers: [{ name: 'writer', pending: 12_000 }] }, 0.125)).toEqual({ wait: false });
  });
  it('without readers, holds back once the caller has sent the share; without a byte limit, never', () => {
    expect(backlogVerdict({ ...stream, consumers: [], sentBytes: 20 * mib }, 0.25)).toEqual({ wait: false });
    expect(backlogVerdict({ ...stream, consumers: [], sentBytes: 30 * mib }, 0.25)).toMatchObject({ wait: true, reason: expect.stringMatching(/^no process consumes the events stream: start riskstream/) });
    expect(backlogVerdict({ ...stream, maxBytes: -1, consumers: [{ name: 'writer', pending: 100_000 }] }, 0.25)).toEqual({ wait: false });
  });
  it('over several streams, names the one furthest over its share', () => {
    const events = { ...stream, consumers: [{ name: 'writer-events', pending: 30_000 }] };
    const decisions = { ...stream, what: 'decisions', maxBytes: 50 * mib, bytes: 50 * mib, consumers: [{ name: 'writer-decisions', pending: 60_000 }] };
    expect(worstVerdict([events, decisions], 0.25)).toMatchObject({ wait: true, what: 'decisions', reason: 'writer-decisions has not read them yet', limitBytes: 50 * mib });
    expect(worstVerdict([events, { ...decisions, consumers: [{ name: 'writer-decisions', pending: 0 }] }], 0.25)).toMatchObject({ wait: true, what: 'events' });
    expect(worstVerdict([{ ...events, consumers: [] }], 0.25)).toEqual({ wait: false });
    expect(worstVerdict([], 0.25)).toEqual({ wait: false });
  });
});

describe('backlog watch - against JetStream', () => {
  let h: Harness;
  const stream = `BACKLOG_${Date.now()}`;

  beforeAll(async () => {
    h = await createHarness();
    await h.bus.jsm.streams.add({ name: stream, subjects: [`${stream}.>`], max_msgs: 10, max_bytes: 640, discard: DiscardPolicy.Old });
    await h.bus.jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
  });

  afterAll(async () => {
    await h?.bus.jsm.streams.delete(stream).catch(() => false);
    await h?.cleanup();
  });

  async function publish(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) await h.bus.js.publish(`${stream}.x`, `m${i}`);
  }

  async function read(count: number): Promise<number[]> {
    const seqs: number[] = [];
    const messages = await (await h.bus.js.consumers.get(stream, 'reader')).fetch({ max_messages: count, expires: 1000 });
    for await (const m of messages) {
      seqs.push(m.seq);
      m.ack();
    }
    return seqs;
  }

  it('counts what the full stream discarded before the consumer read it, logs it, and warns while unread messages are at risk', async () => {
    const metrics = createMetrics();
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('warn', 'test', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const watch = new BacklogWatch(h.bus, metrics, logger);
    const target = { stream, durable: 'reader', label: 'reader' };

    await publish(0, 5);
    expect(await read(3)).toEqual([1, 2, 3]);
    expect((await watch.look(target))?.discardedUnread).toBe(0);

    // 20 more into a stream of 10: seqs 4–15 go before the consumer read them.
    await publish(5, 25);
    const waiting = await watch.look(target);
    expect(waiting?.discardedUnread).toBe(12);
    expect(waiting?.pending).toBe(10);
    // Ten unread of ten, 560 of 640 bytes: the warning that more will go.
    expect(waiting?.fill).toBeCloseTo(0.875, 3);
    expect(lines.find((l) => l.level === 40)?.msg).toBe(`${stream} is 88 % full and reader has not read 100 % of it: when it is full the oldest messages are discarded, read or not`);
    expect(await read(3)).toEqual([16, 17, 18]);
    expect((await watch.look(target))?.discardedUnread).toBe(0);

    const counted = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rs_stream_discarded_unread_total')?.values;
    expect(counted).toEqual([expect.objectContaining({ labels: { consumer: 'reader' }, value: 12 })]);
    const fill = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rs_stream_fill_ratio')?.values[0];
    expect(fill?.value).toBeGreaterThan(0);
    expect(fill?.labels).toEqual({ stream });
    const error = lines.find((l) => l.level === 50);
    expect(error?.msg).toMatch(new RegExp(`^${stream} discarded 12 messages before reader read them: they are lost to it.*RISKSTREAM_STREAM_MAX_MB`));
  });
});

// The event publisher's envelope path against the real NATS: events of one subject travel
// together, at most maxRecords per message, each line exactly the event as sent alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUPLICATE_REPLY, HEADER_BATCH, createMetrics, partitionOf, splitEnvelopeText, type ValidatedEvent } from '../core/index.js';
import { createHarness, customerEvent, payment, validated, type Harness } from '../test/harness.js';
import { DECIDED_BEFORE, DecisionWaiters, createEventPublisher } from './publisher.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

function paymentEvent(id: string, accountId: string): ValidatedEvent {
  return validated(payment(id, { debtor: { accountId, customerId: `C-${accountId}`, country: 'US' }, labels: { patterns: ['test'] } }));
}

type Stored = { subject: string; batch: string | undefined; msgId: string | undefined; lines: string[] };

async function storedMessages(expected: number): Promise<Stored[]> {
  const consumer = await h.bus.js.consumers.get(h.names.streams.events);
  const out: Stored[] = [];
  const messages = await consumer.fetch({ max_messages: expected, expires: 3000 });
  for await (const m of messages) {
    out.push({ subject: m.subject, batch: m.headers?.get(HEADER_BATCH), msgId: m.headers?.get('Nats-Msg-Id'), lines: splitEnvelopeText(m.string()) });
    if (out.length >= expected) break;
  }
  return out;
}

describe('event publisher - envelopes', () => {
  it('groups events per kind on the mixed-partition subject, at most maxRecords per envelope, and resolves once all are stored', async () => {
    const partitions = 4;
    // Accounts on different partitions travel together: the envelope is per kind.
    const accounts = ['ACC-E1', 'ACC-E2', 'ACC-E3', 'ACC-E4', 'ACC-E5'];
    expect(new Set(accounts.map((a) => partitionOf(a, partitions))).size).toBeGreaterThan(1);
    const payments = Array.from({ length: 75 }, (_, i) => paymentEvent(`env-p-${i}`, accounts[i % accounts.length]!));
    const customers = Array.from({ length: 3 }, (_, i) => customerEvent(`env-c-${i}`));
    const metrics = createMetrics();
    await createEventPublisher(h.bus, partitions, metrics).publishMany([...payments, ...customers], 'test', 32);

    const info = await h.bus.jsm.streams.info(h.names.streams.events);
    expect(info.state.messages).toBe(4); // 32 + 32 + 11 payments, 3 customers
    const stored = await storedMessages(4);
    const paymentSubject = h.names.mixedEventSubject('payment');
    expect(paymentSubject).toBe(`${h.namespace}.ev.payment.mixed`);
    expect(stored.map((m) => [m.subject, m.batch])).toEqual([
      [paymentSubject, '32'],
      [paymentSubject, '32'],
      [paymentSubject, '11'],
      [h.names.mixedEventSubject('customer'), '3'],
    ]);
    for (const m of stored) expect(m.lines).toHaveLength(Number(m.batch));
    expect(new Set(stored.map((m) => m.msgId)).size).toBe(4);
    // Each line is the event as it would travel alone, labels included, in the order given.
    const lines = stored.flatMap((m) => m.lines.map((line) => JSON.parse(line) as { id: string; labels?: unknown }));
    expect(lines.map((e) => e.id)).toEqual([...payments, ...customers].map((e) => e.id));
    expect(lines[0]!.labels).toEqual({ patterns: ['test'] });
    const counted = (await metrics.registry.getSingleMetricAsString('rs_events_in_total')).match(/kind="payment",via="test"[^\n]* (\d+)|via="test",kind="payment"[^\n]* (\d+)/);
    expect(Number(counted?.[1] ?? counted?.[2])).toBe(75);
  });
});

describe('event publisher - envelope size', () => {
  it("never puts more in one envelope than the server takes: large events spill into further envelopes, in order", async () => {
    const own = await createHarness();
    try {
      // 64 customers of ~25 KB (64 account ids of 128 three-byte characters): ~1.6 MB, past NATS's max_payload
      const customers = Array.from({ length: 64 }, (_, i) =>
        validated({ ...customerEvent(`big-${i}`).body, accounts: Array.from({ length: 64 }, (_, k) => `${k}`.padEnd(128, '東')) }),
      );
      await createEventPublisher(own.bus, 4, createMetrics()).publishMany(customers, 'test', 64);
      const info = await own.bus.jsm.streams.info(own.names.streams.events);
      expect(info.state.messages).toBeGreaterThanOrEqual(2);
      const ids: string[] = [];
      for (let seq = 1; seq <= info.state.messages; seq++) {
        const m = (await own.bus.jsm.streams.getMessage(own.names.streams.events, { seq }))!;
        expect(m.data.length).toBeLessThanOrEqual(own.bus.nc.info!.max_payload);
        const lines = splitEnvelopeText(m.string());
        expect(m.header.get(HEADER_BATCH)).toBe(String(lines.length));
        ids.push(...lines.map((line) => (JSON.parse(line) as { id: string }).id));
      }
      expect(ids).toEqual(customers.map((e) => e.id));
    } finally {
      await own.cleanup();
    }
  });
});

describe('decision waiters', () => {
  it('resolve with the decision, with DECIDED_BEFORE for a copy the processor decided earlier, with null in time, and ignore a malformed reply', async () => {
    const waiters = new DecisionWaiters(h.bus);
    try {
      const decided = waiters.wait(5000);
      const before = waiters.wait(5000);
      const malformed = waiters.wait(300);
      const silent = waiters.wait(50);
      h.bus.nc.publish(decided.replyTo, JSON.stringify({ v: 1, eventId: 'w-1', action: 'allow' }));
      h.bus.nc.publish(before.replyTo, DUPLICATE_REPLY);
      h.bus.nc.publish(malformed.replyTo, '{"v":1,');
      expect(await decided.decision).toMatchObject({ eventId: 'w-1', action: 'allow' });
      expect(await before.decision).toBe(DECIDED_BEFORE);
      expect(await malformed.decision).toBeNull();
      expect(await silent.decision).toBeNull();
    } finally {
      waiters.close();
    }
  });
});

// The event publisher's envelope path against the real NATS: events of one subject travel
// together, at most maxRecords per message, each line exactly the event as sent alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BATCH, createMetrics, partitionOf, splitEnvelopeText, validateEvent, type ValidatedEvent } from '../core/index.js';
import { createHarness, payment, type Harness } from '../test/harness.js';
import { createEventPublisher } from './publisher.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

function paymentEvent(id: string, accountId: string): ValidatedEvent {
  const result = validateEvent(payment(id, { debtor: { accountId, customerId: `C-${accountId}`, country: 'US' }, labels: { patterns: ['test'] } }));
  if (!result.ok) throw new Error(`fixture: ${JSON.stringify(result.errors)}`);
  return result.event;
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
  it('groups events per subject, at most maxRecords per envelope, and resolves once all are stored', async () => {
    const partitions = 4;
    // Two accounts on different partitions: 70 events for one, 5 for the other.
    const accounts = ['ACC-E1', 'ACC-E2', 'ACC-E3', 'ACC-E4', 'ACC-E5'];
    const a = accounts[0]!;
    const b = accounts.find((x) => partitionOf(x, partitions) !== partitionOf(a, partitions))!;
    const events = [
      ...Array.from({ length: 70 }, (_, i) => paymentEvent(`env-a-${i}`, a)),
      ...Array.from({ length: 5 }, (_, i) => paymentEvent(`env-b-${i}`, b)),
    ];
    const metrics = createMetrics();
    await createEventPublisher(h.bus, partitions, metrics).publishMany(events, 'test', 32);

    const info = await h.bus.jsm.streams.info(h.names.streams.events);
    expect(info.state.messages).toBe(4); // 32 + 32 + 6 for a, 5 for b
    const stored = await storedMessages(4);
    const subjectA = h.names.eventSubject('payment', partitionOf(a, partitions));
    const subjectB = h.names.eventSubject('payment', partitionOf(b, partitions));
    expect(stored.map((m) => [m.subject, m.batch])).toEqual([
      [subjectA, '32'],
      [subjectA, '32'],
      [subjectA, '6'],
      [subjectB, '5'],
    ]);
    for (const m of stored) expect(m.lines).toHaveLength(Number(m.batch));
    expect(new Set(stored.map((m) => m.msgId)).size).toBe(4);
    // Each line is the event as it would travel alone, labels included, in the order given.
    const lines = stored.flatMap((m) => m.lines.map((line) => JSON.parse(line) as { id: string; labels?: unknown }));
    expect(lines.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(lines[0]!.labels).toEqual({ patterns: ['test'] });
    const counted = (await metrics.registry.getSingleMetricAsString('rs_events_in_total')).match(/via="test"[^\n]* (\d+)/);
    expect(Number(counted?.[1])).toBe(75);
  });
});

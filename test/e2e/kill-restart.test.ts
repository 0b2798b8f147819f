// Kill the processor with SIGKILL mid-stream, start it again: no event lost, no second decision,
// whether the events come one per message or in envelopes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BATCH, HEADER_MSG_ID, consumerLag, createMetrics, splitEnvelopeText, validateEvent, type ValidatedEvent } from '../../core/index.js';
import { createEventPublisher } from '../../ingest/publisher.js';
import { childEnv, createHarness, eventually, payment, type Harness } from '../harness.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

const EVENTS = 20_000;
let h: Harness;
let running: RiskstreamProcess | undefined;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await running?.kill();
  await h?.cleanup();
});

async function decisionCount(harness: Harness = h): Promise<number> {
  return (await harness.bus.jsm.streams.info(harness.names.streams.decisions)).state.messages;
}

/** The n-th payment of a run: 500 accounts paying each other, a fifth of them abroad. */
function paymentEvent(prefix: string, n: number): ValidatedEvent {
  const accounts = 500;
  const raw = payment(`${prefix}-${n}`, {
    amount: `${(n % 900) + 10}.00`,
    debtor: { accountId: `ACC-${n % accounts}`, customerId: `C-${n % accounts}`, country: 'US' },
    creditor: { accountId: `ACC-${(n * 7) % accounts}`, country: n % 5 === 0 ? 'GB' : 'US' },
  });
  const result = validateEvent(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.event;
}

async function processorsDrained(harness: Harness): Promise<void> {
  await eventually(async () => {
    const lag = await consumerLag(harness.bus, harness.names.streams.events, harness.names.consumers.processors);
    return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
  }, 30_000, 'the processors consumer to be drained');
}

describe('processors - kill and restart', () => {
  it('loses no event and decides each event exactly once', async () => {
    const publisher = createEventPublisher(h.bus, h.config.partitions, createMetrics());
    for (let start = 0; start < EVENTS; start += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, k) => publisher.publish(paymentEvent('kr', start + k), 'test')));
    }

    running = await startRiskstream(childEnv(h), ['start', '--roles', 'processors']);
    const atKill = await eventually(async () => {
      const count = await decisionCount();
      return count >= EVENTS / 5 ? count : undefined;
    }, 60_000, 'a fifth of the decisions');
    await running.kill();
    const afterKill = await decisionCount();
    expect(afterKill).toBeLessThan(EVENTS);

    running = await startRiskstream(childEnv(h), ['start', '--roles', 'processors']);
    await eventually(async () => ((await decisionCount()) >= EVENTS ? true : undefined), 90_000, 'every decision');
    await processorsDrained(h);
    expect(await running.stop()).toBe(0);
    running = undefined;

    // Exactly one decision per event: read the whole decision stream.
    const ids = new Set<string>();
    let messages = 0;
    const consumer = await h.bus.js.consumers.get(h.names.streams.decisions);
    const iterator = await consumer.fetch({ max_messages: EVENTS + 100, expires: 5000 });
    for await (const m of iterator) {
      messages++;
      ids.add(m.json<{ eventId: string }>().eventId);
      if (messages >= EVENTS && m.info.pending === 0) break;
    }
    expect(atKill).toBeGreaterThan(0);
    expect(messages).toBe(EVENTS);
    expect(ids.size).toBe(EVENTS);
    for (let n = 0; n < EVENTS; n += 997) expect(ids.has(`kr-${n}`)).toBe(true);
  }, 240_000);
});

describe('processors - kill and restart with envelopes', () => {
  // 400 envelopes of 64 on the mixed subject, the way the simulator and replays publish.
  const ENVELOPE_EVENTS = 25_600;
  const RECORDS = 64;
  const ENVELOPES = ENVELOPE_EVENTS / RECORDS;
  let he: Harness;

  beforeAll(async () => {
    he = await createHarness();
  });

  afterAll(async () => {
    await running?.kill();
    running = undefined;
    await he?.cleanup();
  });

  it('processors - a SIGKILL amid envelopes loses no event, decides each event once and answers each envelope once', async () => {
    const events = Array.from({ length: ENVELOPE_EVENTS }, (_, n) => paymentEvent('kre', n));
    running = await startRiskstream(childEnv(he), ['start', '--roles', 'processors']);
    // Published at once, far faster than they are decided: the processor works through a backlog.
    await createEventPublisher(he.bus, he.config.partitions, createMetrics()).publishMany(events, 'test', RECORDS);
    const eventsStream = await he.bus.jsm.streams.info(he.names.streams.events);
    expect(eventsStream.state.messages).toBe(ENVELOPES);

    const atKill = await eventually(async () => {
      const count = await decisionCount(he);
      return count >= ENVELOPES / 5 ? count : undefined;
    }, 60_000, 'a fifth of the decision envelopes');
    await running.kill();
    expect(atKill).toBeGreaterThan(0);
    // The kill left envelopes delivered and not acknowledged (some perhaps already decided): the
    // restarted processor gets them again once the ack wait has run out.
    const lagAtKill = await consumerLag(he.bus, he.names.streams.events, he.names.consumers.processors);
    expect(lagAtKill!.ackPending).toBeGreaterThan(0);
    expect(await decisionCount(he)).toBeLessThan(ENVELOPES);

    running = await startRiskstream(childEnv(he), ['start', '--roles', 'processors']);
    await eventually(async () => ((await decisionCount(he)) >= ENVELOPES ? true : undefined), 90_000, 'a decision envelope for every input');
    await processorsDrained(he);
    expect(await running.stop()).toBe(0);
    running = undefined;

    // Read the whole decision stream: every envelope, every line.
    const stored = (await he.bus.jsm.streams.info(he.names.streams.decisions)).state.messages;
    const inputsAnswered = new Map<number, number>();
    const decisionsPerEvent = new Map<string, number>();
    const consumer = await he.bus.js.consumers.get(he.names.streams.decisions);
    const iterator = await consumer.fetch({ max_messages: stored, expires: 5000 });
    let messages = 0;
    const idPattern = new RegExp(`^dec:${he.names.streams.events}:(\\d+)$`);
    for await (const m of iterator) {
      messages++;
      // One part per input: 64 decisions are far below the size at which they would be split.
      const input = idPattern.exec(m.headers?.get(HEADER_MSG_ID) ?? '');
      expect(input).not.toBeNull();
      const seq = Number(input![1]);
      inputsAnswered.set(seq, (inputsAnswered.get(seq) ?? 0) + 1);
      const lines = splitEnvelopeText(m.string());
      expect(Number(m.headers?.get(HEADER_BATCH))).toBe(lines.length);
      for (const line of lines) {
        const { eventId } = JSON.parse(line) as { eventId: string };
        decisionsPerEvent.set(eventId, (decisionsPerEvent.get(eventId) ?? 0) + 1);
      }
      if (messages >= stored) break;
    }
    expect(messages).toBe(ENVELOPES);

    // One decision envelope for each input envelope, and none for any input twice.
    const inputSeqs = Array.from({ length: ENVELOPES }, (_, i) => eventsStream.state.first_seq + i);
    expect([...inputsAnswered.keys()].sort((a, b) => a - b)).toEqual(inputSeqs);
    expect([...inputsAnswered.values()].filter((n) => n !== 1)).toEqual([]);
    // Every event decided, and no event id in two decisions.
    expect([...decisionsPerEvent].filter(([, n]) => n !== 1)).toEqual([]);
    expect(decisionsPerEvent.size).toBe(ENVELOPE_EVENTS);
    for (const event of events) expect(decisionsPerEvent.has(event.id)).toBe(true);
  }, 120_000);
});

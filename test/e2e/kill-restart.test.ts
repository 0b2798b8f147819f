// Kill the processor with SIGKILL mid-stream, start it again: no event lost, no second decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLag, createMetrics, validateEvent } from '../../core/index.js';
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


async function decisionCount(): Promise<number> {
  return (await h.bus.jsm.streams.info(h.names.streams.decisions)).state.messages;
}

describe('processors - kill and restart', () => {
  it('loses no event and decides each event exactly once', async () => {
    const publisher = createEventPublisher(h.bus, h.config.partitions, createMetrics());
    const accounts = 500;
    for (let start = 0; start < EVENTS; start += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, k) => {
          const n = start + k;
          const raw = payment(`kr-${n}`, {
            amount: `${(n % 900) + 10}.00`,
            debtor: { accountId: `ACC-${n % accounts}`, customerId: `C-${n % accounts}`, country: 'US' },
            creditor: { accountId: `ACC-${(n * 7) % accounts}`, country: n % 5 === 0 ? 'GB' : 'US' },
          });
          const result = validateEvent(raw);
          if (!result.ok) throw new Error(JSON.stringify(result.errors));
          return publisher.publish(result.event, 'test');
        }),
      );
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
    await eventually(async () => {
      const lag = await consumerLag(h.bus, h.names.streams.events, h.names.consumers.processors);
      return lag && lag.pending === 0 && lag.ackPending === 0 ? true : undefined;
    }, 30_000, 'the processors consumer to be drained');
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

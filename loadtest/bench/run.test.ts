import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, NATS_URL, type Harness } from '../../test/harness.js';
import { perThousandByThread, runBench } from './run.js';

describe('bench - CPU by thread', () => {
  it('gives each thread group its CPU ms per 1,000 decided events over the window, largest first', () => {
    const before = new Map([
      ['main', 1],
      ['processors', 2],
    ]);
    // storage_engine appeared during the window: all of it counts.
    const after = new Map([
      ['main', 1.5],
      ['processors', 7],
      ['storage_engine', 2],
    ]);
    const r = perThousandByThread(before, after, 10_000);
    expect(r).toEqual({ processors: 500, storage_engine: 200, main: 50 });
    expect(Object.keys(r!)).toEqual(['processors', 'storage_engine', 'main']);
  });

  it('says nothing when a reading is missing or nothing was decided', () => {
    expect(perThousandByThread(null, new Map([['main', 1]]), 10)).toBeNull();
    expect(perThousandByThread(new Map([['main', 1]]), null, 10)).toBeNull();
    expect(perThousandByThread(new Map([['main', 1]]), new Map([['main', 2]]), 0)).toBeNull();
  });
});

describe('bench - bus messages', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  // before: the events stream's count over the window, 'bus messages 150 (0.3 events per message)' here
  it('counts the messages that carried its own events, not other traffic on the namespace', async () => {
    h = await createHarness();
    const harness = h;
    // another producer on the namespace meanwhile, as a running demo's simulator is
    let other = 0;
    const traffic = setInterval(() => {
      for (let i = 0; i < 2; i++) void harness.bus.js.publish(harness.names.eventSubject('payment', 0), '{}').then(() => other++);
    }, 20);
    const r = await runBench({
      rate: 50,
      durationS: 1,
      warmupS: 0,
      via: 'nats',
      natsUrl: NATS_URL,
      namespace: harness.namespace,
      partitions: harness.config.partitions,
      baseUrl: 'http://127.0.0.1:1',
      apiKey: 'unused',
      graceS: 0,
      drainS: 0,
      batchSize: 1,
      httpConnections: 1,
      seed: 7,
      threadCpu: false,
    }).finally(() => clearInterval(traffic));
    expect(other).toBeGreaterThan(20);
    expect(r.accepted).toBe(50);
    expect(r.busMessages).toBe(50);
  }, 30_000);
});

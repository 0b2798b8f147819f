import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, eventually, type Harness } from '../test/harness.js';
import { createLogger } from './log.js';
import { createMetrics, mergedSnapshot } from './metrics.js';
import { newProcId, percentOfCore, stageQuantiles, startHeartbeat } from './heartbeat.js';
import type { ProcessHealthWire } from './contracts/telemetry.js';

describe('heartbeat - stage quantiles from bucket deltas', () => {
  const bounds = (counts: number[]) => new Map([0.001, 0.01, 0.1, Infinity].map((le, i) => [le, counts[i]!]));

  it.each([
    // cumulative counts now, before, expected p50 / p99 in ms, and which lie beyond the last finite edge
    [[10, 10, 10, 10], [0, 0, 0, 0], 1, 1, {}],
    [[10, 60, 100, 100], [10, 10, 10, 10], 10, 100, {}],
    // before: the +Inf bucket's quantiles were sent as 100 ms alone, which the page showed as '≤ 100 ms'
    [[0, 0, 0, 5], [0, 0, 0, 0], 100, 100, { p50Beyond: true, p99Beyond: true }],
    [[0, 0, 90, 100], [0, 0, 0, 0], 100, 100, { p99Beyond: true }],
    [[0, 0, 100, 100], [0, 0, 0, 0], 100, 100, {}],
  ])('now %j, before %j: p50 %d ms, p99 %d ms %j', (now, before, p50, p99, beyond) => {
    const q = stageQuantiles(new Map([['s', bounds(now)]]), new Map([['s', bounds(before)]]));
    expect(q.s).toStrictEqual({ count: now[3]! - before[3]!, p50Ms: p50, p99Ms: p99, ...beyond });
  });

  it('reports no quantiles for a stage that did not run since the last beat', () => {
    const same = bounds([3, 3, 3, 3]);
    expect(stageQuantiles(new Map([['s', same]]), new Map([['s', same]])).s).toEqual({ count: 0, p50Ms: null, p99Ms: null });
  });
});

describe('heartbeat - CPU by thread between two beats', () => {
  it('gives each thread group its share of one core since the previous beat', () => {
    expect(percentOfCore({ main: 10.5, processors: 23, runtime: 4 }, { main: 10, processors: 22 }, 2)).toEqual({ main: 25, processors: 50, runtime: 200 });
  });

  it('says nothing without elapsed time or figures', () => {
    expect(percentOfCore({ main: 1 }, {}, 0)).toEqual({});
    expect(percentOfCore({}, { main: 1 }, 2)).toEqual({});
  });
});

describe('heartbeat - on NATS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.cleanup());

  it('publishes the process health with its counters, stages, lag and resources', async () => {
    const metrics = createMetrics();
    metrics.decisions.inc({ kind: 'payment', action: 'allow' }, 7);
    metrics.stageLatency.observe({ stage: 'batch_total' }, 0.004);
    metrics.consumerLag.set({ consumer: 'processors' }, 12);
    metrics.consumerAckPending.set({ consumer: 'processors' }, 3);
    // a lag not known (its stream could not be read) is left out of the beat
    metrics.consumerLag.set({ consumer: 'writer-events' }, Number.NaN);
    metrics.writerLagSeconds.set({ table: 'events' }, 1.5);
    metrics.writerFailingSeconds.set({ table: 'events' }, 42);
    metrics.streamFill.set({ stream: 'RS_EVENTS' }, 0.25);
    metrics.streamDiscardedUnread.inc({ consumer: 'writer-events' }, 7);
    metrics.ingestRefusing.set(1);
    metrics.dataDirFreeBytes.set({ path: '/srv/rs/data' }, 287 * 1024 ** 2);
    const procId = newProcId();
    expect(procId).toMatch(/^[A-Za-z0-9_-]+$/);
    const received: ProcessHealthWire[] = [];
    const sub = h.bus.nc.subscribe(h.names.subjects.healthAll, { callback: (_e, m) => void received.push(m.json<ProcessHealthWire>()) });
    // The server knows the subscription before the first beat: the first one received is the first sent.
    await h.bus.nc.flush();
    const beat = startHeartbeat({ bus: h.bus, snapshot: () => mergedSnapshot(metrics, []), procId, roles: ['processors'], logger: createLogger('silent'), intervalMs: 100 });
    try {
      const wire = await eventually(() => received.find((w) => w.procId === procId), 5000, 'a heartbeat');
      expect(wire.roles).toEqual(['processors']);
      expect(wire.pid).toBe(process.pid);
      expect(wire.counters.decisions).toBe(7);
      expect(wire.stages.batch_total).toEqual({ count: 1, p50Ms: 5, p99Ms: 5 });
      expect(wire.consumers).toEqual([{ name: 'processors', pending: 12, ackPending: 3 }]);
      expect(wire.writerLagSeconds).toEqual({ events: 1.5 });
      expect(wire.writerFailingSeconds).toEqual({ events: 42 });
      expect(wire.streamFill).toEqual({ RS_EVENTS: 0.25 });
      expect(wire.discardedUnread).toEqual({ 'writer-events': 7 });
      expect(wire.ingestRefusing).toBe(true);
      expect(wire.dataDirFreeBytes).toBe(287 * 1024 ** 2);
      expect(wire.rssBytes).toBeGreaterThan(10_000_000);
      expect(wire.cpuPercent).toBeGreaterThanOrEqual(0);
      // From rs_thread_cpu_seconds_total (Linux), from the second beat on: at least the main thread.
      expect(wire.cpuByThread).toBeUndefined();
      if (process.platform === 'linux') {
        const later = await eventually(() => received.find((w) => w.procId === procId && w.cpuByThread !== undefined), 5000, 'a second heartbeat');
        expect(later.cpuByThread!.main).toBeGreaterThanOrEqual(0);
      }
    } finally {
      beat.stop();
      sub.unsubscribe();
    }
  });

  it('counts what the other threads of the process report', async () => {
    const main = createMetrics();
    const thread = createMetrics({ processMetrics: false });
    main.decisions.inc({ kind: 'payment', action: 'allow' }, 2);
    thread.decisions.inc({ kind: 'payment', action: 'allow' }, 5);
    thread.stageLatency.observe({ stage: 'batch_total' }, 0.004);
    main.writerRows.inc({ table: 'events' }, 3);
    const threadSnapshot = await thread.registry.getMetricsAsJSON();
    expect(threadSnapshot.some((m) => m.name.startsWith('rs_process_') || m.name.startsWith('rs_nodejs_'))).toBe(false);
    const beat = startHeartbeat({
      bus: h.bus,
      snapshot: () => mergedSnapshot(main, [threadSnapshot]),
      procId: newProcId(),
      roles: ['processors', 'writer'],
      logger: createLogger('silent'),
      intervalMs: 60_000,
    });
    try {
      const wire = await beat.beat();
      expect(wire.counters).toMatchObject({ decisions: 7, rowsWritten: 3 });
      expect(wire.stages.batch_total).toEqual({ count: 1, p50Ms: 5, p99Ms: 5 });
      // No writer read the data folder's disk here: nothing said of it, rather than 0 B free.
      expect(wire).not.toHaveProperty('dataDirFreeBytes');
    } finally {
      beat.stop();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { HEALTH_INTERVAL_MS, type ProcessHealthWire } from '../../../core/index.js';
import { HealthBoard, isProcessHealthWire, RATE_WINDOW_MS, ratesBetween } from './health-board.js';

const T0 = 1_800_000_000_000;

function beat(at: number, counters: Partial<ProcessHealthWire['counters']> = {}, overrides: Partial<ProcessHealthWire> = {}): ProcessHealthWire {
  return {
    v: 1,
    procId: 'proc-a',
    roles: ['processors'],
    host: 'h1',
    pid: 10,
    startedAt: T0 - 60_000,
    at,
    cpuPercent: 12.5,
    rssBytes: 100,
    heapUsedBytes: 50,
    eventLoopDelayP99Ms: 3,
    counters: { eventsIn: 0, eventsRejected: 0, decisions: 0, alerts: 0, deadLettered: 0, rowsWritten: 0, ...counters },
    stages: {},
    consumers: [],
    writerLagSeconds: {},
    ...overrides,
  };
}

describe('health board - rates between heartbeats', () => {
  it.each([
    { name: 'first heartbeat', previous: null, latest: beat(T0, { decisions: 100 }), rates: null },
    { name: 'two seconds apart', previous: beat(T0, { decisions: 100, eventsIn: 10 }), latest: beat(T0 + 2000, { decisions: 300, eventsIn: 15 }), rates: { eventsIn: 2.5, decisions: 100, alerts: 0, deadLettered: 0, rowsWritten: 0 } },
    { name: 'a restarted process', previous: beat(T0, { decisions: 100 }), latest: beat(T0 + 2000, { decisions: 5 }, { startedAt: T0 + 1000 }), rates: null },
    { name: 'same time twice', previous: beat(T0), latest: beat(T0), rates: null },
    { name: 'a counter that went down', previous: beat(T0, { alerts: 9 }), latest: beat(T0 + 1000, { alerts: 3 }), rates: { eventsIn: 0, decisions: 0, alerts: 0, deadLettered: 0, rowsWritten: 0 } },
  ])('$name', ({ previous, latest, rates }) => {
    expect(ratesBetween(previous, latest)).toEqual(rates);
  });
});

describe('health board - the view', () => {
  it('keeps the latest heartbeat per process, sorted, with rates from the heartbeats before', () => {
    const board = new HealthBoard();
    board.record(beat(T0, { decisions: 0 }, { procId: 'b' }), T0);
    board.record(beat(T0, { decisions: 0 }), T0);
    board.record(beat(T0 + 2000, { decisions: 2000 }), T0 + 2000);
    const view = board.view(T0 + 2000);
    expect(view.processes.map((p) => p.procId)).toEqual(['b', 'proc-a']);
    expect(view.processes[1]).toMatchObject({ at: T0 + 2000, rates: { decisions: 1000 }, stale: false });
    expect(view.processes[0]!.rates).toBeNull();
  });

  it('takes the rates over about the last 10 s of heartbeats, so that a trickle reads steadily', () => {
    const board = new HealthBoard();
    // 13 alerts a minute, heartbeats 2 s apart: between two of them 0 or 1 alert.
    const alertsAt = (ms: number): number => Math.floor((ms / 60_000) * 13);
    const rates: number[] = [];
    for (let ms = 0; ms <= 60_000; ms += HEALTH_INTERVAL_MS) {
      board.record(beat(T0 + ms, { alerts: alertsAt(ms), decisions: ms * 3 }), T0 + ms);
      const r = board.view(T0 + ms).processes[0]!.rates;
      if (ms >= RATE_WINDOW_MS) rates.push(r!.alerts);
    }
    // Over 10 s: 2 or 3 alerts, 0.2–0.3 per second; over 2 s it would read 0 or 0.5.
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.2);
    expect(Math.max(...rates)).toBeLessThanOrEqual(0.3);
    // The window starts at the newest heartbeat at least 10 s old: T0 + 50 s for the last view.
    expect(board.view(T0 + 60_000).processes[0]!.rates!.decisions).toBe(3000);
  });

  it('starts the rates afresh when the process restarts', () => {
    const board = new HealthBoard();
    board.record(beat(T0, { decisions: 100 }), T0);
    board.record(beat(T0 + 2000, { decisions: 300 }), T0 + 2000);
    board.record(beat(T0 + 4000, { decisions: 5 }, { startedAt: T0 + 3000 }), T0 + 4000);
    expect(board.view(T0 + 4000).processes[0]!.rates).toBeNull();
    board.record(beat(T0 + 6000, { decisions: 205 }, { startedAt: T0 + 3000 }), T0 + 6000);
    expect(board.view(T0 + 6000).processes[0]!.rates).toMatchObject({ decisions: 100 });
  });

  it('ignores a heartbeat older than the one it holds', () => {
    const board = new HealthBoard();
    board.record(beat(T0 + 2000, { decisions: 10 }), T0);
    board.record(beat(T0, { decisions: 1 }), T0);
    expect(board.view(T0).processes[0]).toMatchObject({ at: T0 + 2000, rates: null });
  });

  it.each([
    { silentMs: 3 * HEALTH_INTERVAL_MS, stale: false, present: true },
    { silentMs: 3 * HEALTH_INTERVAL_MS + 1, stale: true, present: true },
    { silentMs: 10 * 60_000, stale: true, present: true },
    { silentMs: 10 * 60_000 + 1, stale: true, present: false },
  ])('silent for $silentMs ms: stale $stale, present $present', ({ silentMs, stale, present }) => {
    const board = new HealthBoard();
    board.record(beat(T0), T0);
    const view = board.view(T0 + silentMs);
    expect(view.processes.length).toBe(present ? 1 : 0);
    if (present) expect(view.processes[0]!.stale).toBe(stale);
    expect(board.size).toBe(present ? 1 : 0);
  });

  it.each([
    ['a valid heartbeat', beat(T0), true],
    ['no counters', { ...beat(T0), counters: undefined }, false],
    ['a text counter', beat(T0, { decisions: '5' as unknown as number }), false],
    ['an empty procId', beat(T0, {}, { procId: '' }), false],
    ['null', null, false],
  ])('validation: %s → %s', (_name, wire, ok) => {
    expect(isProcessHealthWire(wire)).toBe(ok);
    expect(new HealthBoard().record(wire, T0)).toBe(ok);
  });
});

import { describe, expect, it } from 'vitest';
import { dueAtMs, dueBy, generatorFigures, latencyFigures, throughputPerSecond, warmupFigures } from './schedule.js';

describe('bench schedule - when events are due', () => {
  it.each([
    // rate, elapsed ms, events due (of 10)
    [1, 0, 1],
    [1, 999, 1],
    [1, 1000, 2],
    [10, 0, 1],
    [10, 99.9, 1],
    [10, 100, 2],
    [3, 333.3333333333333, 2],
    [3, 1000, 4],
    [10_000, 0.1, 2],
    [1, 60_000, 10],
    [1, -1, 0],
  ])('at %d/s, %d ms after the start, %d events are due', (rate, elapsed, due) => {
    expect(dueBy(elapsed, rate, 10)).toBe(due);
  });

  it('sends every event at its own time, not one gap later (at 1/s event n at n s)', () => {
    for (const rate of [1, 3, 7, 10, 1000, 10_000]) {
      for (let n = 0; n < 50; n++) {
        // Due exactly at dueAtMs(n): n + 1 events (0 … n) are due then, and only n just before.
        expect(dueBy(dueAtMs(n, rate), rate, 1_000_000), `${rate}/s event ${n}`).toBe(n + 1);
        if (n > 0) expect(dueBy(dueAtMs(n, rate) - 0.01, rate, 1_000_000)).toBe(n);
      }
    }
  });
});

describe('bench schedule - the generator and throughput', () => {
  it.each([
    // on schedule: 100 events at 100/s, the last at 990 ms → 1 s, 100/s offered
    [{ sent: 100, rate: 100, lastSendMs: 990, lateSends: 0, maxSendLagMs: 1.2, heldBackMs: 0 }, { sendingSeconds: 1, offeredPerSecond: 100, keptSchedule: true }],
    // held back: the last went out at 2,990 ms → a third of the rate offered
    [{ sent: 100, rate: 100, lastSendMs: 2990, lateSends: 60, maxSendLagMs: 2000, heldBackMs: 1900 }, { sendingSeconds: 3, offeredPerSecond: 33, keptSchedule: false, lateSends: 60, heldBackMs: 1900 }],
    [{ sent: 0, rate: 100, lastSendMs: 0, lateSends: 0, maxSendLagMs: 0, heldBackMs: 0 }, { sendingSeconds: 0, offeredPerSecond: 0, keptSchedule: true }],
  ])('%o reads as %o', (input, expected) => {
    expect(generatorFigures(input)).toMatchObject(expected);
  });

  it.each([
    // decided, window ms, last decision ms after the window's start, per second
    [10_000, 1000, 900, 10_000],
    // saturation: 10,000 sent in 1 s, the last decided 3 s in: 3,333/s, not 10,000
    [10_000, 1000, 3000, 3333],
    [0, 1000, null, 0],
    [5, 0, null, 0],
  ])('%d decided in a %d ms window, the last at %s ms: %d/s', (decided, windowMs, last, perSecond) => {
    expect(throughputPerSecond(decided, windowMs, last)).toBe(perSecond);
  });
});

describe('bench schedule - the warm-up and its pause', () => {
  it.each([
    // run started, warm-up's sending ended, window opened (performance.now() ms) → ran, paused (s)
    // its events decided 12 ms after its sending: the pipeline's tail
    [1000, 6000, 6012, { ranSeconds: 5.01, pausedSeconds: 0.01 }],
    // at saturation: sending held back past its 5 s, then a 30 s wait at the limit
    [0, 5400, 35_400, { ranSeconds: 35.4, pausedSeconds: 30 }],
    // no warm-up: nothing ran, nothing paused, wherever the window opened
    [1000, null, 1003, { ranSeconds: 0, pausedSeconds: 0 }],
  ])('started at %d ms, sending ended at %s ms, the window opened at %d ms: %o', (started, sendingEnded, windowOpened, expected) => {
    expect(warmupFigures(started, sendingEnded, windowOpened)).toEqual(expected);
  });
});

describe('bench schedule - latency figures', () => {
  it('never reads a percentile above the exact max', () => {
    // A histogram answers with its bucket's upper value: 10.007 ms for a max of 10.001.
    expect(latencyFigures(3, () => 10_007, 10_001)).toEqual({ p50Ms: 10, p95Ms: 10, p99Ms: 10, maxMs: 10 });
    expect(latencyFigures(3, (p) => p * 1000, 200_000)).toEqual({ p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 200 });
  });

  it('says nothing rather than 0 ms when nothing was decided', () => {
    expect(latencyFigures(0, () => 0, 0)).toEqual({ p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null });
  });
});

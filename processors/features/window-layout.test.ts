import { describe, expect, test } from 'vitest';
import { bucketOf, isInWindow, MAX_RING_SLOTS, slotsToExpire, WINDOWS, windowStartMs, type WindowSpec } from './window-layout.js';

const T0 = Date.UTC(2026, 0, 5);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const [W1M, W1H, W24H, W7D] = WINDOWS as unknown as [WindowSpec, WindowSpec, WindowSpec, WindowSpec];

describe('window layout - rings', () => {
  test.each(WINDOWS.map((w) => [w.name, w] as const))('%s: buckets times width is the span, and a slot bitmask fits 32 bits', (_name, w) => {
    expect(w.bucketMs * w.buckets).toBe(w.spanMs);
    expect(w.buckets).toBeLessThanOrEqual(31);
  });

  test('the state hash holds at most every slot of every ring', () => {
    expect(MAX_RING_SLOTS).toBe(12 + 30 + 24 + 28);
  });
});

describe('window layout - bucket math', () => {
  test.each([
    [0, 5000, 0],
    [4999, 5000, 0],
    [5000, 5000, 1],
    [T0, 21_600_000, T0 / 21_600_000],
    [T0 - 1, 21_600_000, T0 / 21_600_000 - 1],
  ])('bucketOf(%i, %i) = %i', (ts, width, bucket) => {
    expect(bucketOf(ts, width)).toBe(bucket);
  });

  test.each([
    // [window, event, latest, counted]
    ['1m: the event itself', W1M, T0, T0, true],
    ['1m: 55 s before, bucket-aligned', W1M, T0, T0 + 55 * S, true],
    ['1m: a whole span before', W1M, T0, T0 + 60 * S, false],
    ['1m: 59.9 s before, across 12 bucket edges', W1M, T0 + 4.9 * S, T0 + 64.8 * S, false],
    ['1m: 55.1 s before, 11 bucket edges', W1M, T0 + 4.9 * S, T0 + 60 * S, false],
    ['1m: 50 s before, 10 bucket edges', W1M, T0 + 4.9 * S, T0 + 54.9 * S, true],
    ['1h: 58 min before', W1H, T0, T0 + 58 * M, true],
    ['1h: an hour before', W1H, T0, T0 + H, false],
    ['24h: 23 h before', W24H, T0, T0 + 23 * H, true],
    ['24h: a day before', W24H, T0, T0 + D, false],
    ['7d: 6 d 18 h before', W7D, T0, T0 + 6 * D + 18 * H, true],
    ['7d: 7 days before', W7D, T0, T0 + 7 * D, false],
    ['an event after the latest is not in the window yet', W1H, T0 + M * 10, T0, false],
  ] as const)('%s', (_name, w, eventTs, latestTs, counted) => {
    expect(isInWindow(eventTs, latestTs, w)).toBe(counted);
  });

  test.each([
    ['1m', W1M, T0 + 62 * S, T0 + 5 * S],
    ['1h', W1H, T0 + H + 3 * M, T0 + 4 * M],
    ['24h', W24H, T0 + D + 30 * M, T0 + H],
    ['7d', W7D, T0 + 7 * D, T0 + 6 * H],
  ] as const)('the %s window at %i starts at %i', (_name, w, latest, start) => {
    expect(windowStartMs(latest, w)).toBe(start);
  });
});

describe('window layout - slots to expire when the head moves', () => {
  test.each([
    ['no head yet', undefined, 5, 12, []],
    ['same bucket', 5, 5, 12, []],
    ['older bucket (late event)', 5, 3, 12, []],
    ['next bucket', 5, 6, 12, [6]],
    ['three buckets on', 5, 8, 12, [6, 7, 8]],
    ['wraps around the ring', 10, 13, 12, [11, 0, 1]],
    ['a whole ring or more clears every slot once', 5, 40, 12, [6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5]],
  ] as const)('%s', (_name, head, next, buckets, slots) => {
    expect(slotsToExpire(head, next, buckets)).toEqual(slots);
  });
});

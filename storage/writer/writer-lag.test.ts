// The writer's lag in seconds, from what the stream has not delivered, the newest row stored and
// the oldest message the writer holds. Pure.
import { describe, expect, test } from 'vitest';
import { lagSeconds } from './writer.js';

const NOW = 1_800_000_000_000;

describe('writer lag', () => {
  test('nothing undelivered and nothing held: no lag, however old the newest row', () => {
    expect(lagSeconds(0, NOW - 3_600_000, null, NOW)).toBe(0);
    expect(lagSeconds(0, null, null, NOW)).toBe(0);
  });

  test('a quiet table: the alert waiting for its batch is the lag, not the time since the one before', () => {
    // the previous alert was stored 3 s ago; the new one reached the stream 0.4 s ago
    expect(lagSeconds(0, NOW - 3_000, NOW - 400, NOW)).toBeCloseTo(0.4, 6);
  });

  test('a backlog: the newest row stored bounds it', () => {
    expect(lagSeconds(5_000, NOW - 12_000, NOW - 2_000, NOW)).toBe(12);
    expect(lagSeconds(5_000, NOW - 1_000, NOW - 9_000, NOW)).toBe(9);
  });

  test('a backlog before the first insert: what is held, else unknown', () => {
    expect(lagSeconds(10, null, NOW - 7_000, NOW)).toBe(7);
    expect(lagSeconds(10, null, null, NOW)).toBeNull();
  });

  test('never negative (clocks a little apart)', () => {
    expect(lagSeconds(0, null, NOW + 5, NOW)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { eventMinuteOf, expiredMinuteAt, pastRetention } from './retention.js';

const NOW = Date.parse('2026-12-07T12:00:30.500Z');
const DAY_MS = 86_400_000;

describe('retention - which event times the raw tables no longer keep', () => {
  it.each<[string, number, number, boolean]>([
    ['now', NOW, 30, false],
    ['29 days back', NOW - 29 * DAY_MS, 30, false],
    ['just inside: the minute after the edge', NOW - 30 * DAY_MS + 60_000, 30, false],
    ['at the edge: part of its minute still within the retention', NOW - 30 * DAY_MS, 30, false],
    ['its whole minute past the edge', NOW - 30 * DAY_MS - 90_000, 30, true],
    ['31 days back', NOW - 31 * DAY_MS, 30, true],
    ['700 days back (a dormant account history)', NOW - 700 * DAY_MS, 30, true],
    ['31 days back, with a year kept', NOW - 31 * DAY_MS, 365, false],
    ['in the future', NOW + DAY_MS, 1, false],
  ])('%s', (_name, ts, days, past) => {
    expect(pastRetention(ts, days, NOW)).toBe(past);
  });

  it('an event minute is expired when it is the newest expired minute or older, as the writer counts it', () => {
    const newest = expiredMinuteAt(NOW, 30);
    const ts = newest * 1000;
    expect(eventMinuteOf(ts)).toBeLessThanOrEqual(newest);
    expect(pastRetention(ts, 30, NOW)).toBe(eventMinuteOf(ts) <= newest);
    expect(eventMinuteOf(Date.parse('2026-12-07T12:00:59.999Z'))).toBe(Date.parse('2026-12-07T12:00:00Z') / 1000);
  });
});

import { describe, expect, it } from 'vitest';
import { ArrivalRate } from './arrival-rate.js';

/** Feeds `count` arrivals of `weight`, `gapMs` apart from t = 0; returns the time of the last. */
function feed(rate: ArrivalRate, count: number, gapMs: number, weight = 1): number {
  let t = 0;
  for (let i = 0; i < count; i++) {
    t = i * gapMs;
    rate.add(weight, t);
  }
  return t;
}

describe('arrival rate', () => {
  it('reads a steady rate within a few per cent, from just before an arrival to just after it', () => {
    const rate = new ArrivalRate(100);
    const last = feed(rate, 2000, 1); // 1,000 a second
    expect(rate.perSecond(last)).toBeGreaterThan(950);
    expect(rate.perSecond(last)).toBeLessThan(1050);
    expect(rate.perSecond(last + 0.999)).toBeGreaterThan(950);
  });

  it('tells 50 a second from 1,000 a second', () => {
    const rate = new ArrivalRate(100);
    const last = feed(rate, 200, 20);
    // just before the next arrival, the low point of its cycle; just after one, the high point
    expect(rate.perSecond(last + 19.9)).toBeGreaterThan(40);
    expect(rate.perSecond(last)).toBeLessThan(60);
  });

  it('counts weights: an envelope of 64 events every 64 ms is 1,000 events a second', () => {
    const rate = new ArrivalRate(100);
    const last = feed(rate, 100, 64, 64);
    expect(rate.perSecond(last + 32)).toBeGreaterThan(900);
    expect(rate.perSecond(last + 32)).toBeLessThan(1100);
  });

  it('forgets: a second after a burst the rate is near nothing', () => {
    const rate = new ArrivalRate(100);
    const last = feed(rate, 1000, 0.1); // 10,000 a second for 100 ms
    expect(rate.perSecond(last)).toBeGreaterThan(5000);
    expect(rate.perSecond(last + 1000)).toBeLessThan(1);
  });

  it('reads nothing before the first arrival, and one arrival alone as little', () => {
    const rate = new ArrivalRate(100);
    expect(rate.perSecond(12_345)).toBe(0);
    rate.add(1, 12_345);
    expect(rate.perSecond(12_345)).toBe(10); // one event in a 100 ms window
  });

  it('counts a clock read earlier than the last one as no time passed', () => {
    const rate = new ArrivalRate(100);
    rate.add(5, 1000);
    expect(rate.perSecond(900)).toBe(50);
    rate.add(5, 900);
    expect(rate.perSecond(1000)).toBeCloseTo(100 * Math.exp(-1), 6);
  });

  it('refuses a window that is not above 0', () => {
    expect(() => new ArrivalRate(0)).toThrow(RangeError);
    expect(() => new ArrivalRate(Number.NaN)).toThrow(RangeError);
  });
});

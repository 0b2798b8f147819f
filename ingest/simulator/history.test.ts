import { describe, expect, it } from 'vitest';
import { DORMANT_MAX_GAP_DAYS, pastPayments } from './history.js';
import { Rng } from './rng.js';
import { DAY_MS } from './time.js';
import { World } from './world.js';

const NOW = Date.parse('2026-11-29T08:00:00.000Z');
const world = new World({ seed: 6, startTs: NOW, customers: 40_000, merchants: 1_000 });
const indexes = Array.from({ length: world.size }, (_, i) => i);
const dormant = indexes.filter((i) => world.isDormant(i)).map((i) => world.customer(i));
const ordinary = indexes.filter((i) => !world.isDormant(i)).slice(0, 2_000).map((i) => world.customer(i));

/** Gaps in days between consecutive past payments, oldest first. */
const gapsOf = (ts: readonly number[]): number[] => ts.slice(1).map((t, i) => (t - (ts[i] as number)) / DAY_MS);

describe('history - backdated payments', () => {
  it('dormant accounts were used, then left: the only silence of 90 days or more is the one before now', () => {
    expect(dormant.length).toBeGreaterThan(200);
    const rng = Rng.of(6, 1);
    let withInnerSilence = 0;
    for (const c of dormant) {
      const past = pastPayments(rng, world, c, NOW).map((p) => p.ts);
      expect(past.length).toBeGreaterThanOrEqual(2);
      expect(past).toEqual([...past].sort((a, b) => a - b));
      expect(NOW - (past[past.length - 1] as number)).toBeGreaterThanOrEqual(90 * DAY_MS);
      const gaps = gapsOf(past);
      for (const gap of gaps) expect(gap).toBeLessThanOrEqual(DORMANT_MAX_GAP_DAYS);
      if (gaps.some((gap) => gap >= 90)) withInnerSilence++;
    }
    // Until 2026-12-07 their payments were spread over 90–700 days back: nine in ten such
    // histories held a 90-day silence of their own, which FR-DORMANT took for a reactivation.
    expect(withInnerSilence).toBe(0);
  });

  it('ordinary customers have at most three payments within the last 45 days', () => {
    const rng = Rng.of(6, 2);
    for (const c of ordinary) {
      const past = pastPayments(rng, world, c, NOW);
      expect(past.length).toBeLessThanOrEqual(3);
      for (const p of past) {
        expect(p.ts).toBeLessThan(NOW);
        expect(NOW - p.ts).toBeLessThanOrEqual(45 * DAY_MS);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Rng, WeightedChoice, hashKey } from './rng.js';

describe('rng - reproducibility', () => {
  it('repeats a sequence for the same seed and key, and differs for another', () => {
    const draw = (rng: Rng) => Array.from({ length: 20 }, () => rng.uint32());
    expect(draw(Rng.of(1, 5))).toEqual(draw(Rng.of(1, 5)));
    expect(draw(Rng.of(1, 5))).not.toEqual(draw(Rng.of(1, 6)));
    expect(draw(Rng.of(2, 5))).not.toEqual(draw(Rng.of(1, 5)));
  });

  it('hashes a key path stably', () => {
    expect(hashKey(42, 1, 2)).toBe(hashKey(42, 1, 2));
    expect(hashKey(42, 1, 2)).not.toBe(hashKey(42, 2, 1));
  });
});

describe('rng - distributions', () => {
  it.each([
    [0, 0],
    [1, 6],
    [-3, 3],
    [0, 999_999],
  ])('int(%i, %i) stays in range and reaches both ends', (from, to) => {
    const rng = Rng.of(3);
    const seen = Array.from({ length: 20_000 }, () => rng.int(from, to));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(from);
    expect(Math.max(...seen)).toBeLessThanOrEqual(to);
    if (to - from < 10) expect(new Set(seen).size).toBe(to - from + 1);
  });

  it('float stays in [0, 1) and the log-normal has its median', () => {
    const rng = Rng.of(4);
    const floats = Array.from({ length: 10_000 }, () => rng.float());
    expect(floats.every((f) => f >= 0 && f < 1)).toBe(true);
    const amounts = Array.from({ length: 10_001 }, () => rng.logNormal(50, 0.8)).sort((a, b) => a - b);
    expect(amounts[5000]).toBeGreaterThan(45);
    expect(amounts[5000]).toBeLessThan(55);
  });

  it('picks by weight', () => {
    const choice = new WeightedChoice([['a', 1], ['b', 3], ['never', 0]] as const);
    const rng = Rng.of(5);
    const picks = Array.from({ length: 20_000 }, () => choice.pick(rng));
    const b = picks.filter((p) => p === 'b').length / picks.length;
    expect(b).toBeGreaterThan(0.72);
    expect(b).toBeLessThan(0.78);
    expect(picks).not.toContain('never');
  });
});

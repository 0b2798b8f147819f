import { describe, expect, it } from 'vitest';
import { ROUND_SHARE, typedAmount } from './amounts.js';
import { Rng } from './rng.js';

describe('amounts - typedAmount', () => {
  it.each([
    [1_234_567, 'USD', 1_230_000],
    [34_712, 'USD', 35_000],
    [4_712, 'EUR', 4_700],
    [349, 'USD', 300],
    [48_123, 'JPY', 48_100],
    [7, 'JPY', 7],
  ])('types %i minor units of %s as the round figure %i', (minor, currency, expected) => {
    expect(typedAmount(Rng.of(1), minor, currency, 1)).toBe(expected);
  });

  it('leaves the amount as drawn otherwise, and rounds about ROUND_SHARE of them by default', () => {
    const rng = Rng.of(2);
    expect(typedAmount(rng, 1_234_567, 'USD', 0)).toBe(1_234_567);
    let round = 0;
    for (let i = 0; i < 10_000; i++) if (typedAmount(rng, 1_234_567, 'USD') !== 1_234_567) round++;
    expect(round / 10_000).toBeCloseTo(ROUND_SHARE, 1);
  });
});

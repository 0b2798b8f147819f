import { describe, expect, it } from 'vitest';
import { roundDecimal } from './decimal.js';

describe('roundDecimal', () => {
  it('keeps amounts that fit, without leading zeros', () => {
    expect(roundDecimal('181.0', 2)).toBe('181.0');
    expect(roundDecimal('0181.50', 2)).toBe('181.50');
    expect(roundDecimal('0.05', 2)).toBe('0.05');
    expect(roundDecimal('100', 0)).toBe('100');
    expect(roundDecimal('7.', 2)).toBe('7');
    expect(roundDecimal(' 12.5 ', 2)).toBe('12.5');
  });

  it('rounds half to even on the text', () => {
    expect(roundDecimal('2.345', 2)).toBe('2.34');
    expect(roundDecimal('2.355', 2)).toBe('2.36');
    expect(roundDecimal('2.3451', 2)).toBe('2.35');
    expect(roundDecimal('1200.50', 0)).toBe('1200');
    expect(roundDecimal('1201.50', 0)).toBe('1202');
    expect(roundDecimal('99.995', 2)).toBe('100.00');
    expect(roundDecimal('99.5', 0)).toBe('100');
    expect(roundDecimal('0.004', 2)).toBe('0.00');
    expect(roundDecimal('12345678901234567.891', 2)).toBe('12345678901234567.89');
  });

  it('refuses what is not a plain non-negative decimal', () => {
    for (const bad of ['', '-5', '+5', '1e3', '1,250.00', '.5', 'abc', '1.2.3']) expect(roundDecimal(bad, 2)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { formatDays, formatDuration, formatNumber, formatRatio, formatUsdCents } from './index.js';

describe('reason format - money and numbers', () => {
  const cases: Array<{ format: (v: number) => string; value: number; text: string }> = [
    { format: formatUsdCents, value: 0, text: 'USD 0.00' },
    { format: formatUsdCents, value: 99, text: 'USD 0.99' },
    { format: formatUsdCents, value: 100, text: 'USD 1.00' },
    { format: formatUsdCents, value: 125000, text: 'USD 1,250.00' },
    { format: formatUsdCents, value: 100000000, text: 'USD 1,000,000.00' },
    { format: formatUsdCents, value: -125050, text: '-USD 1,250.50' },
    { format: formatUsdCents, value: 1999.6, text: 'USD 20.00' },
    { format: formatNumber, value: 999, text: '999' },
    { format: formatNumber, value: 1000, text: '1,000' },
    { format: formatNumber, value: -1234567, text: '-1,234,567' },
    { format: formatNumber, value: 1234.5, text: '1,234.5' },
    { format: formatNumber, value: 0.125, text: '0.13' },
    { format: formatNumber, value: 2.999, text: '3' },
    { format: formatRatio, value: 10, text: '10.0' },
    { format: formatRatio, value: 0.04, text: '0.0' },
    { format: formatRatio, value: 1234.56, text: '1,234.6' },
    { format: formatDuration, value: -1, text: 'never' },
    { format: formatDuration, value: 1, text: '1 second' },
    { format: formatDuration, value: 90, text: '90 seconds' },
    { format: formatDuration, value: 600, text: '10 minutes' },
    { format: formatDuration, value: 7_776_000, text: '90 days' },
    { format: formatDays, value: 1, text: '1 day' },
    { format: formatDays, value: 0, text: '0 days' },
    { format: formatDays, value: 1500, text: '1,500 days' },
  ];
  it.each(cases)('$format.name($value) -> $text', ({ format, value, text }) => {
    expect(format(value)).toBe(text);
  });
});

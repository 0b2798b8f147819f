// Amounts in the reporting currency: the rate as written, exact to the cent, rounded half up.
import { afterEach, describe, expect, it } from 'vitest';
import { minorUnitsOf } from './money.js';
import { reportingAmountText, setFxRates, toReportingMinor, toReportingMinorExact } from './fx.js';

afterEach(() => setFxRates({}));

/** The reference: exact decimal arithmetic on the rate's written digits, half up. */
function reference(minor: number, rate: string, scale: number): number {
  const [whole, fraction = ''] = rate.split('.') as [string, string?];
  const num = BigInt(minor) * BigInt(whole + fraction) * 100n;
  const den = 10n ** BigInt(scale + fraction.length);
  return Number((2n * num + den) / (2n * den));
}

describe('fx - toReportingMinor', () => {
  it.each([
    ['USD', 12345, 12345],
    ['GBP', 1550, 1969], // 15.50 × 1.27 = 19.685
    ['BHD', 700, 186], // 0.700 × 2.65 = 1.855 (three decimals)
    ['CAD', 350, 256], // 3.50 × 0.73 = 2.555
    ['JPY', 1000, 670], // ¥1,000 × 0.0067 = 6.70 (no decimals)
    ['KWD', 1, 0], // 0.001 × 3.25 = 0.00325
    ['EUR', 0, 0],
  ])('%s %i minor units are %i US cents', (currency, minor, cents) => {
    expect(toReportingMinor(minor, currency)).toBe(cents);
  });

  it('agrees with exact decimal arithmetic on every amount, where doubles rounded a sixth of these currencies wrong', () => {
    const rates: Array<[string, string]> = [['KWD', '3.25'], ['SGD', '0.74'], ['BHD', '2.65'], ['CAD', '0.73'], ['GBP', '1.27'], ['INR', '0.012'], ['VND', '0.00004']];
    const wrong: string[] = [];
    for (const [currency, rate] of rates) {
      const scale = minorUnitsOf(currency);
      for (let minor = 1; minor <= 200_000; minor += 3) {
        const cents = toReportingMinor(minor, currency);
        if (cents !== reference(minor, rate, scale)) wrong.push(`${currency} ${minor}: ${cents}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('stays exact for amounts past what doubles hold, and for rates written with an exponent', () => {
    expect(toReportingMinor(9_000_000_000_000_000, 'GBP')).toBe(reference(9_000_000_000_000_000, '1.27', 2));
    setFxRates({ XAU: 2.5e3, VND: 4e-7 });
    expect(String(4e-7)).toBe('4e-7');
    expect(toReportingMinor(1, 'XAU')).toBe(2500); // 0.01 oz × 2,500 = 25.00
    expect(toReportingMinor(12_500_000, 'VND')).toBe(500); // ₫12,500,000 × 0.0000004 = 5.00
  });
});

describe('fx - toReportingMinorExact', () => {
  it('is exact past 2^53 cents, where the number rounds, and the same as toReportingMinor below', () => {
    // GBP 90,071,992,547,409.91 × 1.27 = 114,391,430,535,210.5857 → .59 (a number gives .60)
    expect(toReportingMinorExact(Number.MAX_SAFE_INTEGER, 'GBP')).toBe(11_439_143_053_521_059n);
    for (const [currency, minor] of [['GBP', 1550], ['BHD', 700], ['JPY', 1000], ['KWD', 1], ['USD', 12345], ['EUR', 0], ['CAD', -350]] as const) {
      expect(toReportingMinorExact(minor, currency)).toBe(BigInt(toReportingMinor(minor, currency)));
    }
  });

  it('writes the USD text exactly, as storage keeps it', () => {
    expect(reportingAmountText(Number.MAX_SAFE_INTEGER, 'GBP')).toBe('114391430535210.59');
    expect(reportingAmountText(1550, 'GBP')).toBe('19.69');
    expect(reportingAmountText(5, 'USD')).toBe('0.05');
  });
});

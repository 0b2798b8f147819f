// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { formatDateTime, formatDateTimeZoned, formatMinor, formatMoney, formatMoneyCompact, formatMs, formatPercent, useExactDecimalFormatting, utcText, zoneName } from './format.js';
import { setLocale } from './locale.js';

describe('format', () => {
  afterEach(() => {
    setLocale('en');
    useExactDecimalFormatting('detect');
  });

  const cases: ReadonlyArray<{ amount: string; currency: string; en: string; zh: string }> = [
    { amount: '1250.00', currency: 'USD', en: '$1,250.00', zh: 'US$1,250.00' },
    { amount: '9007199254740993.27', currency: 'USD', en: '$9,007,199,254,740,993.27', zh: 'US$9,007,199,254,740,993.27' },
    { amount: '-0.5', currency: 'EUR', en: '-€0.50', zh: '-€0.50' },
    { amount: '1234.5678', currency: 'USD', en: '$1,234.5678', zh: 'US$1,234.5678' },
    { amount: '500', currency: 'JPY', en: '¥500', zh: 'JP¥500' },
  ];

  for (const exact of [true, false]) {
    for (const c of cases) {
      it(`format - money ${c.amount} ${c.currency} is exact (${exact ? 'Intl decimal strings' : 'BigInt fallback'})`, () => {
        useExactDecimalFormatting(exact);
        setLocale('en');
        expect(formatMoney(c.amount, c.currency)).toBe(c.en);
        setLocale('zh-CN');
        expect(formatMoney(c.amount, c.currency)).toBe(c.zh);
      });
    }
  }

  it('format - minor units become exact amounts', () => {
    expect(formatMinor(125_000, 'USD')).toBe('$1,250.00');
    expect(formatMinor(5, 'USD')).toBe('$0.05');
    expect(formatMinor(-5, 'USD')).toBe('-$0.05');
    expect(formatMinor(500, 'JPY')).toBe('¥500');
  });

  it('format - text that is not a decimal is shown as it is', () => {
    expect(formatMoney('n/a', 'USD')).toBe('n/a USD');
  });

  it('format - short amounts round only where they abbreviate: small ones stay exact', () => {
    expect(formatMoneyCompact('4.96', 'USD')).toBe('$4.96');
    expect(formatMoneyCompact('4.1', 'USD')).toBe('$4.10');
    expect(formatMoneyCompact('967.40', 'USD')).toBe('$967.40');
    expect(formatMoneyCompact('27800', 'USD')).toBe('$27.8K');
    setLocale('zh-CN');
    // Chinese abbreviates from 万 (10,000): below it, exact and grouped
    expect(formatMoneyCompact('4945.70', 'USD')).toBe('US$4,945.70');
    expect(formatMoneyCompact('49457', 'USD')).toMatch(/^US\$4\.9万$/);
  });

  it('format - units and percentages follow the locale', () => {
    expect(formatMs(12)).toBe('12 ms');
    expect(formatPercent(0.0123)).toBe('1.23%');
    setLocale('zh-CN');
    expect(formatMs(12)).toBe('12毫秒');
  });

  it('format - a time read on its own names its zone; the UTC instant is there for a title', () => {
    const at = Date.UTC(2026, 11, 6, 17, 23, 25, 960);
    const zone = zoneName(at);
    expect(zone).not.toBe('');
    expect(formatDateTimeZoned(at)).toBe(`${formatDateTime(at)} ${zone}`);
    expect(utcText(at)).toBe('2026-12-06T17:23:25.960Z');
  });
});

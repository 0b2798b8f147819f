import { afterEach, describe, expect, it } from 'vitest';
import { PAYMENT_FEATURES } from '../../../../processors/features/names.js';
import { setLocale } from '../i18n/locale.js';
import { featureCell, isUsdCentsFeature } from './feature-format.js';

// The amounts among the features, as names.ts documents them (its comments say "USD cents"
// for amount and avg_out_amount; every *_sum_* window is a sum of amounts).
const USD_CENTS = ['amount', 'out_sum_1m', 'out_sum_1h', 'out_sum_24h', 'out_sum_7d', 'in_sum_1h', 'in_sum_24h', 'in_sum_7d', 'avg_out_amount', 'payee_in_sum_24h', 'payee_out_sum_24h'];

describe('feature format', () => {
  afterEach(() => setLocale('en'));

  it('feature format - knows which of the payment features are amounts in USD cents', () => {
    expect(PAYMENT_FEATURES.filter(isUsdCentsFeature)).toEqual(USD_CENTS);
  });

  it('feature format - shows amounts as dollars, with the cents the rules compare in the title', () => {
    expect(featureCell('amount', 133)).toEqual({ text: '$1.33', title: 'As the rules compare it: 133 US cents' });
    expect(featureCell('avg_out_amount', 27_989.6).text).toBe('$279.90');
    expect(featureCell('out_sum_24h', 125_000_000).text).toBe('$1,250,000.00');
  });

  it('feature format - gives long durations their size and leaves counts and flags as numbers', () => {
    expect(featureCell('seconds_since_last', 7_776_000).text).toBe('7,776,000 (90.0 days)');
    expect(featureCell('seconds_since_last', 5400).text).toBe('5,400 (1.5 h)');
    expect(featureCell('seconds_since_last', 8.42).text).toBe('8.420 (8.4 s)');
    // -1 is 'not known' for these: a dash, and why in the title
    expect(featureCell('seconds_since_last', -1)).toEqual({ text: '–', title: 'not known (-1: no earlier payment out)' });
    expect(featureCell('balance_used_pct', -1)).toEqual({ text: '–', title: 'not known (-1: the payment gave no balance)' });
    // an account's first payment out has no usual amount: not "0 ×" and "$0.00" (names.ts: 0 when no history)
    expect(featureCell('amount_to_avg', 0)).toEqual({ text: '–', title: 'not known (0: no earlier payment out)' });
    expect(featureCell('avg_out_amount', 0)).toEqual({ text: '–', title: 'not known (0: no earlier payment out)' });
    expect(featureCell('amount_to_avg', 1.534).text).toBe('1.534');
    // less than a day, in hours or minutes
    expect(featureCell('account_age_days', 0.0625).text).toBe('0.063 (1.5 h)');
    expect(featureCell('account_age_days', 0.001).text).toBe('0.001 (1.4 min)');
    expect(featureCell('out_count_1h', 11)).toEqual({ text: '11' });
    expect(featureCell('amount_to_avg', 0.4752)).toEqual({ text: '0.475' });
  });

  it('feature format - follows the language', () => {
    setLocale('zh-CN');
    expect(featureCell('seconds_since_last', 7_776_000).text).toBe('7,776,000 (90.0 天)');
    expect(featureCell('amount', 133).title).toBe('规则比较所用的值：133 美分');
  });
});

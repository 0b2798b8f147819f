import { describe, expect, test } from 'vitest';
import { UNKNOWN_CUSTOMER } from '../scoring.js';
import { customerSinceOf, decodeProfile, profileArgs } from './profile.js';

describe('profile - decoding the stored fields', () => {
  test.each([
    ['no hash', [null, null, null, null], UNKNOWN_CUSTOMER],
    ['not an array', 'x', UNKNOWN_CUSTOMER],
    ['a full profile', ['vip', 'high', '1', 'GB'], { known: true, segment: 'vip', riskRating: 'high', pep: true, country: 'GB' }],
    ['not a PEP', ['standard', 'low', '0', 'US'], { known: true, segment: 'standard', riskRating: 'low', pep: false, country: 'US' }],
    [
      'unparseable values fall back to the unknown customer values',
      ['gold', 'extreme', 'yes', null],
      { known: true, segment: 'standard', riskRating: 'medium', pep: false, country: '' },
    ],
  ] as const)('%s', (_name, reply, profile) => {
    expect(decodeProfile(reply)).toEqual(profile);
  });

  test('a customer event writes segment, risk rating, pep flag, country and when the relationship began', () => {
    expect(profileArgs({ segment: 'important', riskRating: 'medium', pep: true, country: 'NG' })).toEqual(['important', 'medium', '1', 'NG', '']);
    expect(profileArgs({ segment: 'standard', riskRating: 'low', pep: false, country: 'US', onboardedAt: '2019-06-03T14:20:00.000Z' })).toEqual([
      'standard',
      'low',
      '0',
      'US',
      String(Date.parse('2019-06-03T14:20:00.000Z')),
    ]);
    // a leap second, which the contract accepts, is the last millisecond before it (Date.parse cannot read it)
    expect(profileArgs({ segment: 'standard', riskRating: 'low', pep: false, country: 'US', onboardedAt: '2016-12-31T23:59:60Z' })[4]).toBe(String(Date.UTC(2016, 11, 31, 23, 59, 59, 999)));
  });

  test('the relationship start reads back from a profile reply; unknown when absent or not a number', () => {
    expect(customerSinceOf(['standard', 'low', '0', 'US', '1559571600000'])).toBe(1_559_571_600_000);
    expect(customerSinceOf(['standard', 'low', '0', 'US', ''])).toBeUndefined();
    expect(customerSinceOf(['standard', 'low', '0', 'US', null])).toBeUndefined();
    expect(customerSinceOf(['standard', 'low', '0', 'US', 'soon'])).toBeUndefined();
    expect(customerSinceOf(null)).toBeUndefined();
  });
});

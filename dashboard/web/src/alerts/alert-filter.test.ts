import { describe, expect, it } from 'vitest';
import { filterFromQuery, filterToQuery } from './alert-filter.js';

describe('alert filter', () => {
  it('alert filter - goes into the address query and back; unknown fields and values are dropped', () => {
    const table: ReadonlyArray<[query: string, filter: ReturnType<typeof filterFromQuery>, back: string]> = [
      ['', {}, ''],
      ['domain=aml', { domain: 'aml' }, 'domain=aml'],
      ['severity=critical&segment=vip&typology=card_testing', { severity: 'critical', segment: 'vip', typology: 'card_testing' }, 'severity=critical&typology=card_testing&segment=vip'],
      ['domain=nope&severity=high&x=1', { severity: 'high' }, 'severity=high'],
      ['typology=a%20b%26c', { typology: 'a b&c' }, 'typology=a+b%26c'],
    ];
    for (const [query, filter, back] of table) {
      expect(filterFromQuery(query), query).toEqual(filter);
      expect(filterToQuery(filter), query).toBe(back);
    }
  });
});

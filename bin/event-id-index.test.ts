// The compact id index the ledger, `replay` and `import` find events with.
import { describe, expect, it } from 'vitest';
import { IdIndex } from './event-id-index.js';

describe('replay evaluation - the id index', () => {
  it('finds every id added, not one that was not, across growth', () => {
    const index = new IdIndex();
    for (let i = 0; i < 50_000; i++) expect(index.add(`ev-${i}`, i)).toBe(true);
    expect(index.add('ev-123', 7)).toBe(false);
    expect(index.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(index.get(`ev-${i}`)).toBe(i);
    expect(index.get('ev-123')).toBe(123);
    expect(index.get('ev-50000')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });
});

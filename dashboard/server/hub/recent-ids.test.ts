import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('hub - recent ids', () => {
  it('knows an id again within the window, and forgets it after two', () => {
    const ids = new RecentIds(0, 1000);
    expect(ids.seen('a', 0)).toBe(false);
    expect(ids.seen('a', 999)).toBe(true);
    // a new generation starts; 'a' is still in the previous one
    expect(ids.seen('b', 1000)).toBe(false);
    expect(ids.seen('a', 1500)).toBe(true);
    expect(ids.seen('c', 2000)).toBe(false);
    // two generations on, 'a' is gone
    expect(ids.seen('a', 2001)).toBe(false);
  });

  it('holds at most two generations of ids however fast they come', () => {
    const ids = new RecentIds(0, 60_000, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(ids.seen(id, 0)).toBe(false);
    expect(ids.seen('g', 0)).toBe(true);
    expect(ids.seen('d', 0)).toBe(true);
    expect(ids.seen('a', 0)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { SeenAlertIds } from './seen-alert-ids.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `al-${from + i}`);

describe('seen alert ids', () => {
  it('seen alert ids - keeps the newest between catch-ups', () => {
    const seen = new SeenAlertIds(3, 10);
    for (const id of ids(5)) seen.remember(id);
    expect(seen.size).toBe(3);
    expect(ids(5).map((id) => seen.has(id))).toEqual([false, false, true, true, true]);
  });

  it('seen alert ids - forgets nothing while a catch-up runs, then trims back to the newest', () => {
    const seen = new SeenAlertIds(3, 10);
    seen.hold();
    for (const id of ids(8)) seen.remember(id);
    expect(seen.size).toBe(8);
    expect(seen.overflowed).toBe(false);
    seen.release();
    expect(seen.size).toBe(3);
    expect(seen.has('al-7') && seen.has('al-5') && !seen.has('al-4')).toBe(true);
  });

  it('seen alert ids - past its ceiling during a catch-up, forgets the oldest and says so until every catch-up ended', () => {
    const seen = new SeenAlertIds(3, 10);
    seen.hold();
    seen.hold();
    for (const id of ids(11)) seen.remember(id);
    expect(seen.size).toBe(10);
    expect(seen.overflowed).toBe(true);
    seen.release();
    expect(seen.overflowed).toBe(true);
    seen.release();
    expect(seen.overflowed).toBe(false);
    expect(seen.size).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { perThousandByThread } from './run.js';

describe('bench - CPU by thread', () => {
  it('gives each thread group its CPU ms per 1,000 decided events over the window, largest first', () => {
    const before = new Map([
      ['main', 1],
      ['processors', 2],
    ]);
    // storage_engine appeared during the window: all of it counts.
    const after = new Map([
      ['main', 1.5],
      ['processors', 7],
      ['storage_engine', 2],
    ]);
    const r = perThousandByThread(before, after, 10_000);
    expect(r).toEqual({ processors: 500, storage_engine: 200, main: 50 });
    expect(Object.keys(r!)).toEqual(['processors', 'storage_engine', 'main']);
  });

  it('says nothing when a reading is missing or nothing was decided', () => {
    expect(perThousandByThread(null, new Map([['main', 1]]), 10)).toBeNull();
    expect(perThousandByThread(new Map([['main', 1]]), null, 10)).toBeNull();
    expect(perThousandByThread(new Map([['main', 1]]), new Map([['main', 2]]), 0)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { BusMessageCount } from './bus-messages.js';

describe('bench bus messages - distinct sequences of the bench own events', () => {
  it.each([
    ['none', [], 0],
    ['one message per event', [5, 6, 7, 8], 4],
    ['envelopes: events sharing a sequence count once', [10, 10, 10, 11, 11, 12], 3],
    ['other traffic between them is not counted', [100, 102, 107, 250], 4],
    ['acknowledgements out of order, below the first seen', [5000, 4999, 3, 5000, 3], 3],
    ['far apart, growing past the first bits', [1, 9_000_000, 9_000_001, 1], 3],
    ['not a sequence', [-1, 1.5, Number.NaN], 0],
  ])('%s', (_case, seqs, expected) => {
    const count = new BusMessageCount();
    for (const seq of seqs) count.add(seq);
    expect(count.size).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { suiteRuns } from './suite.js';

describe('bench suite - the runs asked for', () => {
  it.each([
    [{ rate: 10_000, duration: 60, via: 'nats' as const, suite: true }, [['nats', 10_000, 60], ['http', 2000, 30], ['http-batch', 10_000, 30]]],
    [{ rate: 20_000, duration: 120, via: 'http' as const, suite: true }, [['nats', 20_000, 120], ['http', 2000, 30], ['http-batch', 10_000, 30]]],
    [{ rate: 500, duration: 10, via: 'nats' as const, suite: true }, [['nats', 500, 10], ['http', 500, 10], ['http-batch', 500, 10]]],
    [{ rate: 50_000, duration: 90, via: 'http' as const, suite: false }, [['http', 50_000, 90]]],
    [{ rate: 100, duration: 5, via: 'http-batch' as const }, [['http-batch', 100, 5]]],
  ])('%o makes %j (via, rate, seconds)', (options, runs) => {
    expect(suiteRuns(options).map((r) => [r.via, r.rate, r.durationS])).toEqual(runs);
  });
});

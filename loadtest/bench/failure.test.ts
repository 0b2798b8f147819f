import { describe, expect, it } from 'vitest';
import { BenchError, benchFailure } from './failure.js';

describe('bench - a run cut short', () => {
  it('says NATS went away, and what to do, instead of a stack trace', () => {
    const closed = Object.assign(new Error('closed connection'), { name: 'ClosedConnectionError' });
    const failure = benchFailure(closed, 'nats://user:s3cret@127.0.0.1:4222');
    expect(failure).toBeInstanceOf(BenchError);
    expect((failure as Error).message).toBe(
      'the run stopped: NATS at nats://user:***@127.0.0.1:4222 went away or stopped answering (closed connection); its figures are lost. Check that nats-server runs (riskstream doctor), then run the bench again',
    );
    expect(benchFailure(Object.assign(new Error('timeout'), { name: 'TimeoutError' }), 'nats://127.0.0.1:4222')).toBeInstanceOf(BenchError);
  });

  it('passes anything else on as it is', () => {
    const other = new TypeError('a bug');
    expect(benchFailure(other, 'nats://127.0.0.1:4222')).toBe(other);
  });
});

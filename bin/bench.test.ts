import { describe, expect, it } from 'vitest';
import { BenchError, benchFailure, benchUrlOf, checkBenchOptions } from './bench.js';

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

describe('bench - options', () => {
  it.each(['notaurl', '127.0.0.1:8080', 'ftp://127.0.0.1/', 'http://'])('refuses --url %s, naming it', (url) => {
    expect(() => benchUrlOf(url)).toThrow(BenchError);
    expect(() => benchUrlOf(url)).toThrow(`--url ${url} is not an http(s) address such as http://127.0.0.1:8080`);
  });

  it('takes an http(s) base URL as it is', () => {
    expect(benchUrlOf('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(benchUrlOf('https://ingest.example/base')).toBe('https://ingest.example/base');
  });
});

describe('bench - options that cannot work', () => {
  const base = { rate: 1000, duration: 10, warmup: 5, spawn: true, roles: undefined, suite: false };
  it.each([
    [{ rate: 10_000_000_000, duration: 1 }, '--rate 10000000000 is more than the bench can send (at most 1,000,000 events/s)'],
    [{ rate: 1_000_000, duration: 200, warmup: 0 }, '--rate 1000000 for 0 + 200 s is 200,000,000 events; the bench tracks at most 100,000,000 in one run'],
    [{ roles: 'ingest,processors', spawn: false }, '--roles sets the roles of a riskstream the bench starts: add --spawn'],
    [{ roles: 'bogus' }, '--roles: unknown role "bogus"'],
  ])('refuses %o in one line, before starting anything', (options, message) => {
    expect(() => checkBenchOptions({ ...base, ...options })).toThrow(BenchError);
    expect(() => checkBenchOptions({ ...base, ...options })).toThrow(message);
  });

  it('takes what it can run', () => {
    expect(() => checkBenchOptions(base)).not.toThrow();
    expect(() => checkBenchOptions({ ...base, rate: 1_000_000, duration: 60, roles: 'ingest,processors' })).not.toThrow();
  });
});

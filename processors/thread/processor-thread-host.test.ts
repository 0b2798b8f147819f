// A start-up failure of the processors thread reaches the main thread as the kind of error it was,
// so that the command line explains a service down or a setting refused in one line, not a stack.
import { describe, expect, it } from 'vitest';
import { ConfigError, ServiceUnavailableError } from '../../core/index.js';
import { threadFailure } from './processor-thread-host.js';

describe('processors thread host', () => {
  it('keeps the kind of a start-up failure across the thread', () => {
    const down = threadFailure({ type: 'failed', name: 'ServiceUnavailableError', message: 'Redis is not reachable at redis://127.0.0.1:1' });
    expect(down).toBeInstanceOf(ServiceUnavailableError);
    expect(down.message).toBe('Redis is not reachable at redis://127.0.0.1:1');
    expect(threadFailure({ type: 'failed', name: 'ConfigError', message: 'RISKSTREAM_X is wrong' })).toBeInstanceOf(ConfigError);
    const other = threadFailure({ type: 'failed', name: 'TypeError', message: 'x is not a function' });
    expect(other).not.toBeInstanceOf(ServiceUnavailableError);
    expect(other).not.toBeInstanceOf(ConfigError);
    expect(other.message).toBe('x is not a function');
    expect(threadFailure({ type: 'failed', message: 'no name' }).message).toBe('no name');
  });
});

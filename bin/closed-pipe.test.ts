// closed pipe - a reader of stdout that went away ends the command quietly.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { quietOnClosedPipe } from './closed-pipe.js';

describe('closed pipe - a reader that went away', () => {
  function fakeOutput(): EventEmitter & { listenerCount(event: string): number } {
    return new EventEmitter();
  }

  it('ends with 0 when nobody else listens, leaves it to a command that writes to stdout itself, and rethrows anything but EPIPE', () => {
    const stdout = fakeOutput();
    const stderr = fakeOutput();
    const exits: number[] = [];
    quietOnClosedPipe(stdout as unknown as NodeJS.WriteStream, stderr as unknown as NodeJS.WriteStream, (code) => void exits.push(code));
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    stdout.emit('error', epipe);
    expect(exits).toEqual([0]);
    const own = (): void => undefined;
    stdout.on('error', own);
    stdout.emit('error', epipe);
    expect(exits).toEqual([0]);
    stdout.off('error', own);
    stderr.emit('error', epipe);
    expect(() => stdout.emit('error', Object.assign(new Error('EIO'), { code: 'EIO' }))).toThrow('EIO');
  });
});

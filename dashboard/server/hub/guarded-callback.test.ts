// The hub's bus callbacks run inside the NATS client's socket reader: one that throws stops the
// connection reading. guardedCallback keeps the reader going, against the real server.
import type { Msg } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, eventually, type Harness } from '../../../test/harness.js';
import { guardedCallback } from './hub.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

describe('guardedCallback', () => {
  it('skips a message its handler throws on, says so, and the connection goes on delivering the next ones', async () => {
    const subject = `${h.names.namespace}.guarded.test`;
    const handled: string[] = [];
    const failures: Array<{ subject: string | undefined; message: string }> = [];
    const handle = (_error: Error | null, msg: Msg): void => {
      const text = msg.string();
      if (text === 'bad') throw new RangeError('Invalid time value');
      handled.push(text);
    };
    const subscription = h.bus.nc.subscribe(subject, {
      callback: guardedCallback(handle, (failedSubject, err) => failures.push({ subject: failedSubject, message: (err as Error).message })),
    });
    for (const text of ['one', 'bad', 'two', 'three']) h.bus.nc.publish(subject, text);
    await h.bus.nc.flush();
    await eventually(() => (handled.length === 3 ? true : undefined), 5_000, 'the messages after the bad one');
    expect(handled).toEqual(['one', 'two', 'three']);
    expect(failures).toEqual([{ subject, message: 'Invalid time value' }]);
    subscription.unsubscribe();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';
import { JetStreamPublisher } from './jetstream-publisher.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

describe('jetstream publisher - acknowledgements', () => {
  it('resolves with the stream sequence, and recognises a re-published id as a duplicate', async () => {
    const subject = h.names.eventSubject('payment', 0);
    const first = await h.bus.publisher.publish(subject, '{"n":1}', 'pub-1');
    expect(first).toMatchObject({ stream: h.names.streams.events, duplicate: false });
    expect(first.seq).toBeGreaterThan(0);
    const again = await h.bus.publisher.publish(subject, '{"n":1}', 'pub-1');
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('publishes many at once and keeps them in order', async () => {
    const subject = h.names.eventSubject('payment', 1);
    const acks = await Promise.all(Array.from({ length: 2000 }, (_, i) => h.bus.publisher.publish(subject, `{"i":${i}}`, `many-${i}`)));
    const seqs = acks.map((a) => a.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(2000);
    expect(h.bus.publisher.pending).toBe(0);
  });

  it('refuses a subject no stream listens on', async () => {
    await expect(h.bus.publisher.publish(`${h.namespace}.nowhere`, '{}', 'x-1')).rejects.toThrow(/no JetStream stream/);
  });

  it('times out when nobody answers, and refuses what is pending on close', async () => {
    const quick = new JetStreamPublisher(h.bus.nc, 300);
    // A core subscription without a stream takes the message but never acknowledges it.
    const silent = h.bus.nc.subscribe(`${h.namespace}.silent`);
    await expect(quick.publish(`${h.namespace}.silent`, '{}', 's-1')).rejects.toThrow(/within 300 ms/);
    const waiting = quick.publish(`${h.namespace}.silent`, '{}', 's-2');
    quick.close();
    await expect(waiting).rejects.toThrow(/closed/);
    silent.unsubscribe();
  });
});

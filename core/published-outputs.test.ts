// PublishedOutputs: what failed batches published, kept until their inputs are acknowledged; and
// the start-up look-back, made only when the duplicate window might not cover what comes back
// (against the real NATS).
import { afterEach, describe, expect, it } from 'vitest';
import { ensureConsumer, scanStream } from './bus.js';
import { createLogger } from './log.js';
import { createHarness, type Harness } from '../test/harness.js';
import { PublishedOutputs, heldBy } from './published-outputs.js';

const logger = createLogger('silent');
let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('PublishedOutputs, failed batches', () => {
  it('is empty until a failed batch leaves ids, and empty again once they are forgotten', () => {
    const outputs = new PublishedOutputs();
    expect(outputs.empty).toBe(true);
    outputs.remember(['a', 'b']);
    expect(outputs.empty).toBe(false);
    expect(outputs.has('a')).toBe(true);
    expect(outputs.has('c')).toBe(false);
    outputs.forget(['a']);
    expect(outputs.has('a')).toBe(false);
    outputs.forget(['b']);
    expect(outputs.empty).toBe(true);
  });

  it('forgets ids remembered more than six hours ago when it remembers new ones', () => {
    const outputs = new PublishedOutputs();
    const t0 = Date.parse('2026-12-07T00:00:00Z');
    outputs.remember(['old'], [], t0);
    outputs.remember(['mid'], [], t0 + 3 * 3600_000);
    outputs.remember(['new'], [], t0 + 6 * 3600_000 + 1);
    expect([outputs.has('old'), outputs.has('mid'), outputs.has('new')]).toEqual([false, true, true]);
  });

  it('a retried batch that fails again keeps what it remembered', () => {
    const outputs = new PublishedOutputs();
    outputs.remember(['x']);
    outputs.remember([]);
    expect(outputs.has('x')).toBe(true);
  });
});

describe('PublishedOutputs.lookBack', () => {
  it('reads nothing when nothing was held, or when what was held is surely inside the duplicate window when it comes back', async () => {
    h = await createHarness();
    const streams = [h.names.streams.decisions];
    const outputs = new PublishedOutputs();
    expect(await outputs.lookBack(h.bus, streams, null, 40_000, logger)).toMatchObject({ skipped: 'nothing_held', ids: 0 });
    const now = Date.now();
    // stored and delivered a second ago, back within 40 s: inside the 120 s window
    expect(await outputs.lookBack(h.bus, streams, { oldestStoredMs: now - 1_000, lastDeliveredMs: now - 1_000, redelivered: false }, 40_000, logger, now)).toMatchObject({ skipped: 'inside_window', ids: 0 });
    // stored ten minutes ago behind a backlog, but delivered (so its outputs published) two seconds ago: inside too
    expect(await outputs.lookBack(h.bus, streams, { oldestStoredMs: now - 600_000, lastDeliveredMs: now - 2_000, redelivered: false }, 40_000, logger, now)).toMatchObject({ skipped: 'inside_window', ids: 0 });
    expect(outputs.empty).toBe(true);
  });

  it('reads the ids published since the oldest held message', async () => {
    h = await createHarness();
    const { names } = h;
    await h.bus.publisher.publish(names.decisionSubject('payment'), '{}', 'before');
    const since = Date.now() + 5;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.bus.publisher.publish(names.decisionSubject('payment'), '{}', 'after-1');
    await h.bus.publisher.publish(names.alertSubject('fraud'), '{}', 'after-2');
    const outputs = new PublishedOutputs();
    // stored 100 s "ago" as far as the window is concerned: its outputs may be past the window when it comes back
    const result = await outputs.lookBack(h.bus, [names.streams.decisions, names.streams.alerts], { oldestStoredMs: since, lastDeliveredMs: since, redelivered: false }, 200, logger, since + 100_000);
    expect(result).toMatchObject({ ids: 2 });
    expect(result.skipped).toBeUndefined();
    expect([outputs.has('before'), outputs.has('after-1'), outputs.has('after-2')]).toEqual([false, true, true]);
    expect(outputs.empty).toBe(false);
  });
});

describe('scanStream bounds (what the look-back relies on)', () => {
  it('stops at the first message stored after untilMs, and when the callback says false', async () => {
    h = await createHarness();
    const { names } = h;
    const subject = names.decisionSubject('payment');
    await h.bus.publisher.publish(subject, '{}', 's-1');
    await h.bus.publisher.publish(subject, '{}', 's-2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const untilMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.bus.publisher.publish(subject, '{}', 's-3');
    const read = async (bounds: { untilMs?: number }, stopAfter = Infinity): Promise<string[]> => {
      const ids: string[] = [];
      await scanStream(h!.bus, names.streams.decisions, { headersOnly: true, ...bounds }, (m) => {
        ids.push(m.headers!.get('Nats-Msg-Id'));
        return ids.length < stopAfter;
      });
      return ids;
    };
    expect(await read({})).toEqual(['s-1', 's-2', 's-3']);
    expect(await read({ untilMs })).toEqual(['s-1', 's-2']);
    expect(await read({}, 1)).toEqual(['s-1']);
    // the scans' own consumers are gone
    expect((await h.bus.jsm.consumers.list(names.streams.decisions).next()).length).toBe(0);
  });
});

describe('heldBy and a message delivered more than once', () => {
  it('says a held message was redelivered, and the look-back then reads from its storing, not from the last delivery', async () => {
    h = await createHarness();
    const { names } = h;
    await ensureConsumer(h.bus, { stream: names.streams.events, durable: 'held-probe', ackWaitMs: 30_000, maxAckPending: 100 });
    expect(await heldBy(h.bus, names.streams.events, 'held-probe')).toBeNull();
    const stored = await h.bus.publisher.publish(names.eventSubject('payment', 0), '{}', 'held-event');
    // an output an earlier attempt published, then the message taken again (a failed batch's retry)
    await h.bus.publisher.publish(names.decisionSubject('payment'), '{}', 'early-output');
    const consumer = await h.bus.js.consumers.get(names.streams.events, 'held-probe');
    const first = await consumer.next({ expires: 5_000 });
    first!.nak();
    const again = await consumer.next({ expires: 5_000 });
    expect(again!.seq).toBe(stored.seq);
    const held = await heldBy(h.bus, names.streams.events, 'held-probe');
    expect(held).toMatchObject({ redelivered: true });
    expect(Number.isFinite(held!.lastDeliveredMs)).toBe(true);
    expect(Math.abs(held!.oldestStoredMs - Date.now())).toBeLessThan(30_000);
    const streams = [names.streams.decisions];
    // as the consumer would stand 100 s on: the last delivery alone would put the early output out of reach
    const later = { ...held!, lastDeliveredMs: held!.lastDeliveredMs + 100_000 };
    const now = held!.lastDeliveredMs + 100_000;
    expect(await new PublishedOutputs().lookBack(h.bus, streams, { ...later, redelivered: false }, 200, logger, now)).toMatchObject({ skipped: 'inside_window' });
    const outputs = new PublishedOutputs();
    expect(await outputs.lookBack(h.bus, streams, later, 200, logger, now)).toMatchObject({ ids: 1 });
    expect(outputs.has('early-output')).toBe(true);
    again!.ack();
  });
});

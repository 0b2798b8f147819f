// The gateway's grouping against the real NATS and Redis: which events leave together, what the
// messages look like once JetStream stored them, and how duplicates are answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  HEADER_BATCH,
  HEADER_INGEST_TS,
  HEADER_MSG_ID,
  HEADER_REPLIES,
  HEADER_REPLY,
  names as namesOf,
  partitionOf,
  repliesOf,
  splitEnvelopeText,
  type ValidatedEvent,
} from '../core/index.js';
import { createHarness, customerEvent, payment, validated, type Harness } from '../test/harness.js';
import { createFeatureStore, MARKER_REPLY_BYTES } from '../processors/features/index.js';
import { GatewayEnvelopes, SeenEventIds, type GatewayPublishResult } from './gateway-envelopes.js';

const PARTITIONS = 4;
let h: Harness;
let gateways = 0;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

type Failure = { error: Error; events: number };

function gateway(maxRecords = 8, seen?: SeenEventIds, bus = h.bus, maxHoldMs = 5, lingerMs = 0): { gw: GatewayEnvelopes; failures: Failure[]; sizes: number[] } {
  const failures: Failure[] = [];
  const sizes: number[] = [];
  const gw = new GatewayEnvelopes(
    bus,
    seen ?? new SeenEventIds(h.redis, h.names.redisPrefix, 120),
    { maxRecords, partitions: PARTITIONS, idPrefix: `${h.namespace}-g${++gateways}`, maxHoldMs, lingerMs },
    { sent: (events) => void sizes.push(events), unchecked: (error, events) => void failures.push({ error, events }) },
  );
  return { gw, failures, sizes };
}

function paymentEvent(id: string, accountId = 'ACC-G1'): ValidatedEvent {
  return validated(payment(id, { debtor: { accountId, customerId: `C-${accountId}`, country: 'US' } }));
}

/** Cash paid in at the counter: the account's money-in side only, so its marker is that side's. */
function cashDeposit(id: string, accountId: string): ValidatedEvent {
  return validated(payment(id, { type: 'cash_deposit', debtor: { accountId, customerId: `C-${accountId}`, country: 'US' }, creditor: { accountId, customerId: `C-${accountId}`, country: 'US' } }));
}

function send(gw: GatewayEnvelopes, event: ValidatedEvent, replyTo?: string): Promise<GatewayPublishResult> {
  return gw.publish(event, JSON.stringify(event.body), replyTo);
}

type Stored = { subject: string; ids: string[]; batch: string | undefined; msgId: string | undefined; ingestTs: number; replies: Map<number, string> | null; reply: string | undefined };

async function stored(seq: number): Promise<Stored> {
  const m = (await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq }))!;
  return {
    subject: m.subject,
    ids: splitEnvelopeText(m.string()).map((line) => (JSON.parse(line) as { id: string }).id),
    batch: m.header.get(HEADER_BATCH) || undefined,
    msgId: m.header.get(HEADER_MSG_ID) || undefined,
    ingestTs: Number(m.header.get(HEADER_INGEST_TS)),
    replies: repliesOf(m.header.has(HEADER_REPLIES) ? m.header : undefined),
    reply: m.header.get(HEADER_REPLY) || undefined,
  };
}

async function streamMessages(): Promise<number> {
  return (await h.bus.jsm.streams.info(h.names.streams.events)).state.messages;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The real id record, answering its first lookup only once released: the first message stays on
 * its way until then, however slow the host (a fixed delay could run out before the test looked).
 */
class HeldFirstLookup extends SeenEventIds {
  private _held = true;
  private _release: () => void = () => undefined;
  private readonly _released = new Promise<void>((resolve) => (this._release = resolve));
  constructor() {
    super(h.redis, h.names.redisPrefix, 120);
  }
  release(): void {
    this._release();
  }
  override async lookup(events: readonly ValidatedEvent[]): Promise<Array<number | null>> {
    if (this._held) {
      this._held = false;
      await this._released;
    }
    return super.lookup(events);
  }
}

describe('gateway envelopes - grouping', () => {
  it('sends a lone event alone, on its partition subject, under its own id, as the gateway always did', async () => {
    const { gw } = gateway();
    const before = Date.now();
    const event = paymentEvent('gw-alone');
    const result = await send(gw, event);
    expect(result.duplicate).toBe(false);
    const m = await stored(result.seq);
    expect(m.subject).toBe(h.names.eventSubject('payment', partitionOf(event.partitionKey, PARTITIONS)));
    expect(m.batch).toBeUndefined();
    expect(m.msgId).toBe('gw-alone');
    expect(m.ids).toEqual(['gw-alone']);
    expect(m.ingestTs).toBeGreaterThanOrEqual(before);
  });

  it('sends the events handed in within one turn together: per kind, on its mixed subject, at most maxRecords per message, in order', async () => {
    const { gw, sizes } = gateway(8);
    const before = await streamMessages();
    const payments = Array.from({ length: 10 }, (_, i) => paymentEvent(`gw-turn-p${i}`, `ACC-T${i}`));
    const customers = [customerEvent('gw-turn-c0'), customerEvent('gw-turn-c1')];
    const results = await Promise.all([...payments, ...customers].map((e) => send(gw, e)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await streamMessages()).toBe(before + 3);
    const seqs = [...new Set(results.map((r) => r.seq))];
    const messages = await Promise.all(seqs.map(stored));
    expect(messages.map((m) => [m.subject, m.batch, m.ids.length])).toEqual([
      [h.names.mixedEventSubject('payment'), '8', 8],
      [h.names.mixedEventSubject('payment'), '2', 2],
      [h.names.mixedEventSubject('customer'), '2', 2],
    ]);
    expect(messages.flatMap((m) => m.ids)).toEqual([...payments, ...customers].map((e) => e.id));
    // Each event's answer names the message that carries it.
    for (let i = 0; i < results.length; i++) expect(messages.find((m) => m.ids.includes([...payments, ...customers][i]!.id))).toBeDefined();
    expect(new Set(messages.map((m) => m.msgId)).size).toBe(3);
    expect(sizes).toEqual([8, 2, 2]);
  });

  it('holds events that arrive while a message of their kind is on its way, and sends them together once it is stored', async () => {
    const { gw } = gateway(64);
    const first = send(gw, paymentEvent('gw-hold-0'));
    await nextTurn(); // the first has left
    expect(gw.waiting).toBe(0);
    const rest = Array.from({ length: 5 }, (_, i) => send(gw, paymentEvent(`gw-hold-${i + 1}`)));
    expect(gw.waiting).toBe(5);
    const [a, ...others] = await Promise.all([first, ...rest]);
    expect((await stored(a!.seq)).ids).toEqual(['gw-hold-0']);
    expect(new Set(others.map((r) => r.seq)).size).toBe(1);
    const m = await stored(others[0]!.seq);
    expect(m.ids).toEqual(['gw-hold-1', 'gw-hold-2', 'gw-hold-3', 'gw-hold-4', 'gw-hold-5']);
    expect(m.batch).toBe('5');
  });

  it('holds events over several turns while a message of their kind is on its way', async () => {
    const lookup = new HeldFirstLookup();
    const { gw } = gateway(64, lookup, h.bus, 10_000);
    // Two events: an envelope, whose look-up keeps it on its way until released.
    const first = Promise.all([send(gw, paymentEvent('gw-turns-0')), send(gw, paymentEvent('gw-turns-0b'))]).then((r) => r[0]);
    await nextTurn();
    const second = [send(gw, paymentEvent('gw-turns-1')), send(gw, paymentEvent('gw-turns-2'))];
    await nextTurn();
    await sleep(20);
    const third = [send(gw, paymentEvent('gw-turns-3'))];
    expect(gw.waiting).toBe(3);
    lookup.release();
    const results = await Promise.all([first, ...second, ...third]);
    expect((await stored(results[1]!.seq)).ids).toEqual(['gw-turns-1', 'gw-turns-2', 'gw-turns-3']);
  });

  it('sends held events after maxHoldMs even while the message before them is still on its way', async () => {
    const lookup = new HeldFirstLookup();
    const { gw } = gateway(64, lookup, h.bus, 20);
    const first = Promise.all([send(gw, paymentEvent('gw-cap-0')), send(gw, paymentEvent('gw-cap-0b'))]);
    await nextTurn();
    let timer: NodeJS.Timeout | undefined;
    const waitedForFirst = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('gw-cap-1 waited for the message before it')), 10_000)));
    try {
      // Stored while the first message is still held on its way: it did not wait for it.
      const held = await Promise.race([send(gw, paymentEvent('gw-cap-1')), waitedForFirst]);
      expect((await stored(held.seq)).ids).toEqual(['gw-cap-1']);
    } finally {
      clearTimeout(timer);
      lookup.release();
    }
    await first;
  });

  it('with a linger, sends a kind at most once per linger: the first event at once, those close behind it together when it ends', async () => {
    // A linger long enough that an event sent at once is told from one that waited for it, on a loaded host too.
    const lingerMs = 1000;
    const { gw, sizes } = gateway(64, undefined, h.bus, 5, lingerMs);
    const started = performance.now();
    const first = await send(gw, paymentEvent('gw-linger-0'));
    // Nothing left this lane before: no wait.
    expect(performance.now() - started).toBeLessThan(lingerMs);
    expect((await stored(first.seq)).ids).toEqual(['gw-linger-0']);
    // Stored, but within the linger: these wait for its end, over several turns, and leave together.
    const next = [send(gw, paymentEvent('gw-linger-1'))];
    await sleep(30);
    next.push(send(gw, paymentEvent('gw-linger-2')));
    await nextTurn();
    expect(gw.waiting).toBe(2);
    const results = await Promise.all(next);
    expect(performance.now() - started).toBeGreaterThanOrEqual(lingerMs - 5);
    expect(new Set(results.map((r) => r.seq)).size).toBe(1);
    expect((await stored(results[0]!.seq)).ids).toEqual(['gw-linger-1', 'gw-linger-2']);
    // Other kinds have lanes of their own.
    const customerStarted = performance.now();
    await send(gw, customerEvent('gw-linger-c'));
    expect(performance.now() - customerStarted).toBeLessThan(lingerMs);
    expect(sizes).toEqual([1, 2, 1]);
  });

  it('with a linger, a full message leaves at once', async () => {
    const { gw } = gateway(4, undefined, h.bus, 5, 10_000);
    await send(gw, paymentEvent('gw-full-0'));
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => send(gw, paymentEvent(`gw-full-${i + 1}`))));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await stored(results[0]!.seq)).ids).toEqual(['gw-full-1', 'gw-full-2', 'gw-full-3', 'gw-full-4']);
  });

  it('says where each waiting caller waits: Rs-Replies by line in an envelope, Rs-Reply on a lone event', async () => {
    const { gw } = gateway();
    const [x, , z] = await Promise.all([send(gw, paymentEvent('gw-r0'), '_INBOX.t.1'), send(gw, paymentEvent('gw-r1')), send(gw, paymentEvent('gw-r2'), '_INBOX.t.3')]);
    const m = await stored(x!.seq);
    expect(z!.seq).toBe(x!.seq);
    expect(m.replies).toEqual(new Map([[0, '_INBOX.t.1'], [2, '_INBOX.t.3']]));
    expect(m.reply).toBeUndefined();
    const alone = await stored((await send(gw, paymentEvent('gw-r3'), '_INBOX.t.4')).seq);
    expect(alone.reply).toBe('_INBOX.t.4');
    expect(alone.replies).toBeNull();
  });
});

describe("gateway envelopes - copies sent after JetStream's window, told by the processors' markers", () => {
  // The processors' own feature store writes the markers, as it does when it applies an event read
  // from a message (its origin: `<seq>` or `<seq>:<place>`); the gateway reads them.
  function markersGateway(): ReturnType<typeof gateway> {
    return gateway(8, new SeenEventIds(h.redis, h.names.redisPrefix, 120, MARKER_REPLY_BYTES));
  }
  const store = () => createFeatureStore(h.redis, { prefix: h.names.redisPrefix, dedupTtlSeconds: 600 });

  it('answers "duplicate" with the sequence the processors applied it from, and leaves the copy out of the envelope', async () => {
    const { gw } = markersGateway();
    const applied = [paymentEvent('gw-m-pay', 'ACC-M1'), cashDeposit('gw-m-dep', 'ACC-M2'), customerEvent('gw-m-cust')];
    await store().computeBatch(applied, ['41:3', '42', '43:0']);
    const before = await streamMessages();
    const results = await Promise.all([...applied.map((e) => send(gw, e)), send(gw, paymentEvent('gw-m-new', 'ACC-M1'))]);
    expect(results.slice(0, 3)).toEqual([
      { seq: 41, duplicate: true },
      { seq: 42, duplicate: true },
      { seq: 43, duplicate: true },
    ]);
    expect(results[3]!.duplicate).toBe(false);
    expect((await stored(results[3]!.seq)).ids).toEqual(['gw-m-new']);
    // The payments' envelope carries the new one only; the customer event, alone in its kind's
    // lane, is not looked up first: it reached the bus once more (the processors drop it).
    expect(await streamMessages()).toBe(before + 2);
  });

  it("answers a lone copy \"duplicate\" after it reached the bus (it is not looked up first), and a fresh one's own marker does not make it a duplicate", async () => {
    const { gw } = markersGateway();
    await store().computeBatch([paymentEvent('gw-m-lone', 'ACC-M3')], ['77:1']);
    expect(await send(gw, paymentEvent('gw-m-lone', 'ACC-M3'))).toEqual({ seq: 77, duplicate: true });
    // The processors applied this very message before the gateway claimed it: still fresh.
    const first = await send(gw, paymentEvent('gw-m-race', 'ACC-M3'));
    await h.redis.del(`${h.names.redisPrefix}{i:gw-m-race}`);
    await store().computeBatch([paymentEvent('gw-m-race', 'ACC-M3')], [String(first.seq)]);
    const seen = new SeenEventIds(h.redis, h.names.redisPrefix, 120, MARKER_REPLY_BYTES);
    expect(await seen.claim([paymentEvent('gw-m-race', 'ACC-M3')], first.seq)).toEqual([{ fresh: true, firstSeq: null }]);
    expect(await seen.claim([paymentEvent('gw-m-race', 'ACC-M3')], first.seq + 5)).toEqual([{ fresh: false, firstSeq: first.seq }]);
  });

  it('sends a copy whose first application was released (its decision failed and went to the dead letters), so that it is decided', async () => {
    const { gw } = markersGateway();
    const event = paymentEvent('gw-m-dlq', 'ACC-M4');
    const features = store();
    await features.computeBatch([event], ['90']);
    expect(await features.release([event])).toBe(2);
    const result = await send(gw, paymentEvent('gw-m-dlq', 'ACC-M4'));
    expect(result.duplicate).toBe(false);
    expect((await stored(result.seq)).ids).toEqual(['gw-m-dlq']);
  });

  it('reads no marker when not given their layout (the claim alone, as before)', async () => {
    const { gw } = gateway();
    await store().computeBatch([paymentEvent('gw-m-off', 'ACC-M5')], ['55']);
    expect((await send(gw, paymentEvent('gw-m-off', 'ACC-M5'))).duplicate).toBe(false);
  });
});

describe('gateway envelopes - size', () => {
  it("never puts more in one message than the server takes: large events spill into further messages, and every one is stored", async () => {
    const { gw, sizes } = gateway(64);
    // 64 customers with 64 account ids of 128 three-byte characters each (~25 KB apiece, ~1.6 MB in all):
    // valid events, which 64 to a message would pass NATS's max_payload
    const events = Array.from({ length: 64 }, (_, i) =>
      validated({ ...customerEvent(`${h.namespace}-big-${i}`).body, accounts: Array.from({ length: 64 }, (_, k) => `${k}`.padEnd(128, '東')) }),
    );
    const results = await Promise.all(events.map((e) => send(gw, e)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(64);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    const seqs = [...new Set(results.map((r) => r.seq))];
    const ids: string[] = [];
    for (const seq of seqs) {
      const m = (await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq }))!;
      expect(m.data.length).toBeLessThanOrEqual(h.bus.nc.info!.max_payload);
      ids.push(...(await stored(seq)).ids);
    }
    expect(ids.sort()).toEqual(events.map((e) => e.id).sort());
  });
});

describe('gateway envelopes - duplicates', () => {
  it('answers an id sent before "duplicate" with its first sequence, whether it went alone or in an envelope', async () => {
    const { gw } = gateway();
    const inEnvelope = await Promise.all([send(gw, paymentEvent('gw-d1')), send(gw, paymentEvent('gw-d2'))]);
    const alone = await send(gw, paymentEvent('gw-d3'));
    let before = await streamMessages();
    // Again in an envelope: gw-d3 (first alone) and gw-d2 (first in an envelope) are left out.
    const [d3, d2, fresh] = await Promise.all([send(gw, paymentEvent('gw-d3')), send(gw, paymentEvent('gw-d2')), send(gw, paymentEvent('gw-d4'))]);
    expect(d3).toEqual({ seq: alone.seq, duplicate: true });
    expect(d2).toEqual({ seq: inEnvelope[1]!.seq, duplicate: true });
    expect(fresh.duplicate).toBe(false);
    expect(await streamMessages()).toBe(before + 1);
    expect((await stored(fresh.seq)).ids).toEqual(['gw-d4']);
    // Again alone: JetStream drops gw-d3 (its id is the message id).
    before = await streamMessages();
    expect(await send(gw, paymentEvent('gw-d3'))).toEqual({ seq: alone.seq, duplicate: true });
    expect(await streamMessages()).toBe(before);
    // gw-d1 first went in an envelope: alone it is not looked up first and reaches the bus once
    // more (the processors decide it once), but the answer still says duplicate, with the first sequence.
    expect(await send(gw, paymentEvent('gw-d1'))).toEqual({ seq: inEnvelope[0]!.seq, duplicate: true });
    expect(await streamMessages()).toBe(before + 1);
  });

  it('sends one copy of an id given twice in one turn and answers the second "duplicate" with the same sequence', async () => {
    const { gw } = gateway();
    const [a, b, c] = await Promise.all([send(gw, paymentEvent('gw-twice')), send(gw, paymentEvent('gw-other')), send(gw, paymentEvent('gw-twice'))]);
    expect(a).toEqual({ seq: a!.seq, duplicate: false });
    expect(b!.duplicate).toBe(false);
    expect(c).toEqual({ seq: a!.seq, duplicate: true });
    expect((await stored(a!.seq)).ids).toEqual(['gw-twice', 'gw-other']);
  });

  it('answers exactly one of two copies sent at the same moment by two gateways "accepted"', async () => {
    const one = gateway().gw;
    const two = gateway().gw;
    const results = await Promise.all([send(one, paymentEvent('gw-race')), send(one, paymentEvent('gw-race-a')), send(two, paymentEvent('gw-race')), send(two, paymentEvent('gw-race-b'))]);
    expect([results[0]!.duplicate, results[2]!.duplicate].sort()).toEqual([false, true]);
    // Both answers name the sequence of the copy that was claimed first.
    expect(results[0]!.seq).toBe(results[2]!.seq);
    expect(await h.redis.get(`${h.names.redisPrefix}{i:gw-race}`)).toMatch(/^\d+$/);
    expect(await h.redis.ttl(`${h.names.redisPrefix}{i:gw-race}`)).toBeGreaterThan(100);
  });

  it('answers "accepted" and reports it when Redis cannot be asked: the events are on the bus', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    unreachable.on('error', () => undefined); // expected: nothing listens there
    try {
      const { gw, failures } = gateway(8, new SeenEventIds(unreachable, h.names.redisPrefix, 120));
      const results = await Promise.all([send(gw, paymentEvent('gw-nored-1')), send(gw, paymentEvent('gw-nored-2'))]);
      expect(results.map((r) => r.duplicate)).toEqual([false, false]);
      expect((await stored(results[0]!.seq)).ids).toEqual(['gw-nored-1', 'gw-nored-2']);
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(failures.reduce((n, f) => n + f.events, 0)).toBeGreaterThanOrEqual(2);
    } finally {
      unreachable.disconnect();
    }
  });

  it('does not ask a Redis that just failed again for a moment: a hung one would hold every request for its command timeout', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    unreachable.on('error', () => undefined);
    try {
      const seen = new SeenEventIds(unreachable, h.names.redisPrefix, 120);
      await expect(seen.lookup([paymentEvent('a')])).rejects.not.toThrow(/a moment ago/);
      await expect(seen.lookup([paymentEvent('b')])).rejects.toThrow(/Redis failed a moment ago; not asked again for 2 s/);
      await expect(seen.claim([paymentEvent('b')], 7)).rejects.toThrow(/a moment ago/);
    } finally {
      unreachable.disconnect();
    }
  });

  it('refuses every event of a message JetStream did not store, and claims none of them', async () => {
    const elsewhere = { ...h.bus, names: namesOf(`${h.namespace}x`) }; // no stream listens there
    const { gw } = gateway(8, undefined, elsewhere);
    const outcomes = await Promise.allSettled([send(gw, paymentEvent('gw-fail-1')), send(gw, paymentEvent('gw-fail-2'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/no JetStream stream/);
    expect(await h.redis.exists(`${h.names.redisPrefix}{i:gw-fail-1}`)).toBe(0);
    // Sent again where a stream listens, they are new events.
    const { gw: good } = gateway();
    expect((await Promise.all([send(good, paymentEvent('gw-fail-1')), send(good, paymentEvent('gw-fail-2'))])).map((r) => r.duplicate)).toEqual([false, false]);
  });

  it('refuses a maximum outside 2–256', () => {
    expect(() => gateway(1)).toThrow(RangeError);
    expect(() => gateway(257)).toThrow(RangeError);
    expect(() => gateway(8, undefined, h.bus, 5, -1)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { ClientOutbox, type DroppableTopic, type OutboxLimits, type ServerMessageType } from './client-outbox.js';

const LIMITS: OutboxLimits = { bufferLimitBytes: 100, queueCap: 3, controlCap: 2, stallTimeoutMs: 1000 };

/** A socket whose buffer fills with every write and empties when the test says so. */
class FakeSink {
  bufferedAmount = 0;
  writable = true;
  readonly written: string[] = [];
  write(frame: Buffer): void {
    this.written.push(frame.toString());
    this.bufferedAmount += frame.length;
  }
  drain(): void {
    this.bufferedAmount = 0;
  }
}

function setup(limits: OutboxLimits = LIMITS) {
  const sink = new FakeSink();
  const sent: Array<[ServerMessageType, number]> = [];
  const dropped: ServerMessageType[] = [];
  let now = 1000;
  const outbox = new ClientOutbox(
    sink,
    limits,
    { sent: (type, at) => sent.push([type, at]), dropped: (type) => dropped.push(type) },
    (topic: DroppableTopic, count, since) => Buffer.from(`missed:${topic}:${count}:${since}`),
    () => now,
  );
  return { sink, outbox, sent, dropped, tick: (ms: number) => (now += ms) };
}

const frame = (text: string, size = 0) => Buffer.from(text.padEnd(size, '.'));

describe('client outbox - a client that keeps up', () => {
  it('writes every message at once, in order', () => {
    const { sink, outbox } = setup();
    outbox.control(frame('hello'), 'hello');
    expect(outbox.droppable('alerts', frame('a1'), 'alert', 5)).toBe('written');
    expect(outbox.latest('kpi', frame('k1'))).toBe('written');
    expect(sink.written).toEqual(['hello', 'a1', 'k1']);
    expect(outbox.backlogged).toBe(false);
  });

  it('reports what it sent with the alert time', () => {
    const { outbox, sent } = setup();
    outbox.droppable('alerts', frame('a1'), 'alert', 42);
    expect(sent).toEqual([['alert', 42]]);
  });
});

describe('client outbox - a client over the buffer limit', () => {
  // Each row: messages offered while the socket buffer is over the limit, then what the client
  // gets once it drains.
  it.each([
    {
      name: 'KPI ticks are coalesced to the latest',
      offer: [['kpi', 'k1'], ['kpi', 'k2'], ['kpi', 'k3']],
      afterDrain: ['k3'],
      dropped: ['kpi', 'kpi'],
    },
    {
      name: 'health views are coalesced to the latest, after the KPI tick',
      offer: [['health', 'h1'], ['kpi', 'k1'], ['health', 'h2']],
      afterDrain: ['k1', 'h2'],
      dropped: ['health'],
    },
    {
      name: 'alerts up to the cap are kept in order',
      offer: [['alerts', 'a1'], ['alerts', 'a2'], ['alerts', 'a3']],
      afterDrain: ['a1', 'a2', 'a3'],
      dropped: [],
    },
    {
      name: 'alerts beyond the cap are dropped and reported once as missed, after the kept ones',
      offer: [['alerts', 'a1'], ['alerts', 'a2'], ['alerts', 'a3'], ['alerts', 'a4'], ['alerts', 'a5']],
      afterDrain: ['a1', 'a2', 'a3', 'missed:alerts:2:4'],
      dropped: ['alert', 'alert'],
    },
    {
      name: 'alerts and account decisions share the cap; missed is per topic',
      offer: [['alerts', 'a1'], ['account', 'd2'], ['alerts', 'a3'], ['account', 'd4'], ['alerts', 'a5'], ['kpi', 'k6']],
      afterDrain: ['a1', 'd2', 'a3', 'missed:alerts:1:5', 'missed:account:1:4', 'k6'],
      dropped: ['account', 'alert'],
    },
  ])('$name', ({ offer, afterDrain, dropped }) => {
    const { sink, outbox, dropped: droppedSeen } = setup();
    sink.bufferedAmount = 1000;
    offer.forEach(([what, text], i) => {
      if (what === 'kpi' || what === 'health') outbox.latest(what, frame(text!));
      else outbox.droppable(what as DroppableTopic, frame(text!), what === 'alerts' ? 'alert' : 'account', i + 1);
    });
    expect(sink.written).toEqual([]);
    expect(outbox.backlogged).toBe(true);
    sink.drain();
    outbox.flush();
    expect(sink.written).toEqual(afterDrain);
    expect(droppedSeen).toEqual(dropped);
    expect(outbox.backlogged).toBe(false);
  });

  it('missed.since is the earliest time among the dropped, not the first to arrive', () => {
    const { sink, outbox } = setup({ ...LIMITS, queueCap: 0 });
    sink.bufferedAmount = 1000;
    outbox.droppable('alerts', frame('a'), 'alert', 50);
    outbox.droppable('alerts', frame('b'), 'alert', 30);
    outbox.droppable('alerts', frame('c'), 'alert', 70);
    sink.drain();
    outbox.flush();
    expect(sink.written).toEqual(['missed:alerts:3:30']);
    expect(outbox.droppedTotal).toBe(3);
  });

  it('stops writing once the buffer goes over the limit mid-flush, and goes on after the next drain', () => {
    const { sink, outbox } = setup();
    sink.bufferedAmount = 1000;
    outbox.droppable('alerts', frame('a1', 60), 'alert', 1);
    outbox.droppable('alerts', frame('a2', 60), 'alert', 2);
    outbox.droppable('alerts', frame('a3', 60), 'alert', 3);
    sink.drain();
    outbox.flush();
    // a1 (60) and a2 (120 > 100 after it) are written; a3 waits.
    expect(sink.written.map((t) => t.slice(0, 2))).toEqual(['a1', 'a2']);
    expect(outbox.backlogged).toBe(true);
    sink.drain();
    outbox.flush();
    expect(sink.written.map((t) => t.slice(0, 2))).toEqual(['a1', 'a2', 'a3']);
  });

  it('a message offered while older ones wait goes behind them, even with room in the buffer', () => {
    const { sink, outbox } = setup();
    sink.bufferedAmount = 1000;
    outbox.droppable('alerts', frame('a1'), 'alert', 1);
    sink.bufferedAmount = 0;
    outbox.droppable('alerts', frame('a2'), 'alert', 2);
    expect(sink.written).toEqual([]);
    outbox.flush();
    expect(sink.written).toEqual(['a1', 'a2']);
  });

  it('says whether a coalesced slot holds a message not yet written (the hub then pushes what the client is owed)', () => {
    const { sink, outbox } = setup();
    outbox.latest('kpi', frame('k1', 150));
    expect(outbox.holds('kpi')).toBe(false);
    outbox.latest('kpi', frame('k2'));
    expect([outbox.holds('kpi'), outbox.holds('health')]).toEqual([true, false]);
    sink.drain();
    outbox.flush();
    expect(outbox.holds('kpi')).toBe(false);
  });

  it('answers are never dropped, but too many waiting ones refuse further answers', () => {
    const { sink, outbox } = setup();
    sink.bufferedAmount = 1000;
    expect(outbox.control(frame('pong1'), 'pong')).toBe(true);
    expect(outbox.control(frame('pong2'), 'pong')).toBe(true);
    expect(outbox.control(frame('pong3'), 'pong')).toBe(false);
    sink.drain();
    outbox.flush();
    expect(sink.written).toEqual(['pong1', 'pong2']);
  });

  it('measures how long the client has been stalled, and resets once it drains', () => {
    const { sink, outbox, tick } = setup();
    outbox.droppable('alerts', frame('a1', 200), 'alert', 1);
    expect(outbox.stalledMs(1000)).toBe(0);
    outbox.droppable('alerts', frame('a2'), 'alert', 2);
    tick(1500);
    outbox.flush();
    expect(outbox.stalledMs(2500 + 1000)).toBe(2500);
    sink.drain();
    outbox.flush();
    expect(outbox.stalledMs(5000)).toBe(0);
  });

  it('writes nothing to a closing socket and keeps nothing for it', () => {
    const { sink, outbox } = setup();
    sink.writable = false;
    outbox.droppable('alerts', frame('a1'), 'alert', 1);
    outbox.latest('kpi', frame('k1'));
    outbox.flush();
    expect(sink.written).toEqual([]);
    expect(outbox.backlogged).toBe(false);
  });

  it('keeps working over many backlog cycles (the queue is compacted, order holds)', () => {
    const { sink, outbox } = setup({ ...LIMITS, bufferLimitBytes: 5, queueCap: 1000 });
    const expected: string[] = [];
    for (let i = 0; i < 500; i++) {
      const text = `m${i}`;
      expected.push(text);
      outbox.droppable('alerts', frame(text), 'alert', i);
      if (i % 7 === 0) {
        sink.drain();
        outbox.flush();
      }
    }
    for (let i = 0; i < 500 && outbox.backlogged; i++) {
      sink.drain();
      outbox.flush();
    }
    expect(sink.written).toEqual(expected);
  });
});

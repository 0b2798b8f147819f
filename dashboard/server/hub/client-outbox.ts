// What the hub owes one WebSocket client, and the policy that keeps a slow client from slowing
// anyone else: write only while the socket's own buffer is under a limit; past it, keep the latest
// KPI tick and health view only (coalesced), queue alerts and account decisions up to a cap and
// count the rest as missed, and tell the client once it drains. Pure: the socket is a sink.
import type { ServerMessage } from '../protocol.js';

export type ServerMessageType = ServerMessage['type'];
/** Topics whose messages are dropped (and reported as `missed`) when a client falls behind. */
export type DroppableTopic = 'alerts' | 'account';
/** Messages of which only the latest matters: replaced while the client is behind. */
export type CoalescedSlot = 'kpi' | 'health';

export type OutboxLimits = {
  /** Writing stops while more than this many bytes wait in the socket's buffer (ws bufferedAmount). */
  readonly bufferLimitBytes: number;
  /** Alerts and account decisions held for a client over the limit; beyond, they are dropped and counted. */
  readonly queueCap: number;
  /** Answers (subscribed, pong, error, …) held for a client over the limit; beyond, the client is misbehaving. */
  readonly controlCap: number;
  /** A client that stays over the buffer limit this long is closed. */
  readonly stallTimeoutMs: number;
};

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  bufferLimitBytes: 256 * 1024,
  queueCap: 256,
  controlCap: 64,
  stallTimeoutMs: 30_000,
};

/** The socket as the outbox sees it. */
export type OutboxSink = {
  /** Bytes accepted by send() and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** False once the socket is closing or closed: nothing more is written. */
  readonly writable: boolean;
  write(frame: Buffer): void;
};

export type OutboxObserver = {
  /** A message was written to the socket; `createdAt` is the alert's or decision's time, NaN for others. */
  sent(type: ServerMessageType, createdAt: number): void;
  /** A message was dropped (alerts, account) or replaced by a newer one (kpi, health). */
  dropped(type: ServerMessageType): void;
};

/** Builds the `missed` message for a topic (the hub serialises it; the outbox stays free of JSON). */
export type MissedEncoder = (topic: DroppableTopic, count: number, since: number) => Buffer;

type Item = { readonly frame: Buffer; readonly type: ServerMessageType; readonly createdAt: number; readonly droppable: boolean };
type Missed = { count: number; since: number };

const SLOTS: readonly CoalescedSlot[] = ['kpi', 'health'];
const DROPPABLE_TOPICS: readonly DroppableTopic[] = ['alerts', 'account'];

export type AcceptResult = 'written' | 'queued' | 'dropped';

export class ClientOutbox {
  private readonly _sink: OutboxSink;
  private readonly _limits: OutboxLimits;
  private readonly _observer: OutboxObserver;
  private readonly _encodeMissed: MissedEncoder;
  private readonly _clock: () => number;
  private readonly _queue: Item[] = [];
  private _head = 0;
  private _droppableQueued = 0;
  private _controlQueued = 0;
  private readonly _slots: Record<CoalescedSlot, Buffer | null> = { kpi: null, health: null };
  private readonly _missed: Record<DroppableTopic, Missed | null> = { alerts: null, account: null };
  private _overLimitSince = 0;
  private _droppedTotal = 0;

  constructor(sink: OutboxSink, limits: OutboxLimits, observer: OutboxObserver, encodeMissed: MissedEncoder, clock: () => number = Date.now) {
    this._sink = sink;
    this._limits = limits;
    this._observer = observer;
    this._encodeMissed = encodeMissed;
    this._clock = clock;
  }

  /** True while something waits: the client is behind and new messages queue instead of being written. */
  get backlogged(): boolean {
    return (
      this._head < this._queue.length ||
      this._missed.alerts !== null ||
      this._missed.account !== null ||
      this._slots.kpi !== null ||
      this._slots.health !== null
    );
  }

  /** Alerts and decisions dropped for this client since it connected. */
  get droppedTotal(): number {
    return this._droppedTotal;
  }

  /** How long the socket has been over the buffer limit (0 when it is not). */
  stalledMs(now: number): number {
    return this._overLimitSince === 0 ? 0 : now - this._overLimitSince;
  }

  /**
   * An answer to the client or a one-off message (hello, subscribed, error, pong, kpi-history):
   * never dropped. Returns false when too many wait already; the caller closes the client.
   */
  control(frame: Buffer, type: ServerMessageType): boolean {
    if (this._tryWriteNow(frame, type, Number.NaN)) return true;
    if (this._controlQueued >= this._limits.controlCap) return false;
    this._controlQueued++;
    this._queue.push({ frame, type, createdAt: Number.NaN, droppable: false });
    return true;
  }

  /** True while the slot holds a message not yet written (the client is behind and will get only the newest). */
  holds(slot: CoalescedSlot): boolean {
    return this._slots[slot] !== null;
  }

  /** A KPI tick or health view: while the client is behind only the newest is kept. */
  latest(slot: CoalescedSlot, frame: Buffer): AcceptResult {
    if (this._tryWriteNow(frame, slot, Number.NaN)) return 'written';
    if (this._slots[slot] !== null) this._observer.dropped(slot);
    this._slots[slot] = frame;
    return 'queued';
  }

  /**
   * An alert or account decision. `createdAt` is its time (alert.createdAt, decision.decidedAt),
   * reported back in `missed.since` when it has to be dropped.
   */
  droppable(topic: DroppableTopic, frame: Buffer, type: ServerMessageType, createdAt: number): AcceptResult {
    if (this._tryWriteNow(frame, type, createdAt)) return 'written';
    if (this._droppableQueued < this._limits.queueCap) {
      this._droppableQueued++;
      this._queue.push({ frame, type, createdAt, droppable: true });
      return 'queued';
    }
    const missed = this._missed[topic];
    if (missed) {
      missed.count++;
      if (createdAt < missed.since) missed.since = createdAt;
    } else {
      this._missed[topic] = { count: 1, since: createdAt };
    }
    this._droppedTotal++;
    this._observer.dropped(type);
    return 'dropped';
  }

  /**
   * Writes what waits, oldest first, while the socket takes it: the queue, then one `missed`
   * notice per topic, then the latest KPI tick and health view. Called when a write completes
   * and by the hub's periodic sweep.
   */
  flush(): void {
    if (!this._sink.writable) return;
    if (this._head >= 64) {
      // A client that is always a little behind never empties the queue: drop the written part now and then.
      this._queue.splice(0, this._head);
      this._head = 0;
    }
    while (this._head < this._queue.length) {
      if (this._overLimit()) return;
      const item = this._queue[this._head]!;
      this._queue[this._head++] = undefined as unknown as Item;
      if (item.droppable) this._droppableQueued--;
      else this._controlQueued--;
      this._write(item.frame, item.type, item.createdAt);
    }
    if (this._head > 0) {
      this._queue.length = 0;
      this._head = 0;
    }
    for (const topic of DROPPABLE_TOPICS) {
      const missed = this._missed[topic];
      if (!missed) continue;
      if (this._overLimit()) return;
      this._missed[topic] = null;
      this._write(this._encodeMissed(topic, missed.count, missed.since), 'missed', Number.NaN);
    }
    for (const slot of SLOTS) {
      const frame = this._slots[slot];
      if (!frame) continue;
      if (this._overLimit()) return;
      this._slots[slot] = null;
      this._write(frame, slot, Number.NaN);
    }
    this._overLimit();
  }

  /** Drops everything held (the client is gone). */
  clear(): void {
    this._queue.length = 0;
    this._head = 0;
    this._droppableQueued = 0;
    this._controlQueued = 0;
    this._slots.kpi = null;
    this._slots.health = null;
    this._missed.alerts = null;
    this._missed.account = null;
  }

  private _tryWriteNow(frame: Buffer, type: ServerMessageType, createdAt: number): boolean {
    if (!this._sink.writable) return true; // closing: nothing to keep for it
    if (this.backlogged || this._overLimit()) return false;
    this._write(frame, type, createdAt);
    return true;
  }

  /** Checks the socket buffer, remembering since when it has been over the limit. */
  private _overLimit(): boolean {
    if (this._sink.bufferedAmount > this._limits.bufferLimitBytes) {
      if (this._overLimitSince === 0) this._overLimitSince = this._clock();
      return true;
    }
    this._overLimitSince = 0;
    return false;
  }

  private _write(frame: Buffer, type: ServerMessageType, createdAt: number): void {
    this._sink.write(frame);
    this._observer.sent(type, createdAt);
  }
}

// How the HTTP gateway puts events on the bus: the events that requests hand in at about the same
// moment travel together in one envelope (docs/events.md, Envelopes), a lone event as a message of
// its own, exactly as before. A bus message costs NATS, the processors and the writer about the
// same whatever it carries, and one message per HTTP event made the gateway's path cost three
// times the envelope path per event (docs/decisions/0004, the gateway).
//
// Group commit, per kind: while nothing of that kind is on its way to JetStream, what arrived in
// this turn of the event loop leaves at the end of it; while a message is on its way, new events
// wait for its acknowledgement (at most `maxHoldMs`) and then leave together. So a quiet gateway
// adds no latency, and a busy one sends fewer, fuller messages. With a linger (`lingerMs`), a lane
// also sends at most one message per linger unless it is full: an event that arrives within the
// linger of its lane's previous message waits for the rest of it. Below one event per linger
// nothing waits; above, messages fill with what arrives meanwhile (docs/decisions/0004).
//
// Duplicates: JetStream's duplicate window sees envelope ids, not event ids, so the gateway keeps
// its own record in Redis: once JetStream has stored a message, each event id in it is claimed
// (`SET NX` with the window's TTL, the stream sequence as value). Beyond the window the
// processors' marker of the event's first application tells (core/feature-keys.ts: it lives
// RISKSTREAM_DEDUP_TTL_SECONDS; a marker released by a failed decision does not count, so a
// dead-lettered event sent again is decided). Before sending an envelope, ids claimed or applied
// before are left out and answered `duplicate` (a claim or marker exists only for a stored event, so
// this never loses one), as is the second copy of an id within one envelope. A lone event is not
// looked up first (one Redis round trip less where most requests go alone): under its own id
// JetStream drops a copy sent alone within the window, and the claim's round trip answers
// `duplicate` for one that first went in an envelope or came after the window, which then reaches
// the bus once more. Copies that reach the bus (that one, and two sent at the same instant) are
// decided once: the processors recognise an event whatever message carries it, and storage keeps
// one row per id.
import type { Redis } from 'ioredis';
import {
  HEADER_BATCH,
  HEADER_REPLIES,
  HEADER_REPLY,
  MAX_ENVELOPE_RECORDS,
  encodeEnvelope,
  envelopeByteLimit,
  envelopeFit,
  encodeReplies,
  firstMarkerOf,
  messageHeaders,
  originSeq,
  partitionOf,
  type Bus,
  type Logger,
  type ValidatedEvent,
} from '../core/index.js';

export type GatewayPublishResult = { readonly seq: number; readonly duplicate: boolean };

export type GatewayEnvelopeOptions = {
  /** Events per message at most (2–256). */
  readonly maxRecords: number;
  readonly partitions: number;
  /** Longest an event waits behind a message still on its way (ms). */
  readonly maxHoldMs?: number;
  /** A lane sends at most one message per this many ms unless it is full (default 0: none). */
  readonly lingerMs?: number;
  /** Envelope dedup ids are `<idPrefix>:<n>`: unique per gateway instance. */
  readonly idPrefix: string;
};

/**
 * After Redis failed a lookup or claim (down, or hung: a command waits REDIS_COMMAND_TIMEOUT_MS for
 * an answer), the gateway does not ask it again for this long: requests go out unchecked at once
 * instead of each waiting out the timeout (5 s per request while Redis was stopped but not gone).
 */
export const SKIP_REDIS_AFTER_FAILURE_MS = 2000;

/** Bytes of reply before the origin in a marker of each side (processors/features: OUT_REPLY, IN_REPLY). */
export type MarkerReplyBytes = { readonly o: number; readonly i: number };

/** A claim: `firstSeq` is the sequence of the copy that stands (null: this one, fresh). */
export type Claim = { readonly fresh: boolean; readonly firstSeq: number | null };

/**
 * Remembers which event ids the gateway has put on the bus (Redis, with JetStream's duplicate
 * window as TTL), and reads the processors' markers of events applied before (when given their
 * layout) for copies sent after the window.
 */
export class SeenEventIds {
  private readonly _redis: Redis;
  private readonly _prefix: string;
  private readonly _ttlSeconds: number;
  private readonly _markers: MarkerReplyBytes | undefined;
  private _skipUntil = 0;

  constructor(redis: Redis, prefix: string, ttlSeconds: number, markers?: MarkerReplyBytes) {
    this._redis = redis;
    this._prefix = prefix;
    this._ttlSeconds = ttlSeconds;
    this._markers = markers;
  }

  /** Key of an id (`<prefix>{i:<id>}`: one Redis Cluster slot per id). */
  keyOf(id: string): string {
    return `${this._prefix}{i:${id}}`;
  }

  /**
   * The stream sequence of the copy of each event that stands: the one the processors applied, else
   * the one claimed here; null for events neither applied nor claimed. One round trip.
   */
  async lookup(events: readonly ValidatedEvent[]): Promise<Array<number | null>> {
    this._refuseWhileSkipping();
    const pipeline = this._redis.pipeline();
    for (const event of events) {
      pipeline.get(this.keyOf(event.id));
      this._queueOrigin(pipeline, event);
    }
    const per = this._perEvent();
    const replies = await this._run(pipeline, events.length * per);
    return events.map((_, i) => {
      const claimed = replies[i * per];
      const applied = this._markers ? originSeq(replies[i * per + 1] as string | null) : null;
      return applied ?? (typeof claimed === 'string' ? Number(claimed) : null);
    });
  }

  /**
   * Claims the events' ids for the stream sequence that carries them. Fresh: an id seen here for
   * the first time whose event the processors have not applied from another message. One round trip.
   * `lookedUp`: the events were looked up just before they were sent (an envelope's), markers
   * included; a copy applied since came in another message, whose gateway claimed the id, so the
   * claim alone tells it and the markers are not read again.
   */
  async claim(events: readonly ValidatedEvent[], seq: number, lookedUp = false): Promise<Claim[]> {
    this._refuseWhileSkipping();
    const pipeline = this._redis.pipeline();
    const value = String(seq);
    const markers = this._markers !== undefined && !lookedUp;
    for (const event of events) {
      pipeline.set(this.keyOf(event.id), value, 'EX', this._ttlSeconds, 'NX');
      if (markers) this._queueOrigin(pipeline, event);
    }
    const per = markers ? 2 : 1;
    const replies = await this._run(pipeline, events.length * per);
    return events.map((_, i) => {
      const applied = markers ? originSeq(replies[i * per + 1] as string | null) : null;
      if (applied !== null && applied !== seq) return { fresh: false, firstSeq: applied };
      return replies[i * per] === 'OK' ? FRESH : { fresh: false, firstSeq: null };
    });
  }

  private _perEvent(): number {
    return this._markers ? 2 : 1;
  }

  /** The origin in the event's marker (`GETRANGE` past the reply: '' when there is none). */
  private _queueOrigin(pipeline: ReturnType<Redis['pipeline']>, event: ValidatedEvent): void {
    if (!this._markers) return;
    const marker = firstMarkerOf(this._prefix, event);
    pipeline.getrange(marker.key, marker.side === 'e' ? 0 : this._markers[marker.side], -1);
  }

  private _refuseWhileSkipping(): void {
    if (Date.now() < this._skipUntil) throw new Error(`Redis failed a moment ago; not asked again for ${SKIP_REDIS_AFTER_FAILURE_MS / 1000} s`);
  }

  private async _run(pipeline: ReturnType<Redis['pipeline']>, count: number): Promise<unknown[]> {
    try {
      return await repliesOf(pipeline, count);
    } catch (error) {
      this._skipUntil = Date.now() + SKIP_REDIS_AFTER_FAILURE_MS;
      throw error;
    }
  }
}

const FRESH: Claim = { fresh: true, firstSeq: null };

/** Runs a pipeline of `count` commands; their replies in order, throwing the first command's error. */
async function repliesOf(pipeline: ReturnType<Redis['pipeline']>, count: number): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const replies: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const [error, reply] = results[i] ?? [new Error('Redis sent no reply for a pipelined command'), null];
    if (error) throw error;
    replies.push(reply);
  }
  return replies;
}

type Item = {
  readonly event: ValidatedEvent;
  readonly text: string;
  readonly replyTo: string | undefined;
  readonly arrivedAt: number;
  resolve: (result: GatewayPublishResult) => void;
  reject: (error: Error) => void;
};

type Lane = {
  items: Item[];
  inFlight: number;
  holdTimer: NodeJS.Timeout | null;
  /** When the lane's latest message left (performance.now()); -Infinity before the first. */
  lastSentAt: number;
};

/** What the gateway reports as it goes (metrics, logs). */
export type GatewayObserver = {
  /** A message left with this many events (1: alone). */
  sent(events: number): void;
  /**
   * Redis could not be asked: these events were sent (or answered) without the duplicate check,
   * as `accepted`. They are on the bus and the processors decide each once.
   */
  unchecked(error: Error, events: number): void;
};

export class GatewayEnvelopes {
  private readonly _bus: Bus;
  private readonly _seen: SeenEventIds;
  private readonly _options: Required<GatewayEnvelopeOptions>;
  private readonly _observer: GatewayObserver;
  private readonly _lanes = new Map<ValidatedEvent['kind'], Lane>();
  private _immediate: NodeJS.Immediate | null = null;
  private _envelopes = 0;

  constructor(bus: Bus, seen: SeenEventIds, options: GatewayEnvelopeOptions, observer: GatewayObserver) {
    if (!(Number.isInteger(options.maxRecords) && options.maxRecords >= 2 && options.maxRecords <= MAX_ENVELOPE_RECORDS)) {
      throw new RangeError(`the gateway's envelopes hold 2 to ${MAX_ENVELOPE_RECORDS} events; got ${options.maxRecords}`);
    }
    this._bus = bus;
    this._seen = seen;
    if (options.lingerMs !== undefined && !(options.lingerMs >= 0)) throw new RangeError(`the gateway's linger is 0 ms or more; got ${options.lingerMs}`);
    this._options = { maxHoldMs: 5, lingerMs: 0, ...options };
    this._observer = observer;
    this._flushReady = this._flushReady.bind(this);
  }

  /** Events waiting to leave. */
  get waiting(): number {
    let n = 0;
    for (const lane of this._lanes.values()) n += lane.items.length;
    return n;
  }

  /**
   * Puts the event on the bus with the next message of its kind; resolves once JetStream stored
   * that message and the id is claimed (`duplicate` when it was claimed before).
   */
  publish(event: ValidatedEvent, text: string, replyTo?: string): Promise<GatewayPublishResult> {
    let lane = this._lanes.get(event.kind);
    if (!lane) {
      lane = { items: [], inFlight: 0, holdTimer: null, lastSentAt: -Infinity };
      this._lanes.set(event.kind, lane);
    }
    const l = lane;
    return new Promise<GatewayPublishResult>((resolve, reject) => {
      l.items.push({ event, text, replyTo, arrivedAt: Date.now(), resolve, reject });
      if (l.items.length >= this._options.maxRecords) {
        this._send(l, this._options.maxRecords);
      } else if (l.inFlight === 0) {
        const lingering = this._lingerLeft(l);
        if (lingering <= 0) this._immediate ??= setImmediate(this._flushReady);
        else this._holdFor(l, lingering);
      } else {
        // Behind a message on its way: at most maxHoldMs, or the linger if that runs longer.
        this._holdFor(l, Math.max(this._options.maxHoldMs, this._lingerLeft(l)));
      }
    });
  }

  /** End of a turn of the event loop: lanes with nothing on its way and no linger left send what they hold. */
  private _flushReady(): void {
    this._immediate = null;
    for (const lane of this._lanes.values()) if (lane.inFlight === 0 && this._lingerLeft(lane) <= 0) this._sendAll(lane);
  }

  /** How long the lane's linger still runs (ms; 0 or less: over). */
  private _lingerLeft(lane: Lane): number {
    return lane.lastSentAt + this._options.lingerMs - performance.now();
  }

  /** Sends what the lane holds after `ms`, unless a timer already will. */
  private _holdFor(lane: Lane, ms: number): void {
    if (lane.holdTimer !== null) return;
    lane.holdTimer = setTimeout(() => {
      lane.holdTimer = null;
      this._sendAll(lane);
    }, ms);
  }

  private _sendAll(lane: Lane): void {
    if (lane.holdTimer) {
      clearTimeout(lane.holdTimer);
      lane.holdTimer = null;
    }
    while (lane.items.length > 0) this._send(lane, this._options.maxRecords);
  }

  private _send(lane: Lane, max: number): void {
    // at most max events, and no more bytes than the server takes in one message
    const queued = lane.items;
    const n = envelopeFit(queued.length, (i) => queued[i]!.text, max, envelopeByteLimit(this._bus.publisher.maxPayload));
    const items = n === queued.length ? queued.splice(0) : queued.splice(0, n);
    if (items.length === 0) return;
    lane.lastSentAt = performance.now();
    lane.inFlight++;
    // _ship settles every item itself; this only keeps a bug from becoming an unhandled rejection.
    this._ship(lane, items).catch((error: unknown) => {
      for (const item of items) item.reject(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /**
   * Leaves out what was sent before, publishes the rest in one message, claims their ids, answers.
   * A lone event skips the look-up: it travels under its own id, so JetStream itself answers a copy
   * sent alone within the window, and the claim afterwards one that travelled in an envelope.
   */
  private async _ship(lane: Lane, items: readonly Item[]): Promise<void> {
    let fresh: Item[];
    if (items.length === 1) {
      fresh = [items[0]!];
    } else {
      try {
        fresh = await this._leaveOutKnown(items);
      } catch (error) {
        this._observer.unchecked(error as Error, items.length);
        fresh = [...items];
      }
    }
    if (fresh.length === 0) {
      this._settled(lane);
      return;
    }
    let ack: { seq: number; duplicate: boolean };
    this._observer.sent(fresh.length);
    try {
      ack = await (fresh.length === 1 ? this._publishAlone(fresh[0]!) : this._publishEnvelope(fresh));
    } catch (error) {
      this._settled(lane);
      for (const item of fresh) item.reject(error as Error);
      return;
    }
    this._settled(lane);
    await this._claim(fresh, ack);
  }

  /**
   * Answers the events already on the bus as duplicates without sending them again: ids claimed
   * before (a claim is written only once its event is stored, so a claimed id is never lost), and
   * the second of two copies in this group. Returns the others, in order.
   */
  private async _leaveOutKnown(items: readonly Item[]): Promise<Item[]> {
    const stored = await this._seen.lookup(items.map(eventOf));
    const fresh: Item[] = [];
    const firstOf = new Map<string, Item>();
    const copies: Array<[Item, Item]> = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const seq = stored[i];
      if (seq !== null && seq !== undefined) {
        item.resolve({ seq, duplicate: true });
        continue;
      }
      const first = firstOf.get(item.event.id);
      if (first) {
        copies.push([item, first]);
        continue;
      }
      firstOf.set(item.event.id, item);
      fresh.push(item);
    }
    // A copy within the group is answered with its first's sequence once that is stored.
    for (const [copy, first] of copies) {
      const resolveFirst = first.resolve;
      const rejectFirst = first.reject;
      first.resolve = (result) => {
        resolveFirst(result);
        copy.resolve({ seq: result.seq, duplicate: true });
      };
      first.reject = (error) => {
        rejectFirst(error);
        copy.reject(error);
      };
    }
    return fresh;
  }

  /** A message of the lane was stored (or failed): what waited behind it leaves now. */
  private _settled(lane: Lane): void {
    lane.inFlight--;
    if (lane.inFlight > 0 || lane.items.length === 0) return;
    const lingering = this._lingerLeft(lane);
    if (lingering <= 0) this._sendAll(lane);
    else this._holdFor(lane, lingering);
  }

  /** One event alone: its partition's subject and its own id as the dedup id, as the gateway always sent it. */
  private _publishAlone(item: Item): ReturnType<Bus['publisher']['publish']> {
    const h = messageHeaders(item.arrivedAt);
    if (item.replyTo) h.set(HEADER_REPLY, item.replyTo);
    const subject = this._bus.names.eventSubject(item.event.kind, partitionOf(item.event.partitionKey, this._options.partitions));
    return this._bus.publisher.publish(subject, item.text, item.event.id, h);
  }

  private _publishEnvelope(items: readonly Item[]): ReturnType<Bus['publisher']['publish']> {
    // The earliest arrival: ingest-to-decision latency includes the time an event waited here.
    const h = messageHeaders(items[0]!.arrivedAt);
    h.set(HEADER_BATCH, String(items.length));
    const replies: Array<[number, string]> = [];
    for (let i = 0; i < items.length; i++) {
      const replyTo = items[i]!.replyTo;
      if (replyTo) replies.push([i, replyTo]);
    }
    if (replies.length > 0) h.set(HEADER_REPLIES, encodeReplies(replies));
    const subject = this._bus.names.mixedEventSubject(items[0]!.event.kind);
    return this._bus.publisher.publish(subject, encodeEnvelope(items.map(textOf)), `${this._options.idPrefix}:${++this._envelopes}`, h);
  }

  private async _claim(items: readonly Item[], ack: { seq: number; duplicate: boolean }): Promise<void> {
    // A lone event JetStream already knew: a duplicate, nothing to claim.
    if (items.length === 1 && ack.duplicate) {
      items[0]!.resolve({ seq: ack.seq, duplicate: true });
      return;
    }
    let claims: Claim[];
    try {
      // an envelope's events were looked up (markers included) just before it left; a lone one was not
      claims = await this._seen.claim(items.map(eventOf), ack.seq, items.length > 1);
    } catch (error) {
      this._observer.unchecked(error as Error, items.length);
      claims = items.map(() => FRESH);
    }
    // Copies of events claimed before (rare) whose first copy the processors have not yet applied:
    // answered with the claimed copy's sequence.
    const unknown = items.filter((_, i) => !claims[i]!.fresh && claims[i]!.firstSeq === null);
    const firstSeqs = unknown.length === 0 ? [] : await this._seen.lookup(unknown.map(eventOf)).catch(() => unknown.map(() => null));
    for (let i = 0, c = 0; i < items.length; i++) {
      const claim = claims[i]!;
      if (claim.fresh) items[i]!.resolve({ seq: ack.seq, duplicate: false });
      else items[i]!.resolve({ seq: claim.firstSeq ?? firstSeqs[c++] ?? ack.seq, duplicate: true });
    }
  }
}

function textOf(item: Item): string {
  return item.text;
}

function eventOf(item: Item): ValidatedEvent {
  return item.event;
}

/** Logs what Redis could not check at most once a minute (Redis down would otherwise log per message). */
export function uncheckedLogger(logger: Logger): GatewayObserver['unchecked'] {
  let lastAt = 0;
  let since = 0;
  return (error, events) => {
    since += events;
    const now = Date.now();
    if (now - lastAt < 60_000) return;
    lastAt = now;
    logger.warn({ err: error, events: since }, 'could not check event ids for duplicates in Redis: the events are on the bus and are decided once, but their answers say "accepted" even if they were duplicates');
    since = 0;
  };
}

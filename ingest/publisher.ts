// Puts validated events on the bus: subject by kind and partition, the event id as the JetStream
// dedup id, and the acceptance time in a header; or, for the HTTP gateway with grouping on, the
// events of concurrent requests together in envelopes (gateway-envelopes.ts). Used by the HTTP
// gateway, the simulator and replays.
import { createInbox, type Subscription } from '@nats-io/nats-core';
import type { Redis } from 'ioredis';
import {
  HEADER_BATCH,
  HEADER_INGEST_TS,
  HEADER_REPLY,
  DUPLICATE_REPLY,
  encodeEnvelope,
  envelopeByteLimit,
  envelopeFit,
  messageHeaders,
  partitionOf,
  type Bus,
  type DecisionWire,
  type Logger,
  type Metrics,
  type ValidatedEvent,
} from '../core/index.js';
import { GatewayEnvelopes, SeenEventIds, uncheckedLogger, type MarkerReplyBytes } from './gateway-envelopes.js';

export type PublishResult = { readonly id: string; readonly seq: number; readonly duplicate: boolean };

export type EventPublisher = {
  /**
   * Publishes and resolves once JetStream stored the event (or it was recognised as a duplicate:
   * by JetStream for an event alone, by the gateway's id claims for one in an envelope).
   */
  publish(event: ValidatedEvent, via: string, replyTo?: string): Promise<PublishResult>;
  /**
   * Publishes many events in envelopes (docs/events.md, Envelopes): those of one kind go out
   * together on the kind's mixed-partition subject, up to `maxRecords` per message. Resolves once
   * JetStream stored every envelope. For producers of many events with ids of their own (the
   * simulator, replays), not for callers that need JetStream's duplicate check per event id.
   */
  publishMany(events: readonly ValidatedEvent[], via: string, maxRecords?: number): Promise<void>;
};

/** Envelope ids are `<producer>:<n>`: unique per publisher instance, whatever the process. */
let producerCount = 0;

/** How the gateway groups its events into envelopes (absent: one message per event). */
export type GatewayGrouping = {
  readonly redis: Redis;
  /** Events per message at most (2–256). */
  readonly maxRecords: number;
  /** JetStream's duplicate window: how long an event id is remembered for the `duplicate` answer. */
  readonly seenTtlSeconds: number;
  /**
   * The layout of the processors' markers (bytes of reply before the origin), so that a copy sent
   * after the window is answered `duplicate` while the processors remember its event; absent: not read.
   */
  readonly markerReplyBytes?: MarkerReplyBytes;
  /** RISKSTREAM_INGEST_LINGER_MS: a kind's events leave in at most one message per this many ms (unless it is full). */
  readonly lingerMs?: number;
  readonly logger: Logger;
};

export function createEventPublisher(bus: Bus, partitions: number, metrics: Metrics, grouping?: GatewayGrouping): EventPublisher {
  const producerId = `${bus.names.namespace}-${process.pid}-${Date.now().toString(36)}-${++producerCount}`;
  let envelopes = 0;
  let gateway: GatewayEnvelopes | null = null;
  if (grouping) {
    const log = uncheckedLogger(grouping.logger);
    gateway = new GatewayEnvelopes(
      bus,
      new SeenEventIds(grouping.redis, bus.names.redisPrefix, grouping.seenTtlSeconds, grouping.markerReplyBytes),
      { maxRecords: grouping.maxRecords, partitions, idPrefix: `${producerId}:g`, ...(grouping.lingerMs !== undefined ? { lingerMs: grouping.lingerMs } : {}) },
      {
        sent: (events) => metrics.ingestMessageEvents.observe(events),
        unchecked: (error, events) => {
          metrics.ingestUnchecked.inc(events);
          log(error, events);
        },
      },
    );
  }
  return {
    async publish(event, via, replyTo) {
      const started = performance.now();
      let result: PublishResult;
      if (gateway) {
        const stored = await gateway.publish(event, wireText(event), replyTo);
        result = { id: event.id, seq: stored.seq, duplicate: stored.duplicate };
      } else {
        const h = messageHeaders(Date.now());
        if (replyTo) h.set(HEADER_REPLY, replyTo);
        const subject = bus.names.eventSubject(event.kind, partitionOf(event.partitionKey, partitions));
        const ack = await bus.publisher.publish(subject, wireText(event), event.id, h);
        result = { id: event.id, seq: ack.seq, duplicate: ack.duplicate };
      }
      metrics.stageLatency.observe({ stage: 'ingest_publish' }, (performance.now() - started) / 1000);
      if (!result.duplicate) metrics.eventsIn.inc({ kind: event.kind, via });
      return result;
    },

    async publishMany(events, via, maxRecords = 64) {
      // By kind, across partitions: at the simulator's rates most partitions see an event or none
      // per call, and envelopes of one would save nothing.
      const bySubject = new Map<string, ValidatedEvent[]>();
      for (const event of events) {
        const subject = bus.names.mixedEventSubject(event.kind);
        const group = bySubject.get(subject);
        if (group) group.push(event);
        else bySubject.set(subject, [event]);
      }
      const stores: Array<Promise<void>> = [];
      const ingestTs = Date.now();
      const maxBytes = envelopeByteLimit(bus.publisher.maxPayload);
      for (const [subject, group] of bySubject) {
        const texts = group.map(wireText);
        for (let start = 0, n = 0; start < group.length; start += n) {
          // at most maxRecords, and no more bytes than the server takes in one message
          n = envelopeFit(group.length - start, (i) => texts[start + i]!, maxRecords, maxBytes);
          const chunk = group.slice(start, start + n);
          const h = messageHeaders(ingestTs);
          h.set(HEADER_BATCH, String(chunk.length));
          const id = `${producerId}:${++envelopes}`;
          stores.push(
            bus.publisher.publish(subject, encodeEnvelope(texts.slice(start, start + n)), id, h).then((ack) => {
              if (ack.duplicate) return;
              for (const event of chunk) metrics.eventsIn.inc({ kind: event.kind, via });
            }),
          );
        }
      }
      await Promise.all(stores);
    },
  };
}

/** The event as it travels: its body, with the simulator's labels when it has them. */
function wireText(event: ValidatedEvent): string {
  return JSON.stringify(event.labels ? { ...event.body, labels: event.labels } : event.body);
}

export { HEADER_INGEST_TS };

/** A waiter's answer for an event decided before, from an earlier copy: read the stored decision. */
export const DECIDED_BEFORE = 'decided-before';

/**
 * Waits for decisions of events published with a reply subject. One inbox subscription per
 * process; each waiting request has its own token under it.
 */
export class DecisionWaiters {
  private readonly _prefix: string;
  private readonly _waiting = new Map<string, (decision: DecisionWire | typeof DECIDED_BEFORE) => void>();
  private readonly _subscription: Subscription;
  private _next = 0;

  constructor(bus: Bus) {
    this._prefix = createInbox(`_INBOX.${bus.names.namespace}`);
    this._subscription = bus.nc.subscribe(`${this._prefix}.*`, {
      callback: (error, message) => {
        if (error) return;
        const token = message.subject.slice(this._prefix.length + 1);
        const resolve = this._waiting.get(token);
        if (!resolve) return;
        this._waiting.delete(token);
        try {
          const text = new TextDecoder().decode(message.data);
          resolve(text === DUPLICATE_REPLY ? DECIDED_BEFORE : (JSON.parse(text) as DecisionWire));
        } catch {
          // A malformed reply is ignored; the caller times out and reads the stored decision.
        }
      },
    });
  }

  /**
   * A reply subject and a promise of the decision, DECIDED_BEFORE when the processor recognised
   * the event as a copy of one it decided earlier, or null after timeoutMs.
   */
  wait(timeoutMs: number): { replyTo: string; decision: Promise<DecisionWire | typeof DECIDED_BEFORE | null>; cancel(): void } {
    const token = String(++this._next);
    let timer: NodeJS.Timeout | undefined;
    const decision = new Promise<DecisionWire | typeof DECIDED_BEFORE | null>((resolve) => {
      this._waiting.set(token, resolve);
      timer = setTimeout(() => {
        this._waiting.delete(token);
        resolve(null);
      }, timeoutMs);
    }).finally(() => clearTimeout(timer));
    return {
      replyTo: `${this._prefix}.${token}`,
      decision,
      cancel: () => {
        clearTimeout(timer);
        this._waiting.delete(token);
      },
    };
  }

  close(): void {
    this._subscription.unsubscribe();
    this._waiting.clear();
  }
}

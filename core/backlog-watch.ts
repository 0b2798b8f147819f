// Streams keep at most RISKSTREAM_STREAM_MAX_MB and discard their oldest messages when full, read or
// not (docs/operations.md, stream limits). A consumer that falls that far behind — storage refusing
// inserts for hours, processors stopped — loses what was discarded before it read it, and JetStream
// says nothing: the consumer simply moves on to the stream's first message. This watch makes it
// loud. Between two looks, a consumer whose delivered stream sequence advanced by more than it
// delivered messages skipped that many (its filter takes every message of its stream); and while it
// waits, a stream whose first message lies past what the consumer delivered has discarded the gap.
// It also reports how full each stream is, and warns while a consumer's unread messages are at risk.
import { isNotFound, type Bus } from './bus.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

/** What one look at a stream and one of its consumers shows (JetStream's stream and consumer info). */
export type BacklogReading = {
  /** The stream's first sequence still held. */
  readonly firstSeq: number;
  readonly messages: number;
  readonly bytes: number;
  /** The stream's byte limit; 0 or less when it has none. */
  readonly maxBytes: number;
  /** The stream sequence of the last message delivered to the consumer. */
  readonly deliveredStreamSeq: number;
  /** Deliveries so far, redeliveries included (the consumer sequence). */
  readonly deliveredConsumerSeq: number;
  /** Messages not yet delivered to the consumer. */
  readonly pending: number;
};

export type BacklogFinding = {
  /** Messages discarded by the stream before the consumer read them, since the previous reading (a lower bound: redeliveries mask some). */
  readonly discardedUnread: number;
  /** How full the stream is (bytes over its limit); null when it has no byte limit. */
  readonly fill: number | null;
  /** The consumer's unread messages as a share of what the stream holds. */
  readonly unreadShare: number;
};

/**
 * Compares two readings of one consumer (the first reading after a start has none to compare
 * with: then only a gap already in front of it counts). Pure, for tests.
 */
export function backlogFinding(previous: BacklogReading | undefined, now: BacklogReading): BacklogFinding {
  let discardedUnread: number;
  if (now.deliveredConsumerSeq === 0) {
    // Nothing delivered yet: a new consumer starts at the stream's first message, and what aged out
    // before it existed was never its to read.
    discardedUnread = 0;
  } else if (!previous) {
    discardedUnread = gapOf(now);
  } else if (now.deliveredStreamSeq === previous.deliveredStreamSeq) {
    // Waiting in front of a gap that grows: only the growth is new.
    discardedUnread = Math.max(0, gapOf(now) - gapOf(previous));
  } else {
    // Moved on: the stream sequences it passed over without a delivery, less the gap counted
    // before (it jumped over that), plus any gap in front of it now.
    const skipped = Math.max(0, now.deliveredStreamSeq - previous.deliveredStreamSeq - (now.deliveredConsumerSeq - previous.deliveredConsumerSeq));
    discardedUnread = Math.max(0, skipped - gapOf(previous)) + gapOf(now);
  }
  return {
    discardedUnread,
    fill: now.maxBytes > 0 ? now.bytes / now.maxBytes : null,
    unreadShare: now.messages > 0 ? Math.min(1, now.pending / now.messages) : 0,
  };
}

/** Messages the stream no longer holds between what the consumer was last given and the stream's first. */
function gapOf(r: BacklogReading): number {
  return Math.max(0, r.firstSeq - 1 - r.deliveredStreamSeq);
}

/** A stream over this full, with over this share of it unread by a consumer, is about to discard unread messages. */
export const AT_RISK_FILL = 0.8;
export const AT_RISK_UNREAD = 0.5;

export type WatchedConsumer = { readonly stream: string; readonly durable: string; readonly label: string };

/** Looks at the consumers when asked (every lag poll); logs losses and risk, sets the metrics. */
export class BacklogWatch {
  private readonly _bus: Bus;
  private readonly _metrics: Metrics;
  private readonly _logger: Logger;
  private readonly _last = new Map<string, BacklogReading>();
  private readonly _warnedAt = new Map<string, number>();

  constructor(bus: Bus, metrics: Metrics, logger: Logger) {
    this._bus = bus;
    this._metrics = metrics;
    this._logger = logger;
  }

  /** One look: the finding, with the consumer's lag (unread, and delivered but not acknowledged) for the lag metrics. */
  async look(consumer: WatchedConsumer, nowMs = Date.now()): Promise<(BacklogFinding & { readonly pending: number; readonly ackPending: number }) | null> {
    const { stream, durable, label } = consumer;
    // at 0 from the first look, so that the first loss shows in Prometheus's increase()
    if (!this._last.has(label)) this._metrics.streamDiscardedUnread.inc({ consumer: label }, 0);
    let reading: BacklogReading;
    let ackPending: number;
    try {
      const [s, c] = await Promise.all([this._bus.jsm.streams.info(stream), this._bus.jsm.consumers.info(stream, durable)]);
      reading = {
        firstSeq: s.state.first_seq,
        messages: s.state.messages,
        bytes: s.state.bytes,
        maxBytes: s.config.max_bytes,
        deliveredStreamSeq: c.delivered.stream_seq,
        deliveredConsumerSeq: c.delivered.consumer_seq,
        pending: c.num_pending,
      };
      ackPending = c.num_ack_pending;
    } catch {
      return null; // NATS away or the consumer not there yet: the lag poll and the health check say so
    }
    const previous = this._last.get(label);
    this._last.set(label, reading);
    // A stream or consumer created again (NATS lost its store) starts its sequences over.
    const restarted = previous !== undefined && (reading.deliveredConsumerSeq < previous.deliveredConsumerSeq || reading.firstSeq < previous.firstSeq);
    const finding = backlogFinding(restarted ? undefined : previous, reading);
    if (finding.fill !== null) this._metrics.streamFill.set({ stream }, finding.fill);
    if (finding.discardedUnread > 0) {
      this._metrics.streamDiscardedUnread.inc({ consumer: label }, finding.discardedUnread);
      this._logger.error(
        { stream, consumer: label, discarded: finding.discardedUnread },
        `${stream} discarded ${finding.discardedUnread} messages before ${label} read them: they are lost to it. The stream was full; ` +
          'raise RISKSTREAM_STREAM_MAX_MB (and the NATS store) to ride out longer stops, or find why the consumer fell behind',
      );
    }
    const atRisk = finding.fill !== null && finding.fill >= AT_RISK_FILL && finding.unreadShare >= AT_RISK_UNREAD;
    if (atRisk && nowMs - (this._warnedAt.get(label) ?? 0) >= 60_000) {
      this._warnedAt.set(label, nowMs);
      this._logger.warn(
        { stream, consumer: label, fill: round(finding.fill!), unread: reading.pending },
        `${stream} is ${Math.round(finding.fill! * 100)} % full and ${label} has not read ${Math.round(finding.unreadShare * 100)} % of it: ` +
          'when it is full the oldest messages are discarded, read or not',
      );
    }
    return { ...finding, pending: reading.pending, ackPending };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** What one of the streams the product fills holds unread by the product's readers of it, in one look. */
export type StreamBacklog = {
  /** What the stream carries, for messages: `events`, `decisions` or `alerts`. */
  readonly what: string;
  /** The stream's bytes and messages now, and its size limit. */
  readonly bytes: number;
  readonly messages: number;
  readonly maxBytes: number;
  /** Messages each reader has not acknowledged yet (not delivered, or delivered and in work). */
  readonly consumers: ReadonlyArray<{ readonly name: string; readonly pending: number }>;
  /** Bytes the caller itself has published onto it so far (0 when it does not count). */
  readonly sentBytes: number;
};

export type BacklogVerdict =
  | { readonly wait: false }
  | { readonly wait: true; readonly what: string; readonly unreadBytes: number; readonly limitBytes: number; readonly reason: string };

/**
 * Whether producers should hold back: a full stream discards its oldest messages whether read or
 * not (DiscardOld), so events sent much faster than the processors or the writer read — them, or
 * the decisions and alerts made of them — would be dropped before they were read. Hold back while
 * the slowest reader's unread messages take more than `share` of the stream's limit, or, while no
 * reader exists yet, once the caller has sent that much. Pure, for tests.
 */
export function backlogVerdict(b: StreamBacklog, share: number): BacklogVerdict {
  const limit = b.maxBytes * share;
  if (!(b.maxBytes > 0)) return { wait: false };
  if (b.consumers.length === 0) {
    return b.sentBytes > limit
      ? { wait: true, what: b.what, unreadBytes: b.sentBytes, limitBytes: b.maxBytes, reason: `no process consumes the ${b.what} stream: start riskstream (the processors and writer roles)` }
      : { wait: false };
  }
  const slowest = b.consumers.reduce((a, c) => (c.pending > a.pending ? c : a));
  const unreadBytes = b.messages > 0 ? (slowest.pending * b.bytes) / b.messages : 0;
  return unreadBytes > limit ? { wait: true, what: b.what, unreadBytes, limitBytes: b.maxBytes, reason: `${slowest.name} has not read them yet` } : { wait: false };
}

/** The first stream that says to hold back, the one most over its share first; none: no wait. */
export function worstVerdict(backlogs: readonly StreamBacklog[], share: number): BacklogVerdict {
  let worst: BacklogVerdict = { wait: false };
  for (const b of backlogs) {
    const v = backlogVerdict(b, share);
    if (v.wait && (!worst.wait || v.unreadBytes / v.limitBytes > worst.unreadBytes / worst.limitBytes)) worst = v;
  }
  return worst;
}

/**
 * One look at the streams the product fills from the events it takes and at the product's readers
 * of each: the events stream (the processors' and the writer's durable consumers), the decisions
 * and the alerts streams (the writer's). A consumer not made yet is left out, and so is any other
 * consumer: a forgotten one must not hold producers back for ever. `sentBytes` counts for the
 * events stream. Throws when NATS does not answer.
 */
export async function readBacklogs(bus: Bus, sentBytes = 0): Promise<StreamBacklog[]> {
  const { streams, consumers } = bus.names;
  const wanted: Array<[string, string, readonly string[]]> = [
    ['events', streams.events, [consumers.processors, consumers.writerEvents]],
    ['decisions', streams.decisions, [consumers.writerDecisions]],
    ['alerts', streams.alerts, [consumers.writerAlerts]],
  ];
  return Promise.all(
    wanted.map(async ([what, stream, durables]) => {
      const info = await bus.jsm.streams.info(stream);
      const readers: Array<{ name: string; pending: number }> = [];
      for (const durable of durables) {
        try {
          const c = await bus.jsm.consumers.info(stream, durable);
          readers.push({ name: durable, pending: c.num_pending + c.num_ack_pending });
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return { what, bytes: info.state.bytes, messages: info.state.messages, maxBytes: info.config.max_bytes, consumers: readers, sentBytes: what === 'events' ? sentBytes : 0 };
    }),
  );
}

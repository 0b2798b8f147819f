// What an earlier attempt at a message already published, so that handling the message again
// (the processors deciding it, the writer refusing a bad record) does not publish its outputs a
// second time where JetStream's duplicate window (2 minutes) no longer drops the copy. Two sources:
//  - this process's own failed batches: the outputs JetStream acknowledged before the batch
//    failed (a publish or the NATS connection failed part-way), kept until their input is
//    acknowledged — an outage longer than the window would otherwise republish them;
//  - at start-up, the outputs a stopped process left: the messages it had delivered and not
//    acknowledged come back after the ack wait, and if it published their outputs longer ago
//    than the duplicate window, the ids are read back from the output streams (headers only)
//    over the span in which it could have published them (lookBack), with a decision part's
//    records (Rs-Records), so that a record the stored part did not hold is still decided.
// docs/decisions/0001-streaming-spine.md, "Exactly one decision per event on an at-least-once bus".
import { scanStream, type Bus } from './bus.js';
import { HEADER_RECORDS } from './envelope.js';
import type { Logger } from './log.js';

/** Failed batches' published ids are forgotten after this long even if their input never came back (another process took it). */
const REMEMBER_MS = 6 * 3600_000;
/** At most this many ids remembered from failed batches; the oldest go first. */
const MAX_REMEMBERED = 200_000;
/** At most this many ids read back at start-up (≈ 140 bytes each); past it the look-back gives up and says so: outputs may then be published twice, as before. */
export const MAX_LOOKED_BACK = 1_000_000;
/** At most this long reading back at start-up (≈ 50,000 ids a second here); past it the look-back gives up likewise. */
export const LOOK_BACK_BUDGET_MS = 10_000;
/** Margin under the duplicate window for what this look-back cannot know exactly (clocks, queues). */
const WINDOW_MARGIN_MS = 20_000;

export type LookBack = {
  /** The output streams read. */
  readonly streams: readonly string[];
  /** Ids found (0 when the look-back was not needed). */
  readonly ids: number;
  /** Why nothing was read, when nothing was. */
  readonly skipped?: 'nothing_held' | 'inside_window' | 'too_much';
};

/** Messages a durable consumer delivered and nobody acknowledged (a stopped process's, which come back after the ack wait). */
export type Held = {
  /** When the oldest of them was stored. */
  readonly oldestStoredMs: number;
  /** When the consumer was last active (a delivery, a nak, a progress report) for anyone (NaN when the server does not say). */
  readonly lastDeliveredMs: number;
  /** Whether some of them were delivered more than once (earlier attempts failed, and may have published outputs long before). */
  readonly redelivered: boolean;
};

/** What the durable consumer holds delivered and unacknowledged; null when nothing. */
export async function heldBy(bus: Bus, stream: string, durable: string): Promise<Held | null> {
  const info = await bus.jsm.consumers.info(stream, durable);
  if (!(info.num_ack_pending > 0)) return null;
  const { state } = await bus.jsm.streams.info(stream);
  // messages before the stream's first were removed by its limits and will not come back
  const oldest = await bus.jsm.streams.getMessage(stream, { seq: Math.max(info.ack_floor.stream_seq + 1, state.first_seq) }).catch(() => null);
  const oldestStoredMs = Date.parse(oldest?.timestamp ?? state.first_ts);
  // the server sends an RFC 3339 time (typed as nanoseconds by the client)
  const lastActive: unknown = info.delivered.last_active;
  const lastDeliveredMs = typeof lastActive === 'string' ? Date.parse(lastActive) : NaN;
  return Number.isFinite(oldestStoredMs) ? { oldestStoredMs, lastDeliveredMs, redelivered: info.num_redelivered > 0 } : null;
}

export class PublishedOutputs {
  /** Published by failed batches of this process: when remembered, and a decision part's records (Rs-Records, '' when none); insertion order is age order. */
  private readonly _remembered = new Map<string, { readonly at: number; readonly records: string }>();
  /** Read back from the output streams at start-up, with a decision part's records ('' when none); dropped when `_foundUntil` passes. */
  private _found: Map<string, string> | null = null;
  private _foundUntil = 0;

  /** Whether nothing is known (the common case: one cheap check per batch). */
  get empty(): boolean {
    if (this._found !== null && Date.now() >= this._foundUntil) this._found = null;
    return this._remembered.size === 0 && this._found === null;
  }

  /** Whether an output with this dedup id was published already. */
  has(id: string): boolean {
    return this._remembered.has(id) || (this._found?.has(id) ?? false);
  }

  /**
   * For an output published already: the records a decision part published under `id` holds (its
   * `Rs-Records`), '' when it did not say (not a part, or a part of an earlier release); undefined
   * when `id` is not known.
   */
  recordsOf(id: string): string | undefined {
    return this._remembered.get(id)?.records ?? this._found?.get(id);
  }

  /**
   * Outputs of a failed batch that JetStream acknowledged, with a decision part's records
   * (`records[i]` for `ids[i]`; absent: none): not published again when the batch is retried.
   */
  remember(ids: readonly string[], records: readonly (string | undefined)[] = [], now = Date.now()): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      this._remembered.delete(id);
      this._remembered.set(id, { at: now, records: records[i] ?? '' });
    }
    for (const [id, { at }] of this._remembered) {
      if (this._remembered.size <= MAX_REMEMBERED && now - at < REMEMBER_MS) break;
      this._remembered.delete(id);
    }
  }

  /** A batch's inputs were acknowledged: their outputs need no remembering. */
  forget(ids: Iterable<string>): void {
    if (this._remembered.size === 0) return;
    for (const id of ids) this._remembered.delete(id);
  }

  /**
   * At start: the consumer's messages delivered and not acknowledged (`held`, null when none) come
   * back within `heldForMs` (the ack wait and a margin). A stopped process published their outputs
   * after it last received them, so no earlier than `heldForMs` before the consumer was last active
   * (a message held longer is delivered again) and not before the oldest was stored — unless one of
   * them was delivered more than once, when an earlier attempt may have published outputs long
   * before, and the reading starts from the oldest's storing; outputs
   * published later than the duplicate window before their inputs come back are dropped by
   * JetStream anyway. The ids published between those two times are read back from the output
   * streams (headers only, at most LOOK_BACK_BUDGET_MS and MAX_LOOKED_BACK) and kept for
   * `heldForMs` from the end of the reading: no output under one of them is published again.
   */
  async lookBack(bus: Bus, streams: readonly string[], held: Held | null, heldForMs: number, logger: Logger, now = Date.now()): Promise<LookBack> {
    if (held === null) return { streams, ids: 0, skipped: 'nothing_held' };
    let windowMs = Infinity;
    for (const stream of streams) {
      const info = await bus.jsm.streams.info(stream);
      windowMs = Math.min(windowMs, (info.config.duplicate_window ?? 0) / 1e6);
    }
    // A message delivered more than once may have had its outputs published by any attempt (a batch
    // that failed part-way is retried every 1–15 s): then from when the oldest was stored.
    const sinceMs = Number.isFinite(held.lastDeliveredMs) && !held.redelivered ? Math.max(held.oldestStoredMs, held.lastDeliveredMs - heldForMs) : held.oldestStoredMs;
    // the inputs come back once this reading is done and their ack wait is over: by now + budget + heldForMs
    const untilMs = now + LOOK_BACK_BUDGET_MS + heldForMs + WINDOW_MARGIN_MS - windowMs;
    if (sinceMs > untilMs) return { streams, ids: 0, skipped: 'inside_window' };
    const found = new Map<string, string>();
    let tooMuch = false;
    for (const stream of streams) {
      if (tooMuch) break;
      await scanStream(bus, stream, { sinceMs, untilMs, headersOnly: true }, (message) => {
        const id = message.headers?.get('Nats-Msg-Id');
        if (id) found.set(id, message.headers?.get(HEADER_RECORDS) ?? '');
        if (found.size > MAX_LOOKED_BACK || Date.now() - now > LOOK_BACK_BUDGET_MS) tooMuch = true;
        return !tooMuch;
      });
    }
    const window = { streams, since: new Date(sinceMs).toISOString(), until: new Date(untilMs).toISOString() };
    if (tooMuch) {
      logger.warn(
        { ...window, ids: found.size, limit: MAX_LOOKED_BACK, budgetMs: LOOK_BACK_BUDGET_MS },
        'too much was published while a stopped process held messages to read it back in time: some of its outputs may be published a second time (storage keeps one row per id)',
      );
      return { streams, ids: 0, skipped: 'too_much' };
    }
    this._found = found;
    this._foundUntil = Date.now() + heldForMs;
    logger.info({ ...window, ids: found.size, forMs: heldForMs }, 'read back what a stopped process published for the messages it held: those outputs are not published again');
    return { streams, ids: found.size };
  }
}

// What an earlier attempt at a message already published, so that handling the message again
// (the processors deciding it, the writer refusing a bad record) does not publish its outputs a
// second time where JetStream's duplicate window (2 minutes) no longer drops the copy. Two sources:
//  - this process's own failed batches: the outputs JetStream acknowledged before the batch
//    failed (a publish or the NATS connection failed part-way), kept until their input is
//    acknowledged — an outage longer than the window would otherwise republish them;
//  - at start-up, the outputs a stopped process left: the messages it had delivered and not
//    acknowledged come back after the ack wait, and if it published their outputs longer ago
//    than the duplicate window, the ids are read back from the output streams (headers only)
//    from the oldest such message's time on.
// docs/decisions/0001-streaming-spine.md, "Exactly one decision per event".
import { scanStream, type Bus } from './bus.js';
import type { Logger } from './log.js';

/** Failed batches' published ids are forgotten after this long even if their input never came back (another process took it). */
const REMEMBER_MS = 6 * 3600_000;
/** At most this many ids remembered from failed batches; the oldest go first. */
const MAX_REMEMBERED = 200_000;
/** At most this many ids read back at start-up; past it the look-back gives up (and says so): outputs may then be published twice, as before. */
export const MAX_LOOKED_BACK = 2_000_000;
/** Margin under the duplicate window: a look-back is made unless every output is surely inside the window when its input comes back. */
const WINDOW_MARGIN_MS = 20_000;

export type LookBack = {
  /** The output streams read. */
  readonly streams: readonly string[];
  /** Ids found (0 when the look-back was not needed). */
  readonly ids: number;
  /** Why nothing was read, when nothing was. */
  readonly skipped?: 'nothing_held' | 'inside_window' | 'too_many';
};

/**
 * The stored time of the oldest message of `stream` that the durable consumer delivered and no
 * process acknowledged (a stopped process's, which come back after the ack wait); null when none.
 */
export async function oldestHeldMs(bus: Bus, stream: string, durable: string): Promise<number | null> {
  const info = await bus.jsm.consumers.info(stream, durable);
  if (!(info.num_ack_pending > 0)) return null;
  const { state } = await bus.jsm.streams.info(stream);
  // messages before the stream's first were removed by its limits and will not come back
  const oldest = await bus.jsm.streams.getMessage(stream, { seq: Math.max(info.ack_floor.stream_seq + 1, state.first_seq) }).catch(() => null);
  const ms = Date.parse(oldest?.timestamp ?? state.first_ts);
  return Number.isFinite(ms) ? ms : null;
}

export class PublishedOutputs {
  /** Published by failed batches of this process, with when they were remembered; insertion order is age order. */
  private readonly _remembered = new Map<string, number>();
  /** Read back from the output streams at start-up; dropped when `_foundUntil` passes. */
  private _found: Set<string> | null = null;
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

  /** Outputs of a failed batch that JetStream acknowledged: not published again when the batch is retried. */
  remember(ids: Iterable<string>, now = Date.now()): void {
    for (const id of ids) {
      this._remembered.delete(id);
      this._remembered.set(id, now);
    }
    for (const [id, at] of this._remembered) {
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
   * At start: the consumer's messages delivered and not acknowledged (`oldestHeldMs`: the stored
   * time of the oldest, null when none) come back within `heldForMs`. When some output of theirs
   * could then be older than the output streams' duplicate window, read the ids published since
   * `oldestHeldMs` back from those streams, and keep them for `heldForMs`.
   */
  async lookBack(bus: Bus, streams: readonly string[], oldestHeldMs: number | null, heldForMs: number, logger: Logger, now = Date.now()): Promise<LookBack> {
    if (oldestHeldMs === null) return { streams, ids: 0, skipped: 'nothing_held' };
    let windowMs = Infinity;
    for (const stream of streams) {
      const info = await bus.jsm.streams.info(stream);
      windowMs = Math.min(windowMs, (info.config.duplicate_window ?? 0) / 1e6);
    }
    // An output was published after its input was stored; the input comes back by now + heldForMs.
    if (now + heldForMs + WINDOW_MARGIN_MS < oldestHeldMs + windowMs) return { streams, ids: 0, skipped: 'inside_window' };
    const found = new Set<string>();
    let tooMany = false;
    for (const stream of streams) {
      if (tooMany) break;
      await scanStream(bus, stream, { sinceMs: oldestHeldMs, headersOnly: true }, (message) => {
        if (tooMany) return;
        const id = message.headers?.get('Nats-Msg-Id');
        if (id) found.add(id);
        if (found.size > MAX_LOOKED_BACK) tooMany = true;
      });
    }
    if (tooMany) {
      logger.warn(
        { streams, since: new Date(oldestHeldMs).toISOString(), limit: MAX_LOOKED_BACK },
        'too many outputs published since the oldest message a stopped process left unacknowledged to read them back: some of its outputs may be published a second time (readers de-duplicate by id)',
      );
      return { streams, ids: 0, skipped: 'too_many' };
    }
    this._found = found;
    this._foundUntil = now + heldForMs;
    logger.info(
      { streams, since: new Date(oldestHeldMs).toISOString(), ids: found.size, forMs: heldForMs },
      'read back what was published since the oldest message left unacknowledged: those outputs are not published again',
    );
    return { streams, ids: found.size };
  }
}

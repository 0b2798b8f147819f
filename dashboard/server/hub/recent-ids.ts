// Ids the hub has pushed lately, so that a message published again under the same id is not pushed
// twice. The runner publishes an alert or a decision again when it redelivers a batch; JetStream
// drops the copy from its stream (its duplicate window), but the hub listens on core NATS, which
// delivers every publish.
//
// Two generations, each at most a window long or `maxPerGeneration` ids: a lookup reads both, and
// the older is dropped when the newer is full or old. So an id is remembered for at least one
// window (unless a generation fills first), in memory bounded by two generations.

/** JetStream's duplicate window on the streams (core/bus.ts): a copy later than this is a new message there too. */
export const RECENT_WINDOW_MS = 120_000;

export class RecentIds {
  private _current = new Set<string>();
  private _previous = new Set<string>();
  private _since: number;

  constructor(
    now: number,
    private readonly _windowMs = RECENT_WINDOW_MS,
    private readonly _maxPerGeneration = 200_000,
  ) {
    this._since = now;
  }

  /** Whether the id was seen within the window; remembers it either way. */
  seen(id: string, now: number): boolean {
    if (this._current.has(id) || this._previous.has(id)) return true;
    if (now - this._since >= this._windowMs || this._current.size >= this._maxPerGeneration) {
      this._previous = this._current;
      this._current = new Set<string>();
      this._since = now;
    }
    this._current.add(id);
    return false;
  }
}

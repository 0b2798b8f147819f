// How fast work is arriving, as a count that decays over time: what a batcher needs to tell
// whether holding a partial batch open for more is worth its wait. Waiting pays only when more
// will come within the wait; at a few events a second nothing comes, and every event would wait
// the whole time for nobody (0002, update of 2026-12-07: latency at low rates).

/** How quickly the estimate forgets: about the last tenth of a second counts. */
export const DEFAULT_RATE_WINDOW_MS = 100;

export class ArrivalRate {
  private readonly _windowMs: number;
  /** Weight arrived, each unit decayed by e^(−age / window), as of _atMs. */
  private _weight = 0;
  private _atMs = Number.NEGATIVE_INFINITY;

  constructor(windowMs = DEFAULT_RATE_WINDOW_MS) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be above 0, got ${windowMs}`);
    this._windowMs = windowMs;
  }

  /** Counts `weight` (events; an envelope counts its records) arrived at `nowMs` (a monotonic clock). */
  add(weight: number, nowMs: number): void {
    this._weight = this._decayed(nowMs) + weight;
    this._atMs = nowMs;
  }

  /** The recent arrival rate, in weight per second. */
  perSecond(nowMs: number): number {
    return (this._decayed(nowMs) / this._windowMs) * 1000;
  }

  private _decayed(nowMs: number): number {
    // a clock read before the last one (never, with performance.now()) counts as no time passed
    const age = Math.max(0, nowMs - this._atMs);
    return age === Number.POSITIVE_INFINITY ? 0 : this._weight * Math.exp(-age / this._windowMs);
  }
}

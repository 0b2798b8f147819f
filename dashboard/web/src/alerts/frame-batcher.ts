// Coalesces items that arrive one by one (alerts at hundreds per second) into one flush per
// animation frame, so the feed renders once per frame however fast alerts come.
export type FrameScheduler = (callback: () => void) => void;

const nextFrame: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};

export class FrameBatcher<T> {
  private readonly _flush: (items: T[]) => void;
  private readonly _schedule: FrameScheduler;
  private _pending: T[] = [];
  private _scheduled = false;

  constructor(flush: (items: T[]) => void, schedule: FrameScheduler = nextFrame) {
    this._flush = flush;
    this._schedule = schedule;
  }

  push(item: T): void {
    this._pending.push(item);
    if (this._scheduled) return;
    this._scheduled = true;
    this._schedule(() => this.flushNow());
  }

  /** Hands over everything pending at once (also called by the scheduled frame). */
  flushNow(): void {
    this._scheduled = false;
    if (this._pending.length === 0) return;
    const items = this._pending;
    this._pending = [];
    this._flush(items);
  }

  /** Drops what is pending (the filter changed, the items no longer apply). */
  discard(): void {
    this._pending = [];
  }
}

// The alert feed's memory: a window of at most `capacity` alerts, newest first, without duplicates.
// Live alerts slide the window forward (dropping the oldest); "load older" slides it back (dropping
// the newest, and remembering that the top is no longer the live edge).
import type { FeedAlert as AlertRow } from '../api/wire.js';

export const FEED_CAPACITY = 5_000;

export class AlertBuffer {
  readonly capacity: number;
  private _items: AlertRow[] = [];
  private readonly _ids = new Set<string>();
  private _detachedFromLive = false;

  constructor(capacity = FEED_CAPACITY) {
    this.capacity = capacity;
  }

  /** Newest first. A new array after every change, so renderers can compare by identity. */
  get items(): readonly AlertRow[] {
    return this._items;
  }

  get size(): number {
    return this._items.length;
  }

  /** True after older pages pushed the newest alerts out: resuming must reload the live edge. */
  get detachedFromLive(): boolean {
    return this._detachedFromLive;
  }

  has(id: string): boolean {
    return this._ids.has(id);
  }

  /** Adds live (or caught-up) alerts; returns how many were new. */
  addNewer(batch: readonly AlertRow[]): number {
    const fresh = this._fresh(batch);
    if (fresh.length === 0) return 0;
    fresh.sort(newestFirst);
    const top = this._items[0];
    // Usually every new alert is newer than the top one: prepend. Late ones need a merge.
    const merged = top === undefined || newestFirst(fresh[fresh.length - 1]!, top) <= 0 ? fresh.concat(this._items) : mergeNewestFirst(fresh, this._items);
    this._items = merged;
    this._trim('oldest');
    return fresh.length;
  }

  /** Adds a page of older alerts (from REST); returns how many were new. */
  addOlder(page: readonly AlertRow[]): number {
    const fresh = this._fresh(page);
    if (fresh.length === 0) return 0;
    this._items = mergeNewestFirst(fresh.sort(newestFirst), this._items);
    this._trim('newest');
    return fresh.length;
  }

  clear(): void {
    this._items = [];
    this._ids.clear();
    this._detachedFromLive = false;
  }

  private _fresh(batch: readonly AlertRow[]): AlertRow[] {
    const fresh: AlertRow[] = [];
    for (const alert of batch) {
      if (this._ids.has(alert.id)) continue;
      this._ids.add(alert.id);
      fresh.push(alert);
    }
    return fresh;
  }

  private _trim(end: 'oldest' | 'newest'): void {
    const excess = this._items.length - this.capacity;
    if (excess <= 0) return;
    const dropped = end === 'oldest' ? this._items.slice(this.capacity) : this._items.slice(0, excess);
    this._items = end === 'oldest' ? this._items.slice(0, this.capacity) : this._items.slice(excess);
    for (const alert of dropped) this._ids.delete(alert.id);
    if (end === 'newest') this._detachedFromLive = true;
  }
}

function newestFirst(a: AlertRow, b: AlertRow): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function mergeNewestFirst(a: readonly AlertRow[], b: readonly AlertRow[]): AlertRow[] {
  const out: AlertRow[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = newestFirst(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

// The ids of the alerts a tab has shown lately, so that a catch-up (GET /api/alerts from a time
// already seen, possibly fetched three times) neither shows nor counts an alert twice. Bounded, but
// never while a catch-up runs: a catch-up's answer holds up to MAX_CATCH_UP alerts, and the live
// ones keep coming meanwhile, so a fixed window of ids (2,000 before 2026-12-07) forgot the first
// fetch's alerts before the next fetch returned them, counted them again as missed, and could say
// "caught up" while some were still missing.
import { MAX_CATCH_UP } from '../api/alerts-api.js';

/** Ids kept between catch-ups (more than a burst in one millisecond, and a whole catch-up). */
export const SEEN_IDS_KEPT = MAX_CATCH_UP;
/**
 * Ids kept at most while catch-ups run: every catch-up fetch (≤ MAX_CATCH_UP, at most 3 of them)
 * plus the live alerts of its ≈ 5 s. Beyond it the oldest go and the running catch-ups are told
 * (`overflowed`): they say "reload" rather than a count they cannot vouch for.
 */
export const SEEN_IDS_CEILING = 10 * MAX_CATCH_UP;

export class SeenAlertIds {
  private readonly _ids = new Set<string>();
  private readonly _kept: number;
  private readonly _ceiling: number;
  private _holds = 0;
  private _overflowed = false;

  constructor(kept = SEEN_IDS_KEPT, ceiling = SEEN_IDS_CEILING) {
    this._kept = kept;
    this._ceiling = ceiling;
  }

  get size(): number {
    return this._ids.size;
  }

  /** True when an id was forgotten during the running catch-ups (they cannot tell new from shown). */
  get overflowed(): boolean {
    return this._overflowed;
  }

  has(id: string): boolean {
    return this._ids.has(id);
  }

  remember(id: string): void {
    this._ids.delete(id);
    this._ids.add(id);
    const bound = this._holds > 0 ? this._ceiling : this._kept;
    if (this._ids.size <= bound) return;
    this._ids.delete(this._ids.values().next().value as string);
    if (this._holds > 0) this._overflowed = true;
  }

  /** A catch-up starts: forget nothing until `release`. */
  hold(): void {
    this._holds += 1;
  }

  /** A catch-up ended: once none runs, back to the newest SEEN_IDS_KEPT. */
  release(): void {
    this._holds = Math.max(0, this._holds - 1);
    if (this._holds > 0) return;
    this._overflowed = false;
    for (const id of this._ids) {
      if (this._ids.size <= this._kept) break;
      this._ids.delete(id);
    }
  }
}

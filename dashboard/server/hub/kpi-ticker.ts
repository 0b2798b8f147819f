// The hub's KPI clock: which second a tick describes, the ring of the last 15 minutes of ticks,
// and the backfill when ticks were not computed because nobody was listening. Pure (time is passed
// in); the hub owns the timer and the sockets.
import type { KpiTick } from '../protocol.js';
import { KPI_RETAIN_SECONDS, KpiMerger } from './kpi-merge.js';

/** The hub describes the second that ended about a second ago: processors send theirs 150 ms after it ends. */
export const TICK_LAG_MS = 2000;

/** The second (epoch ms) a tick computed at `now` describes. */
export function tickSecondAt(now: number): number {
  return Math.floor(now / 1000) * 1000 - TICK_LAG_MS;
}

export class KpiTicker {
  readonly merger = new KpiMerger();
  private readonly _ticks: KpiTick[] = [];
  private readonly _firstSecond: number;
  private _lastTickAt = 0;

  /** `startedAt`: ticks are never made for seconds before it (the hub heard nothing then). */
  constructor(startedAt: number) {
    this._firstSecond = Math.floor(startedAt / 1000) * 1000;
  }

  /** The ticks held, oldest first, one per second without gaps. */
  get ticks(): readonly KpiTick[] {
    return this._ticks;
  }

  /** The newest tick, or null before the first. */
  get latest(): KpiTick | null {
    return this._ticks[this._ticks.length - 1] ?? null;
  }

  /** The held ticks of these seconds (ascending), oldest first; seconds not held are left out. */
  ticksAt(seconds: readonly number[]): KpiTick[] {
    const first = this._ticks[0];
    if (first === undefined) return [];
    const ticks: KpiTick[] = [];
    for (const second of seconds) {
      const tick = this._ticks[(second - first.at) / 1000];
      if (tick !== undefined && tick.at === second) ticks.push(tick);
    }
    return ticks;
  }

  /**
   * Computes the ticks from the last one up to the second `at`, filling the seconds skipped while
   * nobody listened (at most the retained 15 minutes). Returns how many ticks were added: the
   * newest ones held.
   */
  advance(at: number): number {
    const oldest = at - (KPI_RETAIN_SECONDS - 1) * 1000;
    this.merger.prune(at);
    const from = Math.max(this._lastTickAt + 1000, oldest, this._firstSecond);
    if (from > at) return 0;
    let drop = 0;
    while (drop < this._ticks.length && this._ticks[drop]!.at < oldest) drop++;
    if (drop > 0) this._ticks.splice(0, drop);
    for (let second = from; second <= at; second += 1000) this._ticks.push(this._tick(second));
    this._lastTickAt = at;
    this.merger.markTicked(at);
    return (at - from) / 1000 + 1;
  }

  private _tick(second: number): KpiTick {
    return { ...this.merger.tick(second), since: this._firstSecond };
  }

  /**
   * The held ticks of seconds whose snapshots came after the tick was made (a processor that
   * reported more than TICK_LAG_MS late, on a loaded machine), made again with them: without this a
   * second read 0 decisions and its decisions were never shown. Oldest first; empty when none.
   */
  amendLate(): KpiTick[] {
    const first = this._ticks[0];
    if (first === undefined) return [];
    const amended: KpiTick[] = [];
    for (const second of this.merger.takeLate()) {
      const index = (second - first.at) / 1000;
      if (index < 0 || index >= this._ticks.length) continue;
      const tick = this._tick(second);
      this._ticks[index] = tick;
      amended.push(tick);
    }
    return amended;
  }
}

/** The seconds of both ascending lists, ascending, each once. */
export function unionSeconds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

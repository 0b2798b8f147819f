// The system-health view: the latest heartbeat of every process, rates over its last ten seconds
// of heartbeats, stale after three missed intervals, forgotten after ten minutes of silence. Pure.
import { HEALTH_INTERVAL_MS, type ProcessHealthWire } from '../../../core/index.js';
import type { HealthView } from '../protocol.js';

/** A process is stale once this many heartbeat intervals pass without one. */
export const STALE_AFTER_INTERVALS = 3;
/** A silent process leaves the view after this long (it stopped, or was replaced). */
export const FORGET_AFTER_MS = 10 * 60_000;
/**
 * Rates span the heartbeats of about this long. Between two heartbeats 2 s apart a trickle (the
 * demo's 13 alerts a minute) reads as 0 or 0.5 per second by turns; over 10 s it steadies, and
 * a change in throughput still shows within seconds.
 */
export const RATE_WINDOW_MS = 10_000;

type ProcessView = HealthView['processes'][number];
type Rates = NonNullable<ProcessView['rates']>;
/** `window`: this process life's heartbeats of the last RATE_WINDOW_MS before the latest, oldest first (the latest not among them). */
type Entry = { latest: ProcessHealthWire; window: ProcessHealthWire[]; receivedAt: number };

const RATE_COUNTERS = ['eventsIn', 'decisions', 'alerts', 'deadLettered', 'rowsWritten'] as const;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Checks the fields the view and the rates read; a malformed heartbeat is ignored. */
export function isProcessHealthWire(value: unknown): value is ProcessHealthWire {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  const counters = w.counters as Record<string, unknown> | undefined;
  return (
    w.v === 1 &&
    typeof w.procId === 'string' &&
    w.procId.length > 0 &&
    isCount(w.at) &&
    isCount(w.startedAt) &&
    Array.isArray(w.roles) &&
    typeof counters === 'object' &&
    counters !== null &&
    RATE_COUNTERS.every((name) => isCount(counters[name]))
  );
}

/** Per-second rates between two heartbeats of one process life; null when they cannot be compared. */
export function ratesBetween(previous: ProcessHealthWire | null, latest: ProcessHealthWire): Rates | null {
  if (!previous || previous.startedAt !== latest.startedAt || latest.at <= previous.at) return null;
  const seconds = (latest.at - previous.at) / 1000;
  const rate = (name: (typeof RATE_COUNTERS)[number]): number => {
    const delta = latest.counters[name] - previous.counters[name];
    return delta < 0 ? 0 : Math.round((delta / seconds) * 100) / 100;
  };
  return { eventsIn: rate('eventsIn'), decisions: rate('decisions'), alerts: rate('alerts'), deadLettered: rate('deadLettered'), rowsWritten: rate('rowsWritten') };
}

export class HealthBoard {
  private readonly _processes = new Map<string, Entry>();
  private readonly _intervalMs: number;

  constructor(intervalMs: number = HEALTH_INTERVAL_MS) {
    this._intervalMs = intervalMs;
  }

  get size(): number {
    return this._processes.size;
  }

  /** Records a heartbeat; returns false when it is malformed. Staleness uses the hub's clock (`receivedAt`), not the sender's. */
  record(wire: unknown, receivedAt: number): boolean {
    if (!isProcessHealthWire(wire)) return false;
    const entry = this._processes.get(wire.procId);
    if (!entry) {
      this._processes.set(wire.procId, { latest: wire, window: [], receivedAt });
    } else if (wire.startedAt !== entry.latest.startedAt) {
      // A new life of the process: its counters start again, nothing before compares.
      entry.latest = wire;
      entry.window = [];
      entry.receivedAt = receivedAt;
    } else if (wire.at >= entry.latest.at) {
      // An older heartbeat arriving late would turn the rates negative: keep the newest only.
      entry.window.push(entry.latest);
      entry.latest = wire;
      entry.receivedAt = receivedAt;
      // Keep the newest heartbeat at least RATE_WINDOW_MS old, as the window's start.
      while (entry.window.length > 1 && wire.at - entry.window[1]!.at >= RATE_WINDOW_MS) entry.window.shift();
    }
    return true;
  }

  /** The view at `now`; processes silent for FORGET_AFTER_MS are dropped first. */
  view(now: number): HealthView {
    const processes: ProcessView[] = [];
    for (const [procId, entry] of this._processes) {
      const silentMs = now - entry.receivedAt;
      if (silentMs > FORGET_AFTER_MS) {
        this._processes.delete(procId);
        continue;
      }
      processes.push({ ...entry.latest, rates: ratesBetween(entry.window[0] ?? null, entry.latest), stale: silentMs > STALE_AFTER_INTERVALS * this._intervalMs });
    }
    processes.sort((a, b) => a.procId.localeCompare(b.procId));
    return { at: now, processes };
  }
}

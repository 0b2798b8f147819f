// The system-health view: the latest heartbeat of every process, rates derived from its last two
// heartbeats, stale after three missed intervals, forgotten after ten minutes of silence. Pure.
import { HEALTH_INTERVAL_MS, type ProcessHealthWire } from '../../../core/index.js';
import type { HealthView } from '../protocol.js';

/** A process is stale once this many heartbeat intervals pass without one. */
export const STALE_AFTER_INTERVALS = 3;
/** A silent process leaves the view after this long (it stopped, or was replaced). */
export const FORGET_AFTER_MS = 10 * 60_000;

type ProcessView = HealthView['processes'][number];
type Rates = NonNullable<ProcessView['rates']>;
type Entry = { latest: ProcessHealthWire; previous: ProcessHealthWire | null; receivedAt: number };

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
      this._processes.set(wire.procId, { latest: wire, previous: null, receivedAt });
    } else if (wire.at >= entry.latest.at || wire.startedAt !== entry.latest.startedAt) {
      // An older heartbeat arriving late would turn the rates negative: keep the newest only.
      entry.previous = entry.latest;
      entry.latest = wire;
      entry.receivedAt = receivedAt;
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
      processes.push({ ...entry.latest, rates: ratesBetween(entry.previous, entry.latest), stale: silentMs > STALE_AFTER_INTERVALS * this._intervalMs });
    }
    processes.sort((a, b) => a.procId.localeCompare(b.procId));
    return { at: now, processes };
  }
}

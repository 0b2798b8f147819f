// Plays a simulator in real time: about `rate` events per second, handed over in small batches
// every few tens of milliseconds to an injected `publish`. Publishing is awaited before more is
// made, so a slow sink slows the simulator instead of queueing events without bound.
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff, pause, type BackoffPolicy } from '../../core/backoff.js';
import type { WireEvent } from '../../core/contracts/index.js';
import type { Simulator } from './simulator.js';

export type RunProgress = {
  readonly emitted: number;
  readonly elapsedMs: number;
  /** Events per second achieved since the start. */
  readonly achievedRate: number;
  /** Events the run is behind its schedule (publish slower than the rate), after any shedding of debt. */
  readonly behind: number;
};

export type RunOptions = {
  /** Target events per second. */
  readonly rate: number;
  readonly signal: AbortSignal;
  /** Largest batch handed to publish (default: 20 ms worth of events, at least 1, at most 5,000). */
  readonly batchSize?: number;
  /** How often the loop wakes when ahead of schedule, ms (default 20). */
  readonly tickMs?: number;
  /** Called about once a second, and once more when the run stops. */
  readonly onProgress?: (progress: RunProgress) => void;
  /**
   * Publish the batch again after a back-off when it fails, instead of stopping (the demo's
   * simulator inside `start`: a NATS outage pauses the traffic, which resumes where it was —
   * the same events, none skipped — once the bus is back). Without it a failure ends the run.
   */
  readonly retry?: { readonly backoff: BackoffPolicy; readonly onError: (error: unknown, retryInMs: number) => void };
};

/** Behind by more than this (in seconds of traffic), the schedule is reset instead of caught up in a burst. */
const MAX_DEBT_SECONDS = 1;
const PROGRESS_EVERY_MS = 1000;

export async function runSimulator(
  sim: Simulator,
  publish: (events: WireEvent[]) => Promise<void>,
  opts: RunOptions,
): Promise<void> {
  const rate = opts.rate;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError('rate must be a positive number');
  const tickMs = opts.tickMs ?? 20;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? Math.min(5000, Math.ceil((rate * tickMs) / 1000))));
  if (sim.rate !== rate) sim.setRate(rate);
  const started = performance.now();
  // The schedule: event n is due at origin + n / rate. Shedding debt moves the origin forward.
  let origin = started;
  let scheduled = 0;
  let emitted = 0;
  let nextProgress = started + PROGRESS_EVERY_MS;
  const progress = (now: number): RunProgress => {
    const elapsedMs = now - started;
    const due = Math.floor(((now - origin) * rate) / 1000);
    return { emitted, elapsedMs, achievedRate: elapsedMs > 0 ? (emitted * 1000) / elapsedMs : 0, behind: Math.max(0, due - scheduled) };
  };
  const backoff = opts.retry ? new Backoff(opts.retry.backoff) : undefined;
  /** Publishes the batch, again after each failure when retrying; false when aborted meanwhile. */
  const publishOrRetry = async (batch: WireEvent[]): Promise<boolean> => {
    for (;;) {
      try {
        await publish(batch);
        backoff?.reset();
        return true;
      } catch (error) {
        if (!opts.retry || !backoff) throw error;
        const delay = backoff.next();
        opts.retry.onError(error, delay);
        await pause(delay, opts.signal);
        if (opts.signal.aborted) return false;
      }
    }
  };
  while (!opts.signal.aborted) {
    const now = performance.now();
    let due = Math.floor(((now - origin) * rate) / 1000) - scheduled;
    if (due > rate * MAX_DEBT_SECONDS) {
      // A sink that cannot keep up: forget the backlog rather than burst to catch up.
      origin = now - (scheduled * 1000) / rate;
      due = 0;
    }
    if (due <= 0) {
      const wait = Math.max(1, Math.min(tickMs, ((scheduled + 1) * 1000) / rate - (now - origin)));
      try {
        await sleep(wait, undefined, { signal: opts.signal });
      } catch {
        break; // aborted while waiting
      }
      continue;
    }
    const n = Math.min(due, batchSize);
    const batch = sim.take(n);
    scheduled += n;
    if (!(await publishOrRetry(batch))) break;
    emitted += n;
    if (opts.onProgress && now >= nextProgress) {
      nextProgress = now + PROGRESS_EVERY_MS;
      opts.onProgress(progress(performance.now()));
    }
  }
  opts.onProgress?.(progress(performance.now()));
}

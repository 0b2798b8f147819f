// The bench's open-loop schedule and the figures read from what happened on it, as pure functions:
// when each event is due, how many are due at a moment, whether the load generator kept up, and
// the latency percentiles as they may honestly be printed.

/** When event n of a phase is due: n / rate seconds after the phase starts (event 0 at once), in ms. */
export function dueAtMs(n: number, rate: number): number {
  return (n * 1000) / rate;
}

/**
 * How many of a phase's `count` events are due `elapsedMs` after it started: event n is due at
 * dueAtMs(n), so at 1/s event 0 goes at 0 ms and event 1 at 1,000 ms (before 2026-12-06 (21:30)
 * event n went one gap late, at (n + 1) / rate, and every latency read one gap high).
 */
export function dueBy(elapsedMs: number, rate: number, count: number): number {
  if (elapsedMs < 0) return 0;
  // The epsilon keeps floating point from sending an event one tick late (333.33… × 3 / 1000 = 0.999…).
  return Math.min(count, Math.floor((elapsedMs * rate) / 1000 + 1e-9) + 1);
}

/** An event sent this much later than its time counts as the schedule not kept. */
export const SEND_LAG_LIMIT_MS = 100;

/** How the load generator kept the measured window's schedule. */
export type GeneratorFigures = {
  /** Seconds from the window's start to the last measured event sent (plus one gap: the span the events cover). */
  readonly sendingSeconds: number;
  /** Events sent per second of that: the rate really offered. */
  readonly offeredPerSecond: number;
  /** Events sent more than SEND_LAG_LIMIT_MS after their time. */
  readonly lateSends: number;
  /** The most an event was sent after its time, ms. */
  readonly maxSendLagMs: number;
  /** Milliseconds the generator held events back because MAX_IN_FLIGHT were unacknowledged. */
  readonly heldBackMs: number;
  /** Whether every event went out within SEND_LAG_LIMIT_MS of its time. */
  readonly keptSchedule: boolean;
};

export function generatorFigures(input: { readonly sent: number; readonly rate: number; readonly lastSendMs: number; readonly lateSends: number; readonly maxSendLagMs: number; readonly heldBackMs: number }): GeneratorFigures {
  const sendingSeconds = input.sent === 0 ? 0 : (input.lastSendMs + 1000 / input.rate) / 1000;
  return {
    sendingSeconds: round2(sendingSeconds),
    offeredPerSecond: sendingSeconds === 0 ? 0 : Math.round(input.sent / sendingSeconds),
    lateSends: input.lateSends,
    maxSendLagMs: round2(input.maxSendLagMs),
    heldBackMs: Math.round(input.heldBackMs),
    keptSchedule: input.lateSends === 0,
  };
}

/**
 * Decided events per second over the time they took: from the window's start to the later of the
 * window's end and the last decision seen. "achieved" (decided by the end of the grace ÷ seconds of
 * sending) counted seconds the system was still working off its backlog as free, and read 9,964/s
 * at a saturation where ~3,400/s were decided.
 */
export function throughputPerSecond(decided: number, windowMs: number, lastDecisionMs: number | null): number {
  const spanMs = Math.max(windowMs, lastDecisionMs ?? 0);
  return spanMs <= 0 ? 0 : Math.round((decided * 1000) / spanMs);
}

export type LatencyFigures = { readonly p50Ms: number | null; readonly p95Ms: number | null; readonly p99Ms: number | null; readonly maxMs: number | null };

/**
 * Percentiles in ms (2 decimals) from a histogram of µs: null when nothing was recorded (not 0 ms),
 * and never above the exact max (a histogram answers with its bucket's upper value, which can be).
 */
export function latencyFigures(count: number, percentileUs: (p: number) => number, maxUs: number): LatencyFigures {
  if (count === 0) return { p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };
  const ms = (us: number): number => Math.round(us / 10) / 100;
  const at = (p: number): number => ms(Math.min(percentileUs(p), maxUs));
  return { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: ms(maxUs) };
}

/** How long a warm-up ran, and how much of that sending paused before the measured window opened. */
export type WarmupFigures = {
  /** Seconds from the run's start to the window's opening: the warm-up's sending, then its pause. */
  readonly ranSeconds: number;
  /** Seconds from the end of the warm-up's sending to the window's opening, without load. */
  readonly pausedSeconds: number;
};

/**
 * The warm-up's times from performance.now() readings: the run's start, the end of the warm-up's
 * sending (null: no warm-up) and the measured window's opening.
 */
export function warmupFigures(startedMs: number, sendingEndedMs: number | null, windowOpenedMs: number): WarmupFigures {
  if (sendingEndedMs === null) return { ranSeconds: 0, pausedSeconds: 0 };
  return { ranSeconds: round2((windowOpenedMs - startedMs) / 1000), pausedSeconds: round2((windowOpenedMs - sendingEndedMs) / 1000) };
}

/** Fewer decided events than this make CPU per 1,000 events a figure of noise. */
export const CPU_MIN_EVENTS = 1000;

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// Simulated time. The stream clock moves one step per event (1000 / rate ms), so a stream paced at
// `rate` events per second keeps event time in step with the wall clock. Scenarios that take hours
// or days in life are compressed by `timeScale`, and each loan lives on its own calendar, starting
// the day it is applied for and running `loanTimeScale` times faster, so a demo shows repayments
// and defaults within minutes while a loan's dates stay plausible.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type Timing = {
  /** Real durations: bursts and sessions that last seconds to minutes play out as they would. */
  minutes(n: number): number;
  seconds(n: number): number;
  /** Hour- and day-long spans, compressed by `timeScale`. */
  hours(n: number): number;
  days(n: number): number;
  /** A loan's calendar, anchored where the loan begins: at the anchor both read the same time. */
  loanCalendar(anchorTs: number): LoanCalendar;
};

export type LoanCalendar = {
  /** The stream time at which the loan's calendar reaches a date (epoch ms). */
  streamAt(calendarTs: number): number;
};

export function timing(timeScale: number, loanTimeScale: number): Timing {
  if (!(timeScale >= 1) || !(loanTimeScale >= 1)) throw new RangeError('timeScale and loanTimeScale must be at least 1');
  return {
    minutes: (n) => n * MINUTE_MS,
    seconds: (n) => n * 1000,
    hours: (n) => (n * HOUR_MS) / timeScale,
    days: (n) => (n * DAY_MS) / timeScale,
    loanCalendar: (anchor) => ({ streamAt: (cal) => anchor + (cal - anchor) / loanTimeScale }),
  };
}

/** The date part (YYYY-MM-DD, UTC) of an epoch-ms time. */
export function isoDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Adds calendar months in UTC; the day is capped at 28 so every month has it. */
export function addMonths(ts: number, months: number): number {
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, Math.min(28, d.getUTCDate()), 12, 0, 0);
}

/**
 * ISO timestamps, memoised per second: formatting dominates the cost of an event otherwise, and
 * consecutive events mostly share their second.
 */
export class TimestampFormatter {
  private _second = Number.NaN;
  private _prefix = '';

  format(ts: number): string {
    const ms = Math.floor(ts);
    const second = Math.floor(ms / 1000);
    if (second !== this._second) {
      this._second = second;
      this._prefix = new Date(second * 1000).toISOString().slice(0, 20); // "2026-11-29T10:15:00."
    }
    const frac = ms - second * 1000;
    return this._prefix + (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z';
  }
}

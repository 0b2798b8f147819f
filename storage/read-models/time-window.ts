// The time window every read model is bounded by: raw tables are partitioned by day of event time,
// so a window turns a lookup into a read of a few partitions whatever the tables' sort keys are.
import { RiskstreamError } from '../../core/index.js';
import { isPlausibleMs } from '../sql.js';

/** The default look-back of account, network, alert and dead-letter reads. */
export const DEFAULT_WINDOW_MS = 7 * 86_400_000;
/** Events may carry a time up to a day ahead (the contracts' clock-skew allowance): the default end covers them. */
export const DEFAULT_AHEAD_MS = 86_400_000;

/** Epoch ms; `since` inclusive, `until` exclusive. */
export type TimeWindow = { readonly since: number; readonly until: number };
export type WindowQuery = { readonly since?: number; readonly until?: number };

export function timeWindow(query: WindowQuery, now: number, lookBackMs = DEFAULT_WINDOW_MS): TimeWindow {
  const since = query.since ?? now - lookBackMs;
  const until = query.until ?? now + DEFAULT_AHEAD_MS;
  if (!isPlausibleMs(since)) throw new RiskstreamError('RS_ERR_BAD_REQUEST', 'since must be epoch milliseconds between 2000 and 2100', { errors: [{ path: 'query.since', rule: 'range', message: 'must be epoch ms between 2000 and 2100' }] });
  if (!isPlausibleMs(until)) throw new RiskstreamError('RS_ERR_BAD_REQUEST', 'until must be epoch milliseconds between 2000 and 2100', { errors: [{ path: 'query.until', rule: 'range', message: 'must be epoch ms between 2000 and 2100' }] });
  if (since >= until) throw new RiskstreamError('RS_ERR_BAD_REQUEST', 'since must be before until', { errors: [{ path: 'query.since', rule: 'range', message: 'must be before until' }] });
  return { since, until };
}

/**
 * `<column>` inside the window bound as {since:Int64} and {until:Int64}. The column name comes
 * from the read models' own code, never from a request.
 */
export function inWindow(column: string): string {
  return `${column} >= fromUnixTimestamp64Milli({since:Int64}) AND ${column} < fromUnixTimestamp64Milli({until:Int64})`;
}

/** A page size: an integer from 1 to max, or the default. */
export function pageSize(limit: number | undefined, fallback: number, max: number, field = 'limit'): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RiskstreamError('RS_ERR_BAD_REQUEST', `${field} must be an integer from 1 to ${max}`, { errors: [{ path: `query.${field}`, rule: 'range', message: `must be 1..${max}` }] });
  }
  return value;
}

// What the raw tables keep: RISKSTREAM_RETENTION_DAYS, counted on event time. One definition for
// the two that must agree on it: the writer, which does not insert a row already past it (its TTL
// would delete the row at once), and the live hub, which does not push an alert the writer drops
// that way (the alert could not be opened: its detail would answer 404).

const DAY_SECONDS = 86_400;

/**
 * The newest event minute (epoch seconds) already past the retention at `nowMs`: a row whose
 * minute is this or older has its whole minute past it. A minute's grace on top, so that a row
 * is never judged expired while part of its minute is still kept.
 */
export function expiredMinuteAt(nowMs: number, retentionDays: number): number {
  return Math.floor(nowMs / 1000) - retentionDays * DAY_SECONDS - 60;
}

/** The event minute (epoch seconds) of a time in epoch milliseconds, as the raw tables key it. */
export function eventMinuteOf(tsMs: number): number {
  return Math.floor(tsMs / 60_000) * 60;
}

/** True when an event at `tsMs` is past the retention at `nowMs` (the writer would not store it). */
export function pastRetention(tsMs: number, retentionDays: number, nowMs: number): boolean {
  return eventMinuteOf(tsMs) <= expiredMinuteAt(nowMs, retentionDays);
}

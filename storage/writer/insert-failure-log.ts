// What the writer says when a table's inserts fail, and how often. An outage can last hours (a
// full disk: every batch fails, once per back-off of up to 15 s, for each table), so it is told
// once with ClickHouse's answer and what to do, then in a line a minute while it lasts, and once
// when an insert succeeds again: before 2026-12-07 every failed batch logged 2 KB with its stack,
// and a full disk was named only by ClickHouse's NOT_ENOUGH_SPACE.
import { diskSpaceText, isDiskFullText, oneLine, type DiskSpace } from '../../core/index.js';

/** How often a failure that goes on is said again. */
export const INSERT_FAILURE_REPEAT_MS = 60_000;

/** A line to log about a table's inserts (null from the log: nothing to say now). */
export type InsertFailing = { readonly type: 'insert_failing'; readonly first: boolean; readonly failures: number; readonly sinceMs: number };
export type InsertRecovered = { readonly type: 'insert_recovered'; readonly failures: number; readonly sinceMs: number };
export type InsertFailureReport = InsertFailing | InsertRecovered;

/**
 * One table's failures since its last insert that succeeded, and when they were last said. A disk
 * at the edge of full makes inserts fail and succeed by turns (each merge frees a little): an
 * outage that begins within a minute of the last line said is counted but not said, nor its end,
 * so that the turns make at most a line or two a minute.
 */
export class InsertFailureLog {
  private readonly _everyMs: number;
  private _sinceMs: number | null = null;
  private _failures = 0;
  /** Whether a line said the outage under way: only then is its end said. */
  private _said = false;
  private _saidMs = -Infinity;

  constructor(everyMs = INSERT_FAILURE_REPEAT_MS) {
    this._everyMs = everyMs;
  }

  /** A batch failed: said at most once a minute; `first` when nothing was said of this outage yet. */
  failed(nowMs: number): InsertFailing | null {
    this._sinceMs ??= nowMs;
    this._failures++;
    if (nowMs - this._saidMs < this._everyMs) return null;
    const first = !this._said;
    this._said = true;
    this._saidMs = nowMs;
    return { type: 'insert_failing', first, failures: this._failures, sinceMs: this._sinceMs };
  }

  /** A batch was stored: said when it ends an outage that was said. */
  succeeded(): InsertRecovered | null {
    if (this._sinceMs === null) return null;
    const report: InsertRecovered | null = this._said ? { type: 'insert_recovered', failures: this._failures, sinceMs: this._sinceMs } : null;
    this._sinceMs = null;
    this._failures = 0;
    this._said = false;
    return report;
  }
}

/** `45 s`, `3 min`, `2 h 5 min` */
export function durationText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Where the failing inserts are stored: embedded chDB's data folder (with its disk, when read), or a server. */
export type InsertTarget = { readonly kind: 'chdb'; readonly dataDir: string; readonly space: DiskSpace | null } | { readonly kind: 'server' };

/** What to do, for a disk that is full, or any other refusal. */
function advice(diskFull: boolean, target: InsertTarget): string {
  const waiting = 'decisions go on and rows wait on the streams (for RISKSTREAM_STREAM_MAX_AGE_HOURS, 72 h by default)';
  if (!diskFull) return `${waiting}; the writer retries with back-off`;
  if (target.kind === 'server') return `ClickHouse's disk is full; ${waiting}: free space on the ClickHouse server and the writer stores them, without a restart`;
  const space = target.space === null ? '' : ` (${diskSpaceText(target.space)})`;
  return `the disk of the data folder ${target.dataDir} is full${space}; ${waiting}: free space there, or move RISKSTREAM_DATA_DIR to a larger disk, and the writer stores them, without a restart`;
}

/** The line for a report about `table`'s inserts, `lastError` being ClickHouse's last answer. */
export function insertFailureText(table: string, report: InsertFailureReport, lastError: string, target: InsertTarget, nowMs: number): string {
  const since = durationText(nowMs - report.sinceMs);
  const failures = `${report.failures} failed batch${report.failures === 1 ? '' : 'es'}`;
  if (report.type === 'insert_recovered') return `inserts into ${table} succeed again after ${since} (${failures}); storing what waited on the stream`;
  const what = report.first ? `inserts into ${table} fail` : `inserts into ${table} still failing after ${since} (${failures})`;
  return `${what}: ${advice(isDiskFullText(lastError), target)}. ClickHouse said: ${oneLine(lastError, 300)}`;
}

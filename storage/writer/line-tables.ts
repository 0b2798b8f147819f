// The raw tables whose rows the writer builds as TabSeparated lines (events, decisions): how a
// record becomes a row, its partition and minute, and its line. Shared by the writer's sinks and
// its mapping thread, which does this work off the main thread (mapping-thread.ts).
import { minuteOfTimeText } from './batch-insert.js';
import { decisionRow, type DecisionRow } from './rows/decision-row.js';
import { fastEventRow, type EventRow } from './rows/event-row.js';
import type { RowMapper, WireMessage } from './rows/row-outcome.js';
import { DECISION_COLUMNS, decisionLine, EVENT_COLUMNS, eventLine, type RowEncoding } from './rows/tsv.js';
import type { ErrorCode } from '../../core/index.js';

/** The UTC day of a DateTime64 text value (`<seconds>.<millis>`): the partition of the day-partitioned tables. */
export function dayOf(timeText: string): string {
  return String(Math.floor(Number.parseInt(timeText, 10) / 86_400));
}

/** How one table's records become rows: what a sink needs besides its stream. */
export type RowSpec<R> = {
  readonly map: RowMapper<R>;
  /** The partition a row lands in, so that one insert never spans too many. */
  readonly partitionOf: (row: R) => string;
  /** The start of the row's event minute (epoch seconds): the dedup lookup reads only the batch's minutes. */
  readonly minuteOf: (row: R) => number;
  /** How rows are written as TabSeparated lines; without it they are inserted as JSONCompactEachRow. */
  readonly encoding?: RowEncoding<R>;
};

export const EVENT_ROWS: RowSpec<EventRow> = {
  map: fastEventRow,
  partitionOf: (r) => dayOf(r.ts),
  minuteOf: (r) => minuteOfTimeText(r.ts),
  encoding: { columns: EVENT_COLUMNS, line: eventLine },
};

export const DECISION_ROWS: RowSpec<DecisionRow> = {
  map: decisionRow,
  partitionOf: (r) => dayOf(r.event_ts),
  minuteOf: (r) => minuteOfTimeText(r.event_ts),
  encoding: { columns: DECISION_COLUMNS, line: decisionLine },
};

/** The tables whose mapping can run in the mapping thread. */
export const LINE_TABLES = { events: EVENT_ROWS, decisions: DECISION_ROWS } as const;
export type LineTable = keyof typeof LINE_TABLES;

/** A record mapped and keyed: ready for the dedup lookup and the insert, or refused with the reason. */
export type PreparedRow<R> =
  | { readonly ok: true; readonly key: string; readonly row: R; readonly partition: string; readonly minute: number; readonly recencyMs: number }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

/** Maps one record with a table's spec; a mapper that throws is a refusal, never an exception. */
export function prepareRow<R>(spec: RowSpec<R>, record: WireMessage): PreparedRow<R> {
  let outcome: ReturnType<RowMapper<R>>;
  try {
    outcome = spec.map(record);
  } catch (error) {
    // A mapper bug must not wedge the consumer on one message.
    return { ok: false, code: 'RS_ERR_STORAGE_ROW', reason: `the message could not be mapped to a row: ${(error as Error).message}` };
  }
  if (!outcome.ok) return outcome;
  const { key, row, recencyMs } = outcome;
  return { ok: true, key, row, partition: spec.partitionOf(row), minute: spec.minuteOf(row), recencyMs };
}

/** The same, with the row already written as its TabSeparated line (what the mapping thread sends back). */
export function prepareLine(table: LineTable, record: WireMessage): PreparedRow<string> {
  if (table === 'events') return withLine(prepareRow(EVENT_ROWS, record), eventLine);
  return withLine(prepareRow(DECISION_ROWS, record), decisionLine);
}

function withLine<R>(prepared: PreparedRow<R>, line: (row: R) => string): PreparedRow<string> {
  return prepared.ok ? { ...prepared, row: line(prepared.row) } : prepared;
}

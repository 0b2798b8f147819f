// Which stream feeds which raw table, through which durable consumer and mapper.
import type { Names } from '../../core/index.js';
import { minuteOfTimeText } from './batch-insert.js';
import { alertRow, type AlertRow } from './rows/alert-row.js';
import { deadLetterRow, type DeadLetterRow } from './rows/dead-letter-row.js';
import { decisionRow, type DecisionRow } from './rows/decision-row.js';
import { fastEventRow, type EventRow } from './rows/event-row.js';
import { DECISION_COLUMNS, decisionLine, EVENT_COLUMNS, eventLine } from './rows/tsv.js';
import { TableSink, type SinkDeps, type SinkSpec, type TableSinkCounters } from './table-sink.js';

/** The UTC day of a DateTime64 text value (`<seconds>.<millis>`): the partition of the day-partitioned tables. */
function dayOf(timeText: string): string {
  return String(Math.floor(Number.parseInt(timeText, 10) / 86_400));
}

/** What the writer needs of a sink, whatever its row type. */
export type Sink = {
  readonly spec: Pick<SinkSpec<unknown>, 'table' | 'stream' | 'durable'>;
  readonly counters: Readonly<TableSinkCounters>;
  readonly handle: TableSink<unknown>['handle'];
};

export function createSinks(names: Names, deps: SinkDeps): Sink[] {
  const events: SinkSpec<EventRow> = {
    table: 'events',
    stream: names.streams.events,
    durable: names.consumers.writerEvents,
    map: fastEventRow,
    partitionOf: (r) => dayOf(r.ts),
    minuteOf: (r) => minuteOfTimeText(r.ts),
    encoding: { columns: EVENT_COLUMNS, line: eventLine },
    deadLetterRefusals: true,
  };
  const decisions: SinkSpec<DecisionRow> = {
    table: 'decisions',
    stream: names.streams.decisions,
    durable: names.consumers.writerDecisions,
    map: decisionRow,
    partitionOf: (r) => dayOf(r.event_ts),
    minuteOf: (r) => minuteOfTimeText(r.event_ts),
    encoding: { columns: DECISION_COLUMNS, line: decisionLine },
    deadLetterRefusals: true,
  };
  const alerts: SinkSpec<AlertRow> = {
    table: 'alerts',
    stream: names.streams.alerts,
    durable: names.consumers.writerAlerts,
    map: alertRow,
    partitionOf: (r) => dayOf(r.ts),
    minuteOf: (r) => minuteOfTimeText(r.ts),
    deadLetterRefusals: true,
  };
  const deadLetters: SinkSpec<DeadLetterRow> = {
    table: 'dead_letters',
    stream: names.streams.dlq,
    durable: names.consumers.writerDlq,
    map: deadLetterRow,
    partitionOf: (r) => dayOf(r.at),
    minuteOf: (r) => minuteOfTimeText(r.at),
    deadLetterRefusals: false,
  };
  return [new TableSink(events, deps), new TableSink(decisions, deps), new TableSink(alerts, deps), new TableSink(deadLetters, deps)];
}

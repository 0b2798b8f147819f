// Which stream feeds which raw table, through which durable consumer and mapper.
import type { Names } from '../../core/index.js';
import type { RawTable } from '../schema/tables.js';
import { minuteOfTimeText } from './batch-insert.js';
import { InflightMinutes } from './inflight-minutes.js';
import { DECISION_ROWS, EVENT_ROWS, dayOf } from './line-tables.js';
import { AGGREGATED_RAW_TABLES } from './repair-aggregates.js';
import { alertRow, type AlertRow } from './rows/alert-row.js';
import { deadLetterRow, type DeadLetterRow } from './rows/dead-letter-row.js';
import type { DecisionRow } from './rows/decision-row.js';
import type { EventRow } from './rows/event-row.js';
import { TableSink, type SinkDeps, type SinkSpec, type TableSinkCounters } from './table-sink.js';

/** What the writer needs of a sink, whatever its row type. */
export type Sink = {
  readonly spec: Pick<SinkSpec<unknown>, 'table' | 'stream' | 'durable' | 'deadLetterRefusals'>;
  readonly counters: Readonly<TableSinkCounters>;
  readonly handle: TableSink<unknown>['handle'];
  /** The dead letters it published already (TableSink.published). */
  readonly published: TableSink<unknown>['published'];
  stopped(): Promise<void>;
};

/**
 * The sinks of the four raw tables. With `inflightDir` (the data folder, on embedded chDB), those
 * whose table feeds a minute aggregate record the minutes of each insert there before making it.
 */
export function createSinks(names: Names, deps: SinkDeps, inflightDir?: string): Sink[] {
  const inflight = (table: RawTable): InflightMinutes | undefined =>
    inflightDir !== undefined && AGGREGATED_RAW_TABLES.includes(table) ? new InflightMinutes(inflightDir, names.database, table, deps.logger) : undefined;
  const events: SinkSpec<EventRow> = {
    ...EVENT_ROWS,
    table: 'events',
    stream: names.streams.events,
    durable: names.consumers.writerEvents,
    lines: 'events',
    deadLetterRefusals: true,
  };
  const decisions: SinkSpec<DecisionRow> = {
    ...DECISION_ROWS,
    table: 'decisions',
    stream: names.streams.decisions,
    durable: names.consumers.writerDecisions,
    lines: 'decisions',
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
  return [
    new TableSink(events, deps, inflight(events.table)),
    new TableSink(decisions, deps, inflight(decisions.table)),
    new TableSink(alerts, deps, inflight(alerts.table)),
    new TableSink(deadLetters, deps, inflight(deadLetters.table)),
  ];
}

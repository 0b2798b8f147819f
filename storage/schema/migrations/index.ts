// The ordered list of schema migrations. Append only: a shipped migration is never edited, a
// change is a new version. Every statement is idempotent (IF NOT EXISTS, or an ALTER that accepts
// being repeated), or, for a version that rebuilds tables, a procedure that looks at the database
// first and resumes where an interrupted run stopped; so re-running is safe.
import type { Logger } from '../../../core/index.js';
import type { SqlClient } from '../../sql.js';
import type { DdlContext, ViewSpec } from '../ddl.js';
import type { MinuteTable } from '../tables.js';
import { rawTables } from './001_raw_tables.js';
import { VIEWS, minuteAggregates } from './002_minute_aggregates.js';
import { DECISIONS_MINUTE_VIEW, decisionDimensions } from './003_decision_dimensions.js';
import { applyMinuteSortedRawTables, minuteSortedRawTables } from './004_minute_sorted_raw_tables.js';
import { decisionScenario } from './005_decision_scenario.js';

export type Migration = {
  readonly version: number;
  readonly name: string;
  /** The version's SQL in order: what migrate runs, or, with `apply`, the whole plan as text (cluster DDL tests). */
  readonly statements: (ctx: DdlContext) => string[];
  /** A version whose steps depend on the database's state (a table rebuild): migrate runs this instead of the statements. */
  readonly apply?: (client: SqlClient, ctx: DdlContext, logger?: Logger) => Promise<void>;
};

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_raw_tables', statements: rawTables },
  { version: 2, name: '002_minute_aggregates', statements: minuteAggregates },
  { version: 3, name: '003_decision_dimensions', statements: decisionDimensions },
  { version: 4, name: '004_minute_sorted_raw_tables', statements: minuteSortedRawTables, apply: applyMinuteSortedRawTables },
  { version: 5, name: '005_decision_scenario', statements: decisionScenario },
];

/**
 * Each minute aggregate's view query as the latest migration left it, by target table: what the
 * writer's repair (storage/writer/repair-aggregates.ts) recomputes a minute with. A migration that
 * changes a view's query must change this too (repair-aggregates.test.ts compares the two).
 */
export const CURRENT_MINUTE_VIEWS: Readonly<Record<MinuteTable, ViewSpec>> = {
  events_minute: viewTo('events_minute', VIEWS),
  decisions_minute: DECISIONS_MINUTE_VIEW,
  alerts_minute: viewTo('alerts_minute', VIEWS),
};

function viewTo(table: MinuteTable, views: readonly ViewSpec[]): ViewSpec {
  const view = views.find((v) => v.to === table);
  if (!view) throw new Error(`no view writes ${table}`);
  return view;
}

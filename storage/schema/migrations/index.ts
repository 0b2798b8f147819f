// The ordered list of schema migrations. Append only: a shipped migration is never edited, a
// change is a new version. Every statement is idempotent (IF NOT EXISTS, or an ALTER that accepts
// being repeated), so re-running is safe.
import type { DdlContext } from '../ddl.js';
import { rawTables } from './001_raw_tables.js';
import { minuteAggregates } from './002_minute_aggregates.js';
import { decisionDimensions } from './003_decision_dimensions.js';

export type Migration = {
  readonly version: number;
  readonly name: string;
  readonly statements: (ctx: DdlContext) => string[];
};

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_raw_tables', statements: rawTables },
  { version: 2, name: '002_minute_aggregates', statements: minuteAggregates },
  { version: 3, name: '003_decision_dimensions', statements: decisionDimensions },
];

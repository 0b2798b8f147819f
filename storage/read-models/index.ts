// The read models: the queries the dashboard and the API run against storage, behind the narrow
// interfaces their callers declare. Every value is a server-side parameter ({name:Type}).
import { RiskstreamError, type DecisionWire } from '../../core/index.js';
import { isRawTable, type RawTable } from '../schema/tables.js';
import { assertDatabaseName, numberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { listAlerts, type AlertPage, type AlertQuery } from './alerts.js';
import { getDecision } from './decisions.js';
import { minuteKpis, type KpiQuery, type MinuteKpi } from './kpis.js';

export type { AlertPage, AlertQuery, StoredAlert } from './alerts.js';
export type { DecisionCut, DecisionCuts, DecisionKpi, KpiQuery, MinuteKpi, Quantiles } from './kpis.js';

export interface DecisionReader {
  getDecision(eventId: string): Promise<DecisionWire | null>;
}

export interface AlertReader {
  listAlerts(query: AlertQuery): Promise<AlertPage>;
}

export interface KpiReader {
  minuteKpis(query: KpiQuery): Promise<MinuteKpi[]>;
}

export interface RowCounter {
  /** Rows of a raw table; `final` counts each key once (after ReplacingMergeTree dedup). */
  countRows(table: RawTable, options?: { readonly final?: boolean }): Promise<number>;
}

export type ReadModels = DecisionReader & AlertReader & KpiReader & RowCounter;

export function createReadModels(client: SqlClient, database: string): ReadModels {
  assertDatabaseName(database);
  return {
    getDecision: (eventId) => getDecision(client, database, eventId),
    listAlerts: (query) => listAlerts(client, database, query),
    minuteKpis: (query) => minuteKpis(client, database, query),
    async countRows(table, options) {
      // The table name is interpolated, so it must be one of ours, whatever the caller's types said.
      if (!isRawTable(table)) throw new RiskstreamError('RS_ERR_BAD_REQUEST', `${String(table)} is not a raw table`);
      const rows = await selectRows<{ n: unknown }>(client, `SELECT count() AS n FROM ${qualified(database, table)}${options?.final ? ' FINAL' : ''}`);
      return numberOf(rows[0]?.n);
    },
  };
}

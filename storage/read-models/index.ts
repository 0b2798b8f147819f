// The read models: the queries the dashboard and the API run against storage, behind the narrow
// interfaces their callers declare. Every value is a server-side parameter ({name:Type}).
import { RiskstreamError, type DecisionWire } from '../../core/index.js';
import { isRawTable, type RawTable } from '../schema/tables.js';
import { assertDatabaseName, numberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { getAccount, type AccountQuery, type AccountView } from './account-view.js';
import { getAlert, type AlertDetail, type AlertDetailQuery } from './alert-detail.js';
import { listAlerts, type AlertPage, type AlertQuery } from './alerts.js';
import { getNetwork, type Network, type NetworkQuery } from './counterparty-network.js';
import { creditSummary, type CreditSummary } from './credit-summary.js';
import { recentDeadLetters, type DeadLetterQuery, type StoredDeadLetter } from './dead-letters.js';
import { getDecision } from './decisions.js';
import { kpiHistory, type KpiHistory, type KpiHistoryQuery } from './kpi-history.js';
import { minuteKpis, type KpiQuery, type MinuteKpi } from './kpis.js';

export type { AccountQuery, AccountTotals, AccountView, CustomerProfileView, PartyView, TimelineEntry } from './account-view.js';
export { MAX_TIMELINE_LIMIT, PROFILE_LOOK_BACK_MS } from './account-view.js';
export type { AlertDetail, AlertDetailQuery } from './alert-detail.js';
export type { AlertPage, AlertQuery, StoredAlert } from './alerts.js';
export type { Network, NetworkEdge, NetworkNode, NetworkQuery } from './counterparty-network.js';
export { MAX_EDGES_PER_HOP, MAX_HOPS, MAX_NETWORK_NODES } from './counterparty-network.js';
export type { CreditCounts, CreditSummary } from './credit-summary.js';
export { CREDIT_KINDS, MAX_CREDIT_MINUTES } from './credit-summary.js';
export type { DeadLetterQuery, StoredDeadLetter } from './dead-letters.js';
export { MAX_DEAD_LETTERS, PAYLOAD_HEAD_CHARS } from './dead-letters.js';
export type { KpiHistory, KpiHistoryQuery, KpiMinute } from './kpi-history.js';
export { MAX_KPI_MINUTES } from './kpi-history.js';
export type { DecisionCut, DecisionCuts, DecisionKpi, KpiQuery, MinuteKpi, Quantiles } from './kpis.js';
export { MASK_ALL, NO_MASKING, maskDateOfBirth, maskDeviceId, maskEvent, maskIp, maskName, maskParty, type MaskPolicy } from './personal-data.js';
export { DEFAULT_WINDOW_MS, type TimeWindow, type WindowQuery } from './time-window.js';

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

/** The reads behind the dashboard's REST data API. Windows default to the last 7 days of `now`. */
export interface AlertDetailReader {
  /** null when no such alert is stored in the window. */
  getAlert(id: string, query?: AlertDetailQuery): Promise<AlertDetail | null>;
}

export interface AccountReader {
  getAccount(accountId: string, query?: AccountQuery): Promise<AccountView>;
}

export interface NetworkReader {
  getNetwork(root: string, query?: NetworkQuery): Promise<Network>;
}

export interface KpiHistoryReader {
  kpiHistory(query: KpiHistoryQuery): Promise<KpiHistory>;
}

export interface CreditSummaryReader {
  creditSummary(query: { readonly minutes: number }): Promise<CreditSummary>;
}

export interface DeadLetterReader {
  recentDeadLetters(query?: DeadLetterQuery): Promise<StoredDeadLetter[]>;
}

export type DataReader = AlertReader & AlertDetailReader & AccountReader & NetworkReader & KpiHistoryReader & CreditSummaryReader & DeadLetterReader;

export type ReadModels = DecisionReader & RowCounter & KpiReader & DataReader;

export type ReadModelOptions = {
  /** The clock default windows are measured from (tests pin it). */
  readonly now?: () => number;
};

export function createReadModels(client: SqlClient, database: string, options: ReadModelOptions = {}): ReadModels {
  assertDatabaseName(database);
  const now = options.now ?? Date.now;
  return {
    getDecision: (eventId) => getDecision(client, database, eventId),
    listAlerts: (query) => listAlerts(client, database, query),
    minuteKpis: (query) => minuteKpis(client, database, query),
    getAlert: (id, query = {}) => getAlert(client, database, id, query, now()),
    getAccount: (accountId, query = {}) => getAccount(client, database, accountId, query, now()),
    getNetwork: (root, query = {}) => getNetwork(client, database, root, query, now()),
    kpiHistory: (query) => kpiHistory(client, database, query, now()),
    creditSummary: (query) => creditSummary(client, database, query, now()),
    recentDeadLetters: (query = {}) => recentDeadLetters(client, database, query, now()),
    async countRows(table, options) {
      // The table name is interpolated, so it must be one of ours, whatever the caller's types said.
      if (!isRawTable(table)) throw new RiskstreamError('RS_ERR_BAD_REQUEST', `${String(table)} is not a raw table`);
      const rows = await selectRows<{ n: unknown }>(client, `SELECT count() AS n FROM ${qualified(database, table)}${options?.final ? ' FINAL' : ''}`);
      return numberOf(rows[0]?.n);
    },
  };
}

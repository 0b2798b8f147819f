// An account as the drill-down shows it: the customer behind it (their latest KYC profile), totals
// over the window, and the timeline of its payments (out as debtor, in as creditor) with the
// decision and alerts of each, newest first, paged by time.
//
// Payments out are found by events.partition_key (the debtor account), payments in by
// events.counterparty_account (the creditor account); both carry a bloom-filter skip index (the
// second since migration 004), so either half reads only the blocks that may hold the account.
// Every query is bounded by the window and a LIMIT.
//
// The totals of a first page agree with its timeline whatever is stored while the read runs: the
// timeline page is read first, and the totals are the page's own events (with the decision and the
// alerts the page shows for each) plus the account's events dated before the page's nextBefore.
// Reading the two in parallel, as before 2026-12-07, let an event stored between them be counted
// in the totals but missing from the page (the live page then added its decision again) or the
// reverse (never counted until a reload). Now an event the page does not list that is dated at or
// after nextBefore is in neither, and the account page adds it when its decision is pushed.
import { minorUnitsOf, type EventKind, type Reason, type Segment } from '../../core/index.js';
import { decimalText, numberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { NO_MASKING, maskName, maskParty, type MaskPolicy } from './personal-data.js';
import { inWindow, pageSize, timeWindow, type TimeWindow, type WindowQuery } from './time-window.js';

export type PartyView = {
  readonly accountId: string;
  readonly customerId: string;
  readonly name: string | null;
  readonly bank: string | null;
  readonly country: string | null;
};

export type TimelineEntry = {
  readonly eventId: string;
  readonly kind: EventKind;
  readonly ts: number;
  readonly direction: 'in' | 'out' | 'none';
  readonly amount: string;
  readonly currency: string;
  readonly amountUsd: string;
  readonly counterparty: PartyView | null;
  readonly channel: string;
  readonly action: 'allow' | 'review' | 'block' | null;
  readonly score: number | null;
  readonly reasons: readonly Reason[];
  readonly alertIds: readonly string[];
};

export type CustomerProfileView = {
  readonly customerId: string;
  readonly name: string | null;
  readonly segment: Segment | null;
  readonly riskRating: string | null;
  readonly pep: boolean | null;
  readonly country: string | null;
};

/**
 * The account's payments in the window: distinct events (out and in), their first and last event
 * times, the USD received and paid, the alerts raised on its payments out (an alert names the
 * debtor's account) and its payments out that were blocked.
 */
export type AccountTotals = {
  readonly events: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly inUsd: string;
  readonly outUsd: string;
  readonly alerts: number;
  readonly blocked: number;
};

export type AccountView = {
  readonly accountId: string;
  readonly customer: CustomerProfileView | null;
  readonly totals: AccountTotals;
  readonly timeline: readonly TimelineEntry[];
  /**
   * Pass as `before` for the next page; null on the last page. On a first page (no `before`) it is
   * also where the totals split: they count the page's events, decisions and alerts as listed, and
   * the account's events dated before it; an event dated from it on that the page does not list
   * (stored while the read ran) is in neither.
   */
  readonly nextBefore: number | null;
  /** The event times the totals and the timeline cover: `since` inclusive, `until` exclusive (epoch ms). */
  readonly window: TimeWindow;
};

export type AccountQuery = WindowQuery & {
  /** Timeline page size, 1–200 (default 50). */
  readonly limit?: number;
  /** Only timeline entries strictly before this time (epoch ms): the previous page's nextBefore. */
  readonly before?: number;
  readonly mask?: MaskPolicy;
};

export const MAX_TIMELINE_LIMIT = 200;
/** How far back the customer's KYC profile is looked for: profiles change rarely, so further than the window. */
export const PROFILE_LOOK_BACK_MS = 365 * 86_400_000;
// Events sharing one millisecond at a page boundary are returned together, up to this many.
const MAX_SAME_MS = 1000;

export async function getAccount(client: SqlClient, database: string, accountId: string, query: AccountQuery, now: number): Promise<AccountView> {
  const window = timeWindow(query, now);
  const limit = pageSize(query.limit, 50, MAX_TIMELINE_LIMIT);
  const mask = (query.mask ?? NO_MASKING)('payment');
  const [customer, page] = await Promise.all([customerProfile(client, database, accountId, window, now), timelinePage(client, database, accountId, window, limit, query.before)]);
  // A later page's totals cover the whole window (the account page reads them from the first only).
  const split: TotalsSplit =
    query.before === undefined ? { before: page.nextBefore ?? window.since, pageIds: page.rows.map((r) => r.id) } : { before: window.until, pageIds: [] };
  const [timeline, counted] = await Promise.all([withDecisions(client, database, page.rows), accountTotals(client, database, accountId, window, split)]);
  const totals = query.before === undefined ? withPageCounts(counted, timeline, accountId) : counted;
  return {
    accountId,
    customer: customer && mask ? { ...customer, name: customer.name === null ? null : maskName(customer.name) } : customer,
    totals,
    timeline: mask ? timeline.map((e) => (e.counterparty ? { ...e, counterparty: maskParty(e.counterparty) } : e)) : timeline,
    nextBefore: page.nextBefore,
    window,
  };
}

// The account's payments out and in as a subquery, one row per stored copy and direction (a row
// stored twice, before the ReplacingMergeTree merges it, is collapsed by the caller with LIMIT 1
// BY). `extra` is a fixed condition of the caller (a time bound); the account is {account:String}.
// Payments only (loan and customer events are partitioned by the customer id, which is not an
// account). Cash at the counter names the account on both sides and moves one way, as the
// features count it: a deposit is money in only, a withdrawal money out only.
function accountEvents(database: string, columns: { out: string; in: string }, extra: string): string {
  const events = qualified(database, 'events');
  return `(
       SELECT ${columns.out} FROM ${events}
       WHERE partition_key = {account:String} AND kind = 'payment'
         AND NOT (type = 'cash_deposit' AND counterparty_account = partition_key) AND ${extra}
       UNION ALL
       SELECT ${columns.in} FROM ${events}
       WHERE counterparty_account = {account:String} AND kind = 'payment'
         AND NOT (type = 'cash_withdrawal' AND counterparty_account = partition_key) AND ${extra}
     )`;
}

type TotalCells = { n: unknown; first_ms: unknown; last_ms: unknown; in_usd: string; out_usd: string; n_alerts: unknown; n_blocked: unknown };

/**
 * Which stored rows the totals read themselves: events dated before `before` and the events of
 * `pageIds` (a page already read; rows never change, so any later read finds the same ones), and
 * the alerts and blocks of events dated before `before` only (those of the page's events are the
 * ones the page lists: withPageCounts).
 */
type TotalsSplit = { readonly before: number; readonly pageIds: readonly string[] };

async function accountTotals(client: SqlClient, database: string, account: string, window: TimeWindow, split: TotalsSplit): Promise<AccountTotals> {
  const both = accountEvents(
    database,
    { out: "id, ts, amount_usd, if(kind = 'payment', 'out', 'none') AS direction", in: "id, ts, amount_usd, 'in' AS direction" },
    `${inWindow('ts')} AND (ts < fromUnixTimestamp64Milli({before:Int64}) OR id IN {pageIds:Array(String)})`,
  );
  const rows = await selectRows<TotalCells>(
    client,
    `SELECT uniqExact(id) AS n,
            toUnixTimestamp64Milli(min(ts)) AS first_ms, toUnixTimestamp64Milli(max(ts)) AS last_ms,
            toDecimalString(sumIf(amount_usd, direction = 'in'), 2) AS in_usd,
            toDecimalString(sumIf(amount_usd, direction = 'out'), 2) AS out_usd,
            (SELECT uniqExact(id) FROM ${qualified(database, 'alerts')}
              WHERE account_id = {account:String} AND event_kind = 'payment' AND ${inWindow('ts')} AND ts < fromUnixTimestamp64Milli({before:Int64})) AS n_alerts,
            (SELECT uniqExact(event_id) FROM ${qualified(database, 'decisions')}
              WHERE account_id = {account:String} AND event_kind = 'payment' AND action = 'block'
                AND ${inWindow('event_ts')} AND event_ts < fromUnixTimestamp64Milli({before:Int64})) AS n_blocked
     FROM (SELECT * FROM ${both} LIMIT 1 BY id, direction)`,
    { account, ...window, before: split.before, pageIds: split.pageIds },
  );
  const row = rows[0];
  const n = numberOf(row?.n);
  return {
    events: n,
    firstSeen: n > 0 ? numberOf(row?.first_ms) : null,
    lastSeen: n > 0 ? numberOf(row?.last_ms) : null,
    inUsd: row?.in_usd ?? '0.00',
    outUsd: row?.out_usd ?? '0.00',
    alerts: numberOf(row?.n_alerts),
    blocked: numberOf(row?.n_blocked),
  };
}

/**
 * Adds to the totals read the alerts and blocks of the page's payments out (the account is their
 * debtor: a payment out, or cash paid in at its own counter) as the page lists them, so that a
 * decision or an alert stored after the page was read is counted by neither.
 */
function withPageCounts(totals: AccountTotals, page: readonly TimelineEntry[], account: string): AccountTotals {
  let alerts = totals.alerts;
  let blocked = totals.blocked;
  for (const entry of page) {
    if (!isDebtorHere(entry, account)) continue;
    alerts += entry.alertIds.length;
    if (entry.action === 'block') blocked += 1;
  }
  return { ...totals, alerts, blocked };
}

/** True when the entry's payment was made by the account (its alerts and decision name it). */
export function isDebtorHere(entry: Pick<TimelineEntry, 'direction' | 'counterparty'>, account: string): boolean {
  return entry.direction === 'out' || (entry.direction === 'in' && entry.counterparty?.accountId === account);
}

type ProfileCells = { raw: string };

/**
 * The customer behind the account: the latest customer id its payments carry (as debtor or as
 * creditor) or its decisions name (a payment naming no customer is decided as the customer the
 * account is linked to by a customer event's `accounts`), then that customer's latest `customer`
 * event (partition_key is the customer id).
 */
async function customerProfile(client: SqlClient, database: string, account: string, window: TimeWindow, now: number): Promise<CustomerProfileView | null> {
  const events = qualified(database, 'events');
  const ids = await selectRows<{ cid: string }>(
    client,
    `SELECT cid FROM (
       SELECT customer_id AS cid, ts FROM ${events}
       WHERE partition_key = {account:String} AND kind = 'payment' AND customer_id != '' AND ${inWindow('ts')}
       UNION ALL
       SELECT JSONExtractString(raw, 'creditor', 'customerId') AS cid, ts FROM ${events}
       WHERE counterparty_account = {account:String} AND kind = 'payment' AND ${inWindow('ts')}
       UNION ALL
       SELECT customer_id AS cid, event_ts AS ts FROM ${qualified(database, 'decisions')}
       WHERE account_id = {account:String} AND customer_id != '' AND ${inWindow('event_ts')}
     ) WHERE cid != '' ORDER BY ts DESC LIMIT 1`,
    { account, ...window },
  );
  const customerId = ids[0]?.cid;
  if (!customerId) return null;
  const rows = await selectRows<ProfileCells>(
    client,
    `SELECT raw FROM ${events}
     WHERE partition_key = {customerId:String} AND kind = 'customer'
       AND ts >= fromUnixTimestamp64Milli({profileSince:Int64}) AND ts < fromUnixTimestamp64Milli({until:Int64})
     ORDER BY ts DESC, id DESC LIMIT 1`,
    { customerId, profileSince: Math.min(window.since, now - PROFILE_LOOK_BACK_MS), until: window.until },
  );
  const raw = rows[0]?.raw;
  if (raw === undefined) return { customerId, name: null, segment: null, riskRating: null, pep: null, country: null };
  const profile = JSON.parse(raw) as Record<string, unknown>;
  return {
    customerId,
    name: stringOrNull(profile.name),
    segment: stringOrNull(profile.segment) as Segment | null,
    riskRating: stringOrNull(profile.riskRating),
    pep: typeof profile.pep === 'boolean' ? profile.pep : null,
    country: stringOrNull(profile.country),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

type TimelineCells = {
  id: string;
  kind: string;
  ts_ms: unknown;
  direction: 'in' | 'out' | 'none';
  amount_text: string;
  currency: string;
  usd: string;
  channel: string;
  cp_account: string;
};

const PAGE_COLUMNS = {
  out: `id, kind, ts, if(kind = 'payment', 'out', 'none') AS direction, amount, currency, amount_usd, channel, counterparty_account AS cp_account`,
  in: `id, kind, ts, 'in' AS direction, amount, currency, amount_usd, channel, partition_key AS cp_account`,
};

const PAGE_SELECT = `id, kind, toUnixTimestamp64Milli(ts) AS ts_ms, direction, toString(amount) AS amount_text, currency,
            toDecimalString(amount_usd, 2) AS usd, channel, if(direction = 'none', '', cp_account) AS cp_account`;

type TimelinePage = { readonly rows: readonly TimelineCells[]; readonly nextBefore: number | null };

async function timelinePage(client: SqlClient, database: string, account: string, window: TimeWindow, limit: number, before: number | undefined): Promise<TimelinePage> {
  const bound = before === undefined ? inWindow('ts') : `${inWindow('ts')} AND ts < fromUnixTimestamp64Milli({before:Int64})`;
  // LIMIT 1 BY id collapses stored copies, and shows a self-transfer (one event both ways) once, as out.
  const rows = await selectRows<TimelineCells>(
    client,
    `SELECT ${PAGE_SELECT} FROM ${accountEvents(database, PAGE_COLUMNS, bound)}
     ORDER BY ts DESC, id DESC, direction DESC LIMIT 1 BY id LIMIT {limit:UInt32}`,
    { account, ...window, before, limit: limit + 1 },
  );
  if (rows.length <= limit) return { rows, nextBefore: null };
  // Paging is by time alone (`before`), so a page must end at a millisecond boundary: events of
  // the first millisecond left out go to the next page whole.
  const cut = numberOf(rows[limit]!.ts_ms);
  const page = rows.slice(0, limit).filter((r) => numberOf(r.ts_ms) > cut);
  if (page.length > 0) return { rows: page, nextBefore: cut + 1 };
  // The whole page shares one millisecond: return every event of it, and continue before it.
  const same = await selectRows<TimelineCells>(
    client,
    `SELECT ${PAGE_SELECT} FROM ${accountEvents(database, PAGE_COLUMNS, `${inWindow('ts')} AND ts = fromUnixTimestamp64Milli({at:Int64})`)}
     ORDER BY id DESC, direction DESC LIMIT 1 BY id LIMIT {limit:UInt32}`,
    { account, ...window, at: cut, limit: MAX_SAME_MS },
  );
  // continue before it only if something is there ("null on the last page")
  const older = await selectRows<{ one: unknown }>(
    client,
    `SELECT 1 AS one FROM ${accountEvents(database, { out: 'id', in: 'id' }, `${inWindow('ts')} AND ts < fromUnixTimestamp64Milli({at:Int64})`)} LIMIT 1`,
    { account, ...window, at: cut },
  );
  return { rows: same, nextBefore: older.length > 0 ? cut : null };
}

type DecisionCells = { event_id: string; action: string; score: unknown; reasons: string };
type AlertIdCells = { event_id: string; ids: string[] };
type PartyCells = { id: string; side: string; customer: string; name: string; bank: string; country: string };

/**
 * Completes the page's events: the decision, the alert ids and the counterparty's details (from
 * the raw JSON: the creditor of a payment out, the debtor of a payment in), each looked up by the
 * page's event ids within the page's time span.
 */
async function withDecisions(client: SqlClient, database: string, rows: readonly TimelineCells[]): Promise<TimelineEntry[]> {
  if (rows.length === 0) return [];
  const times = rows.map((r) => numberOf(r.ts_ms));
  const params = { ids: rows.map((r) => r.id), since: Math.min(...times), until: Math.max(...times) + 1 };
  const [decisions, alerts, parties] = await Promise.all([
    selectRows<DecisionCells>(
      client,
      `SELECT event_id, action, score, reasons FROM ${qualified(database, 'decisions')}
       WHERE event_id IN {ids:Array(String)} AND ${inWindow('event_ts')}
       LIMIT 1 BY event_id`,
      params,
    ),
    selectRows<AlertIdCells>(
      client,
      `SELECT event_id, arraySort(groupUniqArray(id)) AS ids FROM ${qualified(database, 'alerts')}
       WHERE event_id IN {ids:Array(String)} AND ${inWindow('ts')}
       GROUP BY event_id`,
      params,
    ),
    selectRows<PartyCells>(
      client,
      `SELECT id, side, JSONExtractString(raw, side, 'customerId') AS customer, JSONExtractString(raw, side, 'name') AS name,
              JSONExtractString(raw, side, 'bank') AS bank, JSONExtractString(raw, side, 'country') AS country
       FROM (SELECT id, raw FROM ${qualified(database, 'events')}
             WHERE id IN {ids:Array(String)} AND kind = 'payment' AND ${inWindow('ts')} LIMIT 1 BY id)
       ARRAY JOIN ['debtor', 'creditor'] AS side`,
      params,
    ),
  ]);
  const decisionOf = new Map(decisions.map((d) => [d.event_id, d]));
  const alertsOf = new Map(alerts.map((a) => [a.event_id, a.ids]));
  const partyOf = new Map(parties.map((p) => [`${p.id}\u0000${p.side}`, p]));
  return rows.map((row): TimelineEntry => {
    const decision = decisionOf.get(row.id);
    const party = row.direction === 'none' ? undefined : partyOf.get(`${row.id}\u0000${row.direction === 'out' ? 'creditor' : 'debtor'}`);
    return {
      eventId: row.id,
      kind: row.kind as EventKind,
      ts: numberOf(row.ts_ms),
      direction: row.direction,
      amount: row.currency === '' ? '0' : decimalText(row.amount_text, minorUnitsOf(row.currency)),
      currency: row.currency,
      amountUsd: row.usd,
      counterparty:
        row.cp_account === ''
          ? null
          : {
              accountId: row.cp_account,
              customerId: party?.customer ?? '',
              name: orNull(party?.name),
              bank: orNull(party?.bank),
              country: orNull(party?.country),
            },
      channel: row.channel,
      action: decision ? (decision.action as TimelineEntry['action']) : null,
      score: decision ? numberOf(decision.score) : null,
      reasons: decision ? (JSON.parse(decision.reasons) as Reason[]) : [],
      alertIds: alertsOf.get(row.id) ?? [],
    };
  });
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

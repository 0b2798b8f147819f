// The credit page's history: loan decisions per minute by event kind and action, from
// decisions_minute. For applications allow / review / block read approve / refer / decline.
import { EVENT_KINDS, type EventKind } from '../../core/index.js';
import { qualified, selectRows, type SqlClient } from '../sql.js';
import { pageSize } from './time-window.js';

export type CreditCounts = {
  readonly decisions: number;
  readonly allowed: number;
  readonly reviewed: number;
  readonly blocked: number;
  /** USD at the indicative rates, exact decimal text with 2 decimals. */
  readonly amountUsd: string;
  readonly reviewedAmountUsd: string;
  readonly blockedAmountUsd: string;
};

export type CreditSummary = {
  /** Every minute of the range, oldest first; `byKind` holds only the kinds decided in it. */
  readonly minutes: ReadonlyArray<{ readonly minute: number; readonly byKind: Readonly<Record<string, CreditCounts>> }>;
  /** The whole range per kind. */
  readonly totals: Readonly<Record<string, CreditCounts>>;
};

export const MAX_CREDIT_MINUTES = 1440;

/** The event kinds of the credit life cycle: loans and the collateral behind them. */
export const CREDIT_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => k.startsWith('loan.') || k === 'collateral.valuation');

type CountCells = { m: unknown; kind: string; n: unknown; n_allowed: unknown; n_reviewed: unknown; n_blocked: unknown; usd: string; reviewed_usd: string; blocked_usd: string };

export async function creditSummary(client: SqlClient, database: string, query: { readonly minutes: number }, now: number): Promise<CreditSummary> {
  const count = pageSize(query.minutes, 60, MAX_CREDIT_MINUTES, 'minutes');
  const last = Math.floor(now / 60_000) * 60_000;
  const first = last - (count - 1) * 60_000;
  // m = 0 marks the totals of the range (a UNION ALL branch grouped by kind alone).
  const measures = `sum(decisions) AS n, sum(allowed) AS n_allowed, sum(reviewed) AS n_reviewed, sum(blocked) AS n_blocked,
       toDecimalString(sum(amount_usd), 2) AS usd, toDecimalString(sum(reviewed_amount_usd), 2) AS reviewed_usd,
       toDecimalString(sum(blocked_amount_usd), 2) AS blocked_usd`;
  const from = `FROM ${qualified(database, 'decisions_minute')}
     WHERE minute >= toDateTime({since:Int64}, 'UTC') AND minute < toDateTime({until:Int64}, 'UTC') AND kind IN {kinds:Array(String)}`;
  const rows = await selectRows<CountCells>(
    client,
    `SELECT toUnixTimestamp(minute) AS m, kind, ${measures} ${from} GROUP BY m, kind
     UNION ALL
     SELECT 0 AS m, kind, ${measures} ${from} GROUP BY kind`,
    { since: first / 1000, until: (last + 60_000) / 1000, kinds: CREDIT_KINDS },
  );
  const byMinute = new Map<number, Record<string, CreditCounts>>();
  const totals: Record<string, CreditCounts> = {};
  for (const row of rows) {
    const counts: CreditCounts = {
      decisions: Number(row.n),
      allowed: Number(row.n_allowed),
      reviewed: Number(row.n_reviewed),
      blocked: Number(row.n_blocked),
      amountUsd: row.usd,
      reviewedAmountUsd: row.reviewed_usd,
      blockedAmountUsd: row.blocked_usd,
    };
    const minute = Number(row.m) * 1000;
    if (minute === 0) {
      totals[row.kind] = counts;
      continue;
    }
    let kinds = byMinute.get(minute);
    if (!kinds) byMinute.set(minute, (kinds = {}));
    kinds[row.kind] = counts;
  }
  const minutes: Array<CreditSummary['minutes'][number]> = [];
  for (let minute = first; minute <= last; minute += 60_000) minutes.push({ minute, byKind: byMinute.get(minute) ?? {} });
  return { minutes, totals };
}

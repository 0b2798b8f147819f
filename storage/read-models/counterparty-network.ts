// The counterparty network of an account: payment edges (debtor account → creditor account, with
// count, USD sum and last time) found hop by hop from a root, up to a node cap, so that the app can
// draw the graph and expand a node later. A node whose counterparties were not all included is
// flagged `more`. Each hop is one query over the window, bounded by a LIMIT on edges.
import { numberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { NO_MASKING, maskName, type MaskPolicy } from './personal-data.js';
import { inWindow, pageSize, timeWindow, type TimeWindow, type WindowQuery } from './time-window.js';

export type NetworkNode = {
  readonly id: string;
  /** The account holder's latest name in the window, or the account id when none was sent. */
  readonly label: string;
  readonly country: string | null;
  /** Hops from the root (0 = the root). */
  readonly hop: number;
  /** Alerts on this account (as the paying account) in the window. */
  readonly alerts: number;
  /** True when this node has counterparties not included. */
  readonly more: boolean;
};

export type NetworkEdge = { readonly from: string; readonly to: string; readonly count: number; readonly amountUsd: string; readonly lastTs: number };

export type Network = { readonly root: string; readonly nodes: readonly NetworkNode[]; readonly edges: readonly NetworkEdge[] };

export type NetworkQuery = WindowQuery & {
  /** How far to expand, 1–3 (default 1). */
  readonly hops?: number;
  /** Most nodes, the root included, 2–200 (default 50). */
  readonly limit?: number;
  readonly mask?: MaskPolicy;
};

export const MAX_HOPS = 3;
export const MAX_NETWORK_NODES = 200;
/** Most edges one hop reads; past it the hop's nodes are flagged `more` rather than read further. */
export const MAX_EDGES_PER_HOP = 5000;

type EdgeCells = { src: string; dst: string; n: unknown; usd: string; last_ms: unknown };

export async function getNetwork(client: SqlClient, database: string, root: string, query: NetworkQuery, now: number): Promise<Network> {
  const window = timeWindow(query, now);
  const hops = pageSize(query.hops, 1, MAX_HOPS, 'hops');
  const limit = pageSize(query.limit, 50, MAX_NETWORK_NODES);
  const nodes = new Map<string, { hop: number; more: boolean }>([[root, { hop: 0, more: false }]]);
  const edges = new Map<string, NetworkEdge>();
  let frontier = [root];
  // One level past `hops`: it adds no nodes, but finds the edges among the outermost nodes and
  // tells which of them have counterparties beyond the graph.
  for (let level = 1; level <= hops + 1 && frontier.length > 0; level++) {
    const rows = await edgesTouching(client, database, frontier, window);
    const inFrontier = new Set(frontier);
    const next: string[] = [];
    for (const row of rows) {
      for (const [near, far] of [[row.src, row.dst], [row.dst, row.src]] as const) {
        if (!inFrontier.has(near)) continue;
        if (!nodes.has(far)) {
          if (level > hops || nodes.size >= limit) {
            nodes.get(near)!.more = true;
            continue;
          }
          nodes.set(far, { hop: level, more: false });
          next.push(far);
        }
        edges.set(`${row.src}\u0000${row.dst}`, {
          from: row.src,
          to: row.dst,
          count: numberOf(row.n),
          amountUsd: row.usd,
          lastTs: numberOf(row.last_ms),
        });
      }
    }
    if (rows.length >= MAX_EDGES_PER_HOP) for (const id of frontier) nodes.get(id)!.more = true;
    frontier = next;
  }
  const ids = [...nodes.keys()];
  const [labels, alerts] = await Promise.all([nodeLabels(client, database, ids, window), alertCounts(client, database, ids, window)]);
  const mask = (query.mask ?? NO_MASKING)('payment');
  return {
    root,
    nodes: ids.map((id) => {
      const node = nodes.get(id)!;
      const label = labels.get(id);
      const name = label?.name ? (mask ? maskName(label.name) : label.name) : id;
      return { id, label: name, country: label?.country || null, hop: node.hop, alerts: alerts.get(id) ?? 0, more: node.more };
    }),
    edges: [...edges.values()],
  };
}

/** Aggregated payment edges with an end in `accounts`, strongest first. */
async function edgesTouching(client: SqlClient, database: string, accounts: readonly string[], window: TimeWindow): Promise<EdgeCells[]> {
  const events = qualified(database, 'events');
  const columns = 'id, partition_key AS src, counterparty_account AS dst, amount_usd, ts';
  return selectRows<EdgeCells>(
    client,
    `SELECT src, dst, count() AS n, toDecimalString(sum(amount_usd), 2) AS usd, toUnixTimestamp64Milli(max(ts)) AS last_ms
     FROM (
       SELECT * FROM (
         SELECT ${columns} FROM ${events} WHERE kind = 'payment' AND partition_key IN {accounts:Array(String)} AND ${inWindow('ts')}
         UNION ALL
         SELECT ${columns} FROM ${events} WHERE kind = 'payment' AND counterparty_account IN {accounts:Array(String)} AND ${inWindow('ts')}
       ) LIMIT 1 BY id
     )
     GROUP BY src, dst
     ORDER BY n DESC, src, dst
     LIMIT {maxEdges:UInt32}`,
    { accounts, ...window, maxEdges: MAX_EDGES_PER_HOP },
  );
}

type LabelCells = { account: string; name: string; country: string };

/** Each account's latest holder name and country as its payments carry them (paying or paid). */
async function nodeLabels(client: SqlClient, database: string, accounts: readonly string[], window: TimeWindow): Promise<Map<string, LabelCells>> {
  const events = qualified(database, 'events');
  const rows = await selectRows<LabelCells>(
    client,
    `SELECT account, argMaxIf(name, ts, name != '') AS name, argMaxIf(country, ts, country != '') AS country FROM (
       SELECT partition_key AS account, JSONExtractString(raw, 'debtor', 'name') AS name, debtor_country AS country, ts
       FROM ${events} WHERE kind = 'payment' AND partition_key IN {accounts:Array(String)} AND ${inWindow('ts')}
       UNION ALL
       SELECT counterparty_account AS account, JSONExtractString(raw, 'creditor', 'name') AS name, creditor_country AS country, ts
       FROM ${events} WHERE kind = 'payment' AND counterparty_account IN {accounts:Array(String)} AND ${inWindow('ts')}
     ) GROUP BY account`,
    { accounts, ...window },
  );
  return new Map(rows.map((r) => [r.account, r]));
}

async function alertCounts(client: SqlClient, database: string, accounts: readonly string[], window: TimeWindow): Promise<Map<string, number>> {
  const rows = await selectRows<{ account_id: string; n: unknown }>(
    client,
    `SELECT account_id, uniqExact(id) AS n FROM ${qualified(database, 'alerts')}
     WHERE account_id IN {accounts:Array(String)} AND ${inWindow('ts')}
     GROUP BY account_id`,
    { accounts, ...window },
  );
  return new Map(rows.map((r) => [r.account_id, numberOf(r.n)]));
}

// The data-API read models against real chDB: alert detail, account view (profile, totals, paged
// timeline), counterparty network, KPI history, credit summary, dead letters; masking; time bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor, RiskstreamError, toReportingMinor } from '../../core/index.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import { selectRows, type SqlClient } from '../sql.js';
import { DAY_MS, MINUTE_MS, NET, NOW, TIMELINE_IDS, accountActivity, at, seedDataReads, storeActivity } from './data-fixtures.js';
import { MASK_ALL, createReadModels, type ReadModels, type TimelineEntry } from './index.js';

const database = `t_data_reads_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;
let reads: ReadModels;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-data-reads-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 30 });
  reads = createReadModels(ch.client, database, { now: () => NOW });
  await seedDataReads(ch.client, database);
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const usd = (amount: string, currency: string): string => {
  const [whole = '0', fraction = ''] = amount.split('.');
  const scale = currency === 'JPY' ? 0 : 2;
  const minor = Number(whole + fraction.padEnd(scale, '0'));
  return formatMinor(toReportingMinor(minor, currency), 'USD');
};
const cents = (text: string): number => Math.round(Number(text) * 100);

describe('data reads - alert detail', () => {
  it('alert detail - returns the alert, its decision with an exact amount, and the event as ingested', async () => {
    const detail = await reads.getAlert('al-t-2');
    expect(detail?.alert).toMatchObject({ id: 'al-t-2', eventId: 't-out-2', domain: 'aml', amount: '250.50', currency: 'EUR' });
    expect(detail?.decision).toMatchObject({ eventId: 't-out-2', action: 'block', score: 950, amount: '250.50', currency: 'EUR' });
    expect(detail?.event).toMatchObject({ id: 't-out-2', debtor: { name: 'Ann Lee' }, device: { id: 'dev-7f3a9', ip: '203.0.113.7' } });
  });

  it('alert detail - masks names, IP and device id in the event when asked', async () => {
    const detail = await reads.getAlert('al-t-2', { mask: MASK_ALL });
    expect(detail?.event).toMatchObject({ debtor: { name: 'A** L**', accountId: 'T-1' }, creditor: { name: 'C*** D***' }, device: { id: 'de****', ip: '203.0.*.*' } });
    expect(JSON.stringify(detail?.event)).not.toContain('Ann Lee');
  });

  it('alert detail - opens an alert the feed lists: one raised in the window on an event dated before it', async () => {
    const late = await reads.getAlert('al-late');
    expect(late?.alert).toMatchObject({ id: 'al-late', eventId: 't-old' });
    expect(late?.event).toMatchObject({ id: 't-old' });
  });

  it('alert detail - is bounded by time: an alert older than the window needs an earlier since', async () => {
    expect(await reads.getAlert('al-old')).toBeNull();
    const old = await reads.getAlert('al-old', { since: NOW - 11 * DAY_MS });
    expect(old?.alert.id).toBe('al-old');
    expect(old?.decision?.action).toBe('block');
    expect(old?.event).toMatchObject({ id: 't-old' });
  });

  it('alert detail - answers null for an unknown id and treats the id as a value', async () => {
    expect(await reads.getAlert('nope')).toBeNull();
    expect(await reads.getAlert("al-t-2' OR '1'='1")).toBeNull();
  });
});

describe('data reads - account view', () => {
  it('account - profile from the latest customer event, totals over the window', async () => {
    const view = await reads.getAccount('T-1');
    expect(view.customer).toEqual({ customerId: 'C-T1', name: 'Ann Lee', segment: 'vip', riskRating: 'medium', pep: true, country: 'US' });
    const out = ['5.00', '10.00', '10.00', '100.00'].reduce((n, a) => n + cents(a), 0) + cents(usd('1500', 'JPY')) + cents(usd('250.50', 'EUR'));
    expect(view.totals).toEqual({
      // t-out-1 is stored twice and counted once; t-old is outside the window.
      events: 7,
      firstSeen: at(50),
      lastSeen: at(5),
      inUsd: '1005.00',
      outUsd: (out / 100).toFixed(2),
      alerts: 2,
      blocked: 1,
    });
  });

  it('account - the timeline lists payments out and in, newest first, with decision, alerts and counterparty', async () => {
    const view = await reads.getAccount('T-1', { limit: 50 });
    expect(view.timeline.map((e) => e.eventId)).toEqual(TIMELINE_IDS);
    expect(view.nextBefore).toBeNull();
    const byId = new Map(view.timeline.map((e) => [e.eventId, e]));
    expect(byId.get('t-out-2')).toMatchObject<Partial<TimelineEntry>>({
      direction: 'out',
      amount: '250.50',
      currency: 'EUR',
      amountUsd: usd('250.50', 'EUR'),
      action: 'block',
      score: 950,
      alertIds: ['al-t-1', 'al-t-2'],
      counterparty: { accountId: 'T-2', customerId: 'C-T2', name: 'Carl Diaz', bank: 'BANKGB2L', country: 'GB' },
      channel: 'mobile',
    });
    expect(byId.get('t-out-2')!.reasons[0]).toMatchObject({ code: 'VELOCITY_1H' });
    expect(byId.get('t-in-1')).toMatchObject({ direction: 'in', amount: '1000.00', action: 'review', counterparty: { accountId: 'T-3', name: 'Bob Stone', country: 'DE' } });
    expect(byId.get('t-out-5')).toMatchObject({ amount: '1500', currency: 'JPY', action: null, score: null, reasons: [], alertIds: [] });
    // A self-transfer is one line.
    expect(byId.get('t-self')).toMatchObject({ direction: 'out', counterparty: { accountId: 'T-1' } });
  });

  it('account - cash at the counter moves one way: a deposit is money in, a withdrawal money out', async () => {
    const view = await reads.getAccount('T-9');
    expect(view.totals).toMatchObject({ events: 2, inUsd: '100.00', outUsd: '50.00' });
    expect(view.timeline.map((e) => [e.eventId, e.direction])).toEqual([
      ['t-cash-w', 'out'],
      ['t-cash-d', 'in'],
    ]);
  });

  it('account - pages by time without losing or repeating events that share a millisecond', async () => {
    const pages: string[][] = [];
    let before: number | undefined;
    for (let i = 0; i < 10; i++) {
      const view = await reads.getAccount('T-1', { limit: 3, ...(before === undefined ? {} : { before }) });
      pages.push(view.timeline.map((e) => e.eventId));
      if (view.nextBefore === null) break;
      before = view.nextBefore;
    }
    // The first page stops before the millisecond that t-out-4 and t-out-3 share.
    expect(pages).toEqual([['t-self', 't-out-5'], ['t-out-4', 't-out-3', 't-in-1'], ['t-out-2', 't-out-1']]);
  });

  it('account - a page of one still returns every event of its millisecond', async () => {
    const first = await reads.getAccount('T-1', { limit: 2 });
    expect(first.timeline.map((e) => e.eventId)).toEqual(['t-self', 't-out-5']);
    const second = await reads.getAccount('T-1', { limit: 1, before: first.nextBefore! });
    expect(second.timeline.map((e) => e.eventId)).toEqual(['t-out-4', 't-out-3']);
    const third = await reads.getAccount('T-1', { limit: 1, before: second.nextBefore! });
    expect(third.timeline.map((e) => e.eventId)).toEqual(['t-in-1']);
    // the window's last millisecond, returned whole: nothing before it, so no next page
    const last = await reads.getAccount('T-1', { limit: 1, since: at(20), before: first.nextBefore! });
    expect(last.timeline.map((e) => e.eventId)).toEqual(['t-out-4', 't-out-3']);
    expect(last.nextBefore).toBeNull();
  });

  it('account - is bounded by time: an earlier since brings older events into the totals and timeline', async () => {
    const view = await reads.getAccount('T-1', { since: NOW - 11 * DAY_MS });
    // al-old and al-late are both on t-old
    expect(view.totals).toMatchObject({ events: 8, firstSeen: NOW - 10 * DAY_MS, alerts: 4, blocked: 2 });
    expect(view.timeline.at(-1)!.eventId).toBe('t-old');
  });

  it('account - a payment naming no customer shows the holder its decision names (the account linked by a customer event)', async () => {
    const view = await reads.getAccount('T-L');
    expect(view.customer).toMatchObject({ customerId: 'C-T1', name: 'Ann Lee', segment: 'vip' });
  });

  it('account - masks the customer and counterparty names when asked', async () => {
    const view = await reads.getAccount('T-1', { mask: MASK_ALL });
    expect(view.customer?.name).toBe('A** L**');
    expect(view.timeline.find((e) => e.eventId === 't-in-1')!.counterparty).toEqual({ accountId: 'T-3', customerId: 'C-T3', name: 'B** S****', bank: 'BANKDEFF', country: 'DE' });
    expect(JSON.stringify(view)).not.toMatch(/Ann Lee|Bob Stone|Carl Diaz/);
  });

  it('account - an unknown account has no profile, zero totals and an empty timeline', async () => {
    const view = await reads.getAccount("T-1' OR 1=1 --");
    expect(view).toEqual({
      accountId: "T-1' OR 1=1 --",
      customer: null,
      totals: { events: 0, firstSeen: null, lastSeen: null, inUsd: '0.00', outUsd: '0.00', alerts: 0, blocked: 0 },
      timeline: [],
      nextBefore: null,
      // the default window: 7 days back to a day ahead of now (the live page adds nothing outside it)
      window: { since: NOW - 7 * 86_400_000, until: NOW + 86_400_000 },
    });
  });

  // Dated 5 to 6 hours back: out of the hour the KPI tests read.
  // `late` is stored as soon as the first query that `first` tells has been read; the queries that
  // `held` tells wait for it. Held beside the page, the totals of a read that reads them in
  // parallel with the page (as before 2026-12-07) count the late event and the page does not.
  function storingAfter(first: (sql: string) => boolean, held: (sql: string) => boolean, late: () => Promise<void>): SqlClient {
    let stored: Promise<void> | null = null;
    let firstRead!: () => void;
    const afterFirst = new Promise<void>((resolve) => (firstRead = resolve));
    return {
      query: async (p) => {
        if (held(p.query)) {
          await afterFirst;
          await stored;
          return ch.client.query(p);
        }
        const result = await ch.client.query(p);
        if (first(p.query)) {
          stored ??= late();
          firstRead();
          await stored;
        }
        return result;
      },
      command: (p) => ch.client.command(p),
      insert: (p) => ch.client.insert(p),
    };
  }
  const isPage = (sql: string): boolean => sql.includes('ORDER BY ts DESC, id DESC, direction DESC');

  it.each([
    ['the whole window on one page', 'T-R1', 50, null],
    ['a page of one', 'T-R2', 1, at(330) + 1],
  ] as const)('account - an event stored while the read runs is in neither its totals nor its timeline (%s)', async (_name, account, limit, nextBefore) => {
    await storeActivity(ch.client, database, [accountActivity(`${account}-1`, at(330), account, 'allow'), accountActivity(`${account}-2`, at(320), account, 'block', `al-${account}-2`)]);
    // newer than the page: the live page adds it when its decision and alert are pushed
    const late = accountActivity(`${account}-3`, at(310), account, 'block', `al-${account}-3`);
    const racing = createReadModels(storingAfter(isPage, (sql) => !isPage(sql), () => storeActivity(ch.client, database, [late])), database, { now: () => NOW });
    const view = await racing.getAccount(account, { limit });
    expect(view.timeline.map((e) => e.eventId)).toEqual(limit === 1 ? [`${account}-2`] : [`${account}-2`, `${account}-1`]);
    expect(view.nextBefore).toBe(nextBefore);
    expect(view.totals).toMatchObject({ events: 2, lastSeen: at(320), outUsd: '20.00', alerts: 1, blocked: 1 });
    // the late event was stored: a read now counts it
    expect((await reads.getAccount(account, { limit })).totals).toMatchObject({ events: 3, lastSeen: at(310), outUsd: '30.00', alerts: 2, blocked: 2 });
  });

  it('account - a decision stored after the page looked its decisions up is not in the totals: the page shows the event undecided', async () => {
    const account = 'T-R3';
    const activity = accountActivity(`${account}-1`, at(320), account, 'block', `al-${account}-1`);
    await storeActivity(ch.client, database, [{ event: activity.event, alerts: activity.alerts }]);
    const decisionsLookup = (sql: string): boolean => sql.includes('LIMIT 1 BY event_id');
    const totalsOrAlerts = (sql: string): boolean => sql.includes('uniqExact') || sql.includes('groupUniqArray');
    const racing = createReadModels(
      storingAfter(decisionsLookup, totalsOrAlerts, () => storeActivity(ch.client, database, [{ decision: activity.decision }])),
      database,
      { now: () => NOW },
    );
    const view = await racing.getAccount(account);
    // the alert was stored before the page looked alerts up: listed and counted; the decision after: neither
    expect(view.timeline).toMatchObject([{ eventId: `${account}-1`, action: null, alertIds: [`al-${account}-1`] }]);
    expect(view.totals).toMatchObject({ events: 1, alerts: 1, blocked: 0 });
    expect((await reads.getAccount(account)).totals).toMatchObject({ events: 1, alerts: 1, blocked: 1 });
  });

  it('account - refuses a limit out of range', async () => {
    await expect(reads.getAccount('T-1', { limit: 201 })).rejects.toBeInstanceOf(RiskstreamError);
  });
});

describe('data reads - counterparty network', () => {
  const ids = (n: { nodes: ReadonlyArray<{ id: string }> }): string[] => n.nodes.map((x) => x.id).sort();

  it('network - one hop: direct counterparties both ways, edges aggregated, `more` where the graph goes on', async () => {
    const net = await reads.getNetwork('N-A', { hops: 1 });
    expect(ids(net)).toEqual(['N-A', 'N-B', 'N-C', 'N-D']);
    const node = (id: string) => net.nodes.find((n) => n.id === id)!;
    expect(node('N-A')).toEqual({ id: 'N-A', label: 'Alice Able', country: 'US', hop: 0, alerts: 0, more: false });
    expect(node('N-B')).toEqual({ id: 'N-B', label: 'Bert Brown', country: 'GB', hop: 1, alerts: 2, more: true });
    expect(node('N-C').more).toBe(false);
    expect(node('N-D').more).toBe(false);
    const edges = [...net.edges].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
    expect(edges).toEqual([
      { from: 'N-A', to: 'N-B', count: 2, amountUsd: '150.25', lastTs: at(55) },
      { from: 'N-A', to: 'N-C', count: 1, amountUsd: '20.00', lastTs: at(50) },
      // Between two hop-1 nodes: found while looking past the last hop.
      { from: 'N-C', to: 'N-B', count: 1, amountUsd: '7.00', lastTs: at(30) },
      { from: 'N-D', to: 'N-A', count: 1, amountUsd: '30.00', lastTs: at(45) },
    ]);
  });

  it('network - hops 2 and 3 expand outward', async () => {
    const two = await reads.getNetwork('N-A', { hops: 2 });
    expect(ids(two)).toEqual(['N-A', 'N-B', 'N-C', 'N-D', 'N-E']);
    expect(two.nodes.find((n) => n.id === 'N-E')).toMatchObject({ hop: 2, more: true });
    expect(two.nodes.find((n) => n.id === 'N-B')!.more).toBe(false);
    const three = await reads.getNetwork('N-A', { hops: 3 });
    expect(ids(three)).toEqual(['N-A', 'N-B', 'N-C', 'N-D', 'N-E', 'N-F']);
    expect(three.nodes.find((n) => n.id === 'N-F')).toMatchObject({ hop: 3, more: false, label: 'Fay Fox' });
    expect(three.nodes.every((n) => !n.more)).toBe(true);
    expect(three.edges).toHaveLength(6);
  });

  it('network - the node cap keeps the strongest counterparties and flags the rest as more', async () => {
    const net = await reads.getNetwork('N-A', { hops: 2, limit: 3 });
    expect(ids(net)).toEqual(['N-A', 'N-B', 'N-C']);
    expect(net.nodes.find((n) => n.id === 'N-A')!.more).toBe(true);
    expect(net.nodes.find((n) => n.id === 'N-B')!.more).toBe(true);
    expect(net.edges.every((e) => ['N-A', 'N-B', 'N-C'].includes(e.from) && ['N-A', 'N-B', 'N-C'].includes(e.to))).toBe(true);
  });

  it('network - is bounded by time, and masks labels when asked', async () => {
    expect(ids(await reads.getNetwork('N-A', { since: NOW - 11 * DAY_MS }))).toContain('N-OLD');
    const masked = await reads.getNetwork('N-A', { mask: MASK_ALL });
    expect(masked.nodes.find((n) => n.id === 'N-A')!.label).toBe('A**** A***');
    expect(JSON.stringify(masked)).not.toContain(NET.B.name);
  });

  it('network - a root without payments is a single node', async () => {
    expect(await reads.getNetwork('nobody')).toEqual({ root: 'nobody', nodes: [{ id: 'nobody', label: 'nobody', country: null, hop: 0, alerts: 0, more: false }], edges: [] });
    await expect(reads.getNetwork('N-A', { hops: 4 })).rejects.toThrow(/hops/);
  });
});

describe('data reads - KPI history, credit summary, dead letters', () => {
  const last = Math.floor(NOW / MINUTE_MS) * MINUTE_MS;
  const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS;

  it('kpi history - every minute of the range, oldest first, with the decisions and alerts of each', async () => {
    const { minutes } = await reads.kpiHistory({ minutes: 60 });
    expect(minutes).toHaveLength(60);
    expect(minutes[0]!.minute).toBe(last - 59 * MINUTE_MS);
    expect(minutes.at(-1)!.minute).toBe(last);
    expect(minutes.reduce((n, m) => n + m.decisions, 0)).toBe(6);
    const blockMinute = minutes.find((m) => m.minute === minuteOf(at(40)))!;
    expect(blockMinute).toMatchObject({ decisions: 1, blocked: 1, blockedAmountUsd: usd('250.50', 'EUR'), scoreP50: 950, latencyP50Ms: 7, alerts: 2 });
    expect(minutes.find((m) => m.minute === minuteOf(at(20)))).toMatchObject({ decisions: 0, decidedAmountUsd: '0.00', latencyP50Ms: null, scoreP50: null, alerts: 0 });
  });

  it('kpi history - cuts the decisions by kind, channel and country', async () => {
    const loans = await reads.kpiHistory({ minutes: 10, kind: 'loan.application' });
    expect(loans.minutes).toHaveLength(10);
    expect(loans.minutes.find((m) => m.minute === minuteOf(at(3)))).toMatchObject({ decisions: 2, allowed: 1, blocked: 1, decidedAmountUsd: '35000.50', blockedAmountUsd: '25000.50' });
    expect(loans.minutes.reduce((n, m) => n + m.decisions, 0)).toBe(2);
    const mobile = await reads.kpiHistory({ minutes: 60, channel: 'mobile', country: 'US' });
    expect(mobile.minutes.reduce((n, m) => n + m.decisions, 0)).toBe(3);
    expect((await reads.kpiHistory({ minutes: 60, channel: "x' OR 1=1" })).minutes.every((m) => m.decisions === 0)).toBe(true);
    await expect(reads.kpiHistory({ minutes: 1441 })).rejects.toThrow(/minutes/);
  });

  it('credit summary - loan decisions per minute by kind and action, with totals', async () => {
    const summary = await reads.creditSummary({ minutes: 5 });
    expect(summary.minutes).toHaveLength(5);
    expect(summary.minutes.find((m) => m.minute === minuteOf(at(3)))!.byKind).toEqual({
      'loan.application': { decisions: 2, allowed: 1, reviewed: 0, blocked: 1, amountUsd: '35000.50', reviewedAmountUsd: '0.00', blockedAmountUsd: '25000.50' },
    });
    expect(summary.minutes.find((m) => m.minute === minuteOf(at(2)))!.byKind).toEqual({
      'loan.repayment': { decisions: 1, allowed: 1, reviewed: 0, blocked: 0, amountUsd: '318.20', reviewedAmountUsd: '0.00', blockedAmountUsd: '0.00' },
    });
    expect(Object.keys(summary.totals).sort()).toEqual(['loan.application', 'loan.repayment']);
    expect(summary.totals['loan.application']!.decisions).toBe(2);
    // Payments are not credit decisions; a range before the loans holds none.
    expect((await reads.creditSummary({ minutes: 1 })).totals).toEqual({});
  });

  it('dead letters - newest first within the window, payload cut to its head', async () => {
    const letters = await reads.recentDeadLetters();
    expect(letters.map((l) => l.code)).toEqual(['RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_JSON']);
    expect(letters[0]).toMatchObject({ source: 'processor', streamSeq: 41, at: at(1), payloadBytes: 5011 });
    expect(letters[0]!.payload).toHaveLength(2048);
    expect(letters[1]).toMatchObject({ streamSeq: null, payload: 'not json', payloadBytes: 8 });
    expect(await reads.recentDeadLetters({ limit: 1 })).toHaveLength(1);
    expect(await reads.recentDeadLetters({ since: NOW - 9 * DAY_MS })).toHaveLength(3);
  });
});

describe('data reads - indexes', () => {
  it('indexes - the account and network reads of payments in use the counterparty skip index', async () => {
    // The queries the read models really issue, recorded through a client that passes them on.
    const issued: Array<{ query: string; params: Record<string, unknown> }> = [];
    const recording: SqlClient = {
      query: (p) => {
        issued.push({ query: p.query, params: (p.query_params ?? {}) as Record<string, unknown> });
        return ch.client.query(p);
      },
      command: (p) => ch.client.command(p),
      insert: (p) => ch.client.insert(p),
    };
    const recorded = createReadModels(recording, database, { now: () => NOW });
    await recorded.getAccount('T-1');
    await recorded.getNetwork('N-A', { hops: 1 });
    const paymentsIn = issued.filter((q) => /counterparty_account (=|IN) \{account/.test(q.query));
    expect(paymentsIn.length).toBeGreaterThanOrEqual(4);
    for (const { query, params } of paymentsIn) {
      const plan = (await selectRows<{ explain: string }>(ch.client, `EXPLAIN indexes = 1 ${query}`, params)).map((r) => r.explain).join('\n');
      expect(plan, query).toMatch(/Name: idx_counterparty/);
    }
  });
});

describe('data reads - windows', () => {
  it('windows - refuse a since after until, and times outside 2000–2100', async () => {
    await expect(reads.getAccount('T-1', { since: NOW, until: NOW - 1 })).rejects.toThrow(/before until/);
    await expect(reads.recentDeadLetters({ since: 5 })).rejects.toThrow(/since/);
  });
});

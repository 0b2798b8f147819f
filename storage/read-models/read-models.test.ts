// The read models against real chDB: exact decimals, filters, paging, minute KPIs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RiskstreamError, type AlertWire, type DecisionWire } from '../../core/index.js';
import { payment } from '../../test/harness.js';
import { createClickHouse, type ClickHouse } from '../clickhouse.js';
import { migrate } from '../schema/migrate.js';
import type { RawTable } from '../schema/tables.js';
import { selectRows } from '../sql.js';
import { TS, alert, decision } from '../test-fixtures.js';
import { insertRows, type BatchTarget } from '../writer/batch-insert.js';
import { alertRow } from '../writer/rows/alert-row.js';
import { decisionRow } from '../writer/rows/decision-row.js';
import { eventRow } from '../writer/rows/event-row.js';
import type { RowOutcome, WireMessage } from '../writer/rows/row-outcome.js';
import { createReadModels, type ReadModels } from './index.js';

const database = `t_reads_${process.pid}`;
let dataDir: string;
let ch: ClickHouse;
let reads: ReadModels;

const MINUTE = Math.floor(TS / 60_000) * 60_000;

async function store<R>(table: RawTable, map: (m: WireMessage) => RowOutcome<R>, values: readonly unknown[]): Promise<void> {
  const target: BatchTarget = { client: ch.client, database, table, insertSettings: undefined };
  const rows = values.map((value) => {
    const outcome = map({ subject: 't.ev.payment.0', data: new TextEncoder().encode(JSON.stringify(value)), ingestTs: null });
    if (!outcome.ok) throw new Error(outcome.reason);
    return { key: outcome.key, row: outcome.row, partition: '0' };
  });
  expect(await insertRows(target, rows)).toEqual([]);
}

// The largest amount the contracts carry: 2^53 − 1 minor units, beyond a double's exact decimals in major units.
const BIG: DecisionWire = decision({
  eventId: 'r-big',
  amountMinor: Number.MAX_SAFE_INTEGER,
  currency: 'USD',
  features: { ratio: 0.1 + 0.2, tiny: 5e-324, count: 3 },
  latencyMs: { processing: 0.123456789, total: null },
  labels: { patterns: [] },
});

// A kind without channel or counterparty: those are '' on the wire, and '' in the cuts.
const R3: DecisionWire = decision({
  eventId: 'r-3',
  eventKind: 'customer',
  eventTs: TS + 60_000,
  action: 'review',
  score: 500,
  amountMinor: 1,
  currency: 'USD',
  latencyMs: { processing: 3, total: null },
  counterpartyId: '',
  channel: '',
  paymentType: '',
  country: 'DE',
  counterpartyCountry: '',
});

const ALERTS: AlertWire[] = [
  alert({ id: 'a-1', createdAt: TS + 1, domain: 'aml', severity: 'high', typology: 'structuring', amountMinor: 1_234_567, currency: 'BHD' }),
  alert({ id: 'a-2', createdAt: TS + 2, domain: 'fraud', severity: 'critical', typology: 'account_takeover', amountMinor: 150_000, currency: 'JPY', segment: 'standard' }),
  alert({ id: 'a-3', createdAt: TS + 3, domain: 'aml', severity: 'medium', typology: 'pass_through' }),
  alert({ id: 'a-4', createdAt: TS + 4, domain: 'aml', severity: 'high', typology: 'structuring' }),
  alert({ id: 'a-5', createdAt: TS + 4, domain: 'credit', severity: 'low', typology: 'early_warning' }),
  alert({ id: 'a-6', createdAt: TS + 60_000, ts: TS + 60_000, domain: 'fraud', severity: 'high', typology: 'card_testing' }),
];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rs-storage-reads-'));
  ch = await createClickHouse({ dataDir, database });
  await migrate(ch.client, { database, retentionDays: 30 });
  reads = createReadModels(ch.client, database);
  await store('decisions', decisionRow, [
    BIG,
    decision({ eventId: 'r-1', eventTs: TS, action: 'allow', score: 100, amountMinor: 1000, currency: 'USD', latencyMs: { processing: 1, total: 4 } }),
    decision({ eventId: 'r-2', eventTs: TS, action: 'block', score: 900, amountMinor: 2_000_001, currency: 'USD', latencyMs: { processing: 2, total: 8 }, channel: 'online', paymentType: 'card', country: 'DE', counterpartyCountry: 'FR' }),
    R3,
  ]);
  await store('alerts', alertRow, ALERTS);
  await store('events', eventRow, [
    payment('e-1', { ts: new Date(TS).toISOString(), amount: '0.10' }),
    payment('e-2', { ts: new Date(TS).toISOString(), amount: '0.20' }),
    payment('e-3', { ts: new Date(TS + 60_000).toISOString(), amount: '1000000.01' }),
  ]);
});

afterAll(async () => {
  await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('read models', () => {
  it('reads - getDecision returns the decision as it was published, exact to the minor unit', async () => {
    expect(await reads.getDecision('r-big')).toEqual(BIG);
    const stored = await selectRows<{ amount: string }>(ch.client, `SELECT toString(amount) AS amount FROM \`${database}\`.decisions WHERE event_id = 'r-big'`);
    expect(stored[0]!.amount).toBe('90071992547409.91');
  });

  it('reads - getDecision returns channel, payment type and countries as stored, empty ones too', async () => {
    expect(await reads.getDecision('r-3')).toEqual(R3);
    expect(await reads.getDecision('r-2')).toMatchObject({ channel: 'online', paymentType: 'card', country: 'DE', counterpartyCountry: 'FR' });
    const stored = await selectRows<{ channel: string; country: string }>(ch.client, `SELECT channel, country FROM \`${database}\`.decisions WHERE event_id = 'r-2'`);
    expect(stored).toEqual([{ channel: 'online', country: 'DE' }]);
  });

  it('reads - getDecision answers null for an unknown event, and treats the id as a value', async () => {
    expect(await reads.getDecision('nope')).toBeNull();
    expect(await reads.getDecision("r-big' OR '1'='1")).toBeNull();
  });

  it('reads - listAlerts returns newest first with exact amounts in each currency', async () => {
    const page = await reads.listAlerts({ limit: 10 });
    expect(page.alerts.map((a) => a.id)).toEqual(['a-6', 'a-5', 'a-4', 'a-3', 'a-2', 'a-1']);
    expect(page.nextCursor).toBeNull();
    const bhd = page.alerts.find((a) => a.id === 'a-1')!;
    expect(bhd).toEqual({ ...ALERTS[0], amount: '1234.567' });
    expect(page.alerts.find((a) => a.id === 'a-2')!.amount).toBe('150000');
    expect(page.alerts.find((a) => a.id === 'a-3')!.amount).toBe('9999.50');
  });

  it.each([
    [{ domain: 'aml' as const }, ['a-4', 'a-3', 'a-1']],
    [{ domain: 'aml' as const, severity: 'high' as const }, ['a-4', 'a-1']],
    [{ typology: 'structuring' }, ['a-4', 'a-1']],
    [{ segment: 'standard' as const }, ['a-2']],
    [{ since: TS + 4 }, ['a-6', 'a-5', 'a-4']],
    [{ typology: "x' OR 1=1 --" }, []],
  ])('reads - listAlerts filters by %j', async (filter, ids) => {
    const page = await reads.listAlerts({ ...filter, limit: 50 });
    expect(page.alerts.map((a) => a.id)).toEqual(ids);
  });

  it('reads - listAlerts pages with a cursor that survives equal creation times', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ReadModels['listAlerts']>> = await reads.listAlerts({ limit: 2, cursor });
      seen.push(...page.alerts.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a-6', 'a-5', 'a-4', 'a-3', 'a-2', 'a-1']);
  });

  it('reads - listAlerts refuses a forged cursor and an out-of-range limit', async () => {
    await expect(reads.listAlerts({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(RiskstreamError);
    await expect(reads.listAlerts({ limit: 0 })).rejects.toThrow(/limit/);
  });

  it('reads - minuteKpis merges the minute aggregates: counts, exact sums, quantiles, alerts', async () => {
    const kpis = await reads.minuteKpis({ since: MINUTE });
    expect(kpis.map((k) => k.minute)).toEqual([MINUTE, MINUTE + 60_000]);
    const [first, second] = kpis;
    expect(first).toMatchObject({
      events: 2,
      eventAmountUsd: '0.30',
      decisions: 3,
      allowed: 1,
      reviewed: 1, // the BIG fixture decision is a review
      blocked: 1,
      decidedAmountUsd: '90071992567419.92', // 90071992547409.91 + 10.00 + 20000.01
      blockedAmountUsd: '20000.01',
      alerts: 5,
      alertsByDomain: { aml: 3, fraud: 1, credit: 1 },
      alertsByTypology: { 'aml/structuring': 2, 'aml/pass_through': 1, 'fraud/account_takeover': 1, 'credit/early_warning': 1 },
    });
    expect(first!.score!.p50).toBeGreaterThanOrEqual(100);
    expect(first!.score!.p99).toBeLessThanOrEqual(900);
    expect(first!.latencyTotalMs!.p99).toBeLessThanOrEqual(8);
    expect(second).toMatchObject({ events: 1, eventAmountUsd: '1000000.01', decisions: 1, reviewed: 1, reviewedAmountUsd: '0.01', latencyTotalMs: null, alerts: 1 });
    expect(await reads.minuteKpis({ since: MINUTE, until: MINUTE + 60_000 })).toHaveLength(1);
  });

  it('reads - minuteKpis cuts the decisions of each minute by kind, channel and country', async () => {
    const [first, second] = await reads.minuteKpis({ since: MINUTE });
    // BIG and r-1 are mobile payments from the US; r-2 an online card payment from DE.
    expect(first!.decisionsBy.channel).toEqual({
      mobile: expect.objectContaining({ decisions: 2, allowed: 1, reviewed: 1, blocked: 0, decidedAmountUsd: '90071992547419.91', blockedAmountUsd: '0.00' }),
      online: expect.objectContaining({ decisions: 1, blocked: 1, decidedAmountUsd: '20000.01', blockedAmountUsd: '20000.01' }),
    });
    expect(Object.keys(first!.decisionsBy.country).sort()).toEqual(['DE', 'US']);
    expect(first!.decisionsBy.country.DE).toEqual(first!.decisionsBy.channel.online);
    expect(first!.decisionsBy.kind).toEqual({ payment: expect.objectContaining({ decisions: 3 }) });
    // Quantiles per cut: one decision each in DE, so every level is its score and latency.
    expect(first!.decisionsBy.country.DE!.score).toEqual({ p50: 900, p90: 900, p99: 900 });
    expect(first!.decisionsBy.country.DE!.latencyTotalMs).toEqual({ p50: 8, p90: 8, p99: 8 });
    // A customer event has no channel: it is counted under ''.
    expect(second!.decisionsBy).toEqual({
      kind: { customer: expect.objectContaining({ decisions: 1, reviewed: 1 }) },
      channel: { '': expect.objectContaining({ decisions: 1, reviewed: 1, latencyTotalMs: null }) },
      country: { DE: expect.objectContaining({ decisions: 1 }) },
    });
    // Every cut adds up to the minute's total.
    for (const kpi of [first!, second!]) {
      for (const cut of Object.values(kpi.decisionsBy)) {
        expect(Object.values(cut).reduce((n, k) => n + k.decisions, 0)).toBe(kpi.decisions);
      }
    }
  });

  it('reads - countRows counts a raw table and refuses any other name', async () => {
    expect(await reads.countRows('decisions')).toBe(4);
    expect(await reads.countRows('alerts', { final: true })).toBe(6);
    await expect(reads.countRows('system.users' as RawTable)).rejects.toThrow(/not a raw table/);
  });
});

import { describe, expect, it } from 'vitest';
import type { PaymentEventWire } from '../../core/contracts/index.js';
import { toReportingMinor } from '../../core/fx.js';
import { parseAmount } from '../../core/money.js';
import { createSimulator } from './index.js';

const START = Date.parse('2026-11-29T08:00:00.000Z');
const HOUR = 3600_000;

// At 5 events/s a few hours of event time, so that hour-long windows fill; patterns as usual.
const sim = createSimulator({ seed: 23, startTs: START, rate: 5 });
const events = sim.take(50_000);
const payments = events.filter((e): e is PaymentEventWire => e.kind === 'payment' && Date.parse(e.ts) >= START);
const labelled = (p: PaymentEventWire): boolean => (p.labels?.patterns.length ?? 0) > 0;
const usd = (p: PaymentEventWire): number => {
  const parsed = parseAmount(p.amount, p.currency);
  if (!parsed.ok) throw new Error(parsed.message);
  return toReportingMinor(parsed.minor, p.currency) / 100;
};

/**
 * Payments at which `key`'s account has dealt with at least `distinct` counterparties within
 * `windowMs` (the payment included), split by whether the payment is labelled.
 */
function lookAlikes(
  list: readonly PaymentEventWire[],
  key: (p: PaymentEventWire) => string,
  other: (p: PaymentEventWire) => string,
  distinct: number,
  windowMs: number,
): { labelled: number; unlabelled: number } {
  const recent = new Map<string, { ts: number; other: string }[]>();
  let bad = 0;
  let good = 0;
  for (const p of list) {
    const ts = Date.parse(p.ts);
    const k = key(p);
    const window = (recent.get(k) ?? []).filter((r) => r.ts > ts - windowMs);
    window.push({ ts, other: other(p) });
    recent.set(k, window);
    if (new Set(window.map((r) => r.other)).size < distinct) continue;
    if (labelled(p)) bad++;
    else good++;
  }
  return { labelled: bad, unlabelled: good };
}

describe('episodes - everyday look-alikes, unlabelled', () => {
  it('starts each kind of episode, and labels none of their events', () => {
    const started = sim.stats().episodesStarted;
    for (const name of ['payroll', 'collections', 'small_burst', 'large_one_off']) expect(started[name] ?? 0).toBeGreaterThan(5);
    expect(events.every((e) => e.labels !== undefined)).toBe(true);
  });

  it('payroll: many fan-outs (8+ payees in an hour) are a firm paying its staff, not laundering', () => {
    const fanOuts = lookAlikes(payments, (p) => p.debtor.accountId, (p) => p.creditor.accountId, 8, HOUR);
    expect(fanOuts.labelled).toBeGreaterThan(0);
    // Until 2026-12 every such payment was labelled fan_out (or another pattern).
    expect(fanOuts.unlabelled / (fanOuts.labelled + fanOuts.unlabelled)).toBeGreaterThan(0.3);
    const salaries = payments.filter((p) => !labelled(p) && p.purpose === 'Salary' && p.debtor.customerId !== undefined);
    expect(salaries.length).toBeGreaterThan(50);
  });

  it('collections: many fan-ins (10+ payers in an hour) are a firm paid by its customers', () => {
    // Transfers into the bank's own accounts (card payments into a merchant are a fan-in by nature).
    const intoCustomers = payments.filter((p) => p.type === 'transfer' && p.creditor.customerId !== undefined);
    const fanIns = lookAlikes(intoCustomers, (p) => p.creditor.accountId, (p) => p.debtor.accountId, 10, HOUR);
    expect(fanIns.labelled).toBeGreaterThan(0);
    expect(fanIns.unlabelled / (fanIns.labelled + fanIns.unlabelled)).toBeGreaterThan(0.3);
  });

  it('small bursts: many runs of 5+ card payments under 10 USD in 15 minutes are transit taps or in-app purchases', () => {
    const small = payments.filter((p) => p.type === 'card' && usd(p) < 10);
    const bursts = lookAlikes(small, (p) => p.debtor.accountId, (p) => p.id ?? '', 5, 15 * 60_000);
    expect(bursts.labelled).toBeGreaterThan(0);
    expect(bursts.unlabelled / (bursts.labelled + bursts.unlabelled)).toBeGreaterThan(0.2);
  });

  it('large one-offs: people with history pay 5,000 USD or more to someone new, some after a small test transfer', () => {
    const paidBefore = new Set<string>();
    const firstPayees = new Map<string, number>();
    let large = 0;
    let afterTest = 0;
    for (const p of payments) {
      const pair = `${p.debtor.accountId}>${p.creditor.accountId}`;
      if (!labelled(p) && p.type === 'transfer' && p.debtor.accountType === 'personal' && usd(p) >= 5000 && paidBefore.has(p.debtor.accountId)) {
        large++;
        const test = firstPayees.get(pair);
        if (test !== undefined && test <= 50) afterTest++;
      }
      if (!firstPayees.has(pair)) firstPayees.set(pair, usd(p));
      paidBefore.add(p.debtor.accountId);
    }
    expect(large).toBeGreaterThan(20);
    // About 20 one-offs in this stream, four in ten after a test transfer.
    expect(afterTest).toBeGreaterThanOrEqual(2);
  });
});

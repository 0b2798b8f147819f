import { describe, expect, it } from 'vitest';
import type { LoanApplicationWire, LoanDisbursementWire, LoanMissedPaymentWire, LoanRepaymentWire, WireEvent } from '../../core/contracts/index.js';
import { validateEvent } from '../../core/contracts/index.js';
import { createSimulator } from './index.js';
import { DECLINE_ABOVE_PD, annuity, planTroubledLoan, probabilityOfDefault } from './loans.js';
import { Rng } from './rng.js';
import type { ScenarioStep } from './scenario.js';
import { timing } from './time.js';
import { World } from './world.js';

const START = Date.parse('2026-11-29T08:00:00.000Z');

describe('loans - annuity', () => {
  it.each([
    [100_000, 12, 12, 8_885],
    [25_000_000, 6, 360, 149_888],
    [120_000, 0, 12, 10_000],
    [1_000_000, 24, 1, 1_020_000],
  ])('%i minor at %i%% over %i months pays %i a month', (principal, rate, months, expected) => {
    expect(annuity(principal, rate, months)).toBe(expected);
  });
});

describe('loans - a cured loan', () => {
  // Planned directly (not through a stream) so that whole lives, up to 30 years, can be walked.
  const world = new World({ seed: 3, startTs: START, customers: 500, merchants: 100 });
  const ctx = { rng: Rng.of(3, 0x10a), world, now: START, time: timing(1440, 43_200) };
  const lives: ScenarioStep[][] = [];
  for (let i = 0; i < 40; i++) lives.push([...(planTroubledLoan(ctx, 'cured') ?? [])]);

  it('misses one run of instalments, then repays every instalment once to the end of its term', () => {
    for (const life of lives) {
      const events = life.map((s) => s.event);
      const term = events.find((e): e is LoanDisbursementWire => e.kind === 'loan.disbursement')?.termMonths ?? 0;
      const missedInstalments = new Set(events.flatMap((e) => (e.kind === 'loan.missed_payment' ? [e.installment] : [])));
      expect(missedInstalments.size).toBe(1);
      const repaid = events.flatMap((e) => (e.kind === 'loan.repayment' ? [e.installment] : []));
      expect(repaid).toEqual(Array.from({ length: term }, (_, i) => i + 1));
      expect(Math.max(...events.flatMap((e) => (e.kind === 'loan.missed_payment' ? [e.daysPastDue] : [])))).toBeLessThan(60);
    }
  });

  it('schedules every step at a finite time and releases the borrower at its end', () => {
    for (const life of lives) expect(life.every((s) => Number.isFinite(s.at))).toBe(true);
    const borrowers = lives.map((life) => world.indexOfCustomer(life[0]?.event.kind === 'loan.application' ? life[0].event.customerId : '') ?? -1);
    for (const index of borrowers) {
      expect(world.claimBorrower(index)).toBe(true);
      world.releaseBorrower(index);
    }
  });
});

/** The PD the bank's rule saw, recomputed from the application as a scorer would read it. */
function pdOf(app: LoanApplicationWire): number {
  const dti = (Number(app.monthlyDebtPayments) * 12) / Number(app.annualIncome);
  return probabilityOfDefault({ bureauScore: app.bureauScore ?? 0, dti, employmentYears: app.employmentYears ?? 0, purpose: app.purpose });
}

describe('loans - approval', () => {
  // Many loans, of which a few per cent are labelled bad; whole lives are not needed here.
  const events = createSimulator({ seed: 8, startTs: START, rate: 5, loanRate: 0.05 }).take(40_000);
  const disbursed = new Set(events.flatMap((e) => (e.kind === 'loan.disbursement' ? [e.applicationId] : [])));
  const applications = events.filter((e): e is LoanApplicationWire => e.kind === 'loan.application');
  // Applications near the end of the stream are not decided yet.
  const decided = applications.slice(0, -50);
  const approved = decided.filter((a) => disbursed.has(a.applicationId));
  const bad = approved.filter((a) => a.labels?.credit === true);
  const mean = (list: readonly LoanApplicationWire[]): number => list.reduce((sum, a) => sum + pdOf(a), 0) / list.length;

  it('applies one rule to every application: none approved above the cut-off, labelled or not', () => {
    expect(approved.length).toBeGreaterThan(400);
    expect(approved.filter((a) => pdOf(a) >= DECLINE_ABOVE_PD + 0.005).map((a) => a.labels?.patterns)).toEqual([]);
    expect(decided.filter((a) => !disbursed.has(a.applicationId) && pdOf(a) < DECLINE_ABOVE_PD - 0.005)).toEqual([]);
  });

  it('makes loans that go bad riskier on average, so the application still has signal', () => {
    expect(bad.length).toBeGreaterThan(15);
    expect(mean(bad)).toBeGreaterThan(1.5 * mean(approved.filter((a) => a.labels?.credit !== true)));
  });

  it('labels a few per cent of approved loans bad, injected ones included', () => {
    const injected = new Set(events.flatMap((e) => (e.labels?.credit === true ? [e.labels.scenarioId] : [])));
    expect(injected.size).toBeGreaterThan(0);
    expect(bad.length / approved.length).toBeGreaterThan(0.02);
    expect(bad.length / approved.length).toBeLessThan(0.08);
  });

  it('comes with loans, not from the deck of patterns: without loans no credit label, however often patterns start', () => {
    const sim = createSimulator({ seed: 8, startTs: START, patternRate: 0.05, loanRate: 0 });
    const noLoans = sim.take(10_000);
    expect(noLoans.filter((e) => e.labels?.credit === true)).toEqual([]);
    expect(Object.values(sim.stats().scenariosStarted).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  });
});

describe('loans - lives on the stream', () => {
  // At 5 events/s a loan month (one minute at the default loanTimeScale) is 300 events.
  // Five times the default loan rate: only a few per cent of loans go bad.
  const events: WireEvent[] = createSimulator({ seed: 21, startTs: START, rate: 5, loanRate: 0.005 }).take(60_000);
  const loanEvents = events.filter((e) => e.kind.startsWith('loan.') || e.kind === 'collateral.valuation');
  const byLoan = new Map<string, WireEvent[]>();
  for (const e of loanEvents) {
    if (!('loanId' in e) || e.loanId === undefined) continue;
    byLoan.set(e.loanId, [...(byLoan.get(e.loanId) ?? []), e]);
  }
  const labelled = (name: string): WireEvent[][] => [...byLoan.values()].filter((list) => list[0]?.labels?.patterns.includes(name));
  const missed = (list: WireEvent[]): LoanMissedPaymentWire[] => list.filter((e): e is LoanMissedPaymentWire => e.kind === 'loan.missed_payment');
  const repaid = (list: WireEvent[]): LoanRepaymentWire[] => list.filter((e): e is LoanRepaymentWire => e.kind === 'loan.repayment');

  it('emits valid loan events of every kind', () => {
    const kinds = new Set(loanEvents.map((e) => e.kind));
    for (const kind of ['loan.application', 'loan.disbursement', 'loan.repayment', 'loan.missed_payment', 'collateral.valuation']) expect(kinds).toContain(kind);
    const invalid = loanEvents.filter((e) => !validateEvent(e, undefined, START + 6 * 3600_000).ok);
    expect(invalid.slice(0, 2)).toEqual([]);
  });

  it('disburses before the first repayment, which is due a month later', () => {
    for (const list of [...byLoan.values()].slice(0, 50)) {
      const disbursement = list.find((e): e is LoanDisbursementWire => e.kind === 'loan.disbursement');
      expect(disbursement).toBeDefined();
      const first = repaid(list)[0] ?? missed(list)[0];
      if (first && disbursement) expect(first.dueDate).toBe(disbursement.firstDueDate);
    }
  });

  it('reports growing days past due for a defaulting loan and then nothing more is paid', () => {
    const loans = labelled('loan_default').filter((list) => missed(list).length >= 4);
    expect(loans.length).toBeGreaterThan(0);
    for (const list of loans) {
      const dpd = missed(list).map((m) => m.daysPastDue);
      expect(dpd).toEqual([...dpd].sort((a, b) => a - b));
      expect(new Set(dpd).size).toBe(dpd.length);
      const firstMiss = list.findIndex((e) => e.kind === 'loan.missed_payment');
      expect(list.slice(firstMiss).some((e) => e.kind === 'loan.repayment')).toBe(false);
      const dues = missed(list).map((m) => Number(m.amountDue));
      expect(dues[dues.length - 1]).toBeGreaterThan(dues[0] ?? 0);
    }
  });

  it('pays the arrears late when a missed repayment cures, and labels the loan', () => {
    const loans = labelled('missed_repayment').filter((list) => missed(list).length > 0 && repaid(list).some((r) => (r.daysLate ?? 0) >= 5));
    expect(loans.length).toBeGreaterThan(0);
    for (const list of loans) {
      const miss = missed(list)[0] as LoanMissedPaymentWire;
      const cure = repaid(list).find((r) => r.installment === miss.installment);
      expect(cure?.daysLate).toBeGreaterThanOrEqual(miss.daysPastDue);
      expect(list.every((e) => e.labels?.credit === true)).toBe(true);
    }
  });

  it('keeps performing loans unlabelled with instalments in order', () => {
    const performing = [...byLoan.values()].filter((list) => list[0]?.labels?.patterns.length === 0 && repaid(list).length >= 3);
    expect(performing.length).toBeGreaterThan(0);
    for (const list of performing) {
      const installments = repaid(list).map((r) => r.installment ?? 0);
      expect(installments).toEqual(installments.map((_, i) => i + 1));
      expect(missed(list)).toEqual([]);
    }
  });
});

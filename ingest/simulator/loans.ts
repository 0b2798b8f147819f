// Loan lives: application, (if the bank approves) disbursement with an annuity schedule, monthly
// repayments on the loan calendar, and for some loans missed payments with growing days past due,
// which either cure or run into default. Whether a loan goes bad follows from the application
// (bureau score, debt-to-income, purpose) plus chance, so credit models have signal to find.
import type { LoanApplicationWire } from '../../core/contracts/index.js';
import { SEGMENT_SPEND, usdToMinor } from './amounts.js';
import type { Account, Customer } from './customers.js';
import {
  collateralValuationEvent,
  loanApplicationEvent,
  loanDisbursementEvent,
  loanMissedPaymentEvent,
  loanRepaymentEvent,
} from './events.js';
import { applicationId, collateralId, loanId } from './ids.js';
import type { Rng } from './rng.js';
import type { PatternContext, ScenarioStep } from './scenario.js';
import { DAY_MS, addMonths, isoDate } from './time.js';

export type LoanOutcome = 'performing' | 'cured' | 'default';
type Purpose = LoanApplicationWire['purpose'];
type CollateralType = NonNullable<LoanApplicationWire['collateralType']>;

const PURPOSES_BY_TYPE = {
  individual: [['personal', 40], ['auto', 25], ['credit_card', 15], ['mortgage', 10], ['education', 7], ['other', 3]],
  business: [['business', 85], ['auto', 10], ['mortgage', 5]],
} as const satisfies Record<string, ReadonlyArray<readonly [Purpose, number]>>;

const LOAN_TERMS = {
  personal: { medianUsd: 9_000, sigma: 0.6, terms: [12, 24, 36, 48, 60], logitShift: 0.3 },
  auto: { medianUsd: 28_000, sigma: 0.4, terms: [36, 48, 60, 72], logitShift: -0.2 },
  mortgage: { medianUsd: 280_000, sigma: 0.5, terms: [180, 240, 360], logitShift: -0.6 },
  business: { medianUsd: 90_000, sigma: 0.9, terms: [12, 24, 36, 60, 84], logitShift: 0.1 },
  education: { medianUsd: 25_000, sigma: 0.5, terms: [60, 84, 120], logitShift: 0 },
  credit_card: { medianUsd: 5_000, sigma: 0.6, terms: [12, 24, 36], logitShift: 0.4 },
  other: { medianUsd: 6_000, sigma: 0.7, terms: [12, 24, 36], logitShift: 0.2 },
} as const satisfies Record<Purpose, { medianUsd: number; sigma: number; terms: readonly number[]; logitShift: number }>;

/** Days past due at which a servicing system reports an overdue instalment. */
const DPD_CHECKPOINTS = [1, 30, 60, 90, 120] as const;
/** Above this simulated probability of default the bank declines. */
export const DECLINE_ABOVE_PD = 0.22;

export type LoanPlan = { readonly outcome: LoanOutcome; readonly steps: Iterable<ScenarioStep> };

type Application = {
  readonly purpose: Purpose;
  readonly amountMinor: number;
  readonly termMonths: number;
  readonly pd: number;
  readonly event: LoanApplicationWire;
  readonly collateral: { readonly type: CollateralType; readonly valueMinor: number } | undefined;
};

/**
 * Plans one loan for a customer. `forced` makes the outcome a given (an injected credit
 * scenario): the applicant then looks riskier, as real defaulters do, but passes the same approval
 * rule as everyone else, so that the decision itself says nothing about the label.
 */
export function planLoan(ctx: PatternContext, c: Customer, forced?: 'cured' | 'default'): LoanPlan {
  const { rng } = ctx;
  const account = c.accounts[0] as Account;
  const app = forced === undefined ? drawApplication(rng, c, account, false) : drawApprovableRisky(rng, c, account);
  const approved = app.pd < DECLINE_ABOVE_PD;
  let outcome: LoanOutcome = 'performing';
  if (forced) outcome = forced;
  else if (approved && rng.chance(app.pd)) outcome = rng.chance(0.5) ? 'cured' : 'default';
  return { outcome: approved ? outcome : 'performing', steps: lifecycle(ctx, c, account, app, approved, outcome) };
}

/**
 * A risky application the bank approves: drawn from the risky profile until one falls under the
 * cut-off (about a third do), so that it sits near the top of what is approved (mean PD ≈ 0.12
 * against ≈ 0.04) without going beyond it. After `RISKY_TRIES` failures (odds ≈ 1e-6), an
 * ordinary application that the bank approves.
 */
function drawApprovableRisky(rng: Rng, c: Customer, account: Account): Application {
  for (let tries = 0; tries < RISKY_TRIES; tries++) {
    const app = drawApplication(rng, c, account, true);
    if (app.pd < DECLINE_ABOVE_PD) return app;
  }
  for (;;) {
    const app = drawApplication(rng, c, account, false);
    if (app.pd < DECLINE_ABOVE_PD) return app;
  }
}
const RISKY_TRIES = 30;

/** What the bank's model makes of an application: its probability of default. */
export function probabilityOfDefault(a: { readonly bureauScore: number; readonly dti: number; readonly employmentYears: number; readonly purpose: Purpose }): number {
  const logit = -3.2 - 0.018 * (a.bureauScore - 700) + 4 * (a.dti - 0.25) - 0.05 * Math.min(a.employmentYears, 10) + LOAN_TERMS[a.purpose].logitShift;
  return 1 / (1 + Math.exp(-logit));
}

function drawApplication(rng: Rng, c: Customer, account: Account, risky: boolean): Application {
  const purpose = pickWeighted(rng, PURPOSES_BY_TYPE[c.type]);
  const terms = LOAN_TERMS[purpose];
  const currency = account.currency;
  const incomeUsd = c.type === 'business' ? rng.logNormal(400_000, 0.8) : rng.logNormal(55_000 * SEGMENT_SPEND[c.segment] ** 1.3, 0.5);
  let amountUsd = rng.logNormal(terms.medianUsd, terms.sigma);
  if (purpose === 'mortgage') amountUsd = Math.min(amountUsd, incomeUsd * 5);
  const termMonths = rng.pick(terms.terms);
  const score = Math.round(Math.min(900, Math.max(300, risky ? 610 + 60 * rng.normal() : 705 + 65 * rng.normal())));
  const dti = risky ? rng.between(0.3, 0.6) : Math.max(0.01, Math.min(0.6, 0.2 + 0.1 * rng.normal()));
  const employmentYears = Math.round(Math.min(45, risky ? rng.exponential(2) : rng.exponential(7)) * 10) / 10;
  const pd = probabilityOfDefault({ bureauScore: score, dti, employmentYears, purpose });
  const collateral = drawCollateral(rng, purpose, amountUsd);
  const homeOwnership = purpose === 'mortgage' ? (rng.chance(0.8) ? 'mortgage' : 'own') : pickWeighted(rng, [['own', 25], ['mortgage', 35], ['rent', 35], ['other', 5]] as const);
  const event = loanApplicationEvent({
    applicationId: applicationId(rng),
    customerId: c.id,
    accountId: account.id,
    amountMinor: usdToMinor(Math.round(amountUsd / 100) * 100, currency),
    currency,
    termMonths,
    purpose,
    annualIncomeMinor: usdToMinor(Math.round(incomeUsd), currency),
    monthlyDebtMinor: usdToMinor(Math.round((incomeUsd / 12) * dti), currency),
    employmentYears,
    bureauScore: score,
    homeOwnership,
    ...(collateral ? { collateralType: collateral.type, collateralValueMinor: usdToMinor(collateral.valueUsd, currency) } : {}),
  });
  return {
    purpose,
    amountMinor: usdToMinor(Math.round(amountUsd / 100) * 100, currency),
    termMonths,
    pd,
    event,
    collateral: collateral ? { type: collateral.type, valueMinor: usdToMinor(collateral.valueUsd, currency) } : undefined,
  };
}

function drawCollateral(rng: Rng, purpose: Purpose, amountUsd: number): { type: CollateralType; valueUsd: number } | undefined {
  if (purpose === 'auto') return { type: 'vehicle', valueUsd: Math.round(amountUsd * rng.between(1.05, 1.3)) };
  if (purpose === 'mortgage') return { type: 'real_estate', valueUsd: Math.round(amountUsd / rng.between(0.6, 0.95)) };
  if (purpose === 'business' && rng.chance(0.4)) return { type: 'equipment', valueUsd: Math.round(amountUsd * rng.between(0.8, 1.5)) };
  return undefined;
}

function* lifecycle(
  ctx: PatternContext,
  c: Customer,
  account: Account,
  app: Application,
  approved: boolean,
  outcome: LoanOutcome,
): Generator<ScenarioStep> {
  const { rng, time, world } = ctx;
  try {
    yield { at: ctx.now, event: app.event };
    if (!approved) return;
    const currency = account.currency;
    const calendar = time.loanCalendar(ctx.now);
    const at = (date: number): number => calendar.streamAt(date);
    const disbursedOn = ctx.now + rng.int(1, 5) * DAY_MS;
    const ratePct = Math.round(Math.min(29.9, Math.max(3, (app.purpose === 'mortgage' ? 3.5 : 5) + 25 * app.pd + rng.between(0, 2))) * 100) / 100;
    const installment = annuity(app.amountMinor, ratePct, app.termMonths);
    const loan = loanId(rng);
    const ids = { loanId: loan, customerId: c.id };
    yield {
      at: at(disbursedOn),
      event: loanDisbursementEvent({
        ...ids, applicationId: app.event.applicationId, accountId: account.id, amountMinor: app.amountMinor, currency,
        termMonths: app.termMonths, annualRatePct: ratePct, installmentMinor: installment, firstDueDate: isoDate(addMonths(disbursedOn, 1)),
      }),
    };
    const collateral = app.collateral ? { id: collateralId(rng), ...app.collateral } : undefined;
    let value = collateral?.valueMinor ?? 0;
    if (collateral) {
      yield { at: at(disbursedOn + DAY_MS), event: collateralValuationEvent({ ...ids, collateralId: collateral.id, type: collateral.type, valueMinor: value, currency, method: 'appraisal' }) };
    }
    // The instalment the loan first misses; a cured loan performs again to the end of its term.
    let missFrom = outcome === 'performing' ? Number.POSITIVE_INFINITY : rng.int(1, Math.min(app.termMonths, 9));
    for (let i = 1; i <= app.termMonths; i++) {
      const due = addMonths(disbursedOn, i);
      if (collateral && i % 12 === 0) {
        value = Math.round(value * (collateral.type === 'real_estate' ? rng.between(0.97, 1.08) : rng.between(0.82, 0.92)));
        yield { at: at(due - 3 * DAY_MS), event: collateralValuationEvent({ ...ids, collateralId: collateral.id, type: collateral.type, valueMinor: value, currency, method: 'index' }) };
      }
      if (i < missFrom) {
        const daysLate = rng.chance(0.88) ? 0 : rng.int(1, 10);
        yield {
          at: at(due + daysLate * DAY_MS + rng.int(8, 18) * 3_600_000),
          event: loanRepaymentEvent({ ...ids, accountId: account.id, amountMinor: installment, currency, installment: i, dueDate: isoDate(due), daysLate }),
        };
        continue;
      }
      // Delinquent from instalment i: report at each checkpoint; arrears grow as later instalments fall due.
      const cureDay = outcome === 'cured' ? rng.int(5, 55) : Number.POSITIVE_INFINITY;
      for (const dpd of DPD_CHECKPOINTS) {
        if (dpd >= cureDay) break;
        const overdue = installmentsDueBy(disbursedOn, i, due + dpd * DAY_MS, app.termMonths);
        yield {
          at: at(due + dpd * DAY_MS + 6 * 3_600_000),
          event: loanMissedPaymentEvent({ ...ids, amountDueMinor: installment * overdue, currency, installment: i, dueDate: isoDate(due), daysPastDue: dpd }),
        };
      }
      if (outcome === 'default') {
        if (collateral) {
          value = Math.round(value * rng.between(0.6, 0.85));
          yield { at: at(due + 125 * DAY_MS), event: collateralValuationEvent({ ...ids, collateralId: collateral.id, type: collateral.type, valueMinor: value, currency, method: 'market' }) };
        }
        return;
      }
      // Cured: every overdue instalment is paid on the cure day, then the loan performs again.
      const paidOn = due + cureDay * DAY_MS;
      const overdue = installmentsDueBy(disbursedOn, i, paidOn, app.termMonths);
      for (let j = i; j < i + overdue; j++) {
        const dueJ = addMonths(disbursedOn, j);
        yield {
          at: at(paidOn + 10 * 3_600_000),
          event: loanRepaymentEvent({
            ...ids, accountId: account.id, amountMinor: installment, currency, installment: j, dueDate: isoDate(dueJ),
            daysLate: Math.max(0, Math.round((paidOn - dueJ) / DAY_MS)),
          }),
        };
      }
      i += overdue - 1;
      missFrom = Number.POSITIVE_INFINITY;
    }
  } finally {
    world.releaseBorrower(c.index);
  }
}

/** How many instalments from `first` on have fallen due by a date. */
function installmentsDueBy(disbursedOn: number, first: number, by: number, term: number): number {
  let count = 0;
  for (let j = first; j <= term && addMonths(disbursedOn, j) <= by; j++) count++;
  return Math.max(1, count);
}

/** The level instalment of an annuity loan, in minor units. */
export function annuity(principalMinor: number, annualRatePct: number, months: number): number {
  const r = annualRatePct / 1200;
  if (r === 0) return Math.ceil(principalMinor / months);
  return Math.ceil((principalMinor * r) / (1 - (1 + r) ** -months));
}

function pickWeighted<T>(rng: Rng, entries: ReadonlyArray<readonly [T, number]>): T {
  let total = 0;
  for (const [, w] of entries) total += w;
  let roll = rng.float() * total;
  for (const [item, w] of entries) {
    roll -= w;
    if (roll < 0) return item;
  }
  return (entries[entries.length - 1] as readonly [T, number])[0];
}

/**
 * An injected credit scenario: a borrower without a loan takes one that will go bad. Undefined
 * when no free borrower turns up quickly (a small world where everyone already borrows).
 */
export function planTroubledLoan(ctx: PatternContext, outcome: 'cured' | 'default'): Iterable<ScenarioStep> | undefined {
  for (let tries = 0; tries < 20; tries++) {
    const c = ctx.world.pickActive(ctx.rng);
    if (ctx.world.claimBorrower(c.index)) return planLoan(ctx, c, outcome).steps;
  }
  return undefined;
}

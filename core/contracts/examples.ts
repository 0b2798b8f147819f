// Complete, valid example events for docs/events.md, one or more per kind. Typed as the wire
// types so the compiler checks their shape; docs.test.ts checks each with validateEvent.
import type { EventKind, WireEventByKind } from './kinds.js';

export type EventExample<K extends EventKind = EventKind> = {
  readonly title: string;
  readonly event: WireEventByKind[K];
};

/** validateEvent refuses times more than 24 h ahead of its clock; the examples are checked as of this instant. */
export const EXAMPLES_VALID_AT = Date.parse('2026-11-29T12:00:00.000Z');

export const EVENT_EXAMPLES: { readonly [K in EventKind]: readonly EventExample<K>[] } = {
  payment: [
    {
      // Kept identical to ISSUE_EXAMPLE in contracts.test.ts; docs.test.ts checks that.
      title: 'A mobile transfer from the US to the UK',
      event: {
        v: 1,
        kind: 'payment',
        id: 'pay-0001',
        ts: '2026-11-29T10:15:00.000Z',
        type: 'transfer',
        channel: 'mobile',
        amount: '1250.00',
        currency: 'USD',
        debtor: { accountId: 'ACC-1', customerId: 'C-1', name: 'Ann Lee', bank: 'BANKUS33', country: 'US' },
        creditor: { accountId: 'ACC-2', customerId: 'C-2', bank: 'BANKGB2L', country: 'GB' },
        device: { id: 'dev-1', ip: '203.0.113.7' },
        geo: { lat: 40.71, lon: -74.0 },
      },
    },
    {
      title: 'A card-not-present e-commerce purchase, labelled by the simulator as card testing',
      event: {
        v: 1,
        kind: 'payment',
        id: 'pay-0002',
        ts: '2026-11-29T10:16:30.250Z',
        type: 'card',
        channel: 'ecommerce',
        amount: '1.99',
        currency: 'EUR',
        debtor: { accountId: 'CARD-ACC-77', customerId: 'C-77', country: 'DE', accountType: 'personal' },
        creditor: { accountId: 'MERCH-ACC-5', name: 'Example Games GmbH', bank: 'EXMPDEFF', country: 'DE', accountType: 'business' },
        merchant: { id: 'M-5', name: 'Example Games', mcc: '5816', country: 'DE' },
        card: { bin: '45717360', last4: '0042', present: false },
        device: { id: 'dev-9f2c', ip: '2001:db8::17', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
        reference: 'ORDER-88412',
        labels: { patterns: ['card_testing'], fraud: true, scenarioId: 'card_testing-0007' },
      },
    },
  ],
  customer: [
    {
      title: 'A standard-segment individual with one account',
      event: {
        v: 1,
        kind: 'customer',
        id: 'cust-C-1-v3',
        ts: '2026-11-20T09:00:00.000Z',
        customerId: 'C-1',
        type: 'individual',
        name: 'Ann Lee',
        segment: 'standard',
        riskRating: 'low',
        pep: false,
        country: 'US',
        nationality: 'US',
        dateOfBirth: '1985-04-12',
        occupation: 'Nurse',
        accounts: ['ACC-1'],
        onboardedAt: '2019-06-03T14:20:00.000Z',
      },
    },
  ],
  'loan.application': [
    {
      title: 'A car loan application with the car as collateral',
      event: {
        v: 1,
        kind: 'loan.application',
        id: 'la-A-1',
        ts: '2026-11-21T15:30:00.000Z',
        applicationId: 'A-1',
        customerId: 'C-1',
        accountId: 'ACC-1',
        amount: '15000.00',
        currency: 'USD',
        termMonths: 36,
        purpose: 'auto',
        annualIncome: '62000.00',
        monthlyDebtPayments: '450.00',
        employmentYears: 6.5,
        bureauScore: 712,
        homeOwnership: 'rent',
        collateralType: 'vehicle',
        collateralValue: '18500.00',
      },
    },
  ],
  'loan.disbursement': [
    {
      title: 'The approved loan paid out',
      event: {
        v: 1,
        kind: 'loan.disbursement',
        id: 'ld-L-1',
        ts: '2026-11-22T08:00:00.000Z',
        loanId: 'L-1',
        applicationId: 'A-1',
        customerId: 'C-1',
        accountId: 'ACC-1',
        amount: '15000.00',
        currency: 'USD',
        termMonths: 36,
        annualRatePct: 7.9,
        installmentAmount: '469.35',
        firstDueDate: '2026-12-22',
      },
    },
  ],
  'loan.repayment': [
    {
      title: 'An instalment paid three days late',
      event: {
        v: 1,
        kind: 'loan.repayment',
        id: 'lr-L-7-5',
        ts: '2026-11-28T11:05:00.000Z',
        loanId: 'L-7',
        customerId: 'C-7',
        accountId: 'ACC-7',
        amount: '318.20',
        currency: 'USD',
        installment: 5,
        dueDate: '2026-11-25',
        daysLate: 3,
      },
    },
  ],
  'loan.missed_payment': [
    {
      title: 'An instalment 30 days past due',
      event: {
        v: 1,
        kind: 'loan.missed_payment',
        id: 'lm-L-9-4',
        ts: '2026-11-29T00:00:00.000Z',
        loanId: 'L-9',
        customerId: 'C-9',
        amountDue: '212.40',
        currency: 'USD',
        installment: 4,
        dueDate: '2026-10-30',
        daysPastDue: 30,
      },
    },
  ],
  'collateral.valuation': [
    {
      title: 'The car securing the loan revalued from a price index',
      event: {
        v: 1,
        kind: 'collateral.valuation',
        id: 'cv-COL-1-2026-11',
        ts: '2026-11-28T06:00:00.000Z',
        collateralId: 'COL-1',
        loanId: 'L-1',
        customerId: 'C-1',
        type: 'vehicle',
        value: '17200.00',
        currency: 'USD',
        method: 'index',
      },
    },
  ],
};

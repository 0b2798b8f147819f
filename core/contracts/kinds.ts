// The kinds of event, their schemas and where each keeps its money.
import type { TSchema } from '@sinclair/typebox';
import { CustomerEventSchema, type CustomerEventWire } from './customer.js';
import {
  CollateralValuationSchema,
  LoanApplicationSchema,
  LoanDisbursementSchema,
  LoanMissedPaymentSchema,
  LoanRepaymentSchema,
  type CollateralValuationWire,
  type LoanApplicationWire,
  type LoanDisbursementWire,
  type LoanMissedPaymentWire,
  type LoanRepaymentWire,
} from './loan.js';
import { PaymentEventSchema, type PaymentEventWire } from './payment.js';

export const EVENT_KINDS = [
  'payment',
  'customer',
  'loan.application',
  'loan.disbursement',
  'loan.repayment',
  'loan.missed_payment',
  'collateral.valuation',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type WireEventByKind = {
  payment: PaymentEventWire;
  customer: CustomerEventWire;
  'loan.application': LoanApplicationWire;
  'loan.disbursement': LoanDisbursementWire;
  'loan.repayment': LoanRepaymentWire;
  'loan.missed_payment': LoanMissedPaymentWire;
  'collateral.valuation': CollateralValuationWire;
};
export type WireEvent = WireEventByKind[EventKind];

export const EVENT_SCHEMAS: { readonly [K in EventKind]: TSchema } = {
  payment: PaymentEventSchema,
  customer: CustomerEventSchema,
  'loan.application': LoanApplicationSchema,
  'loan.disbursement': LoanDisbursementSchema,
  'loan.repayment': LoanRepaymentSchema,
  'loan.missed_payment': LoanMissedPaymentSchema,
  'collateral.valuation': CollateralValuationSchema,
};

/** Where each kind keeps its money, and the field holding the currency. */
export const MONEY_FIELDS: { readonly [K in EventKind]: readonly string[] } = {
  payment: ['amount', 'debtorBalance'],
  customer: [],
  'loan.application': ['amount', 'annualIncome', 'monthlyDebtPayments', 'collateralValue'],
  'loan.disbursement': ['amount', 'installmentAmount'],
  'loan.repayment': ['amount'],
  'loan.missed_payment': ['amountDue'],
  'collateral.valuation': ['value'],
};

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}


// Loan life-cycle events: application, disbursement, repayment, missed payment, and collateral valuation.
import { Type, type Static } from '@sinclair/typebox';
import { Amount, Currency, DateOnly, Ref, envelope, StringEnum } from './common.js';

export const LOAN_PURPOSES = ['personal', 'auto', 'mortgage', 'business', 'education', 'credit_card', 'other'] as const;
export const COLLATERAL_TYPES = ['real_estate', 'vehicle', 'deposit', 'securities', 'equipment', 'none'] as const;

export const LoanApplicationSchema = Type.Object(
  {
    ...envelope('loan.application'),
    applicationId: Ref,
    customerId: Ref,
    accountId: Type.Optional(Ref),
    amount: Amount,
    currency: Currency,
    termMonths: Type.Integer({ minimum: 1, maximum: 480 }),
    purpose: StringEnum(LOAN_PURPOSES),
    annualIncome: Type.Optional(Amount),
    monthlyDebtPayments: Type.Optional(Amount),
    employmentYears: Type.Optional(Type.Number({ minimum: 0, maximum: 80 })),
    bureauScore: Type.Optional(Type.Integer({ minimum: 300, maximum: 900 })),
    homeOwnership: Type.Optional(StringEnum(['own', 'mortgage', 'rent', 'other'] as const)),
    collateralType: Type.Optional(StringEnum(COLLATERAL_TYPES)),
    collateralValue: Type.Optional(Amount),
  },
  { additionalProperties: false, $id: 'loan.application' },
);
export type LoanApplicationWire = Static<typeof LoanApplicationSchema>;

export const LoanDisbursementSchema = Type.Object(
  {
    ...envelope('loan.disbursement'),
    loanId: Ref,
    applicationId: Type.Optional(Ref),
    customerId: Ref,
    accountId: Ref,
    amount: Amount,
    currency: Currency,
    termMonths: Type.Integer({ minimum: 1, maximum: 480 }),
    annualRatePct: Type.Optional(Type.Number({ minimum: 0, maximum: 200 })),
    installmentAmount: Amount,
    firstDueDate: DateOnly,
  },
  { additionalProperties: false, $id: 'loan.disbursement' },
);
export type LoanDisbursementWire = Static<typeof LoanDisbursementSchema>;

export const LoanRepaymentSchema = Type.Object(
  {
    ...envelope('loan.repayment'),
    loanId: Ref,
    customerId: Ref,
    accountId: Type.Optional(Ref),
    amount: Amount,
    currency: Currency,
    installment: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    dueDate: Type.Optional(DateOnly),
    daysLate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false, $id: 'loan.repayment' },
);
export type LoanRepaymentWire = Static<typeof LoanRepaymentSchema>;

export const LoanMissedPaymentSchema = Type.Object(
  {
    ...envelope('loan.missed_payment'),
    loanId: Ref,
    customerId: Ref,
    amountDue: Amount,
    currency: Currency,
    installment: Type.Integer({ minimum: 1, maximum: 10_000 }),
    dueDate: DateOnly,
    daysPastDue: Type.Integer({ minimum: 0, maximum: 100_000 }),
  },
  { additionalProperties: false, $id: 'loan.missed_payment' },
);
export type LoanMissedPaymentWire = Static<typeof LoanMissedPaymentSchema>;

export const CollateralValuationSchema = Type.Object(
  {
    ...envelope('collateral.valuation'),
    collateralId: Ref,
    loanId: Type.Optional(Ref),
    customerId: Type.Optional(Ref),
    type: StringEnum(COLLATERAL_TYPES),
    value: Amount,
    currency: Currency,
    method: Type.Optional(StringEnum(['appraisal', 'index', 'market'] as const)),
  },
  { additionalProperties: false, $id: 'collateral.valuation' },
);
export type CollateralValuationWire = Static<typeof CollateralValuationSchema>;

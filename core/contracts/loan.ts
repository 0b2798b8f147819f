// Loan life-cycle events: application, disbursement, repayment, missed payment, and collateral valuation.
import { Type, type Static } from '@sinclair/typebox';
import { Amount, Currency, DateOnly, Ref, describedAs, envelope, StringEnum } from './common.js';

export const LOAN_PURPOSES = ['personal', 'auto', 'mortgage', 'business', 'education', 'credit_card', 'other'] as const;
export const COLLATERAL_TYPES = ['real_estate', 'vehicle', 'deposit', 'securities', 'equipment', 'none'] as const;

export const LoanApplicationSchema = Type.Object(
  {
    ...envelope('loan.application'),
    applicationId: describedAs(Ref, 'The lender\'s id of this application; the decision answers for it.'),
    customerId: describedAs(Ref, 'The applicant\'s customer id; the partition key.'),
    accountId: Type.Optional(describedAs(Ref, 'The applicant\'s account at the bank, when they hold one.')),
    amount: describedAs(Amount, 'Principal requested, in `currency`.'),
    currency: Currency,
    termMonths: Type.Integer({ minimum: 1, maximum: 480, description: 'Requested term in months.' }),
    purpose: StringEnum(LOAN_PURPOSES, 'What the loan is for.'),
    annualIncome: Type.Optional(describedAs(Amount, 'Gross annual income declared by the applicant, in `currency`.')),
    monthlyDebtPayments: Type.Optional(describedAs(Amount, 'Existing monthly debt service (other loans, cards), in `currency`; with annualIncome it gives the debt-to-income ratio.')),
    employmentYears: Type.Optional(Type.Number({ minimum: 0, maximum: 80, description: 'Years with the current employer (or self-employed); fractions allowed.' })),
    bureauScore: Type.Optional(Type.Integer({ minimum: 300, maximum: 900, description: 'Credit bureau score on a 300 to 900 scale; higher is better.' })),
    homeOwnership: Type.Optional(StringEnum(['own', 'mortgage', 'rent', 'other'] as const, 'Housing status of the applicant.')),
    collateralType: Type.Optional(StringEnum(COLLATERAL_TYPES, 'Collateral offered; none for an unsecured loan.')),
    collateralValue: Type.Optional(describedAs(Amount, 'Value of the collateral offered, in `currency`; gives the loan-to-value ratio.')),
  },
  { additionalProperties: false, $id: 'loan.application' },
);
export type LoanApplicationWire = Static<typeof LoanApplicationSchema>;

export const LoanDisbursementSchema = Type.Object(
  {
    ...envelope('loan.disbursement'),
    loanId: describedAs(Ref, 'The id of the loan from now on; repayments and missed payments refer to it.'),
    applicationId: Type.Optional(describedAs(Ref, 'The application this loan came from.')),
    customerId: describedAs(Ref, 'The borrower\'s customer id; the partition key.'),
    accountId: describedAs(Ref, 'The account the principal is paid into.'),
    amount: describedAs(Amount, 'Principal paid out, in `currency`.'),
    currency: Currency,
    termMonths: Type.Integer({ minimum: 1, maximum: 480, description: 'Term in months (the number of monthly instalments).' }),
    annualRatePct: Type.Optional(Type.Number({ minimum: 0, maximum: 200, description: 'Nominal annual interest rate in percent (7.5 means 7.5 %).' })),
    installmentAmount: describedAs(Amount, 'The scheduled monthly instalment, in `currency`.'),
    firstDueDate: describedAs(DateOnly, 'Due date of the first instalment, YYYY-MM-DD.'),
  },
  { additionalProperties: false, $id: 'loan.disbursement' },
);
export type LoanDisbursementWire = Static<typeof LoanDisbursementSchema>;

export const LoanRepaymentSchema = Type.Object(
  {
    ...envelope('loan.repayment'),
    loanId: describedAs(Ref, 'The loan repaid.'),
    customerId: describedAs(Ref, 'The borrower\'s customer id; the partition key.'),
    accountId: Type.Optional(describedAs(Ref, 'The account the repayment was paid from.')),
    amount: describedAs(Amount, 'Amount paid, in `currency`.'),
    currency: Currency,
    installment: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Number of the instalment this pays, counting from 1.' })),
    dueDate: Type.Optional(describedAs(DateOnly, 'Due date of that instalment, YYYY-MM-DD.')),
    daysLate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Days after the due date the payment arrived; 0 when on time.' })),
  },
  { additionalProperties: false, $id: 'loan.repayment' },
);
export type LoanRepaymentWire = Static<typeof LoanRepaymentSchema>;

export const LoanMissedPaymentSchema = Type.Object(
  {
    ...envelope('loan.missed_payment'),
    loanId: describedAs(Ref, 'The loan in arrears.'),
    customerId: describedAs(Ref, 'The borrower\'s customer id; the partition key.'),
    amountDue: describedAs(Amount, 'Amount that was due and not paid, in `currency`.'),
    currency: Currency,
    installment: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Number of the missed instalment, counting from 1.' }),
    dueDate: describedAs(DateOnly, 'Due date of the missed instalment, YYYY-MM-DD.'),
    daysPastDue: Type.Integer({ minimum: 0, maximum: 100_000, description: 'Days past due as of `ts`; drives the days-past-due bucket and the loan\'s classification.' }),
  },
  { additionalProperties: false, $id: 'loan.missed_payment' },
);
export type LoanMissedPaymentWire = Static<typeof LoanMissedPaymentSchema>;

export const CollateralValuationSchema = Type.Object(
  {
    ...envelope('collateral.valuation'),
    collateralId: describedAs(Ref, 'The id of the collateral item (a property, a vehicle, a deposit).'),
    loanId: Type.Optional(describedAs(Ref, 'The loan the collateral secures; the partition key when present.')),
    customerId: Type.Optional(describedAs(Ref, 'The owner\'s customer id; the partition key when there is no loanId.')),
    type: StringEnum(COLLATERAL_TYPES, 'What the collateral is.'),
    value: describedAs(Amount, 'The new valuation, in `currency`; the loan-to-value ratio is recomputed from it.'),
    currency: Currency,
    method: Type.Optional(StringEnum(['appraisal', 'index', 'market'] as const, 'How the value was found: a professional appraisal, a price index, or market prices.')),
  },
  { additionalProperties: false, $id: 'collateral.valuation' },
);
export type CollateralValuationWire = Static<typeof CollateralValuationSchema>;

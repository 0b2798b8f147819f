// Loan default: a borrower stops paying; missed payments are reported at 1, 30, 60, 90 and 120
// days past due and the loan defaults (collateral, if any, is revalued at market).
import { planTroubledLoan } from '../loans.js';
import type { PatternDefinition } from '../scenario.js';

export const loanDefault: PatternDefinition = {
  name: 'loan_default',
  fraud: false,
  aml: false,
  credit: true,
  plan: (ctx) => planTroubledLoan(ctx, 'default'),
};

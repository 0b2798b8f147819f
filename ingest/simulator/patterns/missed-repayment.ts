// Missed repayments that cure: a borrower falls behind (days past due grow), then pays the
// arrears and the loan performs again. The loan's life is planned by loans.ts.
import { planTroubledLoan } from '../loans.js';
import type { PatternDefinition } from '../scenario.js';

export const missedRepayment: PatternDefinition = {
  name: 'missed_repayment',
  fraud: false,
  aml: false,
  credit: true,
  plan: (ctx) => planTroubledLoan(ctx, 'cured'),
};

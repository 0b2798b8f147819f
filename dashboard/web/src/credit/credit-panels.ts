// The credit page's slots. Each panel is one row of this table: what it shows, how wide it is and
// whether its data exists yet. Portfolio measures (days past due, classification, IFRS 9, expected
// loss, roll rates) are slots marked "pending" with the reason; when the pipeline computes one, its
// row gets a renderer and nothing else on the page moves.
import type { KpiTick } from '../../../server/protocol.js';
import type { MessageKey } from '../i18n/messages.js';

export type LoanKind = Extract<keyof KpiTick['byKind'], 'loan.application' | 'loan.disbursement' | 'loan.repayment' | 'loan.missed_payment'>;

export type CreditPanel =
  | { readonly id: string; readonly state: 'live'; readonly title: MessageKey; readonly kind: LoanKind; readonly span: 1 | 2 }
  | { readonly id: string; readonly state: 'chart'; readonly title: MessageKey; readonly span: 1 | 2 }
  | { readonly id: string; readonly state: 'history'; readonly title: MessageKey; readonly span: 1 | 2 }
  | { readonly id: string; readonly state: 'pending'; readonly title: MessageKey; readonly why: MessageKey; readonly span: 1 | 2 };

export const CREDIT_PANELS: readonly CreditPanel[] = [
  { id: 'applied', state: 'live', title: 'credit.applied', kind: 'loan.application', span: 1 },
  { id: 'disbursed', state: 'live', title: 'credit.disbursed', kind: 'loan.disbursement', span: 1 },
  { id: 'repaid', state: 'live', title: 'credit.repaid', kind: 'loan.repayment', span: 1 },
  { id: 'missed', state: 'live', title: 'credit.missed', kind: 'loan.missed_payment', span: 1 },
  { id: 'decisions', state: 'chart', title: 'credit.decisions', span: 2 },
  { id: 'history', state: 'history', title: 'credit.history', span: 2 },
  { id: 'dpd', state: 'pending', title: 'credit.dpd', why: 'credit.dpdWhy', span: 1 },
  { id: 'tiers', state: 'pending', title: 'credit.tiers', why: 'credit.tiersWhy', span: 1 },
  { id: 'ifrs9', state: 'pending', title: 'credit.ifrs9', why: 'credit.ifrs9Why', span: 1 },
  { id: 'expected-loss', state: 'pending', title: 'credit.el', why: 'credit.elWhy', span: 1 },
  { id: 'roll-rates', state: 'pending', title: 'credit.roll', why: 'credit.rollWhy', span: 1 },
];

export const LOAN_KINDS: readonly LoanKind[] = ['loan.application', 'loan.disbursement', 'loan.repayment', 'loan.missed_payment'];

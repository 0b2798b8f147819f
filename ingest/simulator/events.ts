// Builders of wire events. Normal traffic and every pattern build through these functions, so the
// shape of an event (which optional fields appear, how often) never depends on ground truth.
// `id`, `ts` and `labels` are filled in when the event leaves the simulator.
import type {
  CollateralValuationWire,
  CustomerEventWire,
  LoanApplicationWire,
  LoanDisbursementWire,
  LoanMissedPaymentWire,
  LoanRepaymentWire,
  Party,
  PaymentEventWire,
} from '../../core/contracts/index.js';
import { formatMinor } from '../../core/money.js';
import type { Card, Customer } from './customers.js';
import { roundGeo } from './geography.js';
import type { Merchant } from './merchants.js';
import type { Device } from './network.js';
import type { Rng } from './rng.js';

export type PaymentType = PaymentEventWire['type'];
export type Channel = PaymentEventWire['channel'];
export type Place = { readonly lat: number; readonly lon: number };

export type PaymentSpec = {
  readonly type: PaymentType;
  readonly channel: Channel;
  readonly amountMinor: number;
  readonly currency: string;
  readonly debtor: Party;
  readonly creditor: Party;
  // Optional parts may be given as undefined: callers on the hot path avoid object spreads.
  readonly merchant?: Merchant | undefined;
  readonly card?: Card | undefined;
  /** The device the payer used; only digital channels report it. */
  readonly device?: Device | undefined;
  /** Where the payer is (home, or wherever a fraudster sits). */
  readonly place?: Place | undefined;
  readonly purpose?: string | undefined;
  readonly reference?: string | undefined;
};

/** How often each channel reports a device and a location: one table for all traffic. */
const SESSION = {
  mobile: { device: 1, geo: 0.85 },
  online: { device: 1, geo: 0.2 },
  ecommerce: { device: 0.7, geo: 0.4 },
  pos: { device: 0, geo: 0.95 },
  atm: { device: 0, geo: 1 },
  branch: { device: 0, geo: 1 },
  api: { device: 0, geo: 0 },
  wire: { device: 0, geo: 0 },
} as const satisfies Record<Channel, { device: number; geo: number }>;

export function paymentEvent(rng: Rng, spec: PaymentSpec): PaymentEventWire {
  const event: PaymentEventWire = {
    v: 1,
    kind: 'payment',
    id: '',
    ts: '',
    type: spec.type,
    channel: spec.channel,
    amount: formatMinor(spec.amountMinor, spec.currency),
    currency: spec.currency,
    debtor: spec.debtor,
    creditor: spec.creditor,
  };
  // Parties, merchant, card and device blocks are shared frozen objects: no copy per event.
  if (spec.merchant) event.merchant = spec.merchant.ref;
  if (spec.card) event.card = spec.channel === 'pos' || spec.channel === 'atm' ? spec.card.present : spec.card.notPresent;
  const session = SESSION[spec.channel];
  if (spec.device && rng.chance(session.device)) event.device = spec.device;
  if (rng.chance(session.geo)) {
    const at = spec.channel === 'pos' && spec.merchant ? spec.merchant : spec.place;
    if (at) {
      const spread = spec.channel === 'pos' ? 0.002 : 0.02;
      event.geo = {
        lat: roundGeo(Math.max(-90, Math.min(90, at.lat + rng.between(-spread, spread)))),
        lon: roundGeo(Math.max(-180, Math.min(180, at.lon + rng.between(-spread, spread)))),
      };
    }
  }
  if (spec.purpose) event.purpose = spec.purpose;
  if (spec.reference) event.reference = spec.reference;
  return event;
}

export function customerEvent(c: Customer): CustomerEventWire {
  const event: CustomerEventWire = {
    v: 1,
    kind: 'customer',
    id: '',
    ts: '',
    customerId: c.id,
    type: c.type,
    name: c.name,
    segment: c.segment,
    riskRating: c.riskRating,
    pep: c.pep,
    country: c.country,
    nationality: c.nationality,
  };
  if (c.dateOfBirth !== undefined) event.dateOfBirth = c.dateOfBirth;
  event.occupation = c.occupation;
  event.accounts = c.accounts.map((a) => a.id);
  event.onboardedAt = new Date(c.onboardedAt).toISOString();
  return event;
}

export type LoanApplicationSpec = Omit<LoanApplicationWire, 'v' | 'kind' | 'id' | 'ts' | 'labels' | 'amount' | 'annualIncome' | 'monthlyDebtPayments' | 'collateralValue'> & {
  readonly amountMinor: number;
  readonly annualIncomeMinor: number;
  readonly monthlyDebtMinor: number;
  readonly collateralValueMinor?: number;
};

export function loanApplicationEvent(spec: LoanApplicationSpec): LoanApplicationWire {
  const { amountMinor, annualIncomeMinor, monthlyDebtMinor, collateralValueMinor, ...rest } = spec;
  const c = spec.currency;
  const event: LoanApplicationWire = {
    v: 1,
    kind: 'loan.application',
    id: '',
    ts: '',
    applicationId: rest.applicationId,
    customerId: rest.customerId,
    amount: formatMinor(amountMinor, c),
    currency: c,
    termMonths: rest.termMonths,
    purpose: rest.purpose,
    annualIncome: formatMinor(annualIncomeMinor, c),
    monthlyDebtPayments: formatMinor(monthlyDebtMinor, c),
  };
  if (rest.accountId !== undefined) event.accountId = rest.accountId;
  if (rest.employmentYears !== undefined) event.employmentYears = rest.employmentYears;
  if (rest.bureauScore !== undefined) event.bureauScore = rest.bureauScore;
  if (rest.homeOwnership !== undefined) event.homeOwnership = rest.homeOwnership;
  if (rest.collateralType !== undefined) event.collateralType = rest.collateralType;
  if (collateralValueMinor !== undefined) event.collateralValue = formatMinor(collateralValueMinor, c);
  return event;
}

export function loanDisbursementEvent(args: {
  loanId: string; applicationId: string; customerId: string; accountId: string; amountMinor: number; currency: string;
  termMonths: number; annualRatePct: number; installmentMinor: number; firstDueDate: string;
}): LoanDisbursementWire {
  return {
    v: 1,
    kind: 'loan.disbursement',
    id: '',
    ts: '',
    loanId: args.loanId,
    applicationId: args.applicationId,
    customerId: args.customerId,
    accountId: args.accountId,
    amount: formatMinor(args.amountMinor, args.currency),
    currency: args.currency,
    termMonths: args.termMonths,
    annualRatePct: args.annualRatePct,
    installmentAmount: formatMinor(args.installmentMinor, args.currency),
    firstDueDate: args.firstDueDate,
  };
}

export function loanRepaymentEvent(args: {
  loanId: string; customerId: string; accountId: string; amountMinor: number; currency: string; installment: number; dueDate: string; daysLate: number;
}): LoanRepaymentWire {
  return {
    v: 1,
    kind: 'loan.repayment',
    id: '',
    ts: '',
    loanId: args.loanId,
    customerId: args.customerId,
    accountId: args.accountId,
    amount: formatMinor(args.amountMinor, args.currency),
    currency: args.currency,
    installment: args.installment,
    dueDate: args.dueDate,
    daysLate: args.daysLate,
  };
}

export function loanMissedPaymentEvent(args: {
  loanId: string; customerId: string; amountDueMinor: number; currency: string; installment: number; dueDate: string; daysPastDue: number;
}): LoanMissedPaymentWire {
  return {
    v: 1,
    kind: 'loan.missed_payment',
    id: '',
    ts: '',
    loanId: args.loanId,
    customerId: args.customerId,
    amountDue: formatMinor(args.amountDueMinor, args.currency),
    currency: args.currency,
    installment: args.installment,
    dueDate: args.dueDate,
    daysPastDue: args.daysPastDue,
  };
}

export function collateralValuationEvent(args: {
  collateralId: string; loanId: string; customerId: string; type: CollateralValuationWire['type']; valueMinor: number; currency: string;
  method: NonNullable<CollateralValuationWire['method']>;
}): CollateralValuationWire {
  return {
    v: 1,
    kind: 'collateral.valuation',
    id: '',
    ts: '',
    collateralId: args.collateralId,
    loanId: args.loanId,
    customerId: args.customerId,
    type: args.type,
    value: formatMinor(args.valueMinor, args.currency),
    currency: args.currency,
    method: args.method,
  };
}

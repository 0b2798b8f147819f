// Everyday payment traffic: card payments at merchants, transfers, salaries coming in, bills,
// e-wallet, cash at ATMs and branches, remittances and cheques. Amounts are log-normal per merchant
// category and customer segment; devices and places are the customer's own.
import type { Party, PaymentEventWire } from '../../core/contracts/index.js';
import { BUSINESS_SPEND, SEGMENT_SPEND, roundToLocalStep, ticket, typedAmount } from './amounts.js';
import type { Account, Customer } from './customers.js';
import { paymentEvent, type Channel, type Place } from './events.js';
import { type Rng, WeightedChoice } from './rng.js';
import { nearStay, tripAt } from './trips.js';
import { merchantParty, ownParty, type World } from './world.js';

const KINDS = ['card', 'transfer', 'incoming', 'bill', 'ewallet', 'cash_withdrawal', 'cash_deposit', 'remittance', 'cheque'] as const;
type TrafficKind = (typeof KINDS)[number];

const MIX: { readonly [T in 'individual' | 'business']: { readonly [K in TrafficKind]: number } } = {
  individual: { card: 56, transfer: 12, incoming: 6, bill: 7, ewallet: 7, cash_withdrawal: 6, cash_deposit: 2.5, remittance: 2.5, cheque: 1 },
  business: { card: 25, transfer: 24, incoming: 20, bill: 8, ewallet: 1, cash_withdrawal: 4, cash_deposit: 12, remittance: 2, cheque: 4 },
} as const;

/** Free-text purposes people type; patterns draw from the same list. */
export const PURPOSES = ['Rent', 'Invoice', 'Gift', 'Dinner', 'Services', 'Repayment', 'Family support', 'Goods', 'Deposit', 'Tuition'] as const;

const MIX_CHOICE = {
  individual: new WeightedChoice(KINDS.map((k) => [k, MIX.individual[k]] as const)),
  business: new WeightedChoice(KINDS.map((k) => [k, MIX.business[k]] as const)),
};

export function spendOf(c: Customer): number {
  return SEGMENT_SPEND[c.segment] * (c.type === 'business' ? BUSINESS_SPEND : 1);
}

/** The account most payments use (the one with the card), sometimes another. */
export function everydayAccount(rng: Rng, c: Customer): Account {
  const first = c.accounts[0] as Account;
  return c.accounts.length > 1 && rng.chance(0.2) ? rng.pick(c.accounts) : first;
}

export function maybePurpose(rng: Rng): string | undefined {
  return rng.chance(0.3) ? rng.pick(PURPOSES) : undefined;
}

/** How a payment travels: its channel and the purpose the payer typed, if any. */
export type Shape = { readonly channel: Channel; readonly purpose: string | undefined };
const SALARY: Shape = { channel: 'api', purpose: 'Salary' };

/** How money from another bank arrives (not payroll): channel and an optional purpose. */
export function incomingShape(rng: Rng): Shape {
  const purpose = maybePurpose(rng);
  return { channel: rng.chance(0.3) ? 'wire' : 'online', purpose };
}

/** How a remittance is sent: mostly from the app or online, some at a branch or by wire. */
export function remittanceShape(rng: Rng, c: Customer): Shape {
  const roll = rng.float();
  const channel = roll < 0.1 ? 'wire' : roll < 0.25 ? 'branch' : digitalChannel(rng, c);
  const purpose = rng.chance(0.6) ? 'Family support' : maybePurpose(rng);
  return { channel, purpose };
}

export function digitalChannel(rng: Rng, c: Customer): Channel {
  if (c.type === 'business') return rng.chance(0.6) ? 'online' : rng.chance(0.5) ? 'api' : 'mobile';
  return rng.chance(0.65) ? 'mobile' : 'online';
}

/**
 * Where a customer pays from on the app or online at a time: home, or where they are travelling
 * (`tripAt`: a span of days at a destination, the fraud cities among them), so that a far-away
 * session is a hint rather than a label.
 */
export function whereabouts(rng: Rng, world: World, c: Customer, now: number): Place {
  const trip = tripAt(world.seed, c, now);
  return trip === undefined ? c : nearStay(trip, rng.between(-0.02, 0.02), rng.between(-0.02, 0.02));
}

/** One ordinary payment by (or to) an active customer. */
export function normalPayment(rng: Rng, world: World, now: number): PaymentEventWire {
  const c = world.pickActive(rng, now);
  const kind = MIX_CHOICE[c.type].pick(rng);
  // The payers of ordinary payments are who fraud victims are drawn from (`pickVictim`).
  if (kind !== 'incoming') world.notePayer(c);
  switch (kind) {
    case 'card':
      return cardPayment(rng, world, c, now);
    case 'transfer':
      return transfer(rng, world, c, now);
    case 'incoming':
      return incoming(rng, world, c);
    case 'bill':
      return bill(rng, world, c, now);
    case 'ewallet':
      return ewallet(rng, world, c, now);
    case 'cash_withdrawal': {
      const trip = tripAt(world.seed, c, now);
      return cashWithdrawal(rng, c, trip && nearStay(trip, rng.between(-0.02, 0.02), rng.between(-0.02, 0.02)));
    }
    case 'cash_deposit':
      // Away, nobody pays cash in or cashes a cheque at their home branch: they pay by card instead.
      return tripAt(world.seed, c, now) ? cardPayment(rng, world, c, now) : cashDeposit(rng, c);
    case 'remittance':
      return remittance(rng, world, c, now);
    case 'cheque':
      return tripAt(world.seed, c, now) ? cardPayment(rng, world, c, now) : cheque(rng, world, c);
  }
}

export function cardPayment(rng: Rng, world: World, c: Customer, now: number): PaymentEventWire {
  const account = c.accounts[0] as Account;
  // A traveller pays at tills where they are staying (`tripAt`), for as long as the trip lasts.
  const trip = tripAt(world.seed, c, now);
  // Where the world has no till near the traveller, they buy online.
  const till = !rng.chance(0.65) ? undefined : trip ? world.storeNear(rng, trip) : world.usualStoreFor(rng, c);
  const merchant = till ?? world.webShop(rng);
  const channel = merchant.sells === 'ecommerce' || till === undefined ? 'ecommerce' : 'pos';
  return paymentEvent(rng, {
    type: 'card',
    channel,
    amountMinor: ticket(rng, merchant.medianUsd, merchant.sigma, account.currency, Math.sqrt(spendOf(c))),
    currency: account.currency,
    debtor: ownParty(account),
    creditor: merchantParty(merchant),
    merchant,
    card: account.card,
    device: world.deviceFor(rng, c),
    place: trip ? nearStay(trip, rng.between(-0.02, 0.02), rng.between(-0.02, 0.02)) : c,
  });
}

function payeeParty(rng: Rng, world: World, c: Customer): Party {
  if (c.payees.length > 0 && rng.chance(0.85)) {
    const payee = rng.pick(c.payees);
    if ('external' in payee) return payee.external;
    const other = world.customer(payee.own);
    return ownParty(other.accounts[0] as Account);
  }
  return world.newExternalParty(rng, rng.chance(0.85) ? c.country : world.tradeCountry(rng, c.country));
}

/** Cross-border transfers go by wire half the time; the rest from the app or online banking. */
export function transferChannel(rng: Rng, c: Customer, creditor: Party): Channel {
  return creditor.country !== c.country && rng.chance(0.5) ? 'wire' : digitalChannel(rng, c);
}

function transfer(rng: Rng, world: World, c: Customer, now: number): PaymentEventWire {
  const account = everydayAccount(rng, c);
  const creditor = payeeParty(rng, world, c);
  const channel = transferChannel(rng, c, creditor);
  const purpose = maybePurpose(rng);
  return paymentEvent(rng, {
    type: 'transfer',
    channel,
    // People type round sums (rent, a gift, savings), and firms pay retainers and rent.
    amountMinor: typedAmount(rng, ticket(rng, 250, 1.0, account.currency, spendOf(c)), account.currency),
    currency: account.currency,
    debtor: ownParty(account),
    creditor,
    device: world.deviceFor(rng, c),
    place: whereabouts(rng, world, c, now),
    purpose,
  });
}

function incoming(rng: Rng, world: World, c: Customer): PaymentEventWire {
  const account = everydayAccount(rng, c);
  const salary = c.type === 'individual' && rng.chance(0.7);
  const debtor = salary ? c.payer : world.newExternalParty(rng, rng.chance(0.9) ? c.country : world.tradeCountry(rng, c.country));
  const shape = salary ? SALARY : incomingShape(rng);
  return paymentEvent(rng, {
    type: 'transfer',
    channel: shape.channel,
    amountMinor: salary
      ? ticket(rng, 3500, 0.5, account.currency, SEGMENT_SPEND[c.segment])
      : typedAmount(rng, ticket(rng, 1200, 1.0, account.currency, spendOf(c)), account.currency),
    currency: account.currency,
    debtor,
    creditor: ownParty(account),
    purpose: shape.purpose,
  });
}

function bill(rng: Rng, world: World, c: Customer, now: number): PaymentEventWire {
  const account = everydayAccount(rng, c);
  const biller = world.billerFor(rng, c.country);
  return paymentEvent(rng, {
    type: 'bill',
    channel: digitalChannel(rng, c),
    amountMinor: ticket(rng, biller.medianUsd, biller.sigma, account.currency, Math.sqrt(spendOf(c))),
    currency: account.currency,
    debtor: ownParty(account),
    creditor: merchantParty(biller),
    merchant: biller,
    device: world.deviceFor(rng, c),
    place: whereabouts(rng, world, c, now),
  });
}

function ewallet(rng: Rng, world: World, c: Customer, now: number): PaymentEventWire {
  const account = c.accounts[0] as Account;
  const wallet = world.newExternalParty(rng, c.country, 'wallet');
  return paymentEvent(rng, {
    type: 'ewallet',
    channel: 'mobile',
    amountMinor: ticket(rng, 40, 0.9, account.currency, Math.sqrt(spendOf(c))),
    currency: account.currency,
    debtor: ownParty(account),
    creditor: wallet,
    device: world.deviceFor(rng, c),
    place: whereabouts(rng, world, c, now),
  });
}

/**
 * Cash has no counterparty account: both parties are the customer's own account and `type`
 * says which way the cash went. Keying on the customer's account is what structuring and
 * velocity features need.
 */
export function cashWithdrawal(rng: Rng, c: Customer, away?: Place): PaymentEventWire {
  const account = everydayAccount(rng, c);
  // A traveller takes cash from an ATM where they are (`away`), never at their branch.
  const atm = away !== undefined || rng.chance(0.85);
  const raw = ticket(rng, atm ? 120 : 900, atm ? 0.6 : 0.8, account.currency, Math.sqrt(spendOf(c)));
  const party = ownParty(account);
  return paymentEvent(rng, {
    type: 'cash_withdrawal',
    channel: atm ? 'atm' : 'branch',
    amountMinor: roundToLocalStep(raw, account.currency, atm ? 20 : 50),
    currency: account.currency,
    debtor: party,
    creditor: party,
    card: atm ? account.card : undefined,
    place: away ?? c,
  });
}

export function cashDeposit(rng: Rng, c: Customer): PaymentEventWire {
  const account = everydayAccount(rng, c);
  const branch = rng.chance(0.6);
  const median = c.type === 'business' ? 2500 : 300;
  const raw = ticket(rng, median, 0.9, account.currency, Math.sqrt(SEGMENT_SPEND[c.segment]));
  const party = ownParty(account);
  return paymentEvent(rng, {
    type: 'cash_deposit',
    channel: branch ? 'branch' : 'atm',
    amountMinor: roundToLocalStep(raw, account.currency, 10),
    currency: account.currency,
    debtor: party,
    creditor: party,
    place: c,
  });
}

function remittance(rng: Rng, world: World, c: Customer, now: number): PaymentEventWire {
  const account = c.accounts[0] as Account;
  const country = world.remittanceCountry(rng, c);
  // Migrants send to the same few relatives; a share goes to someone new.
  const creditor = world.newExternalParty(rng, country, 'personal');
  const shape = remittanceShape(rng, c);
  return paymentEvent(rng, {
    type: 'remittance',
    channel: shape.channel,
    amountMinor: typedAmount(rng, ticket(rng, 300, 0.7, account.currency), account.currency),
    currency: account.currency,
    debtor: ownParty(account),
    creditor,
    device: world.deviceFor(rng, c),
    place: whereabouts(rng, world, c, now),
    purpose: shape.purpose,
  });
}

function cheque(rng: Rng, world: World, c: Customer): PaymentEventWire {
  const account = everydayAccount(rng, c);
  return paymentEvent(rng, {
    type: 'cheque',
    channel: 'branch',
    amountMinor: ticket(rng, 600, 0.9, account.currency, spendOf(c)),
    currency: account.currency,
    debtor: ownParty(account),
    creditor: payeeParty(rng, world, c),
    place: c,
  });
}

// The bank's customers, each derived on demand from the seed and its index: a world of a million
// customers costs nothing until someone pays, and customer #i is the same every time it is asked for.
import type { Party, Segment } from '../../core/contracts/index.js';
import type { BankDirectory } from './banks.js';
import { HOME_COUNTRIES, REMITTANCE_CORRIDORS, type City, type HomeCountry } from './geography.js';
import { customerId, externalAccountId, ownAccountId } from './ids.js';
import { newDevice, type Device } from './network.js';
import { OCCUPATIONS, SECTORS, businessName, personName } from './people.js';
import { Rng, WeightedChoice, hashKey, hashStep } from './rng.js';

export type RiskRating = 'low' | 'medium' | 'high';
type WireCard = { readonly bin: string; readonly last4: string; readonly present: boolean };
/** A card, with its two wire forms built once (events share them; they are frozen). */
export type Card = { readonly bin: string; readonly last4: string; readonly present: WireCard; readonly notPresent: WireCard };
export type Account = {
  readonly id: string;
  readonly currency: string;
  readonly type: 'personal' | 'business';
  readonly card: Card | undefined;
  /** The account as a payment party, built once and shared by every event (frozen). */
  readonly party: Party;
};
/** A regular payee: another customer of the bank (by index) or an account elsewhere. */
export type Payee = { readonly own: number } | { readonly external: Party };

export type Customer = {
  readonly index: number;
  readonly id: string;
  readonly type: 'individual' | 'business';
  readonly name: string;
  readonly segment: Segment;
  readonly riskRating: RiskRating;
  readonly pep: boolean;
  readonly country: string;
  readonly nationality: string;
  readonly dateOfBirth: string | undefined;
  readonly occupation: string;
  readonly onboardedAt: number;
  readonly bank: string;
  /** Home: a city of the home country, and a place in it. */
  readonly city: string;
  readonly lat: number;
  readonly lon: number;
  readonly currency: string;
  readonly accounts: readonly Account[];
  readonly devices: readonly Device[];
  readonly payees: readonly Payee[];
  /** Where the money comes from: an employer's payroll, or a firm's clients. */
  readonly payer: Party;
  readonly dormant: boolean;
};

/** Cheap traits read from one hash, so pickers can filter without deriving whole customers. */
export type Traits = { readonly business: boolean; readonly dormant: boolean };

const BUSINESS_SHARE = 0.1;
/** Accounts untouched for months, waiting for a reactivation scenario. */
const DORMANT_SHARE = 0.012;

export function traitsOf(seed: number, index: number): Traits {
  const h = hashStep(hashKey(seed, 0xc0), index); // = hashKey(seed, 0xc0, index), without the rest array
  const business = h % 1000 < BUSINESS_SHARE * 1000;
  const dormant = !business && (h >>> 12) % 1000 < DORMANT_SHARE * 1000;
  return { business, dormant };
}

const HOME_CHOICE = new WeightedChoice(HOME_COUNTRIES.map((c) => [c, c.share] as const));
const CORRIDOR_CHOICE = new WeightedChoice(REMITTANCE_CORRIDORS);
const YEAR_MS = 365.25 * 86_400_000;
const ADULT_AGE = 18;

/** A customer's home country and city: the first draws of their generator (`deriveCustomer`). */
function drawHome(rng: Rng): { readonly home: HomeCountry; readonly city: City } {
  const home = HOME_CHOICE.pick(rng);
  return { home, city: rng.pick(home.cities) };
}

/**
 * The customer's local (solar) time offset from UTC in whole hours, from the longitude of their
 * home city: within an hour or so of the clock there, and found without deriving the customer.
 */
export function utcOffsetHours(seed: number, index: number): number {
  return Math.round(drawHome(Rng.of(seed, 0xc1, index)).city.lon / 15);
}

export type CustomerDeps = { readonly seed: number; readonly startTs: number; readonly size: number; readonly banks: BankDirectory };

export function deriveCustomer(deps: CustomerDeps, index: number): Customer {
  const { seed, startTs, banks } = deps;
  const rng = Rng.of(seed, 0xc1, index);
  const traits = traitsOf(seed, index);
  const business = traits.business;
  const { home, city } = drawHome(rng);
  const segment = drawSegment(rng, business);
  const pep = !business && rng.chance(segment === 'vip' ? 0.05 : 0.004);
  const nationality = !business && home.code === 'US' && rng.chance(0.12) ? CORRIDOR_CHOICE.pick(rng) : home.code;
  const sector = rng.pick(SECTORS);
  const riskRating = drawRisk(rng, pep, nationality !== home.code, business && sector === 'Money services');
  // Dormant accounts are at least two years old, so their holders are at least 20.
  const age = Math.min(92, Math.max(traits.dormant ? 21 : 18, Math.round(45 + 15 * rng.normal())));
  const ageYears = age + rng.float();
  const occupation = business ? sector : age >= 67 && rng.chance(0.7) ? 'Retired' : age < 23 && rng.chance(0.5) ? 'Student' : rng.pick(OCCUPATIONS);
  const drawnYears = traits.dormant ? rng.between(2, 15) : Math.min(25, 0.05 + rng.exponential(5));
  // A person opens an account at 18 or later: never before adulthood, let alone birth.
  const years = business ? drawnYears : Math.min(drawnYears, ageYears - ADULT_AGE);
  const id = customerId(index, seed);
  const name = business ? businessName(rng, home.code) : personName(rng);
  const bank = banks.own(home.code);
  const holder = { customerId: id, name, bank, country: home.code };
  const accounts = drawAccounts(rng, seed, index, home.currency, business, holder);
  const devices = [newDevice(rng)];
  if (rng.chance(0.35)) devices.push(newDevice(rng));
  return {
    index,
    id,
    type: business ? 'business' : 'individual',
    name,
    segment,
    riskRating,
    pep,
    country: home.code,
    nationality,
    dateOfBirth: business ? undefined : birthDate(startTs, ageYears),
    occupation,
    onboardedAt: Math.floor(startTs - years * YEAR_MS),
    bank,
    city: city.name,
    lat: city.lat + rng.between(-0.12, 0.12),
    lon: city.lon + rng.between(-0.12, 0.12),
    currency: home.currency,
    accounts,
    devices,
    payees: drawPayees(rng, deps, index, home.code, business),
    payer: {
      accountId: externalAccountId(rng),
      name: businessName(rng, home.code),
      bank: banks.other(home.code, rng),
      country: home.code,
      accountType: 'business',
    },
    dormant: traits.dormant,
  };
}

function drawSegment(rng: Rng, business: boolean): Segment {
  const roll = rng.float();
  if (business) return roll < 0.05 ? 'vip' : roll < 0.35 ? 'important' : 'standard';
  return roll < 0.015 ? 'vip' : roll < 0.135 ? 'important' : 'standard';
}

function drawRisk(rng: Rng, pep: boolean, foreignNational: boolean, moneyService: boolean): RiskRating {
  if (pep || moneyService) return rng.chance(0.6) ? 'high' : 'medium';
  const roll = rng.float() - (foreignNational ? 0.1 : 0);
  return roll < 0.05 ? 'high' : roll < 0.28 ? 'medium' : 'low';
}

function birthDate(startTs: number, ageYears: number): string {
  const born = startTs - ageYears * YEAR_MS;
  return new Date(born).toISOString().slice(0, 10);
}

const SIDE_CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

type Holder = { readonly customerId: string; readonly name: string; readonly bank: string; readonly country: string };

function drawAccounts(rng: Rng, seed: number, index: number, currency: string, business: boolean, holder: Holder): Account[] {
  const roll = rng.float();
  const count = roll < 0.55 ? 1 : roll < 0.9 ? 2 : 3;
  const type = business ? 'business' : 'personal';
  const accounts: Account[] = [];
  for (let slot = 0; slot < count; slot++) {
    // The third account is sometimes held in another major currency (savings abroad, trade).
    const other = SIDE_CURRENCIES.filter((c) => c !== currency);
    const accountCurrency = slot === 2 && rng.chance(0.5) ? rng.pick(other) : currency;
    const id = ownAccountId(index, slot, seed);
    const party: Party = Object.freeze({
      accountId: id, customerId: holder.customerId, name: holder.name, bank: holder.bank, country: holder.country, accountType: type,
    });
    accounts.push({ id, currency: accountCurrency, type, card: slot === 0 ? drawCard(rng) : undefined, party });
  }
  return accounts;
}

function drawCard(rng: Rng): Card {
  const bin = rng.chance(0.6) ? `4${String(rng.int(0, 99_999)).padStart(5, '0')}` : `5${rng.int(1, 5)}${String(rng.int(0, 9999)).padStart(4, '0')}`;
  const last4 = String(rng.int(0, 9999)).padStart(4, '0');
  return { bin, last4, present: Object.freeze({ bin, last4, present: true }), notPresent: Object.freeze({ bin, last4, present: false }) };
}

function drawPayees(rng: Rng, deps: CustomerDeps, index: number, country: string, business: boolean): Payee[] {
  const count = business ? rng.int(3, 8) : rng.int(2, 6);
  const payees: Payee[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(business ? 0.2 : 0.4)) {
      const other = rng.int(0, deps.size - 1);
      // Nobody pays into a dormant account: it would not be dormant.
      if (other !== index && !traitsOf(deps.seed, other).dormant) payees.push({ own: other });
      continue;
    }
    payees.push({ external: externalParty(rng, deps.banks, country) });
  }
  return payees;
}

export type AccountType = NonNullable<Party['accountType']>;

/**
 * An account at another bank: the one generator for every outside counterparty. Without a
 * type it is a person's account or a firm's; a wallet belongs to a person.
 */
export function externalParty(rng: Rng, banks: BankDirectory, country: string, type?: AccountType): Party {
  const accountType = type ?? (rng.chance(0.3) ? 'business' : 'personal');
  return Object.freeze({
    accountId: externalAccountId(rng),
    name: accountType === 'business' ? businessName(rng, country) : personName(rng),
    bank: banks.other(country, rng),
    country,
    accountType,
  });
}

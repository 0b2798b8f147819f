// The simulated world: the bank's customers (derived on demand), merchants, banks and reference
// lists, plus the little state the stream needs (who has been introduced, which dormant accounts
// are still asleep, who holds a loan).
import type { Party } from '../../core/contracts/index.js';
import { BankDirectory } from './banks.js';
import { deriveCustomer, externalParty, traitsOf, utcOffsetHours, type Account, type AccountType, type Customer, type CustomerDeps, type Traits } from './customers.js';
import { customerIndex } from './ids.js';
import { HOME_COUNTRIES, REMITTANCE_CORRIDORS, TRADE_COUNTRIES, distanceKm } from './geography.js';
import { BILLER_PROFILES, MCC_PROFILES, drawMerchant, profileChoice, relocated, type Merchant } from './merchants.js';
import { ipAddress, newDevice, type Device } from './network.js';
import { loadReference, type Reference } from './reference.js';
import { Rng, WeightedChoice } from './rng.js';
import { HOUR_MS } from './time.js';

export type WorldOptions = {
  readonly seed: number;
  readonly startTs: number;
  readonly customers: number;
  readonly merchants: number;
};

const INTRODUCED = 1;
const AWAKE = 2; // a dormant account already reactivated
const HAS_LOAN = 4;
const BUSINESS = 1;
const DORMANT = 2;
/**
 * Derived customers kept in memory, in two generations: when the young one fills, the old one
 * is dropped whole. Cheaper than evicting one by one from a Map, which slows V8's iteration.
 * A customer takes about 1.9 KB of heap: two generations of 50,000 held ≈ 190 MB once a large
 * bank had been around (the demo's process grew by that in its first ten minutes at 300
 * events/s); of 10,000, ≈ 55 MB, for ≈ 3–5 µs more per event in re-derived customers (a
 * 172,800-customer world, 200,000 events after 200,000 to fill the cache: 29–31 against
 * 34 µs per event, alternated pairs; 2,000 per generation: ≈ 36 µs).
 */
const CUSTOMER_GENERATION = 10_000;

export class World {
  readonly seed: number;
  readonly startTs: number;
  readonly size: number;
  readonly reference: Reference;
  readonly banks: BankDirectory;
  readonly merchants: readonly Merchant[];
  readonly billersByCountry: ReadonlyMap<string, readonly Merchant[]>;
  /** Indexes into `merchants`: tills by country and by city (`<country>|<city>`), and web shops anywhere. */
  readonly storesByCountry: ReadonlyMap<string, readonly number[]>;
  readonly storesByCity: ReadonlyMap<string, readonly number[]>;
  readonly webShops: readonly number[];
  private readonly _deps: CustomerDeps;
  private _young = new Map<number, Customer>();
  private _old = new Map<number, Customer>();
  private readonly _flags: Uint8Array;
  /** Traits of every customer, computed once: pickers read them on every event. */
  private readonly _traits: Uint8Array;
  /** Each customer's local time offset in hours (`utcOffsetHours`), found on first use (NO_OFFSET until then). */
  private readonly _utcOffsets: Int8Array;
  private readonly _dormantAwaiting: number[] = [];
  /** Remittance corridors open to a customer with no tie abroad: none on the FATF lists. */
  private readonly _unlistedCorridors: WeightedChoice<string>;
  /** Each customer's usual tills (the nearest to home), by customer index: computed on first use. */
  private readonly _usualTills = new Map<number, readonly number[]>();
  /** Tills near each travel destination (`<country>|<city>`), computed on first use. */
  private readonly _tillsAbroad = new Map<string, readonly number[]>();
  /**
   * The people who made the latest ordinary payments, one slot per payment (a ring): a victim
   * drawn from it has history on the stream (devices, places, habits), and one who pays more
   * often is drawn more often, as more exposed (their card in more shops).
   */
  private readonly _recentPayers = new Int32Array(RECENT_PAYERS);
  private _recentCount = 0;
  /**
   * Devices customers took up during the stream (a new phone, a new laptop), by customer index, in
   * two generations like the customers' cache: a customer forgotten with the old one goes back to
   * the devices they were derived with, as if the new one had been lost.
   */
  private _newDevices = new Map<number, Device[]>();
  private _oldNewDevices = new Map<number, Device[]>();

  constructor(opts: WorldOptions) {
    // Pickers draw until they find a person or a firm; a tiny world might have neither.
    if (!(opts.customers >= 100)) throw new RangeError('a world needs at least 100 customers');
    this.seed = opts.seed;
    this.startTs = opts.startTs;
    this.size = Math.floor(opts.customers);
    this.reference = loadReference();
    this.banks = new BankDirectory(opts.seed);
    this._deps = { seed: opts.seed, startTs: opts.startTs, size: this.size, banks: this.banks };
    this._flags = new Uint8Array(this.size);
    this._traits = new Uint8Array(this.size);
    this._utcOffsets = new Int8Array(this.size).fill(NO_OFFSET);
    for (let i = 0; i < this.size; i++) {
      const t = traitsOf(opts.seed, i);
      this._traits[i] = (t.business ? BUSINESS : 0) | (t.dormant ? DORMANT : 0);
    }
    const rng = Rng.of(opts.seed, 0x3e);
    const built = buildMerchants(rng, this.reference, this.banks, Math.max(50, opts.merchants));
    this.merchants = built.merchants;
    this.storesByCountry = built.storesByCountry;
    this.storesByCity = built.storesByCity;
    this.webShops = built.webShops;
    this.billersByCountry = buildBillers(rng, this.reference, this.banks);
    const listed = new Set(this.reference.fatf.map((f) => f.country));
    this._unlistedCorridors = new WeightedChoice(REMITTANCE_CORRIDORS.filter(([country]) => !listed.has(country)));
  }

  customer(index: number): Customer {
    const young = this._young.get(index);
    if (young !== undefined) return young;
    const found = this._old.get(index) ?? deriveCustomer(this._deps, index);
    if (this._young.size >= CUSTOMER_GENERATION) {
      this._old = this._young;
      this._young = new Map();
    }
    this._young.set(index, found);
    return found;
  }

  /** The index of one of this world's customers by id; undefined for anyone else. */
  indexOfCustomer(id: string): number | undefined {
    const index = customerIndex(id, this.seed);
    return index !== undefined && index < this.size ? index : undefined;
  }

  traits(index: number): Traits {
    const t = this._traits[index] ?? 0;
    return { business: (t & BUSINESS) !== 0, dormant: (t & DORMANT) !== 0 };
  }

  isDormant(index: number): boolean {
    return ((this._traits[index] ?? 0) & DORMANT) !== 0;
  }

  /**
   * Someone who pays today: never a dormant account (not even one a scenario woke up, which
   * goes quiet again after it); firms are busier than people. Given the time of an everyday
   * payment, mostly someone for whom it is day (`DIURNAL`).
   */
  pickActive(rng: Rng, now?: number): Customer {
    const want = rng.chance(0.25) ? BUSINESS : 0;
    for (let awake = 0; ; ) {
      const index = rng.int(0, this.size - 1);
      const t = this._traits[index] ?? 0;
      if (t & DORMANT) continue;
      if ((t & BUSINESS) !== want && rng.chance(0.9)) continue;
      // Everyday traffic follows the customer's day: at night where they live most are asleep and
      // someone whose day it is pays instead (a few tries, so that the mix shifts but never stalls).
      if (now !== undefined && ++awake < DIURNAL_TRIES && !rng.chance(this._dayWeight(index, now))) continue;
      return this.customer(index);
    }
  }

  /** How awake a customer is at a time: the diurnal curve at their local hour (1 at its peak). */
  private _dayWeight(index: number, now: number): number {
    let offset = this._utcOffsets[index] as number;
    if (offset === NO_OFFSET) {
      offset = utcOffsetHours(this.seed, index);
      this._utcOffsets[index] = offset;
    }
    const hour = (((Math.floor(now / HOUR_MS) + offset) % 24) + 24) % 24;
    return DIURNAL[hour] as number;
  }

  /** A firm that is active (payroll, collections). */
  pickBusiness(rng: Rng): Customer {
    for (;;) {
      const index = rng.int(0, this.size - 1);
      if (((this._traits[index] ?? 0) & (BUSINESS | DORMANT)) === BUSINESS) return this.customer(index);
    }
  }

  /** A person (not a firm) who is active, for patterns that need an individual's account. */
  pickIndividual(rng: Rng): Customer {
    for (;;) {
      const index = rng.int(0, this.size - 1);
      if (((this._traits[index] ?? 0) & (BUSINESS | DORMANT)) === 0) return this.customer(index);
    }
  }

  /** Notes an ordinary payment made by a person (firms are not the victims patterns want). */
  notePayer(c: Customer): void {
    if (c.type !== 'individual') return;
    this._recentPayers[this._recentCount % RECENT_PAYERS] = c.index;
    this._recentCount++;
  }

  /**
   * A victim for a fraud pattern (card testing, account takeover): a person among the payers of
   * the latest ordinary payments, so that the stream holds their history before the fraud; until
   * enough people have paid, any person.
   */
  pickVictim(rng: Rng): Customer {
    const known = Math.min(this._recentCount, RECENT_PAYERS);
    if (known < MIN_RECENT_PAYERS) return this.pickIndividual(rng);
    return this.customer(this._recentPayers[rng.int(0, known - 1)] as number);
  }

  /** The devices a customer uses now: those derived with them and any taken up since. */
  devicesOf(c: Customer): readonly Device[] {
    const added = this._newDevices.get(c.index) ?? this._oldNewDevices.get(c.index);
    return added === undefined ? c.devices : added;
  }

  /**
   * The device of a customer's app or online payment. Now and then it is a new one (a new phone,
   * `NEW_DEVICE`), used from then on beside the others; and a known device often shows up on
   * another address (mobile networks, a café's Wi-Fi, `ROAMING_IP`): a new device or a new IP is
   * everyday life, not a label.
   */
  deviceFor(rng: Rng, c: Customer): Device {
    if (rng.chance(NEW_DEVICE)) return this._takeUpDevice(rng, c);
    const device = rng.pick(this.devicesOf(c));
    return rng.chance(ROAMING_IP) ? Object.freeze({ ...device, ip: ipAddress(rng) }) : device;
  }

  private _takeUpDevice(rng: Rng, c: Customer): Device {
    const device = newDevice(rng);
    // Most people replace a device (the old phone goes), some add one.
    const kept = rng.chance(0.5) ? this.devicesOf(c) : this.devicesOf(c).slice(1);
    const devices = [...kept.slice(-(MAX_DEVICES - 1)), device];
    if (this._newDevices.size >= CUSTOMER_GENERATION) {
      this._oldNewDevices = this._newDevices;
      this._newDevices = new Map();
    }
    this._newDevices.set(c.index, devices);
    return device;
  }

  isIntroduced(index: number): boolean {
    return ((this._flags[index] ?? 0) & INTRODUCED) !== 0;
  }

  markIntroduced(index: number): void {
    this._flags[index] = (this._flags[index] ?? 0) | INTRODUCED;
    if (this.isDormant(index) && !this.isAwake(index)) this._dormantAwaiting.push(index);
  }

  isAwake(index: number): boolean {
    return ((this._flags[index] ?? 0) & AWAKE) !== 0;
  }

  /**
   * Takes an introduced, still dormant customer for a reactivation scenario; each wakes once.
   * Only introduced ones qualify, so their months-old history is already on the stream.
   */
  claimDormant(rng: Rng): Customer | undefined {
    if (this._dormantAwaiting.length === 0) return undefined;
    const at = rng.int(0, this._dormantAwaiting.length - 1);
    const index = this._dormantAwaiting[at] as number;
    this._dormantAwaiting[at] = this._dormantAwaiting[this._dormantAwaiting.length - 1] as number;
    this._dormantAwaiting.pop();
    this._flags[index] = (this._flags[index] ?? 0) | AWAKE;
    return this.customer(index);
  }

  get dormantAwaiting(): number {
    return this._dormantAwaiting.length;
  }

  /** Marks a customer as holding a loan; false when they already hold one. */
  claimBorrower(index: number): boolean {
    const flags = this._flags[index] ?? 0;
    if (flags & HAS_LOAN) return false;
    this._flags[index] = flags | HAS_LOAN;
    return true;
  }

  releaseBorrower(index: number): void {
    this._flags[index] = (this._flags[index] ?? 0) & ~HAS_LOAN;
  }

  /** A fresh account at another bank (a new payee, a mule's exit account, a payer elsewhere). */
  newExternalParty(rng: Rng, country: string, type?: AccountType): Party {
    return externalParty(rng, this.banks, country, type);
  }

  /**
   * Where a customer's ordinary remittance goes: home, for a foreign national; otherwise one of the
   * bank's usual corridors, but never a FATF-listed country, where only a tie (nationality) would
   * explain it: without one, that is the high_risk_jurisdiction pattern.
   */
  remittanceCountry(rng: Rng, c: Customer): string {
    if (c.nationality !== c.country) return c.nationality;
    for (;;) {
      const country = this._unlistedCorridors.pick(rng);
      if (country !== c.country) return country;
    }
  }

  /** A country for an ordinary cross-border transfer. */
  tradeCountry(rng: Rng, except?: string): string {
    for (;;) {
      const country = rng.pick(TRADE_COUNTRIES);
      if (country !== except) return country;
    }
  }

  /**
   * One of the tills a customer usually shops at: the USUAL_TILLS nearest to home in the home city
   * (a few km apart), so that consecutive in-store payments are where one person could be; else
   * any till in the country, else a web shop.
   */
  usualStoreFor(rng: Rng, c: Customer): Merchant {
    let usual = this._usualTills.get(c.index);
    if (usual === undefined) {
      usual = nearestStores(this.merchants, this.storesByCity.get(`${c.country}|${c.city}`) ?? [], c.lat, c.lon, USUAL_TILLS);
      this._usualTills.set(c.index, usual);
    }
    return usual.length > 0 ? (this.merchants[rng.pick(usual)] as Merchant) : this.storeFor(rng, c.country);
  }

  /**
   * A till near where a traveller stays (one of the USUAL_TILLS nearest in that country, within
   * TILL_KM), or undefined where the world has none.
   */
  storeNear(rng: Rng, place: { readonly country: string; readonly city: string; readonly lat: number; readonly lon: number }): Merchant | undefined {
    const key = `${place.country}|${place.city}`;
    let near = this._tillsAbroad.get(key);
    if (near === undefined) {
      near = nearestStores(this.merchants, this.storesByCountry.get(place.country) ?? [], place.lat, place.lon, USUAL_TILLS).filter(
        (i) => distanceKm(this.merchants[i] as Merchant, place) <= TILL_KM,
      );
      this._tillsAbroad.set(key, near);
    }
    return near.length > 0 ? (this.merchants[rng.pick(near)] as Merchant) : undefined;
  }

  /** Any till in a country (a traveller's), else a web shop. */
  storeFor(rng: Rng, country: string): Merchant {
    const stores = this.storesByCountry.get(country);
    const index = stores && stores.length > 0 ? rng.pick(stores) : rng.pick(this.webShops);
    return this.merchants[index] as Merchant;
  }

  billerFor(rng: Rng, country: string): Merchant {
    const local = this.billersByCountry.get(country) ?? this.billersByCountry.get('US') ?? [];
    return rng.pick(local);
  }

  webShop(rng: Rng): Merchant {
    return this.merchants[rng.pick(this.webShops)] as Merchant;
  }
}

/** The party of one of the bank's own accounts (the account's shared, frozen party). */
export function ownParty(account: Account): Party {
  return account.party;
}

export function merchantParty(merchant: Merchant): Party {
  return merchant.party;
}

/**
 * Everyday payments by local hour (0–23), relative to the busiest: card-payment volumes are
 * lowest around 3–4 a.m. (a tenth of midday) and flat from late morning to early evening.
 */
const DIURNAL: readonly number[] = [
  0.3, 0.18, 0.12, 0.09, 0.09, 0.14, 0.3, 0.55, 0.8, 0.95, 1, 1, 1, 1, 0.95, 0.95, 0.95, 1, 1, 0.95, 0.85, 0.7, 0.55, 0.42,
];
/** Candidates drawn for an everyday payment before the last is taken, awake or not. */
const DIURNAL_TRIES = 6;
const NO_OFFSET = 127;

/** Chance that an app or online payment comes from a device the customer has just taken up. */
const NEW_DEVICE = 0.002;
/** Chance that a known device shows up on another address than the one it was derived with. */
const ROAMING_IP = 0.15;
/** Devices one customer keeps using at most. */
const MAX_DEVICES = 3;

/** Ordinary payments whose payers fraud victims are drawn from (the latest this many). */
const RECENT_PAYERS = 8_192;
/** Below this many, victims are drawn from every person instead. */
const MIN_RECENT_PAYERS = 64;

/** A traveller shops at tills at most this far from where they stay. */
const TILL_KM = 60;

/** How many tills near home a customer shops at. */
const USUAL_TILLS = 6;

/** The `count` stores nearest to a place (equirectangular distance: fine within a city). */
function nearestStores(merchants: readonly Merchant[], stores: readonly number[], lat: number, lon: number, count: number): readonly number[] {
  const cos = Math.cos((lat * Math.PI) / 180);
  const away = (i: number): number => {
    const m = merchants[i] as Merchant;
    return (m.lat - lat) ** 2 + ((m.lon - lon) * cos) ** 2;
  };
  return [...stores].sort((a, b) => away(a) - away(b) || a - b).slice(0, count);
}

type BuiltMerchants = {
  readonly merchants: Merchant[];
  readonly storesByCountry: Map<string, number[]>;
  readonly storesByCity: Map<string, number[]>;
  readonly webShops: number[];
};

const WEB_COUNTRIES = new WeightedChoice<string>([['US', 60], ['GB', 8], ['IE', 6], ['NL', 5], ['DE', 5], ['CN', 5], ['SG', 3], ['CA', 3], ['FR', 3], ['HK', 2]]);

function buildMerchants(rng: Rng, reference: Reference, banks: BankDirectory, count: number): BuiltMerchants {
  const profiles = profileChoice(MCC_PROFILES, reference.mccs);
  const bankOf = (country: string): string => banks.other(country, rng);
  const merchants: Merchant[] = [];
  const storesByCountry = new Map<string, number[]>();
  const storesByCity = new Map<string, number[]>();
  const webShops: number[] = [];
  const homes = new WeightedChoice(HOME_COUNTRIES.map((c) => [c, c.share] as const));
  // Every home country gets a floor of tills so its customers shop locally.
  const floor = HOME_COUNTRIES.map((c) => c);
  for (let i = 0; i < count; i++) {
    const home = i < floor.length * 8 ? (floor[i % floor.length] as (typeof floor)[number]) : homes.pick(rng);
    const city = rng.pick(home.cities);
    const site = { country: home.code, lat: city.lat + rng.between(-0.1, 0.1), lon: city.lon + rng.between(-0.1, 0.1) };
    let merchant = drawMerchant(rng, site, reference.mccs, profiles, bankOf);
    if (merchant.sells === 'ecommerce') merchant = relocated(merchant, WEB_COUNTRIES.pick(rng), bankOf);
    const index = merchants.length;
    merchants.push(merchant);
    if (merchant.sells !== 'ecommerce') {
      const list = storesByCountry.get(merchant.country) ?? [];
      list.push(index);
      storesByCountry.set(merchant.country, list);
      const key = `${merchant.country}|${city.name}`;
      const inCity = storesByCity.get(key) ?? [];
      inCity.push(index);
      storesByCity.set(key, inCity);
    }
    if (merchant.sells !== 'pos') webShops.push(index);
  }
  return { merchants, storesByCountry, storesByCity, webShops };
}

function buildBillers(rng: Rng, reference: Reference, banks: BankDirectory): Map<string, Merchant[]> {
  const profiles = profileChoice(BILLER_PROFILES, reference.mccs);
  const billers = new Map<string, Merchant[]>();
  for (const home of HOME_COUNTRIES) {
    const local: Merchant[] = [];
    for (let i = 0; i < 8; i++) {
      const city = rng.pick(home.cities);
      const site = { country: home.code, lat: city.lat, lon: city.lon };
      local.push(drawMerchant(rng, site, reference.mccs, profiles, (c) => banks.other(c, rng), 0));
    }
    billers.set(home.code, local);
  }
  return billers;
}

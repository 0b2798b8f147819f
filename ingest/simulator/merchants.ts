// Merchants and what people spend at them: the common MCCs with a typical ticket (USD median and
// log-normal spread) and where they sell (till, web or both), plus a thin tail of every other
// code in the reference list so rare categories still occur.
import type { Party } from '../../core/contracts/index.js';
import type { MccEntry } from './reference.js';
import { merchantId, externalAccountId } from './ids.js';
import { businessName } from './people.js';
import { type Rng, WeightedChoice } from './rng.js';

export type SalesChannel = 'pos' | 'ecommerce' | 'both';
export type MccProfile = {
  readonly mcc: string;
  readonly label: string;
  readonly weight: number;
  readonly medianUsd: number;
  readonly sigma: number;
  readonly sells: SalesChannel;
};

export const MCC_PROFILES: readonly MccProfile[] = [
  { mcc: '5411', label: 'Market', weight: 14, medianUsd: 55, sigma: 0.7, sells: 'pos' },
  { mcc: '5812', label: 'Bistro', weight: 9, medianUsd: 40, sigma: 0.6, sells: 'pos' },
  { mcc: '5814', label: 'Burgers', weight: 9, medianUsd: 14, sigma: 0.5, sells: 'pos' },
  { mcc: '5541', label: 'Fuel', weight: 6, medianUsd: 45, sigma: 0.4, sells: 'pos' },
  { mcc: '5542', label: 'Fuel Pumps', weight: 3, medianUsd: 50, sigma: 0.4, sells: 'pos' },
  { mcc: '5311', label: 'Department Store', weight: 3, medianUsd: 80, sigma: 0.8, sells: 'both' },
  { mcc: '5310', label: 'Discount', weight: 3, medianUsd: 35, sigma: 0.7, sells: 'pos' },
  { mcc: '5300', label: 'Wholesale Club', weight: 2, medianUsd: 140, sigma: 0.7, sells: 'pos' },
  { mcc: '5999', label: 'Goods', weight: 4, medianUsd: 45, sigma: 0.9, sells: 'both' },
  { mcc: '5912', label: 'Pharmacy', weight: 4, medianUsd: 28, sigma: 0.7, sells: 'pos' },
  { mcc: '5499', label: 'Corner Shop', weight: 4, medianUsd: 12, sigma: 0.6, sells: 'pos' },
  { mcc: '5462', label: 'Bakery', weight: 2, medianUsd: 9, sigma: 0.5, sells: 'pos' },
  { mcc: '5921', label: 'Wine & Spirits', weight: 1.5, medianUsd: 30, sigma: 0.6, sells: 'pos' },
  { mcc: '5732', label: 'Electronics', weight: 2, medianUsd: 220, sigma: 1.0, sells: 'both' },
  { mcc: '5734', label: 'Software', weight: 1, medianUsd: 60, sigma: 0.8, sells: 'ecommerce' },
  { mcc: '5944', label: 'Jewellers', weight: 0.5, medianUsd: 650, sigma: 1.0, sells: 'pos' },
  { mcc: '5651', label: 'Clothing', weight: 2.5, medianUsd: 70, sigma: 0.7, sells: 'both' },
  { mcc: '5691', label: 'Outfitters', weight: 2, medianUsd: 90, sigma: 0.7, sells: 'both' },
  { mcc: '5661', label: 'Shoes', weight: 1, medianUsd: 85, sigma: 0.5, sells: 'both' },
  { mcc: '5941', label: 'Sports', weight: 1, medianUsd: 75, sigma: 0.8, sells: 'both' },
  { mcc: '5942', label: 'Books', weight: 1, medianUsd: 25, sigma: 0.6, sells: 'both' },
  { mcc: '5977', label: 'Cosmetics', weight: 1, medianUsd: 40, sigma: 0.6, sells: 'both' },
  { mcc: '5200', label: 'Home Centre', weight: 1.5, medianUsd: 120, sigma: 0.9, sells: 'pos' },
  { mcc: '5251', label: 'Hardware', weight: 1.5, medianUsd: 45, sigma: 0.8, sells: 'pos' },
  { mcc: '5712', label: 'Furniture', weight: 0.6, medianUsd: 600, sigma: 0.9, sells: 'both' },
  { mcc: '5722', label: 'Appliances', weight: 0.5, medianUsd: 450, sigma: 0.8, sells: 'both' },
  { mcc: '4121', label: 'Rides', weight: 4, medianUsd: 22, sigma: 0.5, sells: 'ecommerce' },
  { mcc: '4111', label: 'Transit', weight: 3, medianUsd: 6, sigma: 0.4, sells: 'pos' },
  { mcc: '7523', label: 'Parking', weight: 1.5, medianUsd: 12, sigma: 0.6, sells: 'pos' },
  { mcc: '4511', label: 'Airways', weight: 1, medianUsd: 380, sigma: 0.7, sells: 'ecommerce' },
  { mcc: '7011', label: 'Hotel', weight: 1, medianUsd: 240, sigma: 0.7, sells: 'both' },
  { mcc: '7512', label: 'Car Rental', weight: 0.5, medianUsd: 210, sigma: 0.6, sells: 'ecommerce' },
  { mcc: '5815', label: 'Streaming', weight: 3, medianUsd: 12, sigma: 0.6, sells: 'ecommerce' },
  { mcc: '5816', label: 'Games', weight: 2, medianUsd: 15, sigma: 0.8, sells: 'ecommerce' },
  { mcc: '5817', label: 'Apps', weight: 2, medianUsd: 8, sigma: 0.7, sells: 'ecommerce' },
  { mcc: '5818', label: 'Digital', weight: 2, medianUsd: 20, sigma: 0.8, sells: 'ecommerce' },
  { mcc: '5967', label: 'Direct', weight: 0.8, medianUsd: 35, sigma: 0.7, sells: 'ecommerce' },
  { mcc: '7230', label: 'Salon', weight: 1, medianUsd: 35, sigma: 0.5, sells: 'pos' },
  { mcc: '7832', label: 'Cinema', weight: 1, medianUsd: 22, sigma: 0.4, sells: 'pos' },
  { mcc: '7538', label: 'Auto Repair', weight: 0.8, medianUsd: 320, sigma: 0.9, sells: 'pos' },
  { mcc: '8011', label: 'Medical', weight: 0.8, medianUsd: 150, sigma: 0.8, sells: 'pos' },
  { mcc: '8062', label: 'Hospital', weight: 0.3, medianUsd: 400, sigma: 1.1, sells: 'pos' },
  { mcc: '7995', label: 'Betting', weight: 0.5, medianUsd: 60, sigma: 1.2, sells: 'ecommerce' },
  { mcc: '6051', label: 'FX & Crypto', weight: 0.3, medianUsd: 300, sigma: 1.0, sells: 'ecommerce' },
  { mcc: '4829', label: 'Money Transfer', weight: 0.3, medianUsd: 250, sigma: 0.9, sells: 'ecommerce' },
];

/** Billers: who a `bill` payment goes to, with the typical bill. */
export const BILLER_PROFILES: readonly MccProfile[] = [
  { mcc: '4900', label: 'Power & Water', weight: 5, medianUsd: 120, sigma: 0.5, sells: 'ecommerce' },
  { mcc: '4814', label: 'Telecom', weight: 5, medianUsd: 70, sigma: 0.4, sells: 'ecommerce' },
  { mcc: '4899', label: 'Cable', weight: 3, medianUsd: 85, sigma: 0.3, sells: 'ecommerce' },
  { mcc: '6300', label: 'Insurance', weight: 3, medianUsd: 150, sigma: 0.6, sells: 'ecommerce' },
  { mcc: '8220', label: 'College', weight: 0.3, medianUsd: 2500, sigma: 0.6, sells: 'ecommerce' },
  { mcc: '9311', label: 'Tax Office', weight: 0.3, medianUsd: 900, sigma: 1.0, sells: 'ecommerce' },
];

/** Share of merchants drawn from the rest of the MCC list, with a generic ticket. */
const TAIL_SHARE = 0.06;

export type Merchant = {
  readonly id: string;
  readonly name: string;
  readonly mcc: string;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  readonly sells: SalesChannel;
  readonly medianUsd: number;
  readonly sigma: number;
  /** The merchant's settlement account at its acquirer. */
  readonly accountId: string;
  readonly bank: string;
  /** Wire forms built once and shared by every event (frozen): the creditor party and the merchant block. */
  readonly party: Party;
  readonly ref: { readonly id: string; readonly name: string; readonly mcc: string; readonly country: string };
};

export type MerchantSite = { readonly country: string; readonly lat: number; readonly lon: number };

/** Draws a merchant at a site; the tail picks any listed code outside the common table. */
export function drawMerchant(
  rng: Rng,
  site: MerchantSite,
  mccs: ReadonlyMap<string, MccEntry>,
  profiles: WeightedChoice<MccProfile>,
  bankOf: (country: string) => string,
  tailShare = TAIL_SHARE,
): Merchant {
  let profile = profiles.pick(rng);
  if (tailShare > 0 && rng.chance(tailShare)) {
    const all = [...mccs.keys()];
    const code = rng.pick(all);
    profile = { mcc: code, label: 'Services', weight: 0, medianUsd: 60, sigma: 1.0, sells: 'both' };
  }
  const stem = businessName(rng, site.country).split(' ')[0] ?? 'Main';
  return withWireForms({
    id: merchantId(rng),
    name: `${stem} ${profile.label}`,
    mcc: profile.mcc,
    country: site.country,
    lat: site.lat,
    lon: site.lon,
    sells: profile.sells,
    medianUsd: profile.medianUsd,
    sigma: profile.sigma,
    accountId: externalAccountId(rng),
    bank: bankOf(site.country),
  });
}

/** The same merchant registered in another country (web shops sell from wherever they are). */
export function relocated(m: Merchant, country: string, bankOf: (country: string) => string): Merchant {
  const { party: _party, ref: _ref, ...rest } = m;
  return withWireForms({ ...rest, country, bank: bankOf(country) });
}

function withWireForms(m: Omit<Merchant, 'party' | 'ref'>): Merchant {
  return {
    ...m,
    party: Object.freeze({ accountId: m.accountId, name: m.name, bank: m.bank, country: m.country, accountType: 'business' as const }),
    ref: Object.freeze({ id: m.id, name: m.name, mcc: m.mcc, country: m.country }),
  };
}

export function profileChoice(profiles: readonly MccProfile[], mccs: ReadonlyMap<string, MccEntry>): WeightedChoice<MccProfile> {
  // Only codes the reference list knows: a code missing there would be an invented MCC.
  return new WeightedChoice(profiles.filter((p) => mccs.has(p.mcc)).map((p) => [p, p.weight] as const));
}

// The Sparkov card transactions (Kaggle "Credit Card Transactions Fraud Detection Dataset",
// generated with Brandon Harris's Sparkov tool): two years of US card payments by about a thousand
// cardholders at some eight hundred merchants, labelled `is_fraud`, as `fraudTrain.csv` (1.3 million
// rows) and `fraudTest.csv` (0.56 million). Columns: an unnamed row number, trans_date_trans_time
// (`2019-01-01 00:00:18`), cc_num, merchant, category (gas_transport, grocery_pos, shopping_net, …),
// amt (USD), first, last, gender, street, city, state, zip, lat, long, city_pop, job, dob,
// trans_num, unix_time, merch_lat, merch_long, is_fraud.
//
// As card payments (docs/operations.md, "Public data sets"):
// - the card account and the cardholder under ids derived from the card number (`card-…`,
//   `cust-…`: a SHA-256 prefix), the card itself as its BIN and last four digits only: the contract
//   never carries a full card number;
// - the merchant's name without the `fraud_` every name in the file starts with (an artefact of
//   the generator, not a label), as merchant and payee, with the category's merchant category code;
// - `*_net` categories card-not-present e-commerce located at the cardholder's home, the others
//   card-present at the merchant's location;
// - times as in the file (local times without a zone, read as UTC), or moved so that the first row
//   is at `startMs`; ids `<prefix>-<trans_num>`, the data set's own;
// - labels: `fraud` from `is_fraud`, pattern `sparkov_fraud`.
import { createHash } from 'node:crypto';
import { roundDecimal } from './decimal.js';
import { badLabel, binaryLabel, columnIndexes, exactUtc, type DatasetOptions, type RowMapper } from './format.js';

const COLUMNS = ['trans_date_trans_time', 'cc_num', 'merchant', 'category', 'amt', 'first', 'last', 'lat', 'long', 'trans_num', 'merch_lat', 'merch_long', 'is_fraud'] as const;

/** Sparkov's categories as ISO 18245 merchant category codes (core/reference/mcc_codes.csv). */
export const SPARKOV_MCC: Readonly<Record<string, string>> = {
  gas_transport: '5541',
  grocery_pos: '5411',
  grocery_net: '5411',
  home: '5200',
  shopping_pos: '5311',
  shopping_net: '5964',
  kids_pets: '5995',
  entertainment: '7832',
  food_dining: '5812',
  personal_care: '7230',
  health_fitness: '7997',
  misc_pos: '5999',
  misc_net: '5964',
  travel: '4722',
};

/** `2019-01-01 00:00:18` (read as UTC) as epoch ms; NaN when it is not one. */
export function sparkovTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return Number.NaN;
  return exactUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A stable id derived from a card number, never the number itself. */
function derivedId(kind: 'card' | 'cust', cardNumber: string): string {
  return `${kind}-${createHash('sha256').update(`${kind}:${cardNumber}`).digest('hex').slice(0, 20)}`;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

function place(latText: string | undefined, lonText: string | undefined): { lat: number; lon: number } | undefined {
  const lat = Number(latText);
  const lon = Number(lonText);
  if (latText === undefined || lonText === undefined || latText.trim() === '' || lonText.trim() === '') return undefined;
  return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : undefined;
}

export function sparkovRows(header: readonly string[], options: DatasetOptions): RowMapper {
  const at = columnIndexes(header, COLUMNS, 'Sparkov (fraudTrain.csv / fraudTest.csv)');
  let shiftMs: number | null = options.startMs === undefined ? 0 : null;
  return (fields, line) => {
    const field = (name: (typeof COLUMNS)[number]): string => (fields[at[name]] ?? '').trim();
    const time = sparkovTime(field('trans_date_trans_time'));
    if (Number.isNaN(time)) return { leftOut: `trans_date_trans_time "${field('trans_date_trans_time')}" is not YYYY-MM-DD HH:MM:SS` };
    shiftMs ??= options.startMs! - time;
    const cardNumber = field('cc_num');
    if (!/^\d{8,19}$/.test(cardNumber)) return { leftOut: `cc_num "${cardNumber.slice(0, 4)}…" is not a card number` };
    const amount = roundDecimal(field('amt'), 2);
    if (amount === null) return { leftOut: `amt "${field('amt')}" is not a plain decimal` };
    const category = field('category');
    const mcc = SPARKOV_MCC[category];
    if (mcc === undefined) return { leftOut: `category "${category}" is not one of Sparkov's ${Object.keys(SPARKOV_MCC).length}` };
    const merchantName = field('merchant').replace(/^fraud_/, '');
    const merchantId = `merchant-${slug(merchantName) || 'unnamed'}`;
    const online = category.endsWith('_net');
    const where = online ? place(fields[at.lat], fields[at.long]) : place(fields[at.merch_lat], fields[at.merch_long]);
    const holder = `${field('first')} ${field('last')}`.trim();
    const fraud = binaryLabel(field('is_fraud'));
    if (fraud === null) return badLabel('is_fraud', field('is_fraud'));
    const txId = field('trans_num');
    const event: Record<string, unknown> = {
      v: 1,
      kind: 'payment',
      id: /^[A-Za-z0-9]{1,100}$/.test(txId) ? `${options.idPrefix}-${txId}` : `${options.idPrefix}-${line}`,
      ts: new Date(time + shiftMs).toISOString(),
      type: 'card',
      channel: online ? 'ecommerce' : 'pos',
      amount,
      currency: 'USD',
      debtor: { accountId: derivedId('card', cardNumber), customerId: derivedId('cust', cardNumber), ...(holder ? { name: holder } : {}), country: 'US', accountType: 'personal' },
      creditor: { accountId: merchantId, ...(merchantName ? { name: merchantName } : {}), country: 'US', accountType: 'business' },
      merchant: { id: merchantId, ...(merchantName ? { name: merchantName } : {}), mcc, country: 'US' },
      card: { ...(cardNumber.length >= 12 ? { bin: cardNumber.slice(0, 6) } : {}), last4: cardNumber.slice(-4), present: !online },
      ...(where ? { geo: where } : {}),
      labels: { patterns: fraud ? ['sparkov_fraud'] : [], fraud },
    };
    return { event };
  };
}

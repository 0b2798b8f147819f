// Builds realistic, valid payment events for the k6 scenarios. Plain JavaScript with no imports,
// so that both k6 (which cannot load npm packages or Node built-ins) and the vitest suite, which
// checks the events against the real contract, use this very file.
//
// Every choice is derived from a hash of the event id, so a given id always gives the same
// payment: a failed request can be reproduced from its id alone. Kept to ES2017 because k6's
// JavaScript runtime is not Node.

/** Where accounts live: country, currency, decimals, units per USD, a city to put terminals in. */
const HOMES = [
  { country: 'US', currency: 'USD', decimals: 2, perUsd: 1, lat: 40.71, lon: -74.01, weight: 40 },
  { country: 'GB', currency: 'GBP', decimals: 2, perUsd: 0.79, lat: 51.51, lon: -0.13, weight: 12 },
  { country: 'DE', currency: 'EUR', decimals: 2, perUsd: 0.92, lat: 52.52, lon: 13.41, weight: 10 },
  { country: 'FR', currency: 'EUR', decimals: 2, perUsd: 0.92, lat: 48.86, lon: 2.35, weight: 8 },
  { country: 'SG', currency: 'SGD', decimals: 2, perUsd: 1.34, lat: 1.35, lon: 103.82, weight: 6 },
  { country: 'IN', currency: 'INR', decimals: 2, perUsd: 83, lat: 19.08, lon: 72.88, weight: 8 },
  { country: 'BR', currency: 'BRL', decimals: 2, perUsd: 5, lat: -23.55, lon: -46.63, weight: 6 },
  // Zero- and three-decimal currencies keep the amount formatting honest.
  { country: 'JP', currency: 'JPY', decimals: 0, perUsd: 150, lat: 35.68, lon: 139.69, weight: 6 },
  { country: 'KW', currency: 'KWD', decimals: 3, perUsd: 0.31, lat: 29.38, lon: 47.99, weight: 4 },
];

/** Payment types with their share of traffic, the channels they come through and a median ticket in USD. */
const TYPES = [
  { type: 'card', weight: 55, channels: ['pos', 'pos', 'ecommerce'], medianUsd: 40, sigma: 1.0 },
  { type: 'transfer', weight: 15, channels: ['mobile', 'online', 'api'], medianUsd: 300, sigma: 1.2 },
  { type: 'ewallet', weight: 8, channels: ['mobile'], medianUsd: 25, sigma: 0.9 },
  { type: 'bill', weight: 7, channels: ['online', 'mobile'], medianUsd: 90, sigma: 0.7 },
  { type: 'cash_withdrawal', weight: 6, channels: ['atm', 'atm', 'branch'], medianUsd: 120, sigma: 0.6 },
  { type: 'remittance', weight: 4, channels: ['mobile', 'online', 'branch'], medianUsd: 250, sigma: 0.8 },
  { type: 'cash_deposit', weight: 3, channels: ['branch', 'atm'], medianUsd: 400, sigma: 0.9 },
  { type: 'cheque', weight: 2, channels: ['branch'], medianUsd: 600, sigma: 1.0 },
];

const MERCHANTS = [
  { mcc: '5411', name: 'Corner Market' },
  { mcc: '5812', name: 'Bistro Central' },
  { mcc: '5814', name: 'Quick Burgers' },
  { mcc: '5541', name: 'Fuel Stop' },
  { mcc: '5912', name: 'City Pharmacy' },
  { mcc: '5732', name: 'Electro World' },
  { mcc: '5651', name: 'Style Clothing' },
  { mcc: '4121', name: 'Ride Share' },
  { mcc: '5816', name: 'Game Credits' },
  { mcc: '4814', name: 'Mobile Top-up' },
];

const BANKS = { US: 'BANKUS33', GB: 'BANKGB2L', DE: 'BANKDEFF', FR: 'BANKFRPP', SG: 'BANKSGSG', IN: 'BANKINBB', BR: 'BANKBRSP', JP: 'BANKJPJT', KW: 'BANKKWKW' };

/** Largest amount generated, in USD: keeps a long tail without absurd values. */
const MAX_USD = 250000;

/**
 * One valid payment event (kind `payment`, contract v1; see docs/events.md).
 *
 * @param {{ id: string, ts?: number, accounts?: number }} options
 *   id: the event id (unique per request); ts: event time, epoch ms (default now);
 *   accounts: how many distinct payer accounts to spread load over (default 10,000).
 * @returns {Record<string, unknown>}
 */
export function buildPayment(options) {
  const id = options.id;
  const ts = options.ts === undefined ? Date.now() : options.ts;
  const accounts = options.accounts === undefined ? 10000 : options.accounts;
  const random = generatorFor(id);

  // A few hot accounts and a long tail, like real traffic: the square skews towards low numbers.
  const payer = 1 + Math.floor(random() * random() * accounts);
  const home = homeOf(payer);
  const kind = weighted(random, TYPES);
  const channel = kind.channels[Math.floor(random() * kind.channels.length)];
  const debtor = party(payer, home);
  const event = {
    v: 1,
    kind: 'payment',
    id: id,
    ts: new Date(ts).toISOString(),
    type: kind.type,
    channel: channel,
    amount: formatAmount(ticketUsd(random, kind), home),
    currency: home.currency,
    debtor: debtor,
    creditor: debtor,
  };

  if (kind.type === 'card') {
    // Merchants are local to the payer's country; the country is part of their ids so that one id never moves.
    const merchantNo = 1 + Math.floor(random() * 2000);
    const merchant = MERCHANTS[merchantNo % MERCHANTS.length];
    event.creditor = { accountId: 'MERCH-ACC-' + home.country + '-' + merchantNo, name: merchant.name, country: home.country, accountType: 'business' };
    event.merchant = { id: 'M-' + home.country + '-' + merchantNo, name: merchant.name, mcc: merchant.mcc, country: home.country };
    event.card = { bin: String(400000 + (payer % 90000)), last4: pad(payer % 10000, 4), present: channel === 'pos' };
  } else if (kind.type === 'remittance') {
    // Remittances cross borders: the payee lives in another country.
    const payee = 1 + Math.floor(random() * accounts);
    const abroad = HOMES[(HOMES.indexOf(home) + 1 + Math.floor(random() * (HOMES.length - 1))) % HOMES.length];
    event.creditor = party(payee, abroad);
    event.purpose = 'Family support';
  } else if (kind.type === 'transfer' || kind.type === 'ewallet' || kind.type === 'bill' || kind.type === 'cheque') {
    const payee = domesticPayee(random, payer, home, accounts);
    event.creditor =
      kind.type === 'bill'
        ? { accountId: 'BILLER-' + home.country + '-' + (payee % 50), accountType: 'business', country: home.country }
        : party(payee, homeOf(payee));
    event.reference = kind.type.toUpperCase() + '-' + id.slice(-12);
  }
  // Cash keeps debtor and creditor both the payer's own account (see docs/events.md).

  if (channel === 'mobile' || channel === 'online' || channel === 'ecommerce' || channel === 'api') {
    // Mostly the account's usual device, sometimes a second one, rarely a new one.
    const roll = random();
    const device = roll < 0.85 ? 0 : roll < 0.98 ? 1 : 2 + Math.floor(random() * 1000);
    event.device = { id: 'dev-' + payer + '-' + device, ip: '198.51.100.' + (1 + ((payer + device) % 254)) };
  }
  if (channel === 'pos' || channel === 'atm') {
    event.geo = { lat: round(home.lat + (random() - 0.5) * 0.2, 4), lon: round(home.lon + (random() - 0.5) * 0.2, 4) };
  }
  return event;
}

/** Formats USD into the home currency's decimal string, at exactly its number of decimals. */
export function formatAmount(usd, home) {
  const scale = Math.pow(10, home.decimals);
  const minor = Math.max(1, Math.round(usd * home.perUsd * scale));
  if (home.decimals === 0) return String(minor);
  const whole = Math.floor(minor / scale);
  return whole + '.' + pad(minor % scale, home.decimals);
}

function party(accountNo, home) {
  return {
    accountId: 'ACC-' + accountNo,
    customerId: 'C-' + accountNo,
    bank: BANKS[home.country],
    country: home.country,
    accountType: accountNo % 10 === 0 ? 'business' : 'personal',
  };
}

/** Most transfers stay in the country: a payee from the payer's country, tried a few times, else anyone. */
function domesticPayee(random, payer, home, accounts) {
  const wantDomestic = random() < 0.85;
  let payee = payer;
  for (let tries = 0; tries < 40; tries++) {
    payee = 1 + Math.floor(random() * accounts);
    if (payee !== payer && (!wantDomestic || homeOf(payee) === home)) return payee;
  }
  return payee === payer ? (payer % accounts) + 1 : payee;
}

function homeOf(accountNo) {
  // Fixed per account, so an account does not hop between countries from one request to the next.
  return weighted(generatorFor('home-' + accountNo), HOMES);
}

/** Log-normal ticket around the type's median, capped. */
function ticketUsd(random, kind) {
  // Box-Muller: a standard normal from two uniforms.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(MAX_USD, kind.medianUsd * Math.exp(kind.sigma * normal));
}

function weighted(random, items) {
  let total = 0;
  for (let i = 0; i < items.length; i++) total += items[i].weight;
  let pick = random() * total;
  for (let i = 0; i < items.length; i++) {
    pick -= items[i].weight;
    if (pick < 0) return items[i];
  }
  return items[items.length - 1];
}

/** mulberry32 seeded with FNV-1a of the text: small, fast and good enough for load shapes. */
function generatorFor(text) {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    seed ^= text.charCodeAt(i);
    seed = Math.imul(seed, 0x01000193);
  }
  return function next() {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pad(value, width) {
  let text = String(value);
  while (text.length < width) text = '0' + text;
  return text;
}

function round(value, decimals) {
  const scale = Math.pow(10, decimals);
  return Math.round(value * scale) / scale;
}

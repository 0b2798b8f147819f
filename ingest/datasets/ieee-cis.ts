// IEEE-CIS Fraud Detection (Vesta Corporation, Kaggle 2019): about six months of card-not-present
// e-commerce payments, `train_transaction.csv` (590,540 rows, `isFraud`) and `test_transaction.csv`
// (506,691 rows, unlabelled), with `*_identity.csv` beside each for a quarter of them (device and
// network data, joined by TransactionID). Most columns are anonymised (C1–C14, D1–D15, M1–M9,
// V1–V339); the ones a payment contract can carry are TransactionDT (seconds from an unstated
// reference), TransactionAmt (USD), ProductCD (W, C, R, H, S), card1–card6 (card identifiers,
// masked: card4 the network, card6 debit or credit), addr1 (billing region) and, from the identity
// file, DeviceType and DeviceInfo.
//
// As card payments (docs/operations.md, "Public data sets"):
// - the card account: card1, card2, card3, card5, card4, card6 and addr1 joined (`ieee-…`), the
//   usual approximation of a card in this data set (the identifiers are masked; no cardholder id);
// - time: `startMs` plus TransactionDT − 86,400 s (the first day of the data set is TransactionDT
//   86,400); by default 2017-12-01, the reference most analyses assume;
// - the amount in USD rounded half to even to cents; ProductCD as the merchant (`product-W`, …);
//   card-not-present e-commerce; DeviceInfo (with DeviceType) as the device, when the identity file
//   has the transaction;
// - the anonymised columns are left out: no contract field takes them;
// - labels: `fraud` from `isFraud`, pattern `ieee_cis_fraud`; no labels without the column (test).
import { roundDecimal } from './decimal.js';
import { badLabel, binaryLabel, columnIndexes, isoTimeOf, type DatasetOptions, type RowMapper } from './format.js';

const COLUMNS = ['TransactionID', 'TransactionDT', 'TransactionAmt', 'ProductCD', 'card1', 'card2', 'card3', 'card4', 'card5', 'card6', 'addr1'] as const;
const DAY_S = 86_400;

/** The reference most analyses of the data set assume for TransactionDT 86,400. */
export const IEEE_CIS_DEFAULT_START = Date.UTC(2017, 11, 1);

/** A transaction's device, from the identity file. */
export type IeeeDevice = { readonly type: string; readonly info: string };

/** Reads the identity file's rows (header first): TransactionID to its device, for those that name one. */
export function ieeeDevices(rows: Iterable<readonly string[]>): Map<string, IeeeDevice> {
  const devices = new Map<string, IeeeDevice>();
  let at: { id: number; type: number; info: number } | null = null;
  for (const row of rows) {
    if (at === null) {
      const i = columnIndexes(row, ['TransactionID', 'DeviceType', 'DeviceInfo'], 'IEEE-CIS identity');
      at = { id: i.TransactionID, type: i.DeviceType, info: i.DeviceInfo };
      continue;
    }
    const info = (row[at.info] ?? '').trim();
    const type = (row[at.type] ?? '').trim();
    if (info === '' && type === '') continue;
    devices.set((row[at.id] ?? '').trim(), { type, info });
  }
  return devices;
}

export function ieeeCisRows(header: readonly string[], options: DatasetOptions & { readonly devices?: ReadonlyMap<string, IeeeDevice> }): RowMapper {
  const at = columnIndexes(header, COLUMNS, 'IEEE-CIS transactions (train_transaction.csv / test_transaction.csv)');
  const fraudAt = header.findIndex((h) => h.trim() === 'isFraud');
  const startMs = options.startMs ?? IEEE_CIS_DEFAULT_START;
  return (fields, line) => {
    const field = (name: (typeof COLUMNS)[number]): string => (fields[at[name]] ?? '').trim();
    const seconds = /^[0-9]+(\.[0-9]+)?$/.test(field('TransactionDT')) ? Number(field('TransactionDT')) : Number.NaN;
    if (!(Number.isFinite(seconds) && seconds >= 0)) return { leftOut: `TransactionDT "${field('TransactionDT')}" is not a number of seconds` };
    const ts = isoTimeOf(startMs + Math.round((seconds - DAY_S) * 1000));
    if (ts === null) return { leftOut: `TransactionDT "${field('TransactionDT')}" is beyond any date` };
    const amount = roundDecimal(field('TransactionAmt'), 2);
    if (amount === null) return { leftOut: `TransactionAmt "${field('TransactionAmt')}" is not a plain decimal` };
    const card1 = field('card1');
    if (card1 === '') return { leftOut: 'no card1: the payment names no card' };
    const account = `ieee-${[card1, field('card2'), field('card3'), field('card5'), field('card4'), field('card6'), field('addr1')].map((p) => p.replace(/[^A-Za-z0-9.]/g, '') || 'na').join('-')}`;
    const product = field('ProductCD').replace(/[^A-Za-z0-9]/g, '') || 'unknown';
    const txId = field('TransactionID');
    const device = options.devices?.get(txId);
    const deviceId = device ? `${device.type || 'device'}:${device.info || 'unknown'}`.slice(0, 128) : undefined;
    // the training file labels every row (a row without a label is left out); the test file has no column
    const fraud = fraudAt < 0 ? null : binaryLabel(fields[fraudAt]);
    if (fraudAt >= 0 && fraud === null) return badLabel('isFraud', fields[fraudAt]);
    const event: Record<string, unknown> = {
      v: 1,
      kind: 'payment',
      id: /^[0-9]{1,20}$/.test(txId) ? `${options.idPrefix}-${txId}` : `${options.idPrefix}-${line}`,
      ts,
      type: 'card',
      channel: 'ecommerce',
      amount,
      currency: 'USD',
      debtor: { accountId: account, accountType: 'personal' },
      creditor: { accountId: `product-${product}`, accountType: 'business' },
      merchant: { id: `product-${product}` },
      card: { present: false },
      ...(deviceId ? { device: { id: deviceId } } : {}),
      ...(fraud === null ? {} : { labels: { patterns: fraud ? ['ieee_cis_fraud'] : [], fraud } }),
    };
    return { event };
  };
}

/** `train_transaction.csv` → `train_identity.csv`. */
export function identityFileOf(transactions: string): string | undefined {
  const candidate = transactions.replace(/_transaction\.csv$/i, '_identity.csv');
  return candidate === transactions ? undefined : candidate;
}

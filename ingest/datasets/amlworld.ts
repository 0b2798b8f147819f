// IBM's AMLworld (Altman et al., "Realistic Synthetic Financial Transactions for Anti-Money
// Laundering Models", NeurIPS 2023): bank transfers between accounts with labelled laundering,
// published as `<HI|LI>-<Small|Medium|Large>_Trans.csv` with, beside each, `…_Patterns.txt`
// listing the laundering attempts by typology. Columns: Timestamp (`2022/09/01 00:20`), From Bank,
// Account, To Bank, Account, Amount Received, Receiving Currency, Amount Paid, Payment Currency,
// Payment Format (ACH, Cash, Cheque, Credit Card, Reinvestment, Wire, Bitcoin), Is Laundering.
//
// As payments (docs/operations.md, "Public data sets"):
// - accounts `<bank>-<account>` (account numbers are the bank's own); no customer ids, banks or
//   countries (the file has none);
// - what the payer paid (Amount Paid in Payment Currency), or what the payee received when the
//   payer paid in Bitcoin, which has no ISO 4217 code; a row in Bitcoin on both sides is left out;
// - the format as type and channel (ACH → transfer online, Wire → transfer wire, Cheque → cheque
//   at a branch, Credit Card → card e-commerce with the payee as merchant, Cash → cash_deposit
//   into the payee's account at a branch, Reinvestment → transfer online, Bitcoin → ewallet);
// - times as they are, or moved so that the first row is at `startMs`;
// - labels: `aml` from Is Laundering; with the patterns file, each laundering row's typology
//   (`fan_out`, `cycle`, `gather_scatter`, …) as its pattern and the attempt as its scenario;
//   laundering rows the file does not list get the pattern `laundering`.
import { currencyInfo, minorUnitsOf } from '../../core/index.js';
import { roundDecimal } from './decimal.js';
import { DatasetError, badLabel, binaryLabel, exactUtc, type DatasetOptions, type RowMapper } from './format.js';

/** The columns, in order; the second "Account" is the payee's (pandas writes it "Account.1"). */
const HEADER = ['timestamp', 'from bank', 'account', 'to bank', 'account', 'amount received', 'receiving currency', 'amount paid', 'payment currency', 'payment format', 'is laundering'];
const FIELDS = HEADER.length;

/** AMLworld's currency names and their ISO 4217 codes. Bitcoin has none. */
export const AMLWORLD_CURRENCIES: Readonly<Record<string, string>> = {
  'US Dollar': 'USD',
  Euro: 'EUR',
  'UK Pound': 'GBP',
  Yen: 'JPY',
  Yuan: 'CNY',
  Rupee: 'INR',
  Ruble: 'RUB',
  'Canadian Dollar': 'CAD',
  'Australian Dollar': 'AUD',
  'Swiss Franc': 'CHF',
  'Brazil Real': 'BRL',
  'Mexican Peso': 'MXN',
  'Saudi Riyal': 'SAR',
  Shekel: 'ILS',
};

const FORMATS: Readonly<Record<string, { readonly type: string; readonly channel: string }>> = {
  ACH: { type: 'transfer', channel: 'online' },
  Wire: { type: 'transfer', channel: 'wire' },
  Cheque: { type: 'cheque', channel: 'branch' },
  'Credit Card': { type: 'card', channel: 'ecommerce' },
  Cash: { type: 'cash_deposit', channel: 'branch' },
  Reinvestment: { type: 'transfer', channel: 'online' },
  Bitcoin: { type: 'ewallet', channel: 'online' },
};

/** A laundering attempt a transaction belongs to, from the patterns file. */
export type LaunderingAttempt = { readonly pattern: string; readonly attempt: number };

/** The patterns file as a map from a transaction's row (fields trimmed, comma-joined) to its attempt. */
export type AttemptsByRow = ReadonlyMap<string, LaunderingAttempt>;

/** The key a transaction row is found by in the patterns file. */
export function rowKey(fields: readonly string[]): string {
  return fields.map((f) => f.trim()).join(',');
}

/**
 * Reads the patterns file's lines: `BEGIN LAUNDERING ATTEMPT - FAN-OUT: …`, the attempt's
 * transactions as CSV rows, `END LAUNDERING ATTEMPT - FAN-OUT`. Typologies become pattern
 * names (`FAN-OUT` → `fan_out`); attempts are numbered from 1 in file order.
 */
export function parseAmlworldPatterns(lines: Iterable<string>): Map<string, LaunderingAttempt> {
  const attempts = new Map<string, LaunderingAttempt>();
  let current: LaunderingAttempt | null = null;
  let count = 0;
  let lineNo = 0;
  for (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const begin = /^BEGIN LAUNDERING ATTEMPT\s*-\s*([A-Za-z-]+)/.exec(line);
    if (begin) {
      current = { pattern: begin[1]!.toLowerCase().replace(/-/g, '_'), attempt: ++count };
      continue;
    }
    if (line.startsWith('END LAUNDERING ATTEMPT')) {
      current = null;
      continue;
    }
    if (current === null) throw new DatasetError(`not an AMLworld patterns file: line ${lineNo} is outside any "BEGIN LAUNDERING ATTEMPT" block`);
    attempts.set(rowKey(line.split(',')), current);
  }
  return attempts;
}

/** A row's time, `YYYY/MM/DD HH:MM` (seconds optional), as epoch ms UTC; NaN when it is not one. */
export function amlworldTime(text: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return Number.NaN;
  return exactUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

export function amlworldRows(header: readonly string[], options: DatasetOptions & { readonly attempts?: AttemptsByRow }): RowMapper {
  const names = header.map((h) => h.trim().toLowerCase().replace(/\.1$/, ''));
  if (names.length !== FIELDS || names.some((n, i) => n !== HEADER[i])) {
    throw new DatasetError(`not an AMLworld transactions file: its header is "${header.join(',')}", expected "${HEADER.join(',')}" (letter case aside)`);
  }
  let shiftMs: number | null = options.startMs === undefined ? 0 : null;
  return (fields, line) => {
    if (fields.length !== FIELDS) return { leftOut: `${fields.length} fields, expected ${FIELDS}` };
    const [time, fromBank, fromAccount, toBank, toAccount, received, receivedIn, paid, paidIn, format, laundering] = fields.map((f) => f.trim()) as [
      string, string, string, string, string, string, string, string, string, string, string,
    ];
    const at = amlworldTime(time);
    if (Number.isNaN(at)) return { leftOut: `Timestamp "${time}" is not YYYY/MM/DD HH:MM` };
    shiftMs ??= options.startMs! - at;
    const shape = FORMATS[format];
    if (!shape) return { leftOut: `Payment Format "${format}" is not one of ${Object.keys(FORMATS).join(', ')}` };
    // What was paid; only a payment in Bitcoin (no ISO 4217 code) is taken at what was received.
    const bitcoin = paidIn === 'Bitcoin';
    const money = bitcoin ? moneyOf(received, receivedIn) : moneyOf(paid, paidIn);
    if (money === null) {
      if (bitcoin && receivedIn === 'Bitcoin') return { leftOut: 'paid and received in Bitcoin, which has no ISO 4217 code' };
      return { leftOut: bitcoin ? `Amount Received "${received} ${receivedIn}" of a Bitcoin payment is not an amount in a known currency` : `Amount Paid "${paid} ${paidIn}" is not an amount in a known currency` };
    }
    const aml = binaryLabel(laundering);
    if (aml === null) return badLabel('Is Laundering', laundering);
    const attempt = aml ? options.attempts?.get(rowKey(fields)) : undefined;
    const payee = { accountId: `${toBank}-${toAccount}` };
    const event: Record<string, unknown> = {
      v: 1,
      kind: 'payment',
      id: `${options.idPrefix}-${line}`,
      ts: new Date(at + shiftMs).toISOString(),
      type: shape.type,
      channel: shape.channel,
      amount: money.amount,
      currency: money.currency,
      debtor: { accountId: `${fromBank}-${fromAccount}` },
      creditor: payee,
      ...(shape.type === 'card' ? { merchant: { id: payee.accountId } } : {}),
      labels: {
        patterns: attempt ? [attempt.pattern] : aml ? ['laundering'] : [],
        aml,
        ...(attempt ? { scenarioId: `${options.idPrefix}-attempt-${attempt.attempt}` } : {}),
      },
    };
    return { event };
  };
}

/** An amount in an AMLworld currency as the contract takes it; null for Bitcoin, an unknown currency or a malformed amount. */
function moneyOf(amount: string, currencyName: string): { amount: string; currency: string } | null {
  const currency = AMLWORLD_CURRENCIES[currencyName];
  if (currency === undefined || currencyInfo(currency) === undefined) return null;
  const rounded = roundDecimal(amount, minorUnitsOf(currency));
  return rounded === null ? null : { amount: rounded, currency };
}

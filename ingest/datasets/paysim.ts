// PaySim (Lopez-Rojas, Elmir and Axelsson, 2016): a month of simulated mobile-money transactions
// with labelled fraud, published as one CSV (`PS_20174392719_1491204439457_log.csv`, 6.3 million
// rows). Columns: step (hour 1–743), type (CASH_IN, CASH_OUT, DEBIT, PAYMENT, TRANSFER), amount,
// nameOrig, oldbalanceOrg, newbalanceOrig, nameDest, oldbalanceDest, newbalanceDest, isFraud,
// isFlaggedFraud. Accounts named C… are customers' wallets, M… merchants.
//
// As payments (docs/events.md has the contract; docs/operations.md, "Public data sets", the
// mapping):
// - time: `step` is an hour from the start; the rows of one hour are spread evenly over it in file
//   order, which needs each hour's row count (`rowsPerStep`, a first pass over the file);
// - CASH_IN / CASH_OUT: `cash_deposit` / `cash_withdrawal` at an agent (`branch`), the customer's
//   own wallet as debtor and creditor, as the contract asks for cash; DEBIT and TRANSFER:
//   `transfer` from the wallet to `nameDest`; PAYMENT: `ewallet` to the merchant `nameDest`;
// - the amount in `options.currency` (PaySim's amounts have no currency), rounded to its decimals;
// - the payer's balance before the transaction (`oldbalanceOrg`) as `debtorBalance`, which a bank
//   knows when it authorises a payment; the balances after it, the payee's, and `isFlaggedFraud`
//   (PaySim's own rule) are left out: they are not known before the payment;
// - labels: `fraud` from `isFraud`, pattern `paysim_fraud` on the fraudulent ones.
import { minorUnitsOf } from '../../core/index.js';
import { roundDecimal } from './decimal.js';
import { badLabel, binaryLabel, columnIndexes, DatasetError, isoTimeOf, type DatasetOptions, type RowMapper } from './format.js';

const COLUMNS = ['step', 'type', 'amount', 'nameOrig', 'oldbalanceOrg', 'nameDest', 'isFraud'] as const;
const HOUR_MS = 3_600_000;
/** PaySim's month: steps 1 to 743 (31 days minus an hour). */
export const PAYSIM_HOURS = 744;

type Shape = { readonly type: string; readonly channel: string; readonly cash: boolean };

const TYPES: Readonly<Record<string, Shape>> = {
  CASH_IN: { type: 'cash_deposit', channel: 'branch', cash: true },
  CASH_OUT: { type: 'cash_withdrawal', channel: 'branch', cash: true },
  DEBIT: { type: 'transfer', channel: 'mobile', cash: false },
  TRANSFER: { type: 'transfer', channel: 'mobile', cash: false },
  PAYMENT: { type: 'ewallet', channel: 'mobile', cash: false },
};

/** When PaySim's first hour starts unless told: 744 hours before the current hour, so that its last hour has passed. */
export function paysimDefaultStart(nowMs: number): number {
  return Math.floor(nowMs / HOUR_MS) * HOUR_MS - PAYSIM_HOURS * HOUR_MS;
}

/** The step of a raw CSV line (its first field), for the first pass; null for the header or a line without one. */
export function paysimStepOf(line: string): number | null {
  const comma = line.indexOf(',');
  // as the CSV parser of the second pass reads it: a quoted step is the same step
  const step = Number((comma < 0 ? line : line.slice(0, comma)).trim().replace(/^"(.*)"$/, '$1'));
  return Number.isInteger(step) && step > 0 ? step : null;
}

export function paysimRows(header: readonly string[], options: DatasetOptions & { readonly rowsPerStep: ReadonlyMap<number, number> }): RowMapper {
  const at = columnIndexes(header, COLUMNS, 'PaySim');
  if (options.startMs === undefined) throw new DatasetError('PaySim has no dates: give the start of its first hour');
  const startMs = options.startMs;
  const scale = minorUnitsOf(options.currency);
  const seenInStep = new Map<number, number>();
  return (fields, line) => {
    const step = Number(fields[at.step]);
    if (!(Number.isInteger(step) && step > 0)) return { leftOut: `step "${fields[at.step] ?? ''}" is not an hour number` };
    const kind = fields[at.type] ?? '';
    const shape = TYPES[kind];
    if (!shape) return { leftOut: `type "${kind}" is not one of ${Object.keys(TYPES).join(', ')}` };
    const amount = roundDecimal(fields[at.amount] ?? '', scale);
    if (amount === null) return { leftOut: `amount "${fields[at.amount] ?? ''}" is not a plain decimal` };
    const index = seenInStep.get(step) ?? 0;
    seenInStep.set(step, index + 1);
    const rows = options.rowsPerStep.get(step) ?? 0;
    // A row the first pass did not count (the file grew in between): a second apart, within the hour.
    const offset = index < rows ? Math.floor((index * HOUR_MS) / rows) : Math.min(index * 1000, HOUR_MS - 1);
    const ts = isoTimeOf(startMs + (step - 1) * HOUR_MS + offset);
    if (ts === null) return { leftOut: `step "${fields[at.step] ?? ''}" is beyond any date` };
    const origin = fields[at.nameOrig] ?? '';
    const destination = fields[at.nameDest] ?? '';
    const fraud = binaryLabel(fields[at.isFraud]);
    if (fraud === null) return badLabel('isFraud', fields[at.isFraud]);
    const debtor = party(origin);
    const balance = roundDecimal(fields[at.oldbalanceOrg] ?? '', scale);
    const event: Record<string, unknown> = {
      v: 1,
      kind: 'payment',
      id: `${options.idPrefix}-${line}`,
      ts,
      type: shape.type,
      channel: shape.channel,
      amount,
      currency: options.currency,
      ...(balance !== null ? { debtorBalance: balance } : {}),
      debtor,
      creditor: shape.cash ? debtor : party(destination),
      ...(kind === 'PAYMENT' ? { merchant: { id: destination } } : {}),
      labels: { patterns: fraud ? ['paysim_fraud'] : [], fraud },
    };
    return { event };
  };
}

/** A PaySim account: a customer's wallet (C…), else a merchant's business account (M…). */
function party(name: string): Record<string, string> {
  return name.startsWith('M') ? { accountId: name, accountType: 'business' } : { accountId: name, customerId: name, accountType: 'wallet' };
}

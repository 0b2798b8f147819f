// Property-based tests of the public data sets' row mappers and their amount rounding: rows of every
// format with fields mutated (empty, signed, exponents, floats with many decimals, huge digit strings,
// odd text). A mapper never throws on a row: it leaves the row out with a reason, or makes an event
// whose money is decimal text (what the contract refuses of it, the import reports by field);
// amounts are rounded on the text, half to even, as a bigint reference does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { fuzzParams } from '../../test/event-mutations.js';
import { amlworldRows } from './amlworld.js';
import { roundDecimal } from './decimal.js';
import type { RowMapper } from './format.js';
import { ieeeCisRows } from './ieee-cis.js';
import { paysimRows } from './paysim.js';
import { sparkovRows } from './sparkov.js';

/** Half-to-even rounding of a plain decimal to `scale` decimals, with bigint: what roundDecimal must agree with. */
function referenceRound(text: string, scale: number): string | null {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length <= scale) return `${BigInt(match[1]!)}${fraction.length === 0 ? '' : `.${fraction}`}`;
  const exact = BigInt(match[1]! + fraction);
  const unit = 10n ** BigInt(fraction.length - scale);
  let kept = exact / unit;
  const rest = exact % unit;
  if (rest * 2n > unit || (rest * 2n === unit && kept % 2n === 1n)) kept++;
  if (scale === 0) return String(kept);
  const digits = String(kept).padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const decimalText = fc.oneof(
  fc.stringMatching(/^[0-9]{1,20}(\.[0-9]{0,8})?$/),
  fc.constantFrom('0.5', '1.5', '2.5', '0.005', '0.015', '0.025', '99.995', '9.999', '0181.0', '.5', '5.', ' 1.25 ', '-1.5', '1e3', '1,5', '', 'NaN'),
);

describe('data sets fuzz - amounts', () => {
  it('rounds every amount half to even on its text, as a bigint reference does', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 3 }), (text, scale) => {
        expect(roundDecimal(text, scale), `${JSON.stringify(text)} at ${scale}`).toBe(referenceRound(text, scale));
      }),
      fuzzParams(2000),
    );
  });
});

const PAYSIM_HEADER = 'step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud'.split(',');
const IEEE_HEADER = 'TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1,addr2,C1,D1,V1'.split(',');
const SPARKOV_HEADER = ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud'.split(',');
const AML_HEADER = 'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering'.split(',');
const START = Date.UTC(2026, 10, 1);

/** Each format's mapper and a valid row of it (from its tests). */
const FORMATS: ReadonlyArray<{ readonly name: string; readonly map: RowMapper; readonly row: string }> = [
  {
    name: 'paysim',
    map: paysimRows(PAYSIM_HEADER, { idPrefix: 'ps', startMs: START, currency: 'USD', rowsPerStep: new Map([[1, 4], [2, 1]]) }),
    row: '1,PAYMENT,120.5,C100,1000.0,879.5,M900,0.0,0.0,0,0',
  },
  { name: 'ieee-cis', map: ieeeCisRows(IEEE_HEADER, { idPrefix: 'ieee', currency: 'USD' }), row: '3000001,1,86460,117.5,W,13926,,150,discover,142,credit,315,87,1,14,1' },
  {
    name: 'sparkov',
    map: sparkovRows(SPARKOV_HEADER, { idPrefix: 'sp', currency: 'USD' }),
    row: '0,2019-01-01 00:00:18,4000123456789012,fraud_Hartley and Sons,grocery_pos,107.23,Joan,Parker,F,12 Elm Row,Millbrook,NC,28600,35.9,-81.2,4100,Librarian,1985-06-15,5f1c0e9a7b3d42c6a8e1f0b2c4d6e8a0,1325376018,35.95,-81.9,0',
  },
  { name: 'amlworld', map: amlworldRows(AML_HEADER, { idPrefix: 'aml', currency: 'USD' }), row: '2022/09/01 00:21,011,8000A0002,020,8000B0001,900.00,Euro,900.00,Euro,ACH,1' },
];

/** What a CSV field may hold in a data set that was edited, exported again or cut. */
const oddField = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '-0', '1e3', '1E-7', 'NaN', 'inf', '1.999999999', '0.005', '9'.repeat(25), '99999999999999.995', '01', '1 000', '١٢٣', 'null', 'TRUE', '2', '-5', '\u0000', 'é', '😀'),
  fc.constantFrom('2019-02-30 00:00:00', '1899-12-31 23:59:59', '2022/13/01 00:00', '2022/09/01 24:00', '9999-12-31 23:59:59', '0000-01-01', '1970-01-01'),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[,\r\n"]/g, '')),
  fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,6})?$/),
);

describe('data sets fuzz - rows', () => {
  it('leave a mutated row out with a reason, or map it to an event with its money as decimal text; never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FORMATS), fc.array(fc.tuple(fc.nat(), oddField), { minLength: 1, maxLength: 3 }), fc.integer({ min: 2, max: 1_000_000 }), (format, changes, line) => {
        const fields = format.row.split(',');
        for (const [at, value] of changes) fields[at % fields.length] = value;
        const result = format.map(fields, line);
        const what = `${format.name}: ${fields.join(',')}`;
        if ('leftOut' in result) {
          expect(result.leftOut.length, what).toBeGreaterThan(0);
          return;
        }
        // money as decimal text only, never a float
        for (const field of ['amount', 'debtorBalance']) {
          const amount = result.event[field];
          if (amount !== undefined) expect(amount, `${what}: ${field}`).toMatch(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/);
        }
        // the import checks each event against its contract: what it refuses is named by field there
        const checked = validateEvent(result.event, undefined, Date.now());
        if (!checked.ok) for (const e of checked.errors) expect(e.path, what).toMatch(/^\//);
      }),
      fuzzParams(1000),
    );
  });
});

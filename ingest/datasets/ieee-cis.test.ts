import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { DatasetError } from './format.js';
import { IEEE_CIS_DEFAULT_START, identityFileOf, ieeeCisRows, ieeeDevices } from './ieee-cis.js';
import { eventOf, row } from './test-fixtures.js';

// The columns the mapping reads, among others it leaves out (a few of the anonymised ones).
const HEADER = 'TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1,addr2,C1,D1,V1'.split(',');


describe('IEEE-CIS rows as card payments', () => {
  it('maps a payment: the card from its masked identifiers, the product as merchant, the device from the identity file', () => {
    const devices = ieeeDevices([row('TransactionID,id_01,DeviceType,DeviceInfo'), row('3000001,-5,mobile,SM-G900 Build/X'), row('3000002,0,,')]);
    expect([...devices.keys()]).toEqual(['3000001']);
    const map = ieeeCisRows(HEADER, { idPrefix: 'ieee', currency: 'USD', devices });
    const event = eventOf(map(row('3000001,1,86460,117.5,W,13926,,150,discover,142,credit,315,87,1,14,1'), 2));
    expect(event).toEqual({
      v: 1,
      kind: 'payment',
      id: 'ieee-3000001',
      ts: '2017-12-01T00:01:00.000Z',
      type: 'card',
      channel: 'ecommerce',
      amount: '117.5',
      currency: 'USD',
      debtor: { accountId: 'ieee-13926-na-150-142-discover-credit-315', accountType: 'personal' },
      creditor: { accountId: 'product-W', accountType: 'business' },
      merchant: { id: 'product-W' },
      card: { present: false },
      device: { id: 'mobile:SM-G900 Build/X' },
      labels: { patterns: ['ieee_cis_fraud'], fraud: true },
    });
    expect(validateEvent(event, undefined, Date.UTC(2026, 0, 1)).ok).toBe(true);
    // No identity row: no device; amounts rounded half to even to cents.
    expect(eventOf(map(row('3000002,0,90000.5,29.995,C,2755,404,150,mastercard,102,debit,,,1,0,1'), 3))).toMatchObject({ amount: '30.00', labels: { patterns: [], fraud: false } });
    expect(eventOf(map(row('3000002,0,90000.5,29.995,C,2755,404,150,mastercard,102,debit,,,1,0,1'), 3))).not.toHaveProperty('device');
  });

  it('counts TransactionDT from the start given, and carries no labels without isFraud (the test file)', () => {
    const test = HEADER.filter((h) => h !== 'isFraud');
    const map = ieeeCisRows(test, { idPrefix: 'ieee', currency: 'USD', startMs: Date.UTC(2026, 5, 1) });
    const event = eventOf(map(row('3663549,18403224,31.95,W,10409,111,150,visa,226,debit,170,87,6,419,1'), 2));
    expect(event.ts).toBe(new Date(Date.UTC(2026, 5, 1) + (18_403_224 - 86_400) * 1000).toISOString());
    expect(event).not.toHaveProperty('labels');
    expect(IEEE_CIS_DEFAULT_START).toBe(Date.UTC(2017, 11, 1));
  });

  it('leaves out rows it cannot map, and refuses another file', () => {
    const map = ieeeCisRows(HEADER, { idPrefix: 'ieee', currency: 'USD' });
    expect(map(row('3000003,0,,10.0,W,1,,,,,,,,,,'), 2)).toEqual({ leftOut: 'TransactionDT "" is not a number of seconds' });
    expect(map(row('3000003,0,86400,ten,W,1,,,,,,,,,,'), 3)).toEqual({ leftOut: 'TransactionAmt "ten" is not a plain decimal' });
    expect(map(row('3000003,0,86400,10.0,W,,,,,,,,,,,'), 4)).toEqual({ leftOut: 'no card1: the payment names no card' });
    expect(map(row('3000003,0,0x10,10.0,W,1,,,,,,,,,,'), 5)).toEqual({ leftOut: 'TransactionDT "0x10" is not a number of seconds' });
    expect(map(row('3000003,0,1e5,10.0,W,1,,,,,,,,,,'), 6)).toEqual({ leftOut: 'TransactionDT "1e5" is not a number of seconds' });
    // too many digits: left out, not a RangeError that ended the whole import
    expect(map(row(`3000003,0,${'9'.repeat(20)},10.0,W,1,,,,,,,,,,`), 8)).toEqual({ leftOut: `TransactionDT "${'9'.repeat(20)}" is beyond any date` });
    // the training file labels every row
    expect(map(row('3000003,,86400,10.0,W,1,,,,,,,,,,'), 7)).toEqual({ leftOut: 'isFraud "" is not 0 or 1' });
    expect(() => ieeeCisRows(['step', 'type'], { idPrefix: 'ieee', currency: 'USD' })).toThrow(DatasetError);
    // 'an', not 'a IEEE-CIS'
    expect(() => ieeeCisRows(['step', 'type'], { idPrefix: 'ieee', currency: 'USD' })).toThrow(/^not an IEEE-CIS transactions \(train_transaction\.csv \/ test_transaction\.csv\) file: its header lacks "TransactionID"/);
    expect(identityFileOf('/d/train_transaction.csv')).toBe('/d/train_identity.csv');
    expect(identityFileOf('/d/other.csv')).toBeUndefined();
  });
});

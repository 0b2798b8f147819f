import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { DatasetError } from './format.js';
import { sparkovRows, sparkovTime } from './sparkov.js';
import { eventOf, row } from './test-fixtures.js';

const HEADER = ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud'.split(',');
const POS = '0,2019-01-01 00:00:18,4000123456789012,fraud_Hartley and Sons,grocery_pos,107.23,Joan,Parker,F,12 Elm Row,Millbrook,NC,28600,35.9,-81.2,4100,Librarian,1985-06-15,5f1c0e9a7b3d42c6a8e1f0b2c4d6e8a0,1325376018,35.95,-81.9,0';
const NET = '1,2019-01-01 01:10:00,4000123456789012,fraud_Lowe Group,shopping_net,981.5,Joan,Parker,F,12 Elm Row,Millbrook,NC,28600,35.9,-81.2,4100,Librarian,1985-06-15,9b8a7c6d5e4f30211a2b3c4d5e6f7081,1325380200,36.5,-81.9,1';


describe('Sparkov rows as card payments', () => {
  it('maps a card-present purchase at the merchant, never carrying the card number', () => {
    const map = sparkovRows(HEADER, { idPrefix: 'sp', currency: 'USD' });
    const event = eventOf(map(row(POS), 2));
    expect(event).toMatchObject({
      id: 'sp-5f1c0e9a7b3d42c6a8e1f0b2c4d6e8a0',
      ts: '2019-01-01T00:00:18.000Z',
      type: 'card',
      channel: 'pos',
      amount: '107.23',
      currency: 'USD',
      debtor: { name: 'Joan Parker', country: 'US', accountType: 'personal' },
      creditor: { accountId: 'merchant-hartley-and-sons', name: 'Hartley and Sons', accountType: 'business' },
      merchant: { id: 'merchant-hartley-and-sons', name: 'Hartley and Sons', mcc: '5411', country: 'US' },
      card: { bin: '400012', last4: '9012', present: true },
      geo: { lat: 35.95, lon: -81.9 },
      labels: { patterns: [], fraud: false },
    });
    expect((event.debtor as { accountId: string }).accountId).toMatch(/^card-[0-9a-f]{20}$/);
    expect((event.debtor as { customerId: string }).customerId).toMatch(/^cust-[0-9a-f]{20}$/);
    expect(JSON.stringify(event)).not.toContain('4000123456789012');
    expect(validateEvent(event, undefined, Date.UTC(2026, 0, 1)).ok).toBe(true);
  });

  it('maps an online purchase as card-not-present at the cardholder, the same card under the same ids, fraud labelled', () => {
    const map = sparkovRows(HEADER, { idPrefix: 'sp', currency: 'USD' });
    const first = eventOf(map(row(POS), 2));
    const online = eventOf(map(row(NET), 3));
    expect(online).toMatchObject({ channel: 'ecommerce', amount: '981.5', merchant: { mcc: '5964' }, card: { present: false }, geo: { lat: 35.9, lon: -81.2 }, labels: { patterns: ['sparkov_fraud'], fraud: true } });
    expect(online.debtor).toEqual(first.debtor);
  });

  it('moves the times so that the first row is at the start given', () => {
    const map = sparkovRows(HEADER, { idPrefix: 'sp', currency: 'USD', startMs: Date.UTC(2026, 10, 1) });
    expect(eventOf(map(row(POS), 2)).ts).toBe('2026-11-01T00:00:00.000Z');
    expect(eventOf(map(row(NET), 3)).ts).toBe('2026-11-01T01:09:42.000Z');
  });

  it('leaves out rows it cannot map, and refuses another file', () => {
    const map = sparkovRows(HEADER, { idPrefix: 'sp', currency: 'USD' });
    expect(map(row(POS.replace('grocery_pos', 'casino')), 2)).toEqual({ leftOut: `category "casino" is not one of Sparkov's 14` });
    expect(map(row(POS.replace('4000123456789012', 'n/a')), 3)).toEqual({ leftOut: 'cc_num "n/a…" is not a card number' });
    expect(map(row(POS.replace('2019-01-01 00:00:18', 'soon')), 4)).toMatchObject({ leftOut: expect.stringMatching(/^trans_date_trans_time "soon"/) });
    expect(() => sparkovRows(['step', 'type'], { idPrefix: 'sp', currency: 'USD' })).toThrow(DatasetError);
    expect(sparkovTime('2020-12-31 23:59:59')).toBe(Date.UTC(2020, 11, 31, 23, 59, 59));
    // no calendar has these: left out, not rolled over into the next month or year
    expect(sparkovTime('2019-13-01 00:00:00')).toBeNaN();
    expect(sparkovTime('2019-02-30 00:00:00')).toBeNaN();
    expect(map(row(POS.replace(',0\n', ',TRUE\n').replace(/,0$/, ',TRUE')), 5)).toEqual({ leftOut: 'is_fraud "TRUE" is not 0 or 1' });
  });
});

import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { amlworldRows, amlworldTime, parseAmlworldPatterns } from './amlworld.js';
import { DatasetError } from './format.js';
import { eventOf, row } from './test-fixtures.js';

const HEADER = 'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering'.split(',');
const FAN_OUT_1 = '2022/09/01 00:21,011,8000A0002,020,8000B0001,900.00,Euro,900.00,Euro,ACH,1';
const FAN_OUT_2 = '2022/09/01 00:22,011,8000A0002,021,8000B0002,1200.50,Yen,1200.50,Yen,Wire,1';
const CYCLE_1 = '2022/09/02 10:00,030,8000C0001,031,8000C0002,50.00,US Dollar,50.00,US Dollar,Cheque,1';

const PATTERNS = [
  'BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 2-degree Fan-Out',
  FAN_OUT_1,
  FAN_OUT_2,
  'END LAUNDERING ATTEMPT - FAN-OUT',
  '',
  'BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 2 hops',
  CYCLE_1,
  'END LAUNDERING ATTEMPT - CYCLE',
];


describe('AMLworld rows as payments', () => {
  it('maps a transfer, with its typology and attempt from the patterns file', () => {
    const map = amlworldRows(HEADER, { idPrefix: 'aml', currency: 'USD', attempts: parseAmlworldPatterns(PATTERNS) });
    const first = eventOf(map(row(FAN_OUT_1), 3));
    expect(first).toEqual({
      v: 1,
      kind: 'payment',
      id: 'aml-3',
      ts: '2022-09-01T00:21:00.000Z',
      type: 'transfer',
      channel: 'online',
      amount: '900.00',
      currency: 'EUR',
      debtor: { accountId: '011-8000A0002' },
      creditor: { accountId: '020-8000B0001' },
      labels: { patterns: ['fan_out'], aml: true, scenarioId: 'aml-attempt-1' },
    });
    // Yen have no decimals: rounded half to even.
    expect(eventOf(map(row(FAN_OUT_2), 4))).toMatchObject({ amount: '1200', currency: 'JPY', channel: 'wire', labels: { scenarioId: 'aml-attempt-1' } });
    expect(eventOf(map(row(CYCLE_1), 5))).toMatchObject({ type: 'cheque', channel: 'branch', labels: { patterns: ['cycle'], scenarioId: 'aml-attempt-2' } });
    // Laundering the patterns file does not list, and ordinary rows.
    expect(eventOf(map(row('2022/09/01 00:25,013,8000A0004,024,8000B0005,75.10,UK Pound,75.10,UK Pound,Credit Card,1'), 6))).toMatchObject({
      type: 'card',
      merchant: { id: '024-8000B0005' },
      labels: { patterns: ['laundering'], aml: true },
    });
    const cash = eventOf(map(row('2022/09/01 00:26,014,8000A0005,025,8000B0006,9800.00,US Dollar,9800.00,US Dollar,Cash,0'), 7));
    expect(cash).toMatchObject({ type: 'cash_deposit', channel: 'branch', labels: { patterns: [], aml: false } });
    for (const event of [first, cash]) expect(validateEvent(event, undefined, Date.UTC(2026, 0, 1)).ok).toBe(true);
  });

  it('takes what the payee received when the payer paid in Bitcoin; leaves out Bitcoin on both sides', () => {
    const map = amlworldRows(HEADER, { idPrefix: 'aml', currency: 'USD' });
    expect(eventOf(map(row('2022/09/01 00:24,012,8000A0003,023,8000B0004,3100.00,US Dollar,0.05,Bitcoin,Bitcoin,0'), 2))).toMatchObject({ amount: '3100.00', currency: 'USD', type: 'ewallet' });
    expect(map(row('2022/09/01 00:23,012,8000A0003,022,8000B0003,0.05,Bitcoin,0.05,Bitcoin,Bitcoin,0'), 3)).toEqual({ leftOut: 'paid and received in Bitcoin, which has no ISO 4217 code' });
    expect(map(row('2022/09/01 00:23,012,8000A0003,022,8000B0003,5,Euro,5,Euro,Barter,0'), 4)).toMatchObject({ leftOut: expect.stringMatching(/^Payment Format "Barter" is not one of/) });
    expect(map(row('yesterday,012,8000A0003,022,8000B0003,5,Euro,5,Euro,ACH,0'), 5)).toEqual({ leftOut: 'Timestamp "yesterday" is not YYYY/MM/DD HH:MM' });
  });

  it('never takes the received amount for a paid one it cannot read, nor a label that is neither 0 nor 1, nor a date no calendar has', () => {
    const map = amlworldRows(HEADER, { idPrefix: 'aml', currency: 'USD' });
    expect(map(row('2022/09/01 00:23,012,8000A0003,022,8000B0003,500.00,Euro,abc,US Dollar,ACH,0'), 2)).toEqual({ leftOut: 'Amount Paid "abc US Dollar" is not an amount in a known currency' });
    expect(map(row('2022/09/01 00:23,012,8000A0003,022,8000B0003,500.00,Euro,500.00,Dinar,ACH,1'), 3)).toEqual({ leftOut: 'Amount Paid "500.00 Dinar" is not an amount in a known currency' });
    expect(map(row('2022/09/01 00:23,012,8000A0003,022,8000B0003,500.00,Euro,500.00,Euro,ACH,yes'), 4)).toEqual({ leftOut: 'Is Laundering "yes" is not 0 or 1' });
    expect(map(row('2022/13/01 00:23,012,8000A0003,022,8000B0003,500.00,Euro,500.00,Euro,ACH,0'), 5)).toEqual({ leftOut: 'Timestamp "2022/13/01 00:23" is not YYYY/MM/DD HH:MM' });
  });

  it('moves the times so that the first row is at the start given', () => {
    const map = amlworldRows(HEADER, { idPrefix: 'aml', currency: 'USD', startMs: Date.UTC(2026, 10, 20) });
    expect(eventOf(map(row(FAN_OUT_1), 2)).ts).toBe('2026-11-20T00:00:00.000Z');
    expect(eventOf(map(row(CYCLE_1), 3)).ts).toBe('2026-11-21T09:39:00.000Z');
  });

  it("takes pandas' name for the second Account column, and refuses another file", () => {
    expect(() => amlworldRows([...HEADER.slice(0, 4), 'Account.1', ...HEADER.slice(5)], { idPrefix: 'aml', currency: 'USD' })).not.toThrow();
    expect(() => amlworldRows(['step', 'type'], { idPrefix: 'aml', currency: 'USD' })).toThrow(DatasetError);
    expect(() => parseAmlworldPatterns([FAN_OUT_1])).toThrow(/line 1 is outside any "BEGIN LAUNDERING ATTEMPT" block/);
    expect(amlworldTime('2022/09/01 00:20:30')).toBe(Date.UTC(2022, 8, 1, 0, 20, 30));
  });
});

import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { DatasetError } from './format.js';
import { PAYSIM_HOURS, paysimDefaultStart, paysimRows, paysimStepOf } from './paysim.js';
import { eventOf, row } from './test-fixtures.js';

const HEADER = 'step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud'.split(',');
const START = Date.UTC(2026, 10, 1);

function mapper(rowsPerStep: Record<number, number> = { 1: 4, 2: 1 }) {
  return paysimRows(HEADER, { idPrefix: 'ps', startMs: START, currency: 'USD', rowsPerStep: new Map(Object.entries(rowsPerStep).map(([k, v]) => [Number(k), v])) });
}


describe('PaySim rows as payments', () => {
  it('maps each type as the contract asks, labels fraud, and keeps of the balances only the payer\'s before the payment', () => {
    const map = mapper();
    const payment = eventOf(map(row('1,PAYMENT,120.5,C100,1000.0,879.5,M900,0.0,0.0,0,0'), 2));
    expect(payment).toEqual({
      v: 1,
      kind: 'payment',
      id: 'ps-2',
      ts: '2026-11-01T00:00:00.000Z',
      type: 'ewallet',
      channel: 'mobile',
      amount: '120.5',
      currency: 'USD',
      debtorBalance: '1000.0',
      debtor: { accountId: 'C100', customerId: 'C100', accountType: 'wallet' },
      creditor: { accountId: 'M900', accountType: 'business' },
      merchant: { id: 'M900' },
      labels: { patterns: [], fraud: false },
    });
    const transfer = eventOf(map(row('1,TRANSFER,5000.0,C101,5000.0,0.0,C200,0.0,0.0,1,0'), 3));
    expect(transfer).toMatchObject({ type: 'transfer', channel: 'mobile', creditor: { accountId: 'C200', customerId: 'C200' }, labels: { patterns: ['paysim_fraud'], fraud: true } });
    // Cash: the customer's own wallet on both sides; the agent is not a counterparty.
    const cashOut = eventOf(map(row('1,CASH_OUT,5000.0,C102,5000.0,0.0,C201,10.0,5010.0,1,0'), 4));
    expect(cashOut).toMatchObject({ type: 'cash_withdrawal', channel: 'branch', debtor: { accountId: 'C102' }, creditor: { accountId: 'C102' } });
    const cashIn = eventOf(map(row('1,CASH_IN,300.125,C103,0.0,300.12,C202,500.0,200.0,0,0'), 5));
    expect(cashIn).toMatchObject({ type: 'cash_deposit', amount: '300.12', creditor: { accountId: 'C103' } });
    expect(eventOf(map(row('2,DEBIT,45.0,C104,100.0,55.0,C203,0.0,45.0,0,0'), 6))).toMatchObject({ type: 'transfer', creditor: { accountId: 'C203' } });
    for (const event of [payment, transfer, cashOut, cashIn]) {
      expect(JSON.stringify(event)).not.toMatch(/newbalance|Dest|Flagged/i);
      expect(validateEvent(event).ok).toBe(true);
    }
  });

  it("spreads each hour's rows evenly over it, in file order", () => {
    const map = mapper({ 1: 4, 3: 2 });
    const times = [1, 1, 1, 1, 3, 3].map((step, i) => eventOf(map(row(`${step},TRANSFER,1.00,C1,0,0,C2,0,0,0,0`), i + 2)).ts);
    expect(times).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T00:15:00.000Z',
      '2026-11-01T00:30:00.000Z',
      '2026-11-01T00:45:00.000Z',
      '2026-11-01T02:00:00.000Z',
      '2026-11-01T02:30:00.000Z',
    ]);
    // A row the first pass did not count still lands within its hour.
    expect(eventOf(map(row('3,TRANSFER,1.00,C1,0,0,C2,0,0,0,0'), 9)).ts).toBe('2026-11-01T02:00:02.000Z');
  });

  it('leaves out rows it cannot map, with the reason', () => {
    const map = mapper();
    expect(map(row('1,REFUND,1.0,C1,0,0,C2,0,0,0,0'), 2)).toEqual({ leftOut: 'type "REFUND" is not one of CASH_IN, CASH_OUT, DEBIT, TRANSFER, PAYMENT' });
    expect(map(row('1,PAYMENT,-3.0,C1,0,0,M2,0,0,0,0'), 3)).toEqual({ leftOut: 'amount "-3.0" is not a plain decimal' });
    expect(map(row('x,PAYMENT,3.0,C1,0,0,M2,0,0,0,0'), 4)).toEqual({ leftOut: 'step "x" is not an hour number' });
    // too many digits: left out, not a RangeError that ended the whole import
    expect(map(row(`${'9'.repeat(25)},PAYMENT,3.0,C1,0,0,M2,0,0,0,0`), 5)).toEqual({ leftOut: `step "${'9'.repeat(25)}" is beyond any date` });
  });

  it('refuses a file that is not PaySim, naming the columns it lacks', () => {
    expect(() => paysimRows(['step', 'type', 'amount'], { idPrefix: 'ps', startMs: START, currency: 'USD', rowsPerStep: new Map() })).toThrow(
      new DatasetError('not a PaySim file: its header lacks "nameOrig", "oldbalanceOrg", "nameDest", "isFraud" (it has "step", "type", "amount")'),
    );
  });

  it('reads the step of a raw line for the first pass, and starts the month so that it has just ended', () => {
    expect(paysimStepOf('743,CASH_OUT,1.0,C1,0,0,C2,0,0,0,0')).toBe(743);
    expect(paysimStepOf(HEADER.join(','))).toBeNull();
    expect(paysimStepOf('')).toBeNull();
    const now = Date.UTC(2026, 11, 6, 7, 30);
    expect(paysimDefaultStart(now)).toBe(Date.UTC(2026, 11, 6, 7) - PAYSIM_HOURS * 3_600_000);
  });
});

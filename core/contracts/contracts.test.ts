import { describe, expect, it } from 'vitest';
import { setFxRates, toReportingMinor } from '../fx.js';
import { validateEvent } from './index.js';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');

export const ISSUE_EXAMPLE = {
  v: 1,
  kind: 'payment',
  id: 'pay-0001',
  ts: '2026-11-29T10:15:00.000Z',
  type: 'transfer',
  channel: 'mobile',
  amount: '1250.00',
  currency: 'USD',
  debtor: { accountId: 'ACC-1', customerId: 'C-1', name: 'Ann Lee', bank: 'BANKUS33', country: 'US' },
  creditor: { accountId: 'ACC-2', customerId: 'C-2', bank: 'BANKGB2L', country: 'GB' },
  device: { id: 'dev-1', ip: '203.0.113.7' },
  geo: { lat: 40.71, lon: -74.0 },
};

function withChange(change: (e: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = structuredClone(ISSUE_EXAMPLE) as Record<string, unknown>;
  change(copy);
  return copy;
}

describe('contracts - payment', () => {
  it('accepts the example from the spine issue and converts money to minor units', () => {
    const result = validateEvent(ISSUE_EXAMPLE, undefined, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({
      kind: 'payment',
      id: 'pay-0001',
      ts: Date.parse('2026-11-29T10:15:00.000Z'),
      amountMinor: 125000,
      currency: 'USD',
      partitionKey: 'ACC-1',
      customerId: 'C-1',
    });
  });

  it('assigns an id when the client gave none', () => {
    const result = validateEvent(withChange((e) => delete e.id), () => 'assigned-1', NOW);
    expect(result.ok && result.event.id).toBe('assigned-1');
  });

  it('keeps labels apart from the body scorers read', () => {
    const result = validateEvent(withChange((e) => (e.labels = { patterns: ['card_testing'], fraud: true })), undefined, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.labels).toEqual({ patterns: ['card_testing'], fraud: true });
    expect('labels' in result.event.body).toBe(false);
  });

  const refusals: Array<[string, (e: Record<string, unknown>) => void, string, string]> = [
    ['a float amount', (e) => (e.amount = 1250.5), '/amount', 'type'],
    ['a negative amount', (e) => (e.amount = '-5.00'), '/amount', 'pattern'],
    ['too many decimals for the currency', (e) => (e.amount = '1.234'), '/amount', 'amount_scale'],
    ['decimals on a zero-decimal currency', (e) => ((e.amount = '100.5'), (e.currency = 'JPY')), '/amount', 'amount_scale'],
    ['an unknown currency', (e) => (e.currency = 'XYZ'), '/currency', 'currency'],
    ['a withdrawn currency', (e) => (e.currency = 'DEM'), '/currency', 'currency'],
    ['a missing debtor account', (e) => delete (e.debtor as Record<string, unknown>).accountId, '/debtor/accountId', 'required'],
    ['a wrong type', (e) => (e.channel = 7), '/channel', 'type'],
    ['an unknown channel', (e) => (e.channel = 'carrier-pigeon'), '/channel', 'enum'],
    ['an unknown field', (e) => (e.colour = 'red'), '/colour', 'unknown_field'],
    ['a bad version', (e) => (e.v = 2), '/v', 'const'],
    ['an unknown kind', (e) => (e.kind = 'refund'), '/kind', 'enum'],
    ['a missing kind', (e) => delete e.kind, '/kind', 'required'],
    ['a time without zone', (e) => (e.ts = '2026-11-29 10:15'), '/ts', 'format'],
    ['a time far in the future', (e) => (e.ts = '2030-01-01T00:00:00Z'), '/ts', 'range'],
    ['a time whose offset has no minutes', (e) => (e.ts = '2026-11-29T10:15:00+05'), '/ts', 'format'],
    ['an offset without its colon (ISO 8601 basic, not RFC 3339)', (e) => (e.ts = '2026-11-29T10:15:00+0100'), '/ts', 'format'],
    ['a bad ip', (e) => ((e.device as Record<string, unknown>).ip = '999.1.1.1'), '/device/ip', 'format'],
    ['a bad country', (e) => ((e.creditor as Record<string, unknown>).country = 'gb'), '/creditor/country', 'pattern'],
    ['a latitude out of range', (e) => ((e.geo as Record<string, unknown>).lat = 91), '/geo/lat', 'maximum'],
  ];
  it.each(refusals)('refuses %s, naming the field', (_name, change, path, rule) => {
    const result = validateEvent(withChange(change), undefined, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(expect.objectContaining({ path, rule }));
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(3);
  });

  it('reads a leap second (RFC 3339 allows it) as the last millisecond before it, and offsets as written', () => {
    const leap = validateEvent(withChange((e) => (e.ts = '2016-12-31T23:59:60.5Z')), undefined, NOW);
    expect(leap.ok && leap.event.ts).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    const local = validateEvent(withChange((e) => (e.ts = '2017-01-01T00:59:60+01:00')), undefined, NOW);
    expect(local.ok && local.event.ts).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    const offset = validateEvent(withChange((e) => (e.ts = '2026-11-29T11:15:00+01:00')), undefined, NOW);
    expect(offset.ok && offset.event.ts).toBe(Date.UTC(2026, 10, 29, 10, 15));
  });

  it('names the alternatives a value matched none of, once', () => {
    const result = validateEvent(withChange((e) => ((e.device as Record<string, unknown>).ip = '999.1.1.1')), undefined, NOW);
    expect(result.ok ? [] : result.errors).toEqual([{ path: '/device/ip', rule: 'format', message: 'must be ipv4 or ipv6' }]);
  });

  it('says which value a constant field must have', () => {
    const result = validateEvent(withChange((e) => (e.v = 2)), undefined, NOW);
    expect(result.ok ? [] : result.errors).toContainEqual({ path: '/v', rule: 'const', message: 'must be 1' });
  });

  it('refuses a currency it has no USD rate for, naming the setting, and takes it once the operator gives one', () => {
    const ugx = withChange((e) => {
      e.amount = '5000';
      e.currency = 'UGX';
    });
    const refused = validateEvent(ugx, undefined, NOW);
    expect(refused.ok ? [] : refused.errors).toEqual([{ path: '/currency', rule: 'fx_rate', message: expect.stringContaining('RISKSTREAM_FX_RATES (for example {"UGX":0.00027}') }]);
    setFxRates({ UGX: 0.00027 });
    try {
      expect(validateEvent(ugx, undefined, NOW).ok).toBe(true);
      expect(toReportingMinor(500000, 'UGX')).toBe(13500); // UGX 500,000 (no minor unit) is USD 135.00
    } finally {
      setFxRates({});
    }
  });

  it('lists every problem at once: the value checks run on the fields whose shape is right', () => {
    const result = validateEvent(
      { v: 1, kind: 'loan.repayment', ts: '1999-12-31T00:00:00Z', loanId: 'L', customerId: 'C', amount: '12.505', currency: 'USD', installment: 0 },
      undefined,
      NOW,
    );
    expect(result.ok ? [] : result.errors.map((e) => `${e.path} ${e.rule}`).sort()).toEqual(['/amount amount_scale', '/installment minimum', '/ts range']);
  });

  it('refuses dates no record could hold: a birth or a relationship after the event, a year typed wrong', () => {
    const customerEvent = (change: Record<string, unknown>) =>
      validateEvent({ v: 1, kind: 'customer', id: 'c-1', ts: '2026-11-29T10:00:00Z', customerId: 'C-1', type: 'individual', name: 'Ann Lee', segment: 'standard', riskRating: 'low', pep: false, country: 'US', ...change }, undefined, NOW);
    const errorsOf = (r: ReturnType<typeof validateEvent>) => (r.ok ? [] : r.errors.map((e) => `${e.path} ${e.rule}`));
    expect(errorsOf(customerEvent({ dateOfBirth: '2099-01-01' }))).toEqual(['/dateOfBirth range']);
    expect(errorsOf(customerEvent({ dateOfBirth: '1850-01-01' }))).toEqual(['/dateOfBirth range']);
    expect(errorsOf(customerEvent({ onboardedAt: '2099-01-01T00:00:00Z' }))).toEqual(['/onboardedAt range']);
    expect(customerEvent({ dateOfBirth: '1980-02-29', onboardedAt: '2026-11-30T09:00:00Z' }).ok).toBe(true);
    // read as ts is: offsets no clock reads are refused, not taken for an unknown date downstream
    expect(errorsOf(customerEvent({ onboardedAt: '2020-01-01T00:00:00+01' }))).toEqual(['/onboardedAt format']);
    expect(errorsOf(customerEvent({ onboardedAt: '2020-01-01T00:00:00+0100' }))).toEqual(['/onboardedAt format']);
    expect(customerEvent({ onboardedAt: '2016-12-31T23:59:60Z' }).ok).toBe(true);
    const repayment = validateEvent({ v: 1, kind: 'loan.repayment', ts: '2026-11-29T10:00:00Z', loanId: 'L', customerId: 'C', amount: '12.50', currency: 'USD', dueDate: '0001-01-01' }, undefined, NOW);
    expect(errorsOf(repayment)).toEqual(['/dueDate range']);
  });

  it('takes only country codes in use: "UK" is refused and named, "XK" (Kosovo) accepted', () => {
    const uk = validateEvent(withChange((e) => ((e.creditor as Record<string, unknown>).country = 'UK')), undefined, NOW);
    expect(uk.ok ? [] : uk.errors).toEqual([{ path: '/creditor/country', rule: 'country', message: expect.stringContaining('the United Kingdom is "GB"') }]);
    const lower = validateEvent(withChange((e) => ((e.creditor as Record<string, unknown>).country = 'gb')), undefined, NOW);
    expect(lower.ok ? [] : lower.errors).toEqual([{ path: '/creditor/country', rule: 'pattern', message: expect.stringContaining('ISO 3166-1') }]);
    expect(validateEvent(withChange((e) => ((e.creditor as Record<string, unknown>).country = 'XK')), undefined, NOW).ok).toBe(true);
  });

  it.each([[' ACC-1'], ['ACC-1 '], ['ACC-1\n'], ['AC\tC-1'], [' ']])('refuses a reference with a space at an end or a control character: %j', (accountId) => {
    const result = validateEvent(withChange((e) => ((e.debtor as Record<string, unknown>).accountId = accountId)), undefined, NOW);
    expect(result.ok ? [] : result.errors).toEqual([{ path: '/debtor/accountId', rule: 'pattern', message: expect.stringContaining('must not start or end with a space') }]);
  });

  it('takes a reference with spaces inside (an IBAN as printed)', () => {
    expect(validateEvent(withChange((e) => ((e.debtor as Record<string, unknown>).accountId = 'GB82 WEST 1234 5698 7654 32')), undefined, NOW).ok).toBe(true);
  });

  it('names an unknown field by its JSON pointer, escaped', () => {
    const result = validateEvent(withChange((e) => (e['a/b~c'] = 1)), undefined, NOW);
    expect(result.ok ? [] : result.errors).toEqual([{ path: '/a~1b~0c', rule: 'unknown_field', message: 'a/b~c is not a field of this event' }]);
  });

  it.each([[null], [[]], ['text'], [42]])('refuses a non-object %j', (input) => {
    const result = validateEvent(input, undefined, NOW);
    expect(result.ok).toBe(false);
  });
});

describe('contracts - other kinds', () => {
  const base = { v: 1, ts: '2026-11-29T10:00:00Z' };
  const valid: Array<[string, Record<string, unknown>]> = [
    ['customer', { ...base, kind: 'customer', id: 'c1', customerId: 'C-1', type: 'individual', name: 'Ann Lee', segment: 'vip', riskRating: 'low', pep: false, country: 'US', dateOfBirth: '1980-02-03' }],
    ['loan.application', { ...base, kind: 'loan.application', id: 'la1', applicationId: 'A-1', customerId: 'C-1', amount: '15000.00', currency: 'EUR', termMonths: 36, purpose: 'auto', annualIncome: '52000.00', bureauScore: 690 }],
    ['loan.disbursement', { ...base, kind: 'loan.disbursement', id: 'ld1', loanId: 'L-1', customerId: 'C-1', accountId: 'ACC-1', amount: '15000.00', currency: 'EUR', termMonths: 36, installmentAmount: '455.12', firstDueDate: '2026-12-29' }],
    ['loan.repayment', { ...base, kind: 'loan.repayment', id: 'lr1', loanId: 'L-1', customerId: 'C-1', amount: '455.12', currency: 'EUR', installment: 1 }],
    ['loan.missed_payment', { ...base, kind: 'loan.missed_payment', id: 'lm1', loanId: 'L-1', customerId: 'C-1', amountDue: '455.12', currency: 'EUR', installment: 2, dueDate: '2027-01-29', daysPastDue: 30 }],
    ['collateral.valuation', { ...base, kind: 'collateral.valuation', id: 'cv1', collateralId: 'COL-1', loanId: 'L-1', type: 'vehicle', value: '12000.00', currency: 'EUR' }],
  ];
  it.each(valid)('accepts a valid %s', (_kind, event) => {
    const result = validateEvent(event, undefined, NOW);
    expect(result.ok ? true : result.errors).toBe(true);
  });

  it('converts every money field of a loan application', () => {
    const result = validateEvent(valid[1]![1], undefined, NOW);
    expect(result.ok && result.event.money).toEqual({ amount: 1_500_000, annualIncome: 5_200_000 });
  });
});

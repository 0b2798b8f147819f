import { describe, expect, it } from 'vitest';
import { BILLER_PROFILES, MCC_PROFILES } from './merchants.js';
import { loadReference, naturalOrder, parseSdnIndividuals } from './reference.js';

describe('reference - SDN legacy CSV', () => {
  const sample =
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n' +
    '2674,"ABBAS, Abu","individual","SDGT","Director",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Dec 1948."\r\n' +
    '2677,"AL-ZOMOR, Abboud Abdul","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"POB Giza, Egypt."\r\n' +
    '9999,"SOME VESSEL","vessel","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n' +
    '\x1a';

  it('keeps individuals only and survives the trailing end-of-file byte', () => {
    expect(parseSdnIndividuals(sample)).toEqual(['ABBAS, Abu', 'AL-ZOMOR, Abboud Abdul']);
  });

  it('reads the shipped list', () => {
    const names = loadReference().sdnIndividuals;
    expect(names.length).toBeGreaterThan(1000);
    expect(names.some((n) => n.includes('-0-') || n.includes('\x1a') || n.trim() === '')).toBe(false);
  });

  it.each([
    ['ABBAS, Abu', 'Abu Abbas'],
    ['AL-ZOMOR, Abboud Abdul Latif Hassan', 'Abboud Abdul Latif Hassan Al-Zomor'],
    ["O'NEIL, Sean", "Sean O'Neil"],
    ['NO COMMA HERE', 'No Comma Here'],
  ])('writes %s as a payer would: %s', (listed, natural) => {
    expect(naturalOrder(listed)).toBe(natural);
  });
});

describe('reference - other lists', () => {
  it('knows every MCC the merchant tables use', () => {
    const { mccs } = loadReference();
    expect([...MCC_PROFILES, ...BILLER_PROFILES].filter((p) => !mccs.has(p.mcc)).map((p) => p.mcc)).toEqual([]);
  });

  it('reads the FATF black and grey lists as ISO codes', () => {
    const { fatf, countries } = loadReference();
    expect(fatf.filter((f) => f.list === 'call_for_action').map((f) => f.country)).toEqual(expect.arrayContaining(['KP', 'IR']));
    expect(fatf.every((f) => countries.has(f.country))).toBe(true);
    expect(countries.has('NA')).toBe(true);
  });
});

// Masking personal data: pure functions, table-driven.
import { describe, expect, it } from 'vitest';
import { EVENT_EXAMPLES } from '../../core/contracts/examples.js';
import { maskDateOfBirth, maskDeviceId, maskEvent, maskIp, maskName, maskParty } from './personal-data.js';

describe('personal data', () => {
  it.each([
    ['Ann Lee', 'A** L**'],
    ['Example Games GmbH', 'E****** G**** G***'],
    ['  two  spaces ', '  t**  s***** '],
    ['Zoë', 'Z**'],
    ['李小龍', '李**'],
    ['X', 'X'],
    ['', ''],
  ])('masking - maskName(%j) is %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it.each([
    ['203.0.113.7', '203.0.*.*'],
    ['2001:db8::17', '2001:db8:*'],
    ['::1', '*'],
    ['fe80::1', 'fe80:*'],
    ['not an ip', '*'],
  ])('masking - maskIp(%j) is %j', (ip, masked) => {
    expect(maskIp(ip)).toBe(masked);
  });

  it.each([
    ['dev-9f2c', 'de****'],
    ['abcd', '****'],
  ])('masking - maskDeviceId(%j) is %j', (id, masked) => {
    expect(maskDeviceId(id)).toBe(masked);
  });

  it.each([
    ['1985-04-12', '1985-**-**'],
    ['12/04/1985', '****-**-**'],
  ])('masking - maskDateOfBirth(%j) is %j', (date, masked) => {
    expect(maskDateOfBirth(date)).toBe(masked);
  });

  it('masking - maskParty masks the name and keeps the identifiers', () => {
    const party = { accountId: 'ACC-1', customerId: 'C-1', name: 'Ann Lee', bank: 'BANKUS33', country: 'US' };
    expect(maskParty(party)).toEqual({ ...party, name: 'A** L**' });
    expect(maskParty({ ...party, name: null })).toEqual({ ...party, name: null });
  });

  it('masking - maskEvent masks a payment\'s names, device and location, and leaves the original alone', () => {
    const event = EVENT_EXAMPLES.payment[1]!.event as unknown as Record<string, unknown>;
    const before = JSON.stringify(event);
    expect(maskEvent(event)).toEqual({
      ...event,
      debtor: { accountId: 'CARD-ACC-77', customerId: 'C-77', country: 'DE', accountType: 'personal' },
      creditor: { ...(event.creditor as object), name: 'E****** G**** G***' },
      device: { id: 'de****', ip: '2001:db8:*', userAgent: '*' },
    });
    expect(JSON.stringify(event)).toBe(before);
    const located = maskEvent(EVENT_EXAMPLES.payment[0]!.event as unknown as Record<string, unknown>);
    expect(located.geo).toEqual({ lat: 40.7, lon: -74 });
    expect(located.debtor).toMatchObject({ name: 'A** L**', accountId: 'ACC-1' });
  });

  it('masking - a payment\'s free-text purpose is starred whole; a loan application\'s purpose category stays', () => {
    const payment = { ...(EVENT_EXAMPLES.payment[0]!.event as unknown as Record<string, unknown>), purpose: 'gift for Marie Curie' };
    expect(maskEvent(payment).purpose).toBe('*');
    const application = { ...(EVENT_EXAMPLES['loan.application'][0]!.event as unknown as Record<string, unknown>), purpose: 'auto' };
    expect(maskEvent(application).purpose).toBe('auto');
  });

  it('masking - maskEvent masks a customer profile\'s name and date of birth', () => {
    const masked = maskEvent(EVENT_EXAMPLES.customer[0]!.event as unknown as Record<string, unknown>);
    expect(masked).toMatchObject({ name: 'A** L**', dateOfBirth: '1985-**-**', customerId: 'C-1', country: 'US' });
    const detailed = maskEvent({ ...(EVENT_EXAMPLES.customer[0]!.event as unknown as Record<string, unknown>), occupation: 'surgeon at St Mary', nationality: 'IE' });
    expect(detailed).toMatchObject({ occupation: '*', nationality: '**' });
  });
});

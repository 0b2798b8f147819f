import { describe, expect, it } from 'vitest';
import type { AlertFilter, SessionUser, UserRole } from '../protocol.js';
import { AlertRouting, alertMatches, filterKey, isRoutableAlert } from './alert-routing.js';
import { effectiveAlertFilter, topicsFor } from './hub-policy.js';

const ALERT = { domain: 'aml', severity: 'high', typology: 'structuring', segment: 'vip' } as const;

describe('alert routing - filters', () => {
  it.each<[string, AlertFilter, boolean]>([
    ['no filter', {}, true],
    ['same domain', { domain: 'aml' }, true],
    ['other domain', { domain: 'fraud' }, false],
    ['same severity', { severity: 'high' }, true],
    ['lower severity (exact match, as the REST API)', { severity: 'medium' }, false],
    ['higher severity', { severity: 'critical' }, false],
    ['typology', { typology: 'structuring' }, true],
    ['other typology', { typology: 'fan-out' }, false],
    ['segment', { segment: 'vip' }, true],
    ['other segment', { segment: 'standard' }, false],
    ['all four', { domain: 'aml', severity: 'high', typology: 'structuring', segment: 'vip' }, true],
  ])('%s', (_name, filter, matches) => {
    expect(alertMatches(filter, ALERT)).toBe(matches);
  });

  it('the same filter in another key order is the same group', () => {
    expect(filterKey({ severity: 'high', domain: 'aml' })).toBe(filterKey({ domain: 'aml', severity: 'high' }));
    expect(filterKey({ domain: 'aml' })).not.toBe(filterKey({ typology: 'aml' }));
  });

  it.each([
    ['an alert', { id: 'a', ts: 1, createdAt: 1, ...ALERT }, true],
    ['no createdAt', { id: 'a', ts: 1, ...ALERT }, false],
    ['no event time (the hub judges its age by it)', { id: 'a', createdAt: 1, ...ALERT }, false],
    ['an event time that is not a number', { id: 'a', ts: '2026-01-01', createdAt: 1, ...ALERT }, false],
    ['an event time past what a date holds (its log line would throw)', { id: 'a', ts: -1e17, createdAt: 1, ...ALERT }, false],
    ['a creation time past what a date holds', { id: 'a', ts: 1, createdAt: 9e15, ...ALERT }, false],
    ['the furthest time a date holds', { id: 'a', ts: -8.64e15, createdAt: 8.64e15, ...ALERT }, true],
    ['an unknown domain', { id: 'a', ts: 1, createdAt: 1, ...ALERT, domain: 'tax' }, false],
    ['a decision', { eventId: 'e', accountId: 'A' }, false],
  ])('routable: %s → %s', (_name, value, ok) => {
    expect(isRoutableAlert(value)).toBe(ok);
  });
});

describe('alert routing - groups', () => {
  it('tests each distinct filter once and reaches each matching client once', () => {
    const routing = new AlertRouting<string>();
    routing.set('c1', { domain: 'aml' });
    routing.set('c2', { domain: 'aml' });
    routing.set('c3', { domain: 'fraud' });
    routing.set('c4', {});
    expect(routing.groups).toBe(3);
    const got: string[] = [];
    routing.route({ ...ALERT, id: 'x', createdAt: 1 } as never, (c) => got.push(c));
    expect(got.sort()).toEqual(['c1', 'c2', 'c4']);
  });

  it('re-subscribing replaces the filter; removing the last member drops the group', () => {
    const routing = new AlertRouting<string>();
    routing.set('c1', { domain: 'aml' });
    routing.set('c1', { domain: 'fraud' });
    expect(routing.size).toBe(1);
    expect(routing.groups).toBe(1);
    routing.remove('c1');
    expect(routing.groups).toBe(0);
    routing.remove('c1');
    expect(routing.size).toBe(0);
  });
});

describe('alert routing - roles', () => {
  const user = (roles: UserRole[]): SessionUser => ({ username: 'u', displayName: 'u', roles, totpEnabled: false, locale: 'en' });

  it.each<[UserRole[], AlertFilter, AlertFilter]>([
    [['credit_officer'], {}, { domain: 'credit' }],
    [['credit_officer'], { domain: 'fraud', severity: 'high' }, { domain: 'credit', severity: 'high' }],
    [['credit_officer', 'risk_monitor'], { domain: 'fraud' }, { domain: 'fraud' }],
    [['risk_monitor'], {}, {}],
  ])('%j asking %j gets %j', (roles, asked, effective) => {
    expect(effectiveAlertFilter(user(roles), asked)).toEqual(effective);
  });

  it.each<[UserRole[], string[]]>([
    [['admin'], ['kpi', 'alerts', 'account', 'health']],
    [['credit_officer'], ['kpi', 'alerts']],
    [['compliance_officer'], ['kpi', 'alerts', 'account']],
    [['credit_officer', 'auditor'], ['kpi', 'alerts', 'account', 'health']],
  ])('%j may use %j', (roles, topics) => {
    expect(topicsFor(user(roles))).toEqual(topics);
  });
});

// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { alertDomainsFor, hrefOf, mayOpen, mayReadDeadLetters, parseRoute, returnPage } from './routes.js';

describe('routes', () => {
  const table: ReadonlyArray<[string, ReturnType<typeof parseRoute>]> = [
    ['', { name: 'overview' }],
    ['#/', { name: 'overview' }],
    ['#/alerts', { name: 'alerts' }],
    ['#/alerts/', { name: 'alerts' }],
    ['#/alerts?domain=aml&severity=high', { name: 'alerts', query: 'domain=aml&severity=high' }],
    ['#/alerts?', { name: 'alerts' }],
    ['#/alerts/al%2F1', { name: 'alert', id: 'al/1' }],
    ['#/accounts/acc-9', { name: 'account', id: 'acc-9' }],
    ['#/accounts/%E0%A4%A', { name: 'not-found' }],
    ['#/login', { name: 'login' }],
    ['#/nope', { name: 'not-found' }],
  ];
  for (const [hash, route] of table) {
    it(`routes - ${hash || '(empty)'} opens ${route.name}`, () => expect(parseRoute(hash)).toEqual(route));
  }

  it('routes - links round-trip', () => {
    for (const route of [{ name: 'alert', id: 'a b/c' }, { name: 'account', id: 'x' }, { name: 'health' }, { name: 'alerts', query: 'segment=vip' }] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });

  it('routes - pages follow the topic roles', () => {
    expect(mayOpen('health', ['compliance_officer'])).toBe(false);
    expect(mayOpen('health', ['auditor'])).toBe(true);
    // within pages: the credit desk filters credit alerts only; dead letters are for operators
    expect(alertDomainsFor(['credit_officer'])).toEqual(['credit']);
    expect(alertDomainsFor(['credit_officer', 'auditor'])).toEqual(['fraud', 'aml', 'credit']);
    expect(mayReadDeadLetters(['auditor'])).toBe(false);
    expect(mayReadDeadLetters(['risk_monitor'])).toBe(true);
    expect(mayOpen('account', ['credit_officer'])).toBe(false);
    expect(mayOpen('credit', ['credit_officer'])).toBe(true);
    expect(mayOpen('alerts', ['credit_officer'])).toBe(true);
  });

  it('routes - after signing in, back to the page only if it was this user\'s (or a link opened first) and the role opens it', () => {
    const monitor = { username: 'mo', roles: ['risk_monitor'] as const };
    const credit = { username: 'cr', roles: ['credit_officer'] as const };
    const table: ReadonlyArray<[Parameters<typeof returnPage>[0], Parameters<typeof returnPage>[1], string]> = [
      [null, monitor, '#/overview'],
      [{ hash: '#/health', username: 'mo' }, monitor, '#/health'],
      [{ hash: '#/health', username: 'mo' }, { ...monitor, username: 'other' }, '#/overview'],
      [{ hash: '#/alerts/al-1', username: null }, monitor, '#/alerts/al-1'],
      [{ hash: '#/health', username: null }, credit, '#/overview'],
    ];
    for (const [returnTo, user, page] of table) expect(returnPage(returnTo, user), JSON.stringify([returnTo, user.username])).toBe(page);
  });
});

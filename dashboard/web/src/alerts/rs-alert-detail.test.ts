// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertDetailAnswer } from '../../../server/protocol.js';
import { FakeApi, makeAlert, settle } from '../test-support/fakes.js';
import './rs-alert-detail.js';

const EVIL = '<img src=x onerror=alert(1)>';

function detail(): AlertDetailAnswer {
  const alert = { ...makeAlert({ id: 'al-x', accountId: 'acc/7', reasons: [{ code: 'R1', scorer: 'rules', points: 120, text: `merchant ${EVIL}` }] }), amount: '1250.00' };
  return {
    alert,
    decision: null,
    event: { kind: 'payment', merchant: { name: EVIL, mcc: '5411' }, debtor: { name: 'A*** L**' }, tags: [] },
  };
}

describe('alert detail', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('alert detail - shows reasons and the event with markup in names as text, and links to the account', async () => {
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => detail());
    const element = document.createElement('rs-alert-detail');
    element.api = api;
    element.alertId = 'al-x';
    document.body.append(element);
    await settle(element);
    const root = element.shadowRoot!;
    expect(root.querySelector('[data-testid="alert-detail"]')).not.toBeNull();
    expect(root.querySelector('img')).toBeNull();
    const event = root.querySelector('[data-testid="detail-event"]')!;
    expect(event.textContent).toContain('merchant.name');
    expect(event.textContent).toContain(EVIL);
    expect(event.textContent).toContain('A*** L**');
    expect(root.querySelector('[data-testid="detail-reasons"]')!.textContent).toContain(`merchant ${EVIL}`);
    expect(root.querySelector('[data-testid="detail-reasons"]')!.textContent).toContain('+120');
    const link = root.querySelector<HTMLAnchorElement>('[data-testid="account-link"]')!;
    expect(link.getAttribute('href')).toBe('#/accounts/acc%2F7');
    expect(root.textContent).toContain('$1,250.00');
  });
});

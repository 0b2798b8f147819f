// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertDetailAnswer } from '../../../server/protocol.js';
import { setLocale } from '../i18n/locale.js';
import { ApiError } from '../api/http.js';
import { FakeApi, connectedLive, makeAlert, settle } from '../test-support/fakes.js';
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

/** The detail of alert al-x, on the page and rendered. */
async function mount(api: FakeApi): Promise<HTMLElementTagNameMap['rs-alert-detail']> {
  const element = document.createElement('rs-alert-detail');
  element.api = api;
  element.alertId = 'al-x';
  document.body.append(element);
  await settle(element);
  return element;
}

describe('alert detail', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('alert detail - shows reasons and the event with markup in names as text, and links to the account', async () => {
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => detail());
    const element = await mount(api);
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

  it('alert detail - shows amount features as dollars and the rest as numbers', async () => {
    const answer = detail();
    const alert = answer.alert;
    const decision = {
      v: 1 as const, eventId: alert.eventId, eventKind: 'payment' as const, eventTs: alert.ts, ingestTs: alert.ts, decidedAt: alert.ts,
      accountId: alert.accountId, customerId: alert.customerId, counterpartyId: 'acc-9', channel: 'ecommerce', paymentType: 'card',
      country: 'US', counterpartyCountry: 'DE', segment: alert.segment, amountMinor: 133, currency: 'USD', amount: '1.33',
      score: 738, action: 'review' as const, reasons: alert.reasons, models: { fraud_rules: 'fraud-starter-1.1.0' },
      features: { amount: 133, out_count_1h: 11, seconds_since_last: 7_776_000 }, latencyMs: { processing: 1, total: 4 },
    };
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => ({ ...answer, decision }));
    const element = await mount(api);
    const rows = [...element.shadowRoot!.querySelectorAll('[data-testid="detail-features"] tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(rows).toEqual([
      ['Amount of this payment', '$1.33'],
      ['Payments out, last hour', '11'],
      ['Time since the previous payment out (s)', '7,776,000 (90.0 days)'],
    ]);
    const names = [...element.shadowRoot!.querySelectorAll('[data-testid="detail-features"] tbody tr td:first-child')].map((td) => td.getAttribute('title'));
    expect(names).toEqual(['amount', 'out_count_1h', 'seconds_since_last']);
    const amountCell = element.shadowRoot!.querySelector('[data-testid="detail-features"] tbody td.num')!;
    expect(amountCell.getAttribute('title')).toBe('As the rules compare it: 133 US cents');
  });

  it('alert detail - shows a reason in the chosen language when the rule set wrote one', async () => {
    const reasons = [{ code: 'FR-CARD-TEST', scorer: 'fraud_rules', points: 500, text: '6 card payments under USD 5.00', texts: { 'zh-CN': '6 笔低于 USD 5.00 的卡支付' } }];
    const answer = detail();
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => ({ ...answer, alert: { ...answer.alert, reasons } }));
    const element = await mount(api);
    const reasonsText = (): string => element.shadowRoot!.querySelector('[data-testid="detail-reasons"]')!.textContent!;
    expect(reasonsText()).toContain('6 card payments under USD 5.00');
    setLocale('zh-CN');
    await settle(element);
    expect(reasonsText()).toContain('6 笔低于 USD 5.00 的卡支付');
    setLocale('en');
  });

  it('alert detail - a load that failed during an outage runs again when the connection is back', async () => {
    let down = true;
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => (down ? new ApiError(0, 'RS_ERR_NETWORK', 'Failed to fetch', true) : detail()));
    const { live, socket, timers } = connectedLive();
    const element = document.createElement('rs-alert-detail');
    element.api = api;
    element.live = live;
    element.alertId = 'al-x';
    document.body.append(element);
    await settle(element);
    expect(element.shadowRoot!.querySelector('[role="alert"]')?.textContent).toContain('Failed to fetch');
    down = false;
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await settle(element);
    expect(element.shadowRoot!.querySelector('[role="alert"]')).toBeNull();
    expect(element.shadowRoot!.querySelector('[data-testid="detail-reasons"]')).not.toBeNull();
    live.stop();
  });

  it('alert detail - an alert that is not there is asked for again only briefly, then said plainly to be missing', async () => {
    const api = new FakeApi().on('GET', '/api/alerts/al-gone', () => new ApiError(404, 'RS_ERR_NOT_FOUND', 'no alert al-gone since 2026-11-29 (?since= to look further back)', false));
    const element = document.createElement('rs-alert-detail');
    element.api = api;
    element.alertId = 'al-gone';
    document.body.append(element);
    const started = Date.now();
    await vi.waitFor(() => expect(element.shadowRoot!.querySelector('[data-testid="alert-not-found"]')).not.toBeNull(), { timeout: 4_000, interval: 50 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(api.calls).toHaveLength(4);
    const text = element.shadowRoot!.textContent!;
    expect(text).toContain('This alert was not found');
    expect(text).not.toContain('?since=');
    expect(text).not.toContain('Loading');
  });

  it('alert detail - names the scorer in words, says how points become the score, and keeps ground truth apart and marked', async () => {
    const reasons = [
      { code: 'FR-CARD-TEST', scorer: 'fraud_rules', points: 500, text: 'card testing' },
      { code: 'FR-VEL-1M', scorer: 'fraud_rules', points: 300, text: 'velocity' },
    ];
    const answer = detail();
    const event = { ...answer.event!, labels: { patterns: ['card_testing'], fraud: true } };
    const api = new FakeApi().on('GET', '/api/alerts/al-x', () => ({ ...answer, event, alert: { ...answer.alert, reasons } }));
    const element = await mount(api);
    const root = element.shadowRoot!;
    const scorerCell = root.querySelector('[data-testid="detail-reasons"] tbody td:nth-child(2)')!;
    expect(scorerCell.textContent!.trim()).toBe('Fraud rules');
    expect(scorerCell.getAttribute('title')).toBe('fraud_rules');
    expect(root.querySelector('[data-testid="score-note"]')!.textContent).toContain('two rules of 500 give 750');
    expect(root.querySelector('[data-testid="detail-event"]')!.textContent).not.toContain('labels.');
    const truth = root.querySelector('[data-testid="ground-truth"]')!;
    expect(truth.textContent).toContain('Simulator ground truth');
    expect(truth.textContent).toContain('labels.fraud');
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi, connectedLive, settle } from '../test-support/fakes.js';
import './rs-credit-page.js';

describe('credit page', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('credit page - loans allowed without a score read as not scored, never as approved', async () => {
    const totals = { decisions: 4, allowed: 4, reviewed: 0, blocked: 0, amountUsd: '88700.00' };
    const api = new FakeApi().on('GET', '/api/credit/summary', () => ({ minutes: [], totals: { 'loan.application': totals } }));
    const { live } = connectedLive();
    const page = document.createElement('rs-credit-page');
    page.api = api;
    page.live = live;
    document.body.append(page);
    await settle(page);
    const text = page.shadowRoot!.textContent!;
    expect(text).toContain('Allowed (not scored)');
    expect(text.replace('not scored, not approved', '')).not.toMatch(/approved/i);
    expect(page.shadowRoot!.querySelector('[data-testid="credit-not-scored"]')!.textContent).toContain('not scored, not approved');
    live.stop();
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, connectedLive, makeTick, settle } from '../test-support/fakes.js';
import './rs-credit-page.js';

/** The credit page on the given API and live connection, rendered. */
async function mountPage(api: FakeApi, live: ReturnType<typeof connectedLive>['live']): Promise<HTMLElementTagNameMap['rs-credit-page']> {
  const page = document.createElement('rs-credit-page');
  page.api = api;
  page.live = live;
  document.body.append(page);
  await settle(page);
  return page;
}

describe('credit page', () => {
  afterEach(() => {
    vi.useRealTimers();
    document.body.innerHTML = '';
  });

  it('credit page - loans allowed without a score read as not scored, never as approved', async () => {
    const totals = { decisions: 4, allowed: 4, reviewed: 0, blocked: 0, amountUsd: '88700.00' };
    const api = new FakeApi().on('GET', '/api/credit/summary', () => ({ minutes: [], totals: { 'loan.application': totals } }));
    const { live } = connectedLive();
    const page = await mountPage(api, live);
    const text = page.shadowRoot!.textContent!;
    expect(text).toContain('Allowed (not scored)');
    expect(text.replace('not scored, not approved', '')).not.toMatch(/approved/i);
    expect(page.shadowRoot!.querySelector('[data-testid="credit-not-scored"]')!.textContent).toContain('not scored, not approved');
    // the totals are of the minutes read: the title says how many (before: 'History', of no period)
    expect(api.calls.find((c) => c.path === '/api/credit/summary')?.query).toEqual({ minutes: 60 });
    expect(page.shadowRoot!.querySelector('#credit-history')!.textContent!.trim()).toBe('History (60 min)');
    live.stop();
  });

  it('credit page - the live tiles show loan amounts as exact decimal amounts, not rounded to thousands', async () => {
    const api = new FakeApi().on('GET', '/api/credit/summary', () => ({ minutes: [], totals: {} }));
    const { live, socket } = connectedLive();
    const page = await mountPage(api, live);
    socket().push({ type: 'kpi', tick: makeTick(Date.UTC(2026, 11, 6, 17, 0, 0), { byKind: { 'loan.disbursement': { count: 2, allow: 2, review: 0, block: 0, amountUsd: '356412.57' } } }) });
    await settle(page);
    // before: "$356.4K", which hid $12.57 of two loans
    expect(page.shadowRoot!.querySelector('[data-testid="credit-panel-disbursed"] .split .dim')!.textContent).toBe('Amount (USD): $356,412.57');
    live.stop();
  });

  it('credit page - the history chart leaves out the minute not over when it was read, which the totals still count', async () => {
    const minute = Date.UTC(2026, 11, 6, 17, 0, 0);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(minute + 8_000);
    const counts = (allowed: number) => ({ decisions: allowed, allowed, reviewed: 0, blocked: 0, amountUsd: '1.00' });
    const minutes = [{ minute: minute - 120_000, byKind: { 'loan.application': counts(3) } }, { minute: minute - 60_000, byKind: { 'loan.application': counts(2) } }, { minute, byKind: {} }];
    const api = new FakeApi().on('GET', '/api/credit/summary', () => ({ minutes, totals: { 'loan.application': { decisions: 5, allowed: 5, reviewed: 0, blocked: 0, amountUsd: '5.00' } } }));
    const { live } = connectedLive();
    const page = await mountPage(api, live);
    const chart = page.shadowRoot!.querySelector('[data-testid="credit-panel-history"] rs-time-series') as HTMLElement & { series: Array<{ points: Array<{ t: number; v: number | null }> }> };
    // before: a last point of 0 at 17:00, 8 s into that minute, read as no loans in the last minute
    expect(chart.series[0]!.points).toEqual([
      { t: minute - 120_000, v: 3 },
      { t: minute - 60_000, v: 2 },
    ]);
    expect(page.shadowRoot!.querySelector('[data-testid="credit-totals"] td')!.textContent).toBe('5');
    live.stop();
  });

  it('credit page - after a server restart the loan decisions chart begins with the stored minutes, and says so', async () => {
    const at = Date.UTC(2026, 11, 6, 17, 0, 0);
    const since = at - 2 * 60_000 + 30_000;
    const counts = (allowed: number) => ({ decisions: allowed + 1, allowed, reviewed: 1, blocked: 0, amountUsd: '1.00' });
    const minutes = [{ minute: at - 4 * 60_000, byKind: { 'loan.application': counts(5) } }, { minute: at - 3 * 60_000, byKind: {} }, { minute: at - 2 * 60_000, byKind: { 'loan.application': counts(9) } }];
    const api = new FakeApi().on('GET', '/api/credit/summary', () => ({ minutes, totals: {} }));
    const { live, socket } = connectedLive();
    const page = await mountPage(api, live);
    socket().push({ type: 'kpi-history', ticks: [makeTick(at, { since, byKind: { 'loan.application': { count: 3, allow: 2, review: 1, block: 0, amountUsd: '1.00' } } })] });
    await settle(page);
    const chart = page.shadowRoot!.querySelector('[data-testid="credit-panel-decisions"] rs-time-series') as HTMLElement & { series: Array<{ points: Array<{ t: number; v: number | null }> }> };
    const approved = chart.series[0]!.points;
    // the minutes that ended before the first second held, a second at a time; then the live seconds
    expect(approved).toHaveLength(181);
    expect(approved[0]).toEqual({ t: at - 4 * 60_000, v: 5 });
    expect(approved[60]).toEqual({ t: at - 3 * 60_000, v: 0 });
    expect(approved[179]).toEqual({ t: at - 60_000 - 1000, v: 9 });
    expect(approved[180]).toEqual({ t: at, v: 2 });
    expect(page.shadowRoot!.querySelector('[data-testid="credit-seconds-since"]')!.getAttribute('data-filled')).toBe('true');
    live.stop();
  });
});

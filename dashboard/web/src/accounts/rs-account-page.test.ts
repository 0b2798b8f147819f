// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountAlert, AccountAnswer, DecisionSummary, TimelineEntry } from '../../../server/protocol.js';
import { connectedLive, FakeApi, settle } from '../test-support/fakes.js';
import { alertTypologyOf } from './rs-account-page.js';
import './rs-account-page.js';

function entry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    eventId: 'ev-1', kind: 'payment', ts: 1_796_579_838_000, direction: 'out', amount: '4.93', currency: 'USD', amountUsd: '4.93',
    counterparty: null, channel: 'ecommerce', action: 'block', score: 738, reasons: [], alertIds: [], ...overrides,
  };
}

function account(timeline: TimelineEntry[]): AccountAnswer {
  return {
    accountId: 'acc-1', customer: null, nextBefore: null, timeline, window: { since: 1_796_000_000_000, until: 1_797_000_000_000 },
    totals: { events: 3, firstSeen: 1_796_579_000_000, lastSeen: 1_796_579_838_000, inUsd: '0.00', outUsd: '10.00', alerts: 1, blocked: 1 },
  };
}

/** The page of acc-1, served by `answer` (its network empty), mounted and settled; live when given a connection. */
async function mountPage(answer: () => AccountAnswer, live?: ReturnType<typeof connectedLive>['live']) {
  const api = new FakeApi().on('GET', '/api/accounts/acc-1', answer).on('GET', '/api/accounts/acc-1/network', () => ({ root: 'acc-1', nodes: [], edges: [] }));
  const page = document.createElement('rs-account-page');
  page.api = api;
  if (live) page.live = live;
  page.accountId = 'acc-1';
  document.body.append(page);
  await settle(page);
  return page;
}

describe('account page', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('account page - an alert id names its typology (the last part of eventId~domain~typology)', () => {
    const table: Array<[string, string]> = [
      ['01M96~fraud~card_testing', 'card_testing'],
      ['ev~with~tilde~aml~structuring', 'structuring'],
      ['plain-id', 'plain-id'],
    ];
    for (const [id, typology] of table) expect(alertTypologyOf(id), id).toBe(typology);
  });

  it('account page - the timeline links each alert by its typology, keeping the id in the title', async () => {
    const id = '01M96ABC~fraud~card_testing';
    const page = await mountPage(() => account([entry({ alertIds: [id] })]));
    const link = page.shadowRoot!.querySelector<HTMLAnchorElement>('[data-testid="timeline-alert"]')!;
    expect(link.textContent!.trim()).toBe('card_testing');
    expect(link.getAttribute('title')).toBe(id);
    expect(link.getAttribute('href')).toBe(`#/alerts/${encodeURIComponent(id)}`);
  });

  it('account page - the totals take in the account\'s decisions as they stream in, and say when they were read', async () => {
    let reads = 0;
    const { live, socket, timers } = connectedLive();
    const page = await mountPage(() => ((reads += 1), account([entry()])), live);
    expect(socket().sent).toContainEqual({ type: 'subscribe', topic: 'account', accountId: 'acc-1' });
    const totals = () => page.shadowRoot!.querySelector('[data-testid="account-totals"]')!;
    const figures = () => [...totals().querySelectorAll('dd')].map((dd) => dd.textContent!.trim());
    expect(figures()[0]).toBe('3');
    expect(totals().querySelector('[data-testid="account-totals-as-of"]')!.getAttribute('data-added')).toBe('0');

    const pushed: DecisionSummary = {
      v: 1, eventId: 'ev-new', eventKind: 'payment', eventTs: 1_796_579_900_000, ingestTs: null, decidedAt: 1_796_579_900_001, accountId: 'acc-1', customerId: 'C',
      counterpartyId: 'acc-2', channel: 'mobile', paymentType: 'transfer', country: 'US', counterpartyCountry: 'US', segment: 'standard', amountMinor: 2500,
      currency: 'USD', score: 900, action: 'block', reasons: [], models: {}, latencyMs: { processing: 1, total: 2 }, amount: '25.00', amountUsd: '25.00',
    };
    socket().push({ type: 'account', accountId: 'acc-1', decision: pushed });
    // the decision of the loaded page again (a copy) changes nothing
    socket().push({ type: 'account', accountId: 'acc-1', decision: { ...pushed, eventId: 'ev-1', eventTs: 1_796_579_838_000 } });
    await settle(page);
    expect(figures()[0]).toBe('4');
    expect(figures()[4]).toMatch(/35\.00/);
    expect(figures()[6]).toBe('2');
    expect(totals().querySelector('[data-testid="account-totals-as-of"]')!.getAttribute('data-added')).toBe('1');
    expect(totals().textContent).toMatch(/Read at .+decisions added since: 1, alerts added: 0\)/);

    // after a reconnect the totals are read again (decisions made meanwhile were never pushed)
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await settle(page);
    expect(reads).toBe(2);
    // and when the hub dropped account decisions for this tab
    socket().push({ type: 'missed', topic: 'account', count: 3, since: 1_796_579_950_000 });
    await settle(page);
    expect(reads).toBe(3);
    live.stop();
  });

  it('account page - the alert count takes in the alerts naming the account as they are raised, once each, also after a reconnect', async () => {
    const listed = 'ev-1~fraud~card_testing';
    let stored: TimelineEntry[] = [entry({ alertIds: [listed] })];
    let storedAlerts = 1;
    const { live, socket, timers } = connectedLive();
    const page = await mountPage(() => ({ ...account(stored), totals: { ...account(stored).totals, alerts: storedAlerts } }), live);
    const count = () => page.shadowRoot!.querySelector('[data-testid="account-alerts"]')!.textContent!.trim();
    expect(count()).toBe('1');

    const raised = (id: string, eventId: string, ts: number, overrides: Partial<AccountAlert> = {}): AccountAlert => ({
      v: 1, id, eventId, eventKind: 'payment', ts, createdAt: ts + 9, domain: 'aml', typology: 'structuring', severity: 'high', score: 800,
      accountId: 'acc-1', customerId: 'C', segment: 'standard', amountMinor: 2500, currency: 'USD', reasons: [], amount: '25.00', ...overrides,
    });
    const fresh = raised('ev-new~aml~structuring', 'ev-new', 1_796_579_900_000);
    socket().push({ type: 'account-alert', accountId: 'acc-1', alert: fresh });
    // the one the read listed, a copy of the new one, one for another account: none counted
    socket().push({ type: 'account-alert', accountId: 'acc-1', alert: raised(listed, 'ev-1', 1_796_579_838_000) });
    socket().push({ type: 'account-alert', accountId: 'acc-1', alert: fresh });
    socket().push({ type: 'account-alert', accountId: 'acc-2', alert: raised('x~aml~fan_in', 'x', 1_796_579_900_000, { accountId: 'acc-2' }) });
    await settle(page);
    expect(count()).toBe('2');
    expect(page.shadowRoot!.querySelector('[data-testid="account-totals-as-of"]')!.getAttribute('data-alerts-added')).toBe('1');

    // stored meanwhile; after a reconnect the read holds it, and the hub of another process pushes it again
    stored = [entry({ eventId: 'ev-new', ts: 1_796_579_900_000, alertIds: [fresh.id] }), ...stored];
    storedAlerts = 2;
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await settle(page);
    socket().push({ type: 'account-alert', accountId: 'acc-1', alert: fresh });
    await settle(page);
    expect(count()).toBe('2');
    live.stop();
  });
});

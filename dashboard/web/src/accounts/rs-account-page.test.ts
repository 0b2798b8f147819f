// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountAnswer, DecisionSummary, TimelineEntry } from '../../../server/protocol.js';
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
    accountId: 'acc-1', customer: null, nextBefore: null, timeline,
    totals: { events: 3, firstSeen: 1_796_579_000_000, lastSeen: 1_796_579_838_000, inUsd: '0.00', outUsd: '10.00', alerts: 1, blocked: 1 },
  };
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
    const api = new FakeApi()
      .on('GET', '/api/accounts/acc-1', () => account([entry({ alertIds: [id] })]))
      .on('GET', '/api/accounts/acc-1/network', () => ({ root: 'acc-1', nodes: [], edges: [] }));
    const page = document.createElement('rs-account-page');
    page.api = api;
    page.accountId = 'acc-1';
    document.body.append(page);
    await settle(page);
    const link = page.shadowRoot!.querySelector<HTMLAnchorElement>('[data-testid="timeline-alert"]')!;
    expect(link.textContent!.trim()).toBe('card_testing');
    expect(link.getAttribute('title')).toBe(id);
    expect(link.getAttribute('href')).toBe(`#/alerts/${encodeURIComponent(id)}`);
  });

  it('account page - the totals take in the account\'s decisions as they stream in, and say when they were read', async () => {
    let reads = 0;
    const api = new FakeApi()
      .on('GET', '/api/accounts/acc-1', () => ((reads += 1), account([entry()])))
      .on('GET', '/api/accounts/acc-1/network', () => ({ root: 'acc-1', nodes: [], edges: [] }));
    const { live, socket, timers } = connectedLive();
    const page = document.createElement('rs-account-page');
    page.api = api;
    page.live = live;
    page.accountId = 'acc-1';
    document.body.append(page);
    await settle(page);
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
    expect(totals().textContent).toMatch(/Read at .+decisions added since: 1\)/);

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
});

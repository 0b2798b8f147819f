// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountAnswer, TimelineEntry } from '../../../server/protocol.js';
import { FakeApi, settle } from '../test-support/fakes.js';
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
});

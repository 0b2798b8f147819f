// @vitest-environment happy-dom
// The feed with a fake REST API and a LiveConnection over a fake socket. happy-dom does no layout,
// so fakeLayout() gives the row list a 640 px viewport and 32 px rows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertPageAnswer } from '../../../server/protocol.js';
import type { Query } from '../api/http.js';
import { fakeLayout } from '../test-support/happy-dom-shims.js';
import { FakeApi, connectedLive, makeAlert, settle } from '../test-support/fakes.js';
import { feedHref } from './alert-filter.js';
import './rs-alert-feed.js';
import type { RsAlertFeed } from './rs-alert-feed.js';

function setup(pages: (query: Query | undefined) => AlertPageAnswer = () => ({ alerts: [], nextCursor: null })) {
  const frames: Array<() => void> = [];
  const api = new FakeApi().on('GET', '/api/alerts', (query) => pages(query));
  const { live, socket, timers } = connectedLive();
  const feed = document.createElement('rs-alert-feed');
  feed.schedule = (callback) => frames.push(callback);
  feed.api = api;
  feed.live = live;
  document.body.append(feed);
  const runFrames = () => {
    while (frames.length > 0) frames.shift()!();
  };
  return { feed, api, live, socket, timers, frames, runFrames };
}

const rows = (feed: RsAlertFeed) => [...feed.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid="alert-row"]')];
const byTestId = <T extends Element = HTMLElement>(feed: RsAlertFeed, id: string) => feed.shadowRoot!.querySelector<T>(`[data-testid="${id}"]`)!;

/** The feed renders over a few microtasks and timers. */
async function layout(feed: RsAlertFeed): Promise<void> {
  for (let i = 0; i < 6; i += 1) {
    await settle(feed);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

describe('alert feed', () => {
  let undoLayout: () => void = () => {};
  beforeEach(() => {
    document.body.innerHTML = '';
    undoLayout = fakeLayout();
  });
  afterEach(() => {
    undoLayout();
    document.body.innerHTML = '';
  });

  it('alert feed - coalesces a burst of 300 pushed alerts into one render, newest first', async () => {
    const { feed, socket, frames, runFrames } = setup();
    await settle(feed);
    const before = feed.renders;
    const burst = Array.from({ length: 300 }, (_, i) => makeAlert({ createdAt: 1_000 + i }));
    for (const alert of burst) socket().push({ type: 'alert', alert });
    expect(frames).toHaveLength(1);
    expect(feed.renders).toBe(before);
    runFrames();
    await layout(feed);
    expect(feed.renders - before).toBe(1);
    const shown = rows(feed);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown[0]!.dataset['alertId']).toBe(burst[299]!.id);
    expect(byTestId(feed, 'feed-count').textContent).toBe('300 alerts in view');
  });

  it('alert feed - keeps the DOM small with 5,000 alerts and never holds more than its capacity', async () => {
    const { feed, socket, runFrames } = setup();
    await settle(feed);
    for (let i = 0; i < 6_000; i += 1) socket().push({ type: 'alert', alert: makeAlert({ createdAt: 10_000 + i }) });
    runFrames();
    await layout(feed);
    expect(byTestId(feed, 'feed-count').textContent).toBe('5,000 alerts in view');
    const shown = rows(feed).length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(100);
    expect(feed.shadowRoot!.querySelectorAll('*').length).toBeLessThan(1_500);
  });

  it('alert feed - renders markup in event text as text', async () => {
    const { feed, socket, runFrames } = setup();
    await settle(feed);
    const evil = '<img src=x onerror="globalThis.__pwned=1">';
    socket().push({ type: 'alert', alert: makeAlert({ typology: evil, accountId: '<b>acc</b>' }) });
    runFrames();
    await layout(feed);
    const row = rows(feed)[0]!;
    expect(row.querySelector('img')).toBeNull();
    expect(row.querySelector('b')).toBeNull();
    expect(row.textContent).toContain(evil);
    expect(row.textContent).toContain('<b>acc</b>');
    expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('alert feed - offers only the domains the user may see (the credit desk: credit)', async () => {
    const { feed } = setup();
    feed.domains = ['credit'];
    await settle(feed);
    const options = [...byTestId<HTMLSelectElement>(feed, 'filter-domain').options].map((o) => o.value).filter((v) => v !== '');
    expect(options).toEqual(['credit']);
  });

  it('alert feed - a filter goes to the subscription and to REST, and alerts that do not match are not shown', async () => {
    const { feed, api, socket, runFrames } = setup();
    await settle(feed);
    const select = byTestId<HTMLSelectElement>(feed, 'filter-domain');
    select.value = 'aml';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    const severity = byTestId<HTMLSelectElement>(feed, 'filter-severity');
    severity.value = 'critical';
    severity.dispatchEvent(new Event('change', { bubbles: true }));
    await settle(feed);
    expect(socket().sent).toContainEqual({ type: 'subscribe', topic: 'alerts', filter: { domain: 'aml', severity: 'critical' } });
    expect(api.calls[api.calls.length - 1]!.query).toMatchObject({ domain: 'aml', severity: 'critical', limit: 200 });

    socket().push({ type: 'alert', alert: makeAlert({ id: 'keep', domain: 'aml', severity: 'critical' }) });
    socket().push({ type: 'alert', alert: makeAlert({ id: 'drop', domain: 'fraud', severity: 'critical' }) });
    runFrames();
    await layout(feed);
    expect(rows(feed).map((r) => r.dataset['alertId'])).toEqual(['keep']);
  });

  it('alert feed - pause holds new alerts back and resume shows them', async () => {
    const { feed, socket, runFrames } = setup();
    await settle(feed);
    byTestId(feed, 'feed-pause').click();
    await settle(feed);
    socket().push({ type: 'alert', alert: makeAlert({ id: 'while-paused' }) });
    runFrames();
    await layout(feed);
    expect(rows(feed)).toHaveLength(0);
    expect(byTestId(feed, 'feed-pause').textContent).toContain('Resume (1 new)');
    byTestId(feed, 'feed-pause').click();
    await layout(feed);
    expect(rows(feed).map((r) => r.dataset['alertId'])).toEqual(['while-paused']);
  });

  it('alert feed - loads older pages through the REST cursor', async () => {
    const first = [{ ...makeAlert({ id: 'p1', createdAt: 3_000 }), amount: '1250.00' }];
    const older = [{ ...makeAlert({ id: 'p0', createdAt: 1_000 }), amount: '0.10' }];
    const { feed, api } = setup((query) => (query?.['cursor'] === 'c1' ? { alerts: older, nextCursor: null } : { alerts: first, nextCursor: 'c1' }));
    await layout(feed);
    expect(rows(feed).map((r) => r.dataset['alertId'])).toEqual(['p1']);
    byTestId(feed, 'feed-load-older').click();
    await layout(feed);
    expect(api.calls.map((c) => c.query?.['cursor'] ?? null)).toEqual([null, 'c1']);
    expect(rows(feed).map((r) => r.dataset['alertId'])).toEqual(['p1', 'p0']);
    expect(byTestId<HTMLButtonElement>(feed, 'feed-load-older').disabled).toBe(true);
  });

  it('alert feed - a first page that failed while the server was down loads again when the connection is back', async () => {
    let down = true;
    const { feed, socket, timers } = setup(() => {
      if (down) throw new Error('Failed to fetch');
      return { alerts: [{ ...makeAlert({ id: 'after-outage' }), amount: '1250.00' }], nextCursor: null };
    });
    await layout(feed);
    expect(feed.shadowRoot!.querySelector('[role="alert"]')?.textContent).toContain('Failed to fetch');
    down = false;
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await layout(feed);
    expect(feed.shadowRoot!.querySelector('[role="alert"]')).toBeNull();
    expect(rows(feed).map((r) => r.dataset['alertId'])).toEqual(['after-outage']);
  });

  it('alert feed - takes its filter from the address and writes a changed filter back into it', async () => {
    window.history.replaceState(null, '', '#/alerts?domain=aml&severity=high');
    const api = new FakeApi().on('GET', '/api/alerts', () => ({ alerts: [], nextCursor: null }));
    const { live, socket } = connectedLive();
    const feed = document.createElement('rs-alert-feed');
    feed.api = api;
    feed.live = live;
    feed.query = 'domain=aml&severity=high&bogus=1';
    document.body.append(feed);
    await layout(feed);
    expect(api.calls[0]!.query).toMatchObject({ domain: 'aml', severity: 'high' });
    expect(socket().sent).toContainEqual({ type: 'subscribe', topic: 'alerts', filter: { domain: 'aml', severity: 'high' } });
    expect(feed.filter).toEqual({ domain: 'aml', severity: 'high' });
    expect(byTestId<HTMLSelectElement>(feed, 'filter-severity').value).toBe('high');
    const segment = byTestId<HTMLSelectElement>(feed, 'filter-segment');
    segment.value = 'vip';
    segment.dispatchEvent(new Event('change', { bubbles: true }));
    await layout(feed);
    expect(window.location.hash).toBe('#/alerts?domain=aml&severity=high&segment=vip');
    expect(feedHref()).toBe('#/alerts?domain=aml&severity=high&segment=vip');
    window.history.replaceState(null, '', '#/');
  });

  it('alert feed - is a table for assistive technology: named column headers, rows of cells, a named link to each alert', async () => {
    const { feed, socket, runFrames } = setup();
    await settle(feed);
    socket().push({ type: 'alert', alert: makeAlert({ id: 'al-a11y', typology: 'card_testing', severity: 'high', accountId: 'acc-7' }) });
    runFrames();
    await layout(feed);
    const table = feed.shadowRoot!.querySelector('[role="table"]')!;
    expect(table.getAttribute('aria-label')).toBe('Alert feed');
    expect(table.closest('[aria-hidden="true"]')).toBeNull();
    const headers = [...table.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent!.trim());
    expect(headers[0]).toMatch(/^Time \(\S+\)$/);
    expect(headers.slice(1)).toEqual(['Severity', 'Domain', 'Typology', 'Score', 'Account', 'Amount', 'Segment']);
    const row = rows(feed)[0]!;
    expect(row.getAttribute('role')).toBe('row');
    expect(row.querySelectorAll('[role="cell"]')).toHaveLength(8);
    const link = row.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('#/alerts/al-a11y');
    expect(link.getAttribute('aria-label')).toMatch(/^Open alert: card_testing, high, account acc-7, /);
  });
});

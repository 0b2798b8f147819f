// @vitest-environment happy-dom
// The overview page: its 60-minute history (loaded when the page opens, and again once the server
// is back when that load failed) and its screen-reader summary.
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/locale.js';
import { connectedLive, FakeApi, makeTick, settle } from '../test-support/fakes.js';
import './rs-overview.js';

afterEach(() => {
  document.body.innerHTML = '';
  setLocale('en');
});

/** The page on a fake API and a connected socket, settled. */
async function mounted(api: FakeApi) {
  const { live, socket } = connectedLive();
  const page = document.createElement('rs-overview');
  page.api = api;
  page.live = live;
  document.body.append(page);
  await settle(page);
  return { page, socket };
}

describe('overview page', () => {
  it('overview - loads the 60-minute history again when the socket is back, if the first load failed', async () => {
    let answers = 0;
    const api = new FakeApi().on('GET', '/api/kpis', () => {
      answers += 1;
      return answers === 1 ? new Error('connection refused') : { minutes: [] };
    });
    const { page, socket } = await mounted(api);
    expect(answers).toBe(1);
    // the (re)subscription's history: the server answers again
    socket().push({ type: 'kpi-history', ticks: [] });
    await settle(page);
    expect(answers).toBe(2);
    // loaded now: later histories do not ask again
    socket().push({ type: 'kpi-history', ticks: [] });
    await settle(page);
    expect(answers).toBe(2);
  });

  it('overview - writes the screen-reader summary again in the new language at once', async () => {
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] })));
    socket().push({ type: 'kpi', tick: makeTick(60_000, { decisionsPerSecond: 50, alertsPerMinute: 13 }) });
    await settle(page);
    const summary = () => page.shadowRoot!.querySelector('[aria-live]')!.textContent!;
    expect(summary()).toMatch(/^50 events per second/);
    setLocale('zh-CN');
    await settle(page);
    expect(summary()).toMatch(/^每秒 50 个事件/);
  });

  it('overview - greys out the figures and says since when they stopped while not live', async () => {
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] })));
    socket().push({ type: 'kpi', tick: makeTick(Date.UTC(2026, 11, 6, 17, 0, 0)) });
    await settle(page);
    const figures = () => page.shadowRoot!.querySelector('[data-testid="overview-figures"]')!;
    const banner = () => page.shadowRoot!.querySelector('[data-testid="overview-stale"]');
    expect(figures().getAttribute('data-stale')).toBe('false');
    expect(banner()).toBeNull();
    socket().serverClose(1006);
    await settle(page);
    expect(figures().getAttribute('data-stale')).toBe('true');
    expect(banner()!.textContent).toContain('Not live: these figures stopped at');
  });

  it('overview - says the 15-minute typology window starts at the server\'s start, when that is more recent', async () => {
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] })));
    const at = Date.UTC(2026, 11, 6, 17, 0, 0);
    const note = () => page.shadowRoot!.querySelector('[data-testid="typology-since"]');
    socket().push({ type: 'kpi', tick: makeTick(at, { since: at - 60_000 }) });
    await settle(page);
    expect(note()!.textContent).toMatch(/^Since .*, when this server started\.$/);
    socket().push({ type: 'kpi', tick: makeTick(at + 1000, { since: at - 3_600_000 }) });
    await settle(page);
    expect(note()).toBeNull();
  });
});

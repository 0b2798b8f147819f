// @vitest-environment happy-dom
// The overview page: its 60-minute history (loaded when the page opens, and again once the server
// is back when that load failed) and its screen-reader summary.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../i18n/locale.js';
import { connectedLive, FakeApi, makeTick, settle } from '../test-support/fakes.js';
import './rs-overview.js';

afterEach(() => {
  vi.useRealTimers();
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

  it('overview - the 60-minute chart keeps drawing the minute that was current when it was read from the live ticks, after that minute ends', async () => {
    const minute = Date.UTC(2026, 11, 6, 17, 0, 0);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(minute + 50_000);
    const row = (at: number, decisions: number) => ({ minute: at, decisions, allowed: decisions, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 });
    // read 50 s into the minute: it holds 2,500 decisions so far (50/s), the minute before 3,000
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [row(minute - 60_000, 3000), row(minute, 2500)] })));
    const ticks = Array.from({ length: 5 }, (_, i) => makeTick(minute + 10_000 * (i + 1), { decisionsPerSecond: 50 }));
    socket().push({ type: 'kpi-history', ticks });
    const [, sixty] = [...page.shadowRoot!.querySelectorAll('button[aria-pressed]')] as HTMLButtonElement[];
    sixty!.click();
    await settle(page);
    const chart = page.shadowRoot!.querySelector('[data-testid="chart-throughput"]') as HTMLElement & { series: Array<{ points: Array<{ t: number; v: number | null }> }> };
    const rate = () => chart.series[0]!.points.find((p) => p.t === minute)?.v;
    expect(rate()).toBe(50);
    // the minute ends and the next begins; its stored 2,500 are still those of 50 s (before: 41.7/s)
    vi.setSystemTime(minute + 70_000);
    socket().push({ type: 'kpi', tick: makeTick(minute + 70_000, { decisionsPerSecond: 50 }) });
    await settle(page);
    expect(chart.series[0]!.points.find((p) => p.t === minute + 60_000)?.v).toBe(50);
    expect(rate()).toBe(50);
  });

  it('overview - after a server restart the 15-minute charts begin with the stored minutes, and say so', async () => {
    const at = Date.UTC(2026, 11, 6, 17, 0, 0);
    const row = (minute: number) => ({ minute, decisions: 600, allowed: 600, reviewed: 0, blocked: 0, decidedAmountUsd: '0', blockedAmountUsd: '0', latencyP50Ms: 2, latencyP99Ms: 9, scoreP50: null, alerts: 0 });
    // stored: the minutes before the restart (3 min ago) and the minute it happened in
    const stored = [row(at - 20 * 60_000), row(at - 5 * 60_000), row(at - 4 * 60_000), row(at - 3 * 60_000)];
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: stored })));
    const since = at - 3 * 60_000 + 20_000;
    socket().push({ type: 'kpi-history', ticks: [makeTick(at, { since })], trail: { from: since, since, decisionsPerSecond: [7], latencyP50Ms: [1], latencyP99Ms: [4], alertsPerMinute: [0], fraudRate: [0], blockedUsdLastMinute: ['0.00'], loanApplications: { allow: [0], review: [0], block: [0] } } });
    await settle(page);
    const chart = page.shadowRoot!.querySelector('[data-testid="chart-throughput"]') as HTMLElement & { series: Array<{ points: Array<{ t: number; v: number | null }> }> };
    const points = chart.series[0]!.points;
    expect(points).toHaveLength(120 + 2);
    expect(points[0]).toEqual({ t: at - 5 * 60_000, v: 10 });
    expect(points[119]).toEqual({ t: at - 3 * 60_000 - 1000, v: 10 });
    expect(points[120]).toEqual({ t: since, v: 7 });
    // drawn: the stored minutes are one line, not points the chart breaks apart
    expect(chart.shadowRoot!.querySelector('path.series')!.getAttribute('d')).toMatch(/^M[^M]+M/);
    const note = () => page.shadowRoot!.querySelector('[data-testid="seconds-since"]');
    expect(note()!.getAttribute('data-filled')).toBe('true');
    expect(note()!.textContent).toMatch(/Per second since .*, when this server started; per minute, from storage, before\./);
  });

  it('overview - with nothing stored before a restart, the 15-minute charts say they start at the server\'s start', async () => {
    const at = Date.UTC(2026, 11, 6, 17, 0, 0);
    const { page, socket } = await mounted(new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] })));
    socket().push({ type: 'kpi-history', ticks: [makeTick(at, { since: at - 10_000 })] });
    await settle(page);
    const note = page.shadowRoot!.querySelector('[data-testid="seconds-since"]')!;
    expect(note.getAttribute('data-filled')).toBe('false');
    expect(note.textContent).toMatch(/started; this server holds no earlier seconds\./);
  });
});

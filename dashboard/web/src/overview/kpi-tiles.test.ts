// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/locale.js';
import { connectedLive, FakeApi, makeTick, settle } from '../test-support/fakes.js';
import { tileTexts } from './kpi-tiles.js';
import './rs-overview.js';


const valueOf = (tiles: ReturnType<typeof tileTexts>, id: string) => tiles.find((t) => t.id === id)!.value;

describe('KPI tiles', () => {
  afterEach(() => {
    setLocale('en');
    document.body.innerHTML = '';
  });

  it('KPI tiles - format numbers, latency, rates and money for English', () => {
    const tiles = tileTexts(makeTick(60_000));
    expect(valueOf(tiles, 'events-per-second')).toBe('12,345');
    expect(valueOf(tiles, 'latency-p99')).toBe('18.4 ms');
    expect(valueOf(tiles, 'alerts-per-minute')).toBe('1,520');
    expect(valueOf(tiles, 'fraud-rate')).toBe('1.23%');
    expect(valueOf(tiles, 'blocked-amount')).toBe('$1.2M');
    expect(tiles.find((t) => t.id === 'blocked-amount')!.note).toBe('$1,234,567.89');
  });

  it('KPI tiles - format for Simplified Chinese', () => {
    setLocale('zh-CN');
    const tiles = tileTexts(makeTick(60_000));
    expect(valueOf(tiles, 'events-per-second')).toBe('12,345');
    expect(valueOf(tiles, 'latency-p99')).toBe('18.4毫秒');
    expect(valueOf(tiles, 'blocked-amount')).toBe('US$123.5万');
  });

  it('KPI tiles - show a dash before any data and when latency is unknown', () => {
    expect(valueOf(tileTexts(null), 'events-per-second')).toBe('—');
    expect(valueOf(tileTexts(makeTick(0, { latencyP99Ms: null })), 'latency-p99')).toBe('—');
  });

  // before: a quantile beyond the last bucket bound read as that bound, a 10-minute backlog as '5,000 ms'
  it.each([
    ['en', { latencyP99Ms: 300_000, latencyP99Beyond: true, latencyP50Ms: 5000, latencyP50Beyond: true }, '> 300,000 ms', 'p50 > 5,000 ms'],
    ['en', { latencyP99Ms: 300_000, latencyP99Beyond: true, latencyP50Ms: 29_600 }, '> 300,000 ms', 'p50 29,600 ms'],
    ['en', { latencyP99Ms: 29_600, latencyP50Ms: 5000 }, '29,600 ms', 'p50 5,000 ms'],
    ['zh-CN', { latencyP99Ms: 300_000, latencyP99Beyond: true, latencyP50Ms: 5000, latencyP50Beyond: true }, '> 300,000毫秒', 'p50 > 5,000毫秒'],
  ] as const)('KPI tiles - latency beyond the last bucket bound reads "> …" (%s, %j)', (locale, latency, value, note) => {
    setLocale(locale);
    const tile = tileTexts(makeTick(60_000, latency)).find((t) => t.id === 'latency-p99')!;
    expect([tile.value, tile.note]).toEqual([value, note]);
  });

  it('KPI tiles - the overview\'s latency tile and summary say "> …" for a p99 beyond the last bucket bound', async () => {
    const { live, socket } = connectedLive();
    const overview = document.createElement('rs-overview');
    overview.api = new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] }));
    overview.live = live;
    document.body.append(overview);
    await settle(overview);
    socket().push({ type: 'kpi', tick: makeTick(60_000, { latencyP99Ms: 300_000, latencyP99Beyond: true, latencyP50Ms: 5000, latencyP50Beyond: true }) });
    await settle(overview);
    const tile = overview.shadowRoot!.querySelector('[data-testid="tile-latency-p99"]')!.shadowRoot!;
    expect(tile.querySelector('[data-testid="tile-value"]')!.textContent).toBe('> 300,000 ms');
    expect(tile.querySelector('.note')!.textContent).toBe('p50 > 5,000 ms');
    expect(overview.shadowRoot!.querySelector('[aria-live]')!.textContent).toContain('p99 > 300,000 ms');
  });

  it('KPI tiles - the overview shows the latest tick from the kpi topic in each tile', async () => {
    const { live, socket } = connectedLive();
    const api = new FakeApi().on('GET', '/api/kpis', () => ({ minutes: [] }));
    const overview = document.createElement('rs-overview');
    overview.api = api;
    overview.live = live;
    document.body.append(overview);
    await settle(overview);
    expect(socket().sent).toContainEqual({ type: 'subscribe', topic: 'kpi' });
    expect(api.calls[0]).toMatchObject({ path: '/api/kpis', query: { minutes: 60 } });
    socket().push({ type: 'kpi-history', ticks: [makeTick(1_000, { decisionsPerSecond: 10 }), makeTick(2_000, { decisionsPerSecond: 20 })] });
    socket().push({ type: 'kpi', tick: makeTick(3_000, { decisionsPerSecond: 4321 }) });
    await settle(overview);
    const tile = overview.shadowRoot!.querySelector('[data-testid="tile-events-per-second"]')!;
    expect(tile.shadowRoot!.querySelector('[data-testid="tile-value"]')!.textContent).toBe('4,321');
    setLocale('zh-CN');
    await settle(overview);
    const latency = overview.shadowRoot!.querySelector('[data-testid="tile-latency-p99"]')!;
    expect(latency.shadowRoot!.textContent).toContain('决策 p99 延迟');
    expect(latency.shadowRoot!.querySelector('[data-testid="tile-value"]')!.textContent).toBe('18.4毫秒');
  });
});

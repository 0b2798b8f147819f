// The dashboard end to end: the built riskstream in a child process (every role, real NATS, Redis and
// chDB), headless Chromium signing in, watching alerts arrive live, opening one, expanding the
// counterparty network, switching language, never running script hidden in a name, and a tab whose
// socket reconnects to an upgraded server asking for a reload.
// Screenshots land in test-artifacts/dashboard/ (kept, not committed).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { LIVE_PROTOCOL_VERSION } from '../../dashboard/server/protocol.js';
import { childEnv, createHarness, eventually, type Harness } from '../harness.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';
import { deepText, goTo, launchBrowser, pageValue, screenshot, watchPage } from '../browser.js';

const SUITE = 'dashboard';
const ADMIN = { username: 'e2eadmin', password: `pw-${randomBytes(9).toString('hex')}` };
// Markup in names must show as text; if any of it ran, window.__pwned would be set or a dialog open.
const EVIL_MERCHANT = '<img src=x onerror="window.__pwned=1">Evil Shop';
const EVIL_NAME = '<script>window.__pwned=2</script>Mallory';

describe('dashboard - end to end in headless Chromium', () => {
  let h: Harness;
  let rs: RiskstreamProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  const run = randomBytes(3).toString('hex');
  const account = (name: string) => `E2E-${run}-${name}`;

  beforeAll(async () => {
    h = await createHarness();
    rs = await startRiskstream({
      ...childEnv(h),
      RISKSTREAM_ADMIN_USER: ADMIN.username,
      RISKSTREAM_ADMIN_PASSWORD: ADMIN.password,
      RISKSTREAM_DEMO_USERS: '0',
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-US' });
    page = await context.newPage();
    watched = watchPage(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await rs?.stop();
    await h?.cleanup();
  });

  async function send(events: Array<Record<string, unknown>>): Promise<void> {
    const response = await fetch(`${rs.baseUrl}/v1/events:batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey },
      body: JSON.stringify(events),
    });
    expect(response.status, await response.clone().text()).toBe(202);
  }

  function transfer(id: string, from: string, to: string, amount: string): Record<string, unknown> {
    return {
      v: 1,
      kind: 'payment',
      id,
      ts: new Date().toISOString(),
      type: 'transfer',
      channel: 'online',
      amount,
      currency: 'USD',
      debtor: { accountId: account(from), customerId: `C-${account(from)}`, name: `Holder ${from}`, country: 'US' },
      creditor: { accountId: account(to), customerId: `C-${account(to)}`, name: `Holder ${to}`, country: 'GB' },
    };
  }

  /** Six tiny card payments in a minute from one card: the starter card-testing rule fires from the fifth. */
  function cardTesting(batch = 'card'): Array<Record<string, unknown>> {
    return Array.from({ length: 6 }, (_, i) => ({
      v: 1,
      kind: 'payment',
      id: `e2e-${run}-${batch}-${i}`,
      ts: new Date(Date.now() + i).toISOString(),
      type: 'card',
      channel: 'ecommerce',
      amount: `1.${String(10 + i)}`,
      currency: 'USD',
      debtor: { accountId: account('CARD'), customerId: `C-${account('CARD')}`, name: EVIL_NAME, country: 'US' },
      creditor: { accountId: account('SHOP'), name: EVIL_MERCHANT, country: 'US' },
      merchant: { id: `M-${run}`, name: EVIL_MERCHANT, mcc: '5999', country: 'US' },
    }));
  }

  it('signs in', { timeout: 60_000 }, async () => {
    await page.goto(rs.baseUrl);
    await page.getByTestId('login-username').waitFor({ timeout: 15_000 });
    // A first visit goes to the form without asking the API about a session it cannot have (a 401).
    expect(watched.consoleErrors).toEqual([]);
    // the production bundle, not Lit's development build
    expect(watched.warnings.filter((w) => /dev mode/i.test(w))).toEqual([]);
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => deepText(page.getByTestId('login-error')), { timeout: 10_000 }).toMatch(/\S/);
    await screenshot(page, SUITE, '01-login-refused');
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('tile-events-per-second').waitFor({ timeout: 15_000 });
    // The server started moments ago: the 15-minute charts say their seconds begin there.
    await expect.poll(() => deepText(page.getByTestId('seconds-since')), { timeout: 15_000 }).toMatch(/Per second since .+, when this server started/);
    await screenshot(page, SUITE, '02-overview');
  });

  it('shows alerts arriving live, and names full of markup as text', { timeout: 90_000 }, async () => {
    await goTo(page, '#/alerts');
    await page.getByTestId('alert-list').waitFor({ timeout: 10_000 });
    // The network the later test expands: CARD -> SHOP is the card testing; A -> B -> C -> D a chain.
    await send([transfer(`e2e-${run}-ab`, 'A', 'B', '900.00'), transfer(`e2e-${run}-bc`, 'B', 'C', '850.00'), transfer(`e2e-${run}-cd`, 'C', 'D', '800.00')]);
    const sentAt = Date.now();
    await send(cardTesting());
    const row = page.getByTestId('alert-row').filter({ hasText: account('CARD') }).first();
    await row.waitFor({ timeout: 15_000 });
    const seenAfterMs = Date.now() - sentAt;
    expect(seenAfterMs).toBeGreaterThan(0);
    await expect.poll(() => deepText(row)).toContain('card_testing');
    await screenshot(page, SUITE, '03-alert-feed-live');

    await row.click();
    const detail = page.getByTestId('alert-detail');
    await detail.waitFor({ timeout: 10_000 });
    await expect.poll(() => deepText(page.getByTestId('detail-reasons')), { timeout: 10_000 }).toMatch(/card payments under USD 5\.00/);
    // The event as stored shows the merchant's name, markup and all, as plain text.
    await expect.poll(() => deepText(page.getByTestId('detail-event')), { timeout: 20_000 }).toContain(EVIL_MERCHANT);
    await screenshot(page, SUITE, '04-alert-detail');
    expect(await pageValue(page, 'window.__pwned')).toBeUndefined();
    expect(watched.dialogs).toEqual([]);
  });

  it('opens the account and expands its counterparty network hop by hop', { timeout: 90_000 }, async () => {
    await goTo(page, `#/accounts/${encodeURIComponent(account('A'))}`);
    const graph = page.getByTestId('network-graph');
    await graph.waitFor({ timeout: 15_000 });
    const nodes = page.getByTestId('graph-node');
    // The writer stores within about a second; the page asks again when reopened. Give each load
    // time to answer before reopening: counting at once and reloading at once, a busy machine whose
    // answer took longer than the poll interval reloaded every time just before it arrived.
    await eventually(
      async () => {
        const shown = await nodes
          .nth(1)
          .waitFor({ timeout: 5_000 })
          .then(() => true, () => false);
        if (shown) return true;
        await page.reload();
        await graph.waitFor({ timeout: 10_000 });
        return undefined;
      },
      45_000,
      'A and B in the graph',
    );
    const before = await nodes.count();
    expect(await page.locator(`[data-testid="graph-node"][data-node-id="${account('C')}"]`).count()).toBe(0);
    await screenshot(page, SUITE, '05-account-network');
    await page.locator(`[data-testid="graph-node"][data-node-id="${account('B')}"]`).click();
    await page.locator(`[data-testid="graph-node"][data-node-id="${account('C')}"]`).waitFor({ timeout: 15_000 });
    expect(await nodes.count()).toBeGreaterThan(before);
    await screenshot(page, SUITE, '06-account-network-expanded');

    // A's totals take in its new payment as it is decided, without a reload.
    const totals = page.getByTestId('account-totals');
    const events = async () => Number((await totals.locator('dd').first().innerText()).replace(/\D/g, ''));
    const eventsBefore = await events();
    await send([transfer(`e2e-${run}-ae`, 'A', 'E', '125.00')]);
    await expect.poll(() => page.getByTestId('account-totals-as-of').getAttribute('data-added'), { timeout: 15_000 }).toBe('1');
    expect(await events()).toBe(eventsBefore + 1);
    await expect.poll(() => deepText(totals)).toMatch(/Read at .+decisions added since: 1, alerts added: 0\)/);

    // The card tester's account page lists the shop by its name, as text.
    await goTo(page, `#/accounts/${encodeURIComponent(account('CARD'))}`);
    await expect.poll(() => deepText(page.getByTestId('account-timeline')), { timeout: 15_000 }).toContain(EVIL_MERCHANT);
    await screenshot(page, SUITE, '07-account-timeline');
    expect(await pageValue(page, 'window.__pwned')).toBeUndefined();
    expect(watched.dialogs).toEqual([]);

    // Its alert count takes in the alerts raised on its payments as they are raised, without a
    // reload, and each once: once stored, a read of the account counts as many.
    const alertCount = async () => Number((await page.getByTestId('account-alerts').innerText()).replace(/\D/g, ''));
    const alertsBefore = await alertCount();
    await send(cardTesting('card-again'));
    await expect.poll(alertCount, { timeout: 15_000 }).toBeGreaterThan(alertsBefore);
    expect(Number(await page.getByTestId('account-totals-as-of').getAttribute('data-alerts-added'))).toBeGreaterThan(0);
    await screenshot(page, SUITE, '07a-account-alerts-live');
    const storedAlerts = () => pageValue<number>(page, `fetch('/api/accounts/${encodeURIComponent(account('CARD'))}').then((r) => r.json()).then((a) => a.totals.alerts)`);
    await expect.poll(async () => (await storedAlerts()) - (await alertCount()), { timeout: 20_000 }).toBe(0);
  });

  it("shows the process's health, with which of its threads use the CPU", { timeout: 120_000 }, async () => {
    await goTo(page, '#/health');
    const panel = page.getByTestId('health-process').first();
    await panel.waitFor({ timeout: 15_000 });
    // From the second heartbeat on (every 2 s): the processors' thread and chDB's, named.
    const threads = panel.getByTestId('cpu-by-thread');
    await expect.poll(() => deepText(threads), { timeout: 15_000 }).toMatch(/^CPU by thread ?:/);
    // each named once it used CPU in a heartbeat's interval (chDB's threads idle between inserts: a 2 s beat may show none)
    for (const thread of [/processors \d+%/, /storage engine \d+%/, /main \d+%/]) {
      await expect.poll(() => deepText(threads), { timeout: 30_000 }).toMatch(thread);
    }
    // One process takes the page's width (it was a 420 px card at the left of the window), and its
    // stage latencies say they are bucket edges.
    const card = await panel.boundingBox();
    const grid = await page.getByTestId('health-processes').boundingBox();
    expect(card!.width).toBeGreaterThan(grid!.width * 0.95);
    await expect.poll(() => deepText(panel.getByTestId('stages')), { timeout: 15_000 }).toMatch(/≤ [\d.,]+ ms/);
    await screenshot(page, SUITE, '07b-health');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await expect.poll(() => pageValue<number>(page, 'document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
      await screenshot(page, SUITE, '07c-health-390');
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('switches to Simplified Chinese and back', { timeout: 60_000 }, async () => {
    await goTo(page, '#/overview');
    await page.getByTestId('tile-events-per-second').waitFor({ timeout: 10_000 });
    await page.getByTestId('language-switch').selectOption('zh-CN');
    await expect.poll(() => pageValue(page, 'document.documentElement.lang')).toBe('zh-CN');
    await expect.poll(() => deepText(page.getByTestId('tile-events-per-second'))).toMatch(/[\u4e00-\u9fff]/);
    await screenshot(page, SUITE, '08-overview-zh');
    // The card tester's alert: its typology by name and its reasons as the rule set words them in Chinese.
    await goTo(page, '#/alerts');
    const row = page.getByTestId('alert-row').filter({ hasText: account('CARD') }).first();
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => deepText(row)).toContain('盗卡测试');
    await row.click();
    await expect.poll(() => deepText(page.getByTestId('detail-reasons')), { timeout: 10_000 }).toMatch(/笔低于 USD 5\.00 的卡支付/);
    await screenshot(page, SUITE, '09-alert-detail-zh');
    await goTo(page, '#/overview');
    await page.getByTestId('language-switch').selectOption('en');
    await expect.poll(() => deepText(page.getByTestId('tile-events-per-second'))).not.toMatch(/[\u4e00-\u9fff]/);
    expect(watched.errors).toEqual([]);
    // Everything the app asked for exists (the icon included).
    expect(watched.missing).toEqual([]);
  });

  it('keeps the feed filter in the address, fits a phone screen, and says plainly when an alert is not there', { timeout: 90_000 }, async () => {
    const sideways = () => pageValue<number>(page, 'document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await goTo(page, '#/alerts?domain=fraud');
    await page.getByTestId('alert-row').first().waitFor({ timeout: 15_000 });
    await page.reload();
    await page.getByTestId('alert-list').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('filter-domain').inputValue()).toBe('fraud');

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const row = page.getByTestId('alert-row').filter({ hasText: account('CARD') }).first();
      await row.waitFor({ timeout: 15_000 });
      expect(await sideways()).toBeLessThanOrEqual(0);
      await screenshot(page, SUITE, '10-alert-feed-390');
      await row.click();
      await expect.poll(() => deepText(page.getByTestId('detail-reasons')), { timeout: 10_000 }).toMatch(/card payments under USD 5\.00/);
      expect(await sideways()).toBeLessThanOrEqual(0);
      await screenshot(page, SUITE, '11-alert-detail-390');
      await page.goBack();
      await page.getByTestId('alert-list').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('filter-domain').inputValue()).toBe('fraud');
      await goTo(page, `#/accounts/${encodeURIComponent(account('CARD'))}`);
      await expect.poll(() => deepText(page.getByTestId('account-timeline')), { timeout: 15_000 }).toContain('card_testing');
      expect(await sideways()).toBeLessThanOrEqual(0);
      await screenshot(page, SUITE, '12-account-390');
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }

    const asked = Date.now();
    await goTo(page, `#/alerts/${encodeURIComponent(`no-such-${run}~fraud~card_testing`)}`);
    await page.getByTestId('alert-not-found').waitFor({ timeout: 8_000 });
    expect(Date.now() - asked).toBeLessThan(8_000);
    expect(await deepText(page.getByTestId('alert-detail'))).not.toContain('since=');
  });

  it('after signing out, the next sign-in starts at the overview with no "session ended" note', { timeout: 60_000 }, async () => {
    await goTo(page, '#/health');
    await page.getByTestId('health-process').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-username').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('session-ended').count()).toBe(0);
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('tile-events-per-second').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).hash).toBe('#/overview');
  });

  it('a tab open across an upgrade of the server says riskstream was upgraded, stops, and reloads on a click', { timeout: 90_000 }, async () => {
    const tab = await context.newPage();
    // The tab's socket passes through a stand-in for the network. The first connection goes as it
    // is; when it is cut (the server restarting) the next one reaches a server of the next protocol
    // version: its hello says so, as an upgraded riskstream's does when it no longer serves the
    // tab's version (it then closes with 4426, which the tab need not wait for). After the reload the tab is of
    // the server's version (here: the same bundle again), so its sockets go as they are.
    const pageSides: WebSocketRoute[] = [];
    const serverSides: WebSocketRoute[] = [];
    let upgraded = false;
    await tab.routeWebSocket(/\/ws(\?|$)/, (socket) => {
      const server = socket.connectToServer();
      const rewriteHello = upgraded;
      pageSides.push(socket);
      serverSides.push(server);
      server.onMessage((message) => {
        const hello = rewriteHello ? (JSON.parse(String(message)) as { type?: string }) : null;
        socket.send(hello?.type === 'hello' ? JSON.stringify({ ...hello, protocol: LIVE_PROTOCOL_VERSION + 1 }) : message);
      });
    });
    try {
      await tab.goto(`${rs.baseUrl}/#/overview`);
      await tab.getByTestId('tile-events-per-second').waitFor({ timeout: 15_000 });
      await expect.poll(() => tab.getByTestId('connection-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('live');
      expect(new URL(pageSides[0]!.url()).searchParams.get('protocol')).toBe(String(LIVE_PROTOCOL_VERSION));

      upgraded = true;
      pageSides[0]!.close({ code: 1001, reason: 'server shutting down' });
      serverSides[0]!.close();
      const notice = tab.getByTestId('version-notice');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.getAttribute('data-kind')).toBe('upgraded');
      expect(await deepText(notice)).toContain('riskstream was upgraded: reload this page');
      expect(await tab.getByTestId('connection-status').getAttribute('data-status')).toBe('offline');
      await screenshot(tab, SUITE, '13-upgraded-notice');
      // It does not reconnect: the upgraded server would say the same again.
      await tab.waitForTimeout(2_500);
      expect(pageSides).toHaveLength(2);

      upgraded = false;
      await tab.getByTestId('version-reload').click();
      await tab.getByTestId('tile-events-per-second').waitFor({ timeout: 15_000 });
      await expect.poll(() => tab.getByTestId('connection-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('live');
      expect(await tab.getByTestId('version-notice').count()).toBe(0);
      expect(pageSides).toHaveLength(3);
    } finally {
      await tab.close();
    }
  });
});

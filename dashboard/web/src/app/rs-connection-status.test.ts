// @vitest-environment happy-dom
// The connection indicator: every notice that stands is shown, and the offer of a new build is not
// replaced by a later one.
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_PROTOCOL_VERSION } from '../../../server/protocol.js';
import { setLocale } from '../i18n/locale.js';
import { connectedLive, settle } from '../test-support/fakes.js';
import './rs-connection-status.js';

const hello = (build: string) => ({ type: 'hello', user: { username: 'ada', displayName: 'Ada', roles: ['admin'] }, serverTime: 1_000, topics: ['alerts'], protocol: LIVE_PROTOCOL_VERSION, build });

function shown(indicator: HTMLElement): Array<{ testid: string | null; kind: string | null; text: string }> {
  return [...indicator.shadowRoot!.querySelectorAll('.notice')].map((n) => ({ testid: n.getAttribute('data-testid'), kind: n.getAttribute('data-kind'), text: (n.textContent ?? '').replace(/\s+/g, ' ').trim() }));
}

function click(indicator: HTMLElement, testid: string): void {
  (indicator.shadowRoot!.querySelector(`[data-testid="${testid}"]`) as HTMLButtonElement).click();
}

describe('connection status', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('connection status - the new-build offer stays beside the missed-alerts notice after a reconnect, each dismissed on its own', async () => {
    setLocale('en');
    const { live, timers, socket } = connectedLive({ version: { protocol: LIVE_PROTOCOL_VERSION, build: 'aaaa1111' } });
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    const indicator = document.createElement('rs-connection-status');
    indicator.connection = live;
    document.body.append(indicator);
    socket().push(hello('bbbb2222'));
    await settle(indicator);
    expect(shown(indicator).map((n) => n.kind)).toEqual(['new-build']);

    // the socket drops, comes back to the same server, which then drops alerts for this tab
    socket().serverClose(1006);
    timers.advance(1_000);
    socket().open();
    socket().push(hello('bbbb2222'));
    socket().push({ type: 'missed', topic: 'alerts', count: 4, since: 900 });
    await settle(indicator);
    expect(shown(indicator)).toEqual([
      { testid: 'version-notice', kind: 'new-build', text: expect.stringContaining('A new version of riskstream is available') },
      { testid: 'missed-notice', kind: 'reload', text: expect.stringContaining('Missed 4 alerts') },
    ]);

    click(indicator, 'missed-dismiss');
    await settle(indicator);
    expect(shown(indicator).map((n) => n.kind)).toEqual(['new-build']);
    click(indicator, 'version-dismiss');
    await settle(indicator);
    expect(shown(indicator)).toEqual([]);
    live.stop();
  });

  it('connection status - the request to reload after an upgrade has no dismiss button', async () => {
    const { live, socket } = connectedLive();
    const indicator = document.createElement('rs-connection-status');
    indicator.connection = live;
    document.body.append(indicator);
    socket().push({ ...hello('x'), protocol: LIVE_PROTOCOL_VERSION + 1 });
    await settle(indicator);
    expect(shown(indicator).map((n) => n.kind)).toEqual(['upgraded']);
    expect(indicator.shadowRoot!.querySelector('[data-testid="version-dismiss"]')).toBeNull();
  });

  it.each([
    ['en', 'Missed 4 alerts — reload to see them all', 'Missed 3 account activity updates — reload to see them all', 'Missed 1 account activity update — reload to see it'],
    ['zh-CN', '漏收 4 条预警——请刷新页面查看全部', '漏收 3 条账户实时动态——请刷新页面查看全部', '漏收 1 条账户实时动态——请刷新页面查看'],
  ] as const)('connection status - missed alerts and missed account activity are each said and counted (%s)', async (locale, alertsText, accountText, oneText) => {
    setLocale(locale);
    const { live, socket } = connectedLive();
    const indicator = document.createElement('rs-connection-status');
    indicator.connection = live;
    document.body.append(indicator);
    // no alert feed open: the alerts gap cannot be fetched, and the account page's decisions were dropped
    socket().push({ type: 'missed', topic: 'alerts', count: 4, since: 900 });
    socket().push({ type: 'missed', topic: 'account', count: 3, since: 900 });
    await settle(indicator);
    expect(shown(indicator)).toEqual([
      { testid: 'missed-notice', kind: 'reload', text: expect.stringContaining(alertsText) },
      { testid: 'missed-notice', kind: 'account-reload', text: expect.stringContaining(accountText) },
    ]);

    // dismissing the account activity leaves the alerts; a later gap in it is said on its own
    (indicator.shadowRoot!.querySelector('[data-kind="account-reload"] [data-testid="missed-dismiss"]') as HTMLButtonElement).click();
    socket().push({ type: 'missed', topic: 'account', count: 1, since: 950 });
    await settle(indicator);
    expect(shown(indicator).map((n) => [n.kind, n.text.includes(n.kind === 'reload' ? alertsText : oneText)])).toEqual([
      ['reload', true],
      ['account-reload', true],
    ]);
    setLocale('en');
    live.stop();
  });
});

// @vitest-environment happy-dom
// Unit tests of the client's connection logic with a fake WebSocket class and hand-driven timers.
import { describe, expect, it } from 'vitest';
import { CLOSE_PROTOCOL_UNSUPPORTED, LIVE_PROTOCOL_VERSION, type ServerMessage } from '../../../server/protocol.js';
import { connectedLive, FakeSocket, makeAlert, makeTick, ManualTimers } from '../test-support/fakes.js';
import { DEFAULT_BACKOFF, reconnectDelay } from './backoff.js';
import { LiveConnection, type ConnectionStatus, type LiveNotice } from './live-connection.js';

const USER = { username: 'u', displayName: 'U', roles: ['admin'], totpEnabled: false, locale: 'en' } as const;

/** The server's first message, of this code's protocol version unless told otherwise. */
function hello(fields: { protocol?: number | undefined; build?: string | null; serverTime?: number } = {}): Record<string, unknown> {
  const message: Record<string, unknown> = { type: 'hello', user: USER, serverTime: fields.serverTime ?? 1_000, topics: ['kpi', 'alerts'], protocol: LIVE_PROTOCOL_VERSION, build: null };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete message[key];
  else message[key] = value;
  return message;
}

describe('live connection', () => {
  it('live connection - back-off doubles from 500 ms to a 30 s ceiling, with jitter between half and all of it', () => {
    const table: Array<[attempt: number, random: number, delay: number]> = [
      [0, 1, 500],
      [1, 1, 1000],
      [2, 1, 2000],
      [5, 1, 16000],
      [6, 1, 30000],
      [20, 1, 30000],
      [3, 0, 2000],
      [3, 0.5, 3000],
    ];
    for (const [attempt, random, delay] of table) expect(reconnectDelay(DEFAULT_BACKOFF, attempt, random), `attempt ${attempt}`).toBe(delay);
  });

  it('live connection - reconnects with growing delays, reports reconnecting then offline, and resets after success', () => {
    const timers = new ManualTimers();
    const sockets: FakeSocket[] = [];
    const statuses: ConnectionStatus[] = [];
    const live = new LiveConnection({ url: 'ws://x/ws', createSocket: (url) => (sockets.push(new FakeSocket(url)), sockets[sockets.length - 1]!), timers, random: () => 1 });
    live.onStatus((s) => statuses.push(s));
    live.start();
    expect(live.status).toBe('connecting');
    sockets[0]!.open();
    expect(live.status).toBe('live');

    sockets[0]!.serverClose(1006);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) {
      delays.push(...timers.delays().filter((d) => d !== 20_000));
      timers.advance(timers.delays()[0]!);
      sockets[sockets.length - 1]!.serverClose(1006); // the retry fails before opening
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
    expect(statuses).toContain('reconnecting');
    expect(live.status).toBe('offline');

    timers.advance(30_000);
    sockets[sockets.length - 1]!.open();
    expect(live.status).toBe('live');
    sockets[sockets.length - 1]!.serverClose(1006);
    expect(timers.delays().filter((d) => d !== 20_000)).toEqual([500]);
    live.stop();
  });

  it('live connection - re-sends every subscription after a reconnect, with the current alert filter', () => {
    const { live, timers, socket } = connectedLive();
    const leaveKpi = live.subscribe({ type: 'subscribe', topic: 'kpi' }, () => {});
    live.subscribe({ type: 'subscribe', topic: 'alerts', filter: { domain: 'aml' } }, () => {});
    live.subscribe({ type: 'subscribe', topic: 'account', accountId: 'acc-1' }, () => {});
    live.subscribe({ type: 'subscribe', topic: 'alerts', filter: { domain: 'fraud', severity: 'high' } }, () => {});
    leaveKpi();
    expect(socket().sent).toEqual([
      { type: 'subscribe', topic: 'kpi' },
      { type: 'subscribe', topic: 'alerts', filter: { domain: 'aml' } },
      { type: 'subscribe', topic: 'account', accountId: 'acc-1' },
      { type: 'subscribe', topic: 'alerts', filter: { domain: 'fraud', severity: 'high' } },
      { type: 'unsubscribe', topic: 'kpi' },
    ]);

    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    expect(socket().sent).toEqual([
      { type: 'subscribe', topic: 'alerts', filter: { domain: 'fraud', severity: 'high' } },
      { type: 'subscribe', topic: 'account', accountId: 'acc-1' },
    ]);
    live.stop();
  });

  it('live connection - after a reconnect asks the hub for the KPI seconds after the newest it holds, not the whole window again', () => {
    const { live, timers, socket } = connectedLive();
    const leave = live.subscribe({ type: 'subscribe', topic: 'kpi' }, () => {});
    socket().push({ type: 'kpi-history', ticks: [makeTick(5_000)], trail: undefined });
    socket().push({ type: 'kpi', tick: makeTick(6_000) });
    socket().push({ type: 'kpi-history', ticks: [makeTick(4_000), makeTick(7_000)] });
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', topic: 'kpi', since: 7_000 }]);

    // Left and joined again: the new listeners hold nothing, so they get the window.
    leave();
    live.subscribe({ type: 'subscribe', topic: 'kpi' }, () => {});
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', topic: 'kpi' }]);
    live.stop();
  });

  it('live connection - a second listener of a topic shares the server subscription; the last to leave unsubscribes', () => {
    const { live, socket } = connectedLive();
    const got: string[] = [];
    const a = live.subscribe({ type: 'subscribe', topic: 'health' }, () => got.push('a'));
    const b = live.subscribe({ type: 'subscribe', topic: 'health' }, () => got.push('b'));
    socket().push({ type: 'health', view: { at: 1, processes: [] } });
    expect(got).toEqual(['a', 'b']);
    a();
    expect(socket().sent.filter((m) => (m as { type: string }).type === 'unsubscribe')).toEqual([]);
    b();
    expect(socket().sent).toContainEqual({ type: 'unsubscribe', topic: 'health' });
    live.stop();
  });

  it('live connection - fills a `missed` gap from REST, hands the alerts to subscribers and says "caught up"', async () => {
    const calls: Array<[number, unknown]> = [];
    const fetched = [makeAlert({ createdAt: 5_000 }), makeAlert({ createdAt: 5_001 })];
    const { live, socket } = connectedLive({
      catchUp: async (since, filter) => {
        calls.push([since, filter]);
        return { alerts: fetched, complete: true };
      },
    });
    const seen: ServerMessage[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts', filter: { severity: 'critical' } }, (m) => seen.push(m));
    socket().push({ type: 'missed', topic: 'alerts', count: 2, since: 4_999 });
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual([[4_999, { severity: 'critical' }]]);
    expect(seen.map((m) => (m.type === 'alert' ? m.alert.id : m.type))).toEqual(fetched.map((a) => a.id));
    expect(notices).toEqual([{ kind: 'caught-up', count: 2 }]);
    live.stop();
  });

  it('live connection - fetches a `missed` gap again once the writer has stored it, showing each alert once', async () => {
    // The hub drops alerts as they are raised; the writer stores them a batch (a second or more) later.
    const dropped = [makeAlert({ createdAt: 5_000 }), makeAlert({ createdAt: 5_001 }), makeAlert({ createdAt: 5_002 })];
    let stored = dropped.slice(0, 1);
    let calls = 0;
    const { live, socket, timers } = connectedLive({
      catchUp: async () => {
        calls += 1;
        return { alerts: stored, complete: true };
      },
    });
    const seen: string[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, (m) => m.type === 'alert' && seen.push(m.alert.id));
    socket().push({ type: 'missed', topic: 'alerts', count: 3, since: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([dropped[0]!.id]);
    expect(notices).toEqual([]);
    stored = dropped;
    timers.advance(2_500);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(2);
    expect(seen).toEqual(dropped.map((a) => a.id));
    expect(notices).toEqual([{ kind: 'caught-up', count: 3 }]);
    live.stop();
  });

  it('live connection - a large catch-up with live alerts streaming meanwhile counts and shows each alert once', async () => {
    // 1,000 dropped; the first fetch finds 900 stored; 1,200 live alerts arrive during the wait; the
    // second fetch (newest first, as GET /api/alerts pages) finds 950 of the dropped and 900 of the
    // live ones: 1,850, within what one catch-up fetches. A window of the 2,000 newest ids forgot
    // 100 of the first fetch's by then, counted them again, and said "caught up" with 50 missing.
    const dropped = Array.from({ length: 1_000 }, (_, i) => makeAlert({ createdAt: 10_000 + i }));
    const liveOnes = Array.from({ length: 1_200 }, (_, i) => makeAlert({ createdAt: 20_000 + i }));
    const answers = [dropped.slice(0, 900), [...liveOnes.slice(0, 900), ...dropped.slice(0, 950)].reverse(), [...liveOnes, ...dropped].reverse()];
    let calls = 0;
    const { live, socket, timers } = connectedLive({ catchUp: async () => ({ alerts: answers[calls++]!, complete: true }) });
    const shown = new Map<string, number>();
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, (m) => m.type === 'alert' && shown.set(m.alert.id, (shown.get(m.alert.id) ?? 0) + 1));
    socket().push({ type: 'missed', topic: 'alerts', count: 1_000, since: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (const alert of liveOnes) socket().push({ type: 'alert', alert });
    for (let i = 0; i < 2; i += 1) {
      timers.advance(2_500);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(calls).toBe(3);
    expect(shown.size).toBe(2_200);
    expect([...shown.values()].every((n) => n === 1)).toBe(true);
    expect(notices).toEqual([{ kind: 'caught-up', count: 1_000 }]);
    live.stop();
  });

  it('live connection - stops fetching a `missed` gap after a few tries and says "reload" when some are still missing', async () => {
    let calls = 0;
    const { live, socket, timers } = connectedLive({
      catchUp: async () => {
        calls += 1;
        return { alerts: [makeAlert({ createdAt: 5_000 })], complete: true };
      },
    });
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push({ type: 'missed', topic: 'alerts', count: 4, since: 5_000 });
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      timers.advance(2_500);
    }
    expect(calls).toBe(3);
    expect(notices).toEqual([{ kind: 'reload', count: 4 }]);
    live.stop();
  });

  it('live connection - says "reload" when the gap is larger than it fetches or the fetch fails', async () => {
    let answer: 'partial' | 'fail' = 'partial';
    const { live, socket } = connectedLive({
      catchUp: async () => {
        if (answer === 'fail') throw new Error('503');
        return { alerts: [makeAlert()], complete: false };
      },
    });
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push({ type: 'missed', topic: 'alerts', count: 9_000, since: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    answer = 'fail';
    socket().push({ type: 'missed', topic: 'alerts', count: 40, since: 2 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket().push({ type: 'missed', topic: 'account', count: 3, since: 2 });
    expect(notices).toEqual([
      { kind: 'reload', count: 9_000 },
      { kind: 'reload', count: 40 },
      { kind: 'account-reload', count: 3 },
    ]);
    live.stop();
  });

  it('live connection - after a reconnect, fetches the alerts raised while it was away', async () => {
    const calls: number[] = [];
    const { live, socket, timers } = connectedLive({
      catchUp: async (since) => {
        calls.push(since);
        return { alerts: [makeAlert({ createdAt: 9_000 })], complete: true };
      },
    });
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push({ type: 'alert', alert: makeAlert({ createdAt: 7_000 }) });
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual([7_000]);
    live.stop();
  });

  it('live connection - a catch-up after a reconnect neither shows again nor counts the alerts already shown', async () => {
    const shown = makeAlert({ createdAt: 7_000 });
    const raisedWhileAway = makeAlert({ createdAt: 8_000 });
    let answer = [shown];
    const { live, socket, timers } = connectedLive({ catchUp: async () => ({ alerts: answer, complete: true }) });
    const seen: string[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, (m) => m.type === 'alert' && seen.push(m.alert.id));
    socket().push({ type: 'alert', alert: shown });
    // nothing raised while away: the fetch from the last alert's time (inclusive) finds only it, twice
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    timers.advance(2_500);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(notices).toEqual([]);
    expect(seen).toEqual([shown.id]);
    // one raised while away: one missed, said once the gap was fetched again
    answer = [shown, raisedWhileAway];
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([shown.id, raisedWhileAway.id]);
    timers.advance(2_500);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([shown.id, raisedWhileAway.id]);
    expect(notices).toEqual([{ kind: 'caught-up', count: 1 }]);
    live.stop();
  });

  it('live connection - fetches a reconnect\'s gap once more, for alerts raised just before it that were not stored yet', async () => {
    const early = makeAlert({ createdAt: 8_000 });
    const justBefore = makeAlert({ createdAt: 8_900 });
    let answer = [early];
    const calls: number[] = [];
    const { live, socket, timers } = connectedLive({
      catchUp: async (since) => {
        calls.push(since);
        return { alerts: answer, complete: true };
      },
    });
    const seen: string[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, (m) => m.type === 'alert' && seen.push(m.alert.id));
    socket().push({ type: 'alert', alert: makeAlert({ createdAt: 7_000 }) });
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    answer = [early, justBefore];
    timers.advance(2_500);
    await new Promise((resolve) => setTimeout(resolve, 0));
    timers.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual([7_000, 7_000]);
    expect(seen.slice(1)).toEqual([early.id, justBefore.id]);
    expect(notices).toEqual([{ kind: 'caught-up', count: 2 }]);
    live.stop();
  });

  it('live connection - with no alert seen yet, catches up from the server time of the last hello or pong, and tells views it reconnected', async () => {
    const calls: number[] = [];
    const { live, socket, timers } = connectedLive({
      catchUp: async (since) => {
        calls.push(since);
        return { alerts: [], complete: true };
      },
    });
    let reconnects = 0;
    live.onReconnect(() => (reconnects += 1));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push(hello({ serverTime: 4_000 }));
    socket().push({ type: 'pong', serverTime: 6_000 });
    expect(reconnects).toBe(0);
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toEqual([6_000]);
    expect(reconnects).toBe(1);
    live.stop();
  });

  it('live connection - replaces a socket that went silent, and signs out on an auth close code', () => {
    const signedOut: number[] = [];
    const timers = new ManualTimers();
    const sockets: FakeSocket[] = [];
    const live = new LiveConnection({
      url: 'ws://x/ws',
      createSocket: (url) => (sockets.push(new FakeSocket(url)), sockets[sockets.length - 1]!),
      timers,
      random: () => 1,
      keepAliveMs: 1_000,
      onUnauthorized: () => signedOut.push(1),
    });
    live.useClock(() => timers.now);
    live.start();
    sockets[0]!.open();
    timers.advance(1_000);
    expect(sockets[0]!.sent).toContainEqual({ type: 'ping' });
    timers.advance(2_000);
    expect(sockets[0]!.closedWith).toBe(4000);
    expect(live.status).toBe('reconnecting');
    timers.advance(500);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    sockets[1]!.serverClose(4401);
    expect(signedOut).toEqual([1]);
    expect(live.status).toBe('offline');
    timers.advance(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('live connection - states its protocol version in the socket URL', () => {
    const { live, sockets } = connectedLive();
    expect(sockets[0]!.url).toBe(`ws://test/ws?protocol=${LIVE_PROTOCOL_VERSION}`);
    live.stop();
  });

  it('live connection - a reconnect to a server upgraded to another protocol reads nothing more, stops, and asks for a reload', () => {
    const { live, timers, sockets, socket } = connectedLive();
    const seen: ServerMessage[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'kpi' }, (m) => seen.push(m));
    socket().push(hello());
    socket().push({ type: 'kpi-history', ticks: [makeTick(10_000)] });
    expect(seen).toHaveLength(1);

    // The server restarts with a release of another protocol while the tab is away.
    socket().serverClose(1001);
    timers.advance(500);
    socket().open();
    socket().push(hello({ protocol: LIVE_PROTOCOL_VERSION + 1 }));
    // What follows the hello is not read: its shape may mean something else to this code.
    socket().push({ type: 'kpi-history', ticks: [makeTick(20_000)] });
    expect(seen).toHaveLength(1);
    expect(notices).toEqual([{ kind: 'upgraded' }]);
    expect(live.outdated).toBe(true);
    expect(live.status).toBe('offline');
    expect(sockets[1]!.closedWith).toBe(1000);

    // No reconnect: the same server would say the same.
    timers.advance(120_000);
    live.start();
    live.reconnectNow();
    expect(sockets).toHaveLength(2);
  });

  it('live connection - a server from before versions (no protocol in its hello) spoke protocol 1: another protocol', () => {
    const { live, socket } = connectedLive();
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    socket().push(hello({ protocol: undefined, build: undefined }));
    expect(notices).toEqual([{ kind: 'upgraded' }]);
    expect(live.user).toBeNull();
  });

  it('live connection - closed by the server for its protocol version: asks for a reload and does not reconnect', () => {
    const { live, timers, sockets, socket } = connectedLive();
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    socket().serverClose(CLOSE_PROTOCOL_UNSUPPORTED);
    timers.advance(120_000);
    expect(sockets).toHaveLength(1);
    expect(notices).toEqual([{ kind: 'upgraded' }]);
    expect(live.status).toBe('offline');
  });

  it('live connection - the same protocol from another build: reads on, and offers the new app once', () => {
    const { live, timers, socket } = connectedLive({ version: { protocol: LIVE_PROTOCOL_VERSION, build: 'aaaa1111' } });
    const seen: ServerMessage[] = [];
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'kpi' }, (m) => seen.push(m));
    socket().push(hello({ build: 'aaaa1111' }));
    expect(notices).toEqual([]);
    socket().serverClose(1001);
    timers.advance(500);
    socket().open();
    socket().push(hello({ build: 'bbbb2222' }));
    socket().push({ type: 'kpi', tick: makeTick(30_000) });
    expect(seen).toHaveLength(1);
    expect(live.status).toBe('live');
    socket().serverClose(1006);
    timers.advance(500);
    socket().open();
    socket().push(hello({ build: 'bbbb2222' }));
    expect(notices).toEqual([{ kind: 'new-build' }]);
    live.stop();
  });

  it('live connection - no notice after the request to reload: a catch-up that lands later shows nothing', async () => {
    let release: (value: { alerts: never[]; complete: boolean }) => void = () => {};
    const { live, timers, socket } = connectedLive({ catchUp: () => new Promise((resolve) => (release = resolve)) });
    const notices: LiveNotice[] = [];
    live.onNotice((n) => notices.push(n));
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push(hello());
    socket().push({ type: 'missed', topic: 'alerts', count: 3, since: 1_000 });
    socket().serverClose(1001);
    timers.advance(500);
    socket().open();
    socket().push(hello({ protocol: LIVE_PROTOCOL_VERSION + 1 }));
    release({ alerts: [], complete: false });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(notices).toEqual([{ kind: 'upgraded' }]);
  });
});

// Integration: the hub plugin on a real fastify server listening on a port, real NATS (harness
// namespace), real `ws` clients. Only `authenticate` is a stand-in: it maps a test header to a user.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, createMetrics, formatMinor, KPI_LATENCY_BOUNDS_MS, KPI_SCORE_BUCKETS, type AlertWire, type DecisionWire, type KpiSecondWire, type ProcessHealthWire } from '../../../core/index.js';
import { createHarness, eventually, type Harness } from '../../../test/harness.js';
import { CLOSE_PROTOCOL_UNSUPPORTED, LIVE_PROTOCOL_VERSION, type KpiTick, type ServerMessage, type SessionUser, type UserRole } from '../protocol.js';
import { decisionFixture } from './test-fixtures.js';
import { createHub, hubPlugin, type Hub, type HubLimits } from './index.js';

const USERS: Record<string, SessionUser> = Object.fromEntries(
  (
    [
      ['mona', ['risk_monitor']],
      ['carl', ['credit_officer']],
      ['cora', ['compliance_officer']],
      ['ada', ['admin']],
      ['sam', ['risk_monitor']],
    ] as Array<[string, UserRole[]]>
  ).map(([username, roles]) => [username, { username, displayName: username, roles, totpEnabled: false, locale: 'en' }]),
);

/** Users whose session the tests have ended (signed out). */
const signedOut = new Set<string>();

/** Per user, whether each lookup was made as the user's activity (the upgrade) or not (a re-check). */
const lookups = new Map<string, boolean[]>();

/** The stand-in session lookup: `x-test-user: <name>` is a session of that user until it signs out. */
async function testAuthenticate(request: { readonly headers: Record<string, string | string[] | undefined> }, options?: { readonly activity?: boolean }): Promise<SessionUser | null> {
  const name = request.headers['x-test-user'];
  if (typeof name === 'string') lookups.set(name, [...(lookups.get(name) ?? []), options?.activity !== false]);
  return typeof name === 'string' && !signedOut.has(name) ? (USERS[name] ?? null) : null;
}

/**
 * `url` states this code's protocol version, as the web app does; `bareUrl` states none, as a tab
 * of a bundle from before versions (protocol 1).
 */
type Server = { app: FastifyInstance; hub: Hub; url: string; bareUrl: string; metrics: ReturnType<typeof createMetrics> };

/** The build id the test servers say they serve. */
const TEST_BUILD = '0123456789abcdef';

async function startServer(h: Harness, limits: Partial<HubLimits> = {}, build: () => string | null = () => TEST_BUILD, retentionDays?: number): Promise<Server> {
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const hub = createHub({ bus: h.bus, logger, metrics, limits, build, ...(retentionDays !== undefined ? { retentionDays } : {}) });
  const app = Fastify({ logger: false });
  await app.register(hubPlugin, { bus: h.bus, authenticate: testAuthenticate, logger, metrics, hub });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const bareUrl = `ws://127.0.0.1:${port}/ws`;
  return { app, hub, url: `${bareUrl}?protocol=${LIVE_PROTOCOL_VERSION}`, bareUrl, metrics };
}

type Received = ServerMessage & { readonly receivedAt: number };

/** A test client that records every message and can wait for one. */
class TestClient {
  readonly ws: WebSocket;
  readonly messages: Received[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private readonly _waiters = new Set<() => void>();

  constructor(url: string, user: string | null, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers: { ...(user ? { 'x-test-user': user } : {}), ...headers } });
    this.ws.on('message', (data) => {
      this.messages.push({ ...(JSON.parse(data.toString()) as ServerMessage), receivedAt: Date.now() });
      for (const wake of this._waiters) wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      for (const wake of this._waiters) wake();
    });
    this.ws.on('error', () => undefined);
  }

  static async open(url: string, user: string): Promise<TestClient> {
    const client = new TestClient(url, user);
    await client.next('hello');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  of<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }> & { receivedAt: number }> {
    return this.messages.filter((m) => m.type === type) as Array<Extract<ServerMessage, { type: T }> & { receivedAt: number }>;
  }

  /** Waits for the next message of this type (after those already taken with `next`) matching the predicate. */
  async next<T extends ServerMessage['type']>(type: T, predicate: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(type).find((m) => !this._taken.has(m) && predicate(m));
      if (found) {
        this._taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closeCode !== null) throw new Error(`no ${type} message within ${timeoutMs} ms (closed: ${this.closeCode}); got ${this.messages.map((m) => m.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this._waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this._waiters.add(wake);
      });
    }
  }
  private readonly _taken = new Set<unknown>();

  async closed(timeoutMs = 5000): Promise<number> {
    await eventually(() => (this.closeCode === null ? undefined : true), timeoutMs, 'the socket to close');
    return this.closeCode!;
  }

  close(): void {
    this.ws.terminate();
  }
}

let seq = 0;
function alert(overrides: Partial<AlertWire> = {}): AlertWire {
  seq++;
  return {
    v: 1,
    id: `al-${seq}`,
    eventId: `ev-${seq}`,
    eventKind: 'payment',
    ts: Date.now(),
    createdAt: Date.now(),
    domain: 'fraud',
    typology: 'card-testing',
    severity: 'high',
    score: 900,
    accountId: 'ACC-1',
    customerId: 'C-1',
    segment: 'standard',
    amountMinor: 125000,
    currency: 'USD',
    reasons: [{ code: 'VELOCITY', scorer: 'rules', points: 300, text: 'many payments in a minute' }],
    ...overrides,
  };
}

const decision = decisionFixture;

/** The seconds of a kpi-history, trail and ticks, oldest first: the figures both carry. */
function secondsIn(history: Extract<ServerMessage, { type: 'kpi-history' }>): Array<{ at: number; decisionsPerSecond: number; latencyP50Ms: number | null }> {
  const trail = history.trail;
  const fromTrail = trail === undefined ? [] : trail.decisionsPerSecond.map((decisionsPerSecond, i) => ({ at: trail.from + i * 1000, decisionsPerSecond, latencyP50Ms: trail.latencyP50Ms[i]! }));
  return [...fromTrail, ...history.ticks.map((t) => ({ at: t.at, decisionsPerSecond: t.decisionsPerSecond, latencyP50Ms: t.latencyP50Ms }))];
}

function kpiSnapshot(procId: string, second: number, decisions: number): KpiSecondWire {
  const latency = new Array<number>(KPI_LATENCY_BOUNDS_MS.length + 1).fill(0);
  latency[3] = decisions; // 3–5 ms
  return {
    v: 1,
    procId,
    second,
    decisions,
    byAction: { allow: decisions - 1, review: 0, block: 1 },
    byKind: { payment: { count: decisions, byAction: { allow: decisions - 1, review: 0, block: 1 }, amountUsdCents: decisions * 1000, blockedUsdCents: 1000 } },
    amountUsdCents: decisions * 1000,
    blockedUsdCents: 1000,
    latencyTotalMs: latency,
    scores: new Array<number>(KPI_SCORE_BUCKETS).fill(0),
    alerts: 1,
    alertsByDomain: { fraud: 1 },
    alertsBySeverity: { high: 1 },
    alertsByTypology: { 'card-testing': 1 },
    corridors: [{ from: 'US', to: 'MX', count: decisions, amountUsdCents: decisions * 1000, alerts: 1 }],
  };
}

describe('ws hub - over a real server and NATS', () => {
  let h: Harness;
  let server: Server;
  const clients: TestClient[] = [];
  const open = async (user: string) => {
    const client = await TestClient.open(server.url, user);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    h = await createHarness();
    server = await startServer(h, { maxAccountsPerClient: 2, sessionRecheckMs: 200 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.app.close();
    await h?.cleanup();
  });

  it('refuses the upgrade without a session with HTTP 401, before any socket opens', async () => {
    const client = new TestClient(server.url, null);
    const status = await new Promise<number>((resolve, reject) => {
      client.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      client.ws.on('open', () => reject(new Error('the socket opened')));
    });
    expect(status).toBe(401);
    expect(server.hub.stats().clients).toBe(0);
  });

  it('refuses a cross-site upgrade with HTTP 403', async () => {
    const client = new TestClient(server.url, 'mona', { origin: 'https://evil.example' });
    const status = await new Promise<number>((resolve, reject) => {
      client.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      client.ws.on('open', () => reject(new Error('the socket opened')));
    });
    expect(status).toBe(403);
  });

  it('accepts a same-site Origin and says hello with the user and the topics the role allows', async () => {
    const port = new URL(server.url).port;
    const client = new TestClient(server.url, 'carl', { origin: `http://127.0.0.1:${port}` });
    clients.push(client);
    const hello = await client.next('hello');
    expect(hello.user.username).toBe('carl');
    expect(hello.topics).toEqual(['kpi', 'alerts']);
    expect(Math.abs(hello.serverTime - Date.now())).toBeLessThan(5000);
  });

  it('answers pings, and bad messages with an error while the socket stays open', async () => {
    const client = await open('mona');
    client.send({ type: 'ping', id: 'p1' });
    expect(await client.next('pong')).toMatchObject({ id: 'p1' });
    client.send('{not json');
    expect(await client.next('error')).toMatchObject({ code: 'RS_ERR_BAD_REQUEST' });
    client.send({ type: 'publish', topic: 'alerts' });
    expect(await client.next('error')).toMatchObject({ code: 'RS_ERR_BAD_REQUEST', message: expect.stringMatching(/type must be/) });
    client.send({ type: 'ping', id: 'p2' });
    expect(await client.next('pong')).toMatchObject({ id: 'p2' });
  });

  it('closes the socket with 1009 on a client message over 4 KiB', async () => {
    const client = await open('mona');
    client.send({ type: 'ping', id: 'x'.repeat(5000) });
    expect(await client.closed()).toBe(1009);
  });

  it('closes the socket with 1008 once its session ends', async () => {
    const client = await open('sam');
    client.send({ type: 'ping' });
    await client.next('pong');
    // the upgrade is the user's activity; the re-checks are not (they must not keep an idle session alive)
    await eventually(() => ((lookups.get('sam')?.length ?? 0) >= 2 ? true : undefined), 5000, 'a re-check');
    expect(lookups.get('sam')![0]).toBe(true);
    expect(lookups.get('sam')!.slice(1).every((activity) => !activity)).toBe(true);
    signedOut.add('sam');
    expect(await client.closed()).toBe(1008);
  });

  it('refuses a topic the role does not allow with RS_ERR_FORBIDDEN and keeps the socket', async () => {
    const client = await open('carl');
    client.send({ type: 'subscribe', topic: 'health' });
    expect(await client.next('error')).toMatchObject({ code: 'RS_ERR_FORBIDDEN' });
    client.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-1' });
    expect(await client.next('error')).toMatchObject({ code: 'RS_ERR_FORBIDDEN' });
    client.send({ type: 'ping' });
    await client.next('pong');
    expect(client.closeCode).toBeNull();
  });

  it('delivers an alert published on JetStream to a subscriber, as published', async () => {
    const client = await open('mona');
    client.send({ type: 'subscribe', topic: 'alerts' });
    await client.next('subscribed', (m) => m.topic === 'alerts');
    const published = alert();
    await h.bus.js.publish(h.names.alertSubject(published.domain), JSON.stringify(published));
    const got = await client.next('alert', (m) => m.alert.id === published.id);
    // with its exact amount in ISO 4217 digits (the browser's Intl would read HUF minor units as whole forints)
    expect(got.alert).toEqual({ ...published, amount: '1250.00' });
    const forints = alert({ amountMinor: 100_050, currency: 'HUF' });
    await h.bus.js.publish(h.names.alertSubject(forints.domain), JSON.stringify(forints));
    expect((await client.next('alert', (m) => m.alert.id === forints.id)).alert).toEqual({ ...forints, amount: '1000.50' });
    // The metrics saw it: the delivery histogram, the sent counter and the client gauge.
    const delivery = (await server.metrics.wsAlertDelivery.get()).values.find((v) => v.metricName === 'rs_ws_alert_delivery_seconds_count');
    expect(delivery?.value).toBeGreaterThanOrEqual(1);
    const sent = (await server.metrics.wsMessagesSent.get()).values.find((v) => v.labels.type === 'alert');
    expect(sent?.value).toBeGreaterThanOrEqual(1);
    expect((await server.metrics.wsClients.get()).values[0]?.value).toBe(server.hub.stats().clients);
  });

  it('pushes an alert published again under its id (a redelivered batch) once', async () => {
    const client = await open('mona');
    client.send({ type: 'subscribe', topic: 'alerts' });
    await client.next('subscribed', (m) => m.topic === 'alerts');
    const first = alert();
    // the runner publishes again with the same message id: JetStream drops the copy, core NATS delivers it
    await h.bus.js.publish(h.names.alertSubject(first.domain), JSON.stringify(first), { msgID: first.id });
    await h.bus.js.publish(h.names.alertSubject(first.domain), JSON.stringify({ ...first, createdAt: first.createdAt + 1500 }), { msgID: first.id });
    const after = alert();
    await h.bus.js.publish(h.names.alertSubject(after.domain), JSON.stringify(after));
    await client.next('alert', (m) => m.alert.id === after.id);
    expect(client.of('alert').filter((m) => m.alert.id === first.id).map((m) => m.alert.createdAt)).toEqual([first.createdAt]);
  });

  it('applies each client\'s filter, and forces a credit officer to credit alerts', async () => {
    const monitor = await open('mona');
    const officer = await open('carl');
    const plain = await open('cora');
    monitor.send({ type: 'subscribe', topic: 'alerts', filter: { domain: 'aml', severity: 'high' } });
    officer.send({ type: 'subscribe', topic: 'alerts', filter: { domain: 'fraud' } });
    plain.send({ type: 'subscribe', topic: 'alerts' });
    await Promise.all([monitor.next('subscribed'), officer.next('subscribed'), plain.next('subscribed')]);
    const sent = [
      alert({ domain: 'fraud', severity: 'critical' }),
      alert({ domain: 'aml', severity: 'medium', typology: 'structuring' }),
      alert({ domain: 'aml', severity: 'critical', typology: 'structuring' }),
      alert({ domain: 'aml', severity: 'high', typology: 'fan-out' }),
      alert({ domain: 'credit', severity: 'low', typology: 'missed-payment' }),
    ];
    for (const a of sent) h.bus.nc.publish(h.names.alertSubject(a.domain), JSON.stringify(a));
    const last = sent[sent.length - 1]!;
    await plain.next('alert', (m) => m.alert.id === last.id);
    await officer.next('alert', (m) => m.alert.id === last.id);
    // The monitor's last match is the fan-out alert; give stragglers a moment to show up if they were (wrongly) sent.
    await monitor.next('alert', (m) => m.alert.id === sent[3]!.id);
    await new Promise((r) => setTimeout(r, 200));
    const ids = (c: TestClient) => c.of('alert').map((m) => m.alert.id).filter((id) => sent.some((a) => a.id === id));
    expect(ids(plain)).toEqual(sent.map((a) => a.id));
    expect(ids(monitor)).toEqual([sent[3]!.id]);
    expect(ids(officer)).toEqual([last.id]);
    expect(server.hub.stats().alertFilters).toBeGreaterThanOrEqual(3);
  });

  it('sends kpi-history on subscribe, then live ticks merged from every processor', async () => {
    const s0 = Math.floor(Date.now() / 1000) * 1000;
    h.bus.nc.publish(h.names.kpiSubject('proc-a'), JSON.stringify(kpiSnapshot('proc-a', s0, 10)));
    h.bus.nc.publish(h.names.kpiSubject('proc-b'), JSON.stringify(kpiSnapshot('proc-b', s0, 5)));
    await h.bus.nc.flush();
    // The tick of s0 exists from s0 + 2 s on (the hub lags a second behind the second's end).
    await new Promise((r) => setTimeout(r, s0 + 2100 - Date.now()));
    const client = await open('ada');
    client.send({ type: 'subscribe', topic: 'kpi' });
    await client.next('subscribed', (m) => m.topic === 'kpi');
    const history = await client.next('kpi-history');
    // The newest second in full; the older ones as the trail, whole seconds without gaps up to it.
    expect(history.ticks).toHaveLength(1);
    const newest = history.ticks[0]!;
    expect(newest.at).toBeGreaterThanOrEqual(s0);
    expect(newest).toMatchObject({ decidedUsdLastMinute: '150.00' });
    expect(newest.corridors[0]).toMatchObject({ from: 'US', to: 'MX', count: 15, amountUsd: '150.00', alerts: 2 });
    const seconds = secondsIn(history);
    expect(seconds.map((s) => s.at)).toEqual(seconds.map((_, i) => seconds[0]!.at + i * 1000));
    expect(seconds.find((s) => s.at === s0)).toMatchObject({ decisionsPerSecond: 15, latencyP50Ms: 4 });
    if (newest.at === s0) expect(newest).toMatchObject({ processors: 2, byAction: { allow: 13, review: 0, block: 2 } });

    // A tab that says which second it holds gets the seconds from 10 s before it on, not the window.
    const again = await open('ada');
    again.send({ type: 'subscribe', topic: 'kpi', since: newest.at });
    const resumed = await again.next('kpi-history');
    expect(secondsIn(resumed)[0]!.at).toBeGreaterThanOrEqual(Math.max(seconds[0]!.at, newest.at - 10_000));
    expect(resumed.ticks[0]!.at).toBeGreaterThanOrEqual(newest.at);

    const s1 = Math.floor(Date.now() / 1000) * 1000;
    h.bus.nc.publish(h.names.kpiSubject('proc-a'), JSON.stringify(kpiSnapshot('proc-a', s1, 7)));
    const live = await client.next('kpi', (m) => m.tick.at === s1, 5000);
    expect(live.tick).toMatchObject({ decisionsPerSecond: 7, processors: 1, alertsPerMinute: 3 });
    expect(live.tick.fraudRate).toBeCloseTo(3 / 22, 6);
    // About one tick a second.
    await client.next('kpi', (m) => m.tick.at === s1 + 1000, 3000);
  });

  it('sends the health view of the processes heard from, with rates', async () => {
    const beat = (at: number, decisions: number): ProcessHealthWire => ({
      v: 1,
      procId: 'proc-h',
      roles: ['processors'],
      host: 'h',
      pid: 1,
      startedAt: at - 10_000,
      at,
      cpuPercent: 10,
      rssBytes: 1,
      heapUsedBytes: 1,
      eventLoopDelayP99Ms: 1,
      counters: { eventsIn: decisions, eventsRejected: 0, decisions, alerts: 0, deadLettered: 0, rowsWritten: 0 },
      stages: {},
      consumers: [],
      writerLagSeconds: {},
    });
    const now = Date.now();
    h.bus.nc.publish(h.names.healthSubject('proc-h'), JSON.stringify({ ...beat(now - 2000, 100), startedAt: now - 12_000 }));
    h.bus.nc.publish(h.names.healthSubject('proc-h'), JSON.stringify({ ...beat(now, 300), startedAt: now - 12_000 }));
    await h.bus.nc.flush();
    await eventually(() => (server.hub.stats().processesSeen > 0 ? true : undefined), 15_000, 'the heartbeat to arrive');
    const client = await open('ada');
    client.send({ type: 'subscribe', topic: 'health' });
    const view = await client.next('health', (m) => m.view.processes.some((p) => p.procId === 'proc-h'));
    expect(view.view.processes.find((p) => p.procId === 'proc-h')).toMatchObject({ stale: false, rates: { decisions: 100 } });
    // Pushed again about every 2 s.
    await client.next('health', () => true, 4000);
  });

  it('forwards the decisions of a watched account (either side) without features, and lets go of the decision subject when nobody watches', async () => {
    const client = await open('cora');
    expect(server.hub.stats().decisionSubscription).toBe(false);
    client.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-W' });
    await client.next('subscribed', (m) => m.topic === 'account');
    expect(server.hub.stats().decisionSubscription).toBe(true);
    const mine = decision({ accountId: 'ACC-W' });
    const theirs = decision({ counterpartyId: 'ACC-W' });
    const other = decision({ accountId: 'ACC-X', reasons: [{ code: 'X', scorer: 's', points: 1, text: 'mentions "accountId":"ACC-W" in text' }] });
    for (const d of [other, mine, theirs]) await h.bus.js.publish(h.names.decisionSubject('payment'), JSON.stringify(d));
    const first = await client.next('account');
    const second = await client.next('account');
    expect([first.decision.eventId, second.decision.eventId]).toEqual([mine.eventId, theirs.eventId]);
    expect(first.accountId).toBe('ACC-W');
    expect(first.decision).not.toHaveProperty('features');
    expect(first.decision).not.toHaveProperty('labels');
    expect(first.decision).toMatchObject({ accountId: 'ACC-W', score: mine.score, reasons: [], amount: formatMinor(mine.amountMinor, mine.currency) });
    // published again (a redelivered batch): not pushed again
    await h.bus.js.publish(h.names.decisionSubject('payment'), JSON.stringify(mine));
    await new Promise((r) => setTimeout(r, 200));
    expect(client.of('account')).toHaveLength(2);

    client.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-V' });
    await client.next('subscribed', (m) => m.accountId === 'ACC-V');
    client.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-U' });
    expect(await client.next('error')).toMatchObject({ code: 'RS_ERR_BAD_REQUEST', message: expect.stringMatching(/at most 2 accounts/) });

    client.send({ type: 'unsubscribe', topic: 'account' });
    await client.next('unsubscribed', (m) => m.topic === 'account');
    expect(server.hub.stats().decisionSubscription).toBe(false);
  });

  it('pushes on the account topic the alerts naming a watched account, once each, to a tab that takes no alert feed', async () => {
    const client = await open('cora');
    client.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-AL' });
    await client.next('subscribed', (m) => m.accountId === 'ACC-AL');
    const mine = alert({ accountId: 'ACC-AL', amountMinor: 125_050, currency: 'EUR' });
    const other = alert({ accountId: 'ACC-OTHER' });
    for (const a of [other, mine]) await h.bus.js.publish(h.names.alertSubject(a.domain), JSON.stringify(a));
    const pushed = await client.next('account-alert');
    expect(pushed).toMatchObject({ accountId: 'ACC-AL', alert: { id: mine.id, eventId: mine.eventId, amount: '1250.50', reasons: mine.reasons } });
    // published again (a redelivery, raised a moment later): not pushed again
    await h.bus.js.publish(h.names.alertSubject(mine.domain), JSON.stringify({ ...mine, createdAt: mine.createdAt + 1500 }));
    const after = alert({ accountId: 'ACC-AL' });
    await h.bus.js.publish(h.names.alertSubject(after.domain), JSON.stringify(after));
    expect((await client.next('account-alert')).alert.id).toBe(after.id);
    expect(client.of('account-alert').map((m) => m.alert.id)).toEqual([mine.id, after.id]);
    expect(client.of('alert')).toEqual([]);
  });
});

describe('ws hub - account alerts without an alert feed', () => {
  it('parses only the alerts that may name a watched account, and routes exactly those naming one (ids with quotes, backslashes, any script)', async () => {
    const h = await createHarness();
    const server = await startServer(h);
    const tab = await TestClient.open(server.url, 'cora');
    try {
      const watched = ['ACC "quoted"', 'C:\\accounts\\7', 'Zürich Konto 1', '账户 😀'];
      for (const accountId of watched) {
        tab.send({ type: 'subscribe', topic: 'account', accountId });
        await tab.next('subscribed', (m) => m.accountId === accountId);
      }
      // JSON as a producer that escapes everything outside ASCII writes it (\u00fc for ü)
      const asciiJson = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const naming = watched.flatMap((accountId) => [{ text: JSON.stringify, alert: alert({ accountId }) }, { text: asciiJson, alert: alert({ accountId }) }]);
      const storm = Array.from({ length: 40 }, (_, i) => ({ text: JSON.stringify, alert: alert({ accountId: `ACC-STORM-${i}` }) }));
      const nearMisses = [
        alert({ accountId: 'ACC "quoted" 2' }), // escaped: parsed, not routed
        alert({ accountId: 'Zurich Konto 1' }),
        alert({ accountId: 'ACC-X', customerId: 'Zürich Konto 1' }),
        alert({ accountId: 'ACC-Y', reasons: [{ code: 'R', scorer: 'rules', points: 1, text: 'paid 账户 😀 twice' }] }),
      ].map((a) => ({ text: JSON.stringify, alert: a }));
      const before = server.hub.stats().alertsParsed;
      for (const { text, alert: a } of [...storm, ...nearMisses, ...naming]) h.bus.nc.publish(h.names.alertSubject(a.domain), text(a));
      const expected = naming.map((n) => n.alert.id);
      await eventually(() => (tab.of('account-alert').length >= expected.length ? true : undefined), 10_000, 'the account alerts');
      expect(tab.of('account-alert').map((m) => [m.accountId, m.alert.id])).toEqual(naming.map((n) => [n.alert.accountId, n.alert.id]));
      expect(tab.of('account-alert').map((m) => m.alert.accountId)).toEqual(naming.map((n) => n.alert.accountId));
      // parsed: those naming a watched account, and the near miss with an escape (a quote); not the storm nor the other near misses
      expect(server.hub.stats().alertsParsed - before).toBe(naming.length + 1);
      // with an alert feed open every alert is parsed, and pushed there
      tab.send({ type: 'subscribe', topic: 'alerts' });
      await tab.next('subscribed', (m) => m.topic === 'alerts');
      const other = alert({ accountId: 'ACC-FEED' });
      h.bus.nc.publish(h.names.alertSubject(other.domain), JSON.stringify(other));
      expect((await tab.next('alert')).alert.id).toBe(other.id);
      expect(server.hub.stats().alertsParsed - before).toBe(naming.length + 2);
    } finally {
      tab.close();
      await server.app.close();
      await h.cleanup();
    }
  });
});

describe('ws hub - alerts on events past the retention', () => {
  let h: Harness;
  let server: Server;
  const clients: TestClient[] = [];
  const DAY_MS = 86_400_000;

  beforeAll(async () => {
    h = await createHarness();
    server = await startServer(h, {}, () => TEST_BUILD, 30);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.app.close();
    await h?.cleanup();
  });

  it('pushes neither on the feed nor on the account topic an alert whose event the writer would not store, and counts it', async () => {
    const feed = await TestClient.open(server.url, 'mona');
    const account = await TestClient.open(server.url, 'cora');
    clients.push(feed, account);
    feed.send({ type: 'subscribe', topic: 'alerts' });
    account.send({ type: 'subscribe', topic: 'account', accountId: 'ACC-OLD' });
    await Promise.all([feed.next('subscribed'), account.next('subscribed')]);
    // raised now, on an event of 31 days ago (the demo's backdated history; a replay of old events)
    const old = alert({ accountId: 'ACC-OLD', ts: Date.now() - 31 * DAY_MS });
    // within the retention, and right at its edge (the writer, a moment later, would drop it)
    const recent = alert({ accountId: 'ACC-OLD', ts: Date.now() - 29 * DAY_MS });
    const edge = alert({ accountId: 'ACC-OLD', ts: Date.now() - 30 * DAY_MS - 5_000 });
    const fresh = alert({ accountId: 'ACC-OLD' });
    for (const a of [old, edge, recent, fresh]) await h.bus.js.publish(h.names.alertSubject(a.domain), JSON.stringify(a));
    await feed.next('alert', (m) => m.alert.id === fresh.id);
    await account.next('account-alert', (m) => m.alert.id === fresh.id);
    expect(feed.of('alert').map((m) => m.alert.id)).toEqual([recent.id, fresh.id]);
    expect(account.of('account-alert').map((m) => m.alert.id)).toEqual([recent.id, fresh.id]);
    const held = (await server.metrics.wsAlertsPastRetention.get()).values[0]?.value;
    expect(held).toBe(2);
  });
});

describe('ws hub - a stalled client', () => {
  let h: Harness;
  let server: Server;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    h = await createHarness();
    // A small buffer limit and queue so that the stalled client drops soon after the kernel's socket buffers are full.
    server = await startServer(h, { bufferLimitBytes: 64 * 1024, queueCap: 32, stallTimeoutMs: 60_000 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.app.close();
    await h?.cleanup();
  });

  it('does not delay a healthy client; the stalled one is dropped for, then told what it missed', async () => {
    const healthy = await TestClient.open(server.url, 'mona');
    const stalled = await TestClient.open(server.url, 'mona');
    clients.push(healthy, stalled);
    for (const c of [healthy, stalled]) {
      c.send({ type: 'subscribe', topic: 'alerts' });
      await c.next('subscribed');
    }
    // The stalled tab stops reading its socket: TCP fills, then the server-side buffer.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const N = 1200;
    const padding = 'x'.repeat(16 * 1024); // ~16 KiB per alert: ~19 MB in all, more than the socket buffers hold
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const a = alert({ reasons: [{ code: 'PAD', scorer: 'test', points: 0, text: padding }] });
      ids.push(a.id);
      h.bus.nc.publish(h.names.alertSubject('fraud'), JSON.stringify(a));
      if (i % 40 === 39) {
        await h.bus.nc.flush();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await eventually(() => (healthy.of('alert').length >= N ? true : undefined), 30_000, 'the healthy client to get every alert');
    const delays = healthy.of('alert').map((m) => m.receivedAt - m.alert.createdAt).sort((a, b) => a - b);
    expect(healthy.of('alert').map((m) => m.alert.id)).toEqual(ids);
    const p99 = delays[Math.floor(delays.length * 0.99)]!;
    const max = delays[delays.length - 1]!;
    // Within a bound while the other client is stuck (the publisher, the hub and both clients share this one test process).
    expect(p99).toBeLessThan(500);
    expect(max).toBeLessThan(1500);

    // The hub marked the stalled client: it is backlogged and dropped alerts for it; the healthy one dropped nothing.
    const stats = server.hub.clientStats();
    const stalledStats = stats.filter((s) => s.dropped > 0);
    expect(stalledStats).toHaveLength(1);
    expect(stalledStats[0]!.backlogged).toBe(true);
    const dropped = stalledStats[0]!.dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(stalled.of('alert').length).toBeLessThan(N);

    // It reads again: it gets what was kept, then one `missed` with the count, then live alerts again.
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const missed = await stalled.next('missed', () => true, 15_000);
    expect(missed.topic).toBe('alerts');
    expect(missed.count).toBe(dropped);
    const got = stalled.of('alert');
    expect(got.length + missed.count).toBe(N);
    // `since` is no later than the first alert it did not get, so GET /api/alerts?since= covers them all.
    const gotIds = new Set(got.map((m) => m.alert.id));
    const firstMissing = ids.findIndex((id) => !gotIds.has(id));
    expect(firstMissing).toBeGreaterThanOrEqual(0);
    expect(missed.since).toBeLessThanOrEqual(Date.now());
    const after = alert();
    h.bus.nc.publish(h.names.alertSubject('fraud'), JSON.stringify(after));
    await stalled.next('alert', (m) => m.alert.id === after.id);
    const droppedMetric = (await server.metrics.wsMessagesDropped.get()).values.find((v) => v.labels.type === 'alert');
    expect(droppedMetric?.value).toBe(dropped);
  });

  it('closes a client that stays over the limit longer than the stall timeout', async () => {
    const local = await startServer(h, { bufferLimitBytes: 64 * 1024, queueCap: 8, stallTimeoutMs: 1000, sweepMs: 100, closeGraceMs: 500 });
    try {
      const stalled = await TestClient.open(local.url, 'mona');
      clients.push(stalled);
      stalled.send({ type: 'subscribe', topic: 'alerts' });
      await stalled.next('subscribed');
      (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const padding = 'y'.repeat(32 * 1024);
      for (let i = 0; i < 600; i++) {
        h.bus.nc.publish(h.names.alertSubject('aml'), JSON.stringify(alert({ domain: 'aml', reasons: [{ code: 'PAD', scorer: 't', points: 0, text: padding }] })));
        if (i % 50 === 49) await h.bus.nc.flush();
      }
      await eventually(() => (local.hub.stats().clients === 0 ? true : undefined), 10_000, 'the hub to let go of the stalled client');
      (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const code = await stalled.closed(10_000);
      // 1008 when the close frame got through before the cut, 1006 when the connection was cut first.
      expect([1008, 1006]).toContain(code);
    } finally {
      await local.app.close();
    }
  });
});

describe('ws hub - a slow tab and KPI ticks', () => {
  it('a tab that fell behind gets, once it reads again, every second it missed, with the seconds a late snapshot amended', async () => {
    const h = await createHarness();
    const server = await startServer(h, { bufferLimitBytes: 64 * 1024, queueCap: 8, stallTimeoutMs: 60_000 });
    const tab = await TestClient.open(server.url, 'mona');
    try {
      tab.send({ type: 'subscribe', topic: 'kpi' });
      await tab.next('kpi-history');
      tab.send({ type: 'subscribe', topic: 'alerts' });
      await tab.next('subscribed', (m) => m.topic === 'alerts');
      // A second the tab has seen while it kept up: 0 decisions so far.
      const late = (await tab.next('kpi', () => true, 5000)).tick.at;
      // The tab stops reading; alerts fill the socket's buffers until the hub holds messages for it.
      (tab.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const padding = 'k'.repeat(16 * 1024);
      await eventually(async () => {
        for (let i = 0; i < 40; i++) h.bus.nc.publish(h.names.alertSubject('fraud'), JSON.stringify(alert({ reasons: [{ code: 'PAD', scorer: 'test', points: 0, text: padding }] })));
        await h.bus.nc.flush();
        return server.hub.clientStats()[0]?.backlogged ? true : undefined;
      }, 20_000, 'the hub to hold messages for the tab');
      // A processor reports that second late: the next push amends it, and plain ticks follow.
      h.bus.nc.publish(h.names.kpiSubject('proc-late'), JSON.stringify(kpiSnapshot('proc-late', late, 9)));
      await h.bus.nc.flush();
      await new Promise((r) => setTimeout(r, 3500));
      expect(server.hub.clientStats()[0]?.backlogged).toBe(true);

      (tab.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const newest = Math.floor(Date.now() / 1000) * 1000 - 2000;
      await eventually(() => (tab.of('kpi').some((m) => m.tick.at >= newest) || tab.of('kpi-history').some((m) => m.ticks.some((t) => t.at >= newest)) ? true : undefined), 15_000, 'the tab to catch up');
      // What the tab shows: every tick received, merged by `at` in the order received (as the web app does).
      const shown = new Map<number, KpiTick>();
      for (const m of tab.messages) {
        if (m.type === 'kpi-history') for (const t of m.ticks) shown.set(t.at, t);
        else if (m.type === 'kpi') shown.set(m.tick.at, m.tick);
      }
      expect(shown.get(late)).toMatchObject({ decisionsPerSecond: 9, processors: 1 });
      const ats = [...shown.keys()].sort((a, b) => a - b);
      expect(ats).toEqual(ats.map((_, i) => ats[0]! + i * 1000));
    } finally {
      tab.close();
      await server.app.close();
      await h.cleanup();
    }
  }, 40_000);
});

describe('ws hub - a late tick timer', () => {
  it('pushes every second the hub ticks at once when its timer fires seconds late (a busy event loop)', async () => {
    const h = await createHarness();
    const server = await startServer(h);
    const tab = await TestClient.open(server.url, 'mona');
    try {
      tab.send({ type: 'subscribe', topic: 'kpi' });
      await tab.next('kpi-history');
      const first = (await tab.next('kpi', () => true, 5000)).tick.at;
      // The hub shares this thread: keep it busy past two tick times.
      const until = Date.now() + 2300;
      while (Date.now() < until);
      const newest = Math.floor(Date.now() / 1000) * 1000 - 1000;
      await eventually(() => (tab.of('kpi').some((m) => m.tick.at >= newest) || tab.of('kpi-history').some((m) => m.ticks.some((t) => t.at >= newest)) ? true : undefined), 5000, 'the tab to get the newest tick');
      const ats = new Set<number>();
      for (const m of tab.messages) {
        if (m.type === 'kpi') ats.add(m.tick.at);
        else if (m.type === 'kpi-history') for (const t of m.ticks) ats.add(t.at);
      }
      const live = [...ats].filter((at) => at >= first).sort((a, b) => a - b);
      expect(live).toEqual(live.map((_, i) => first + i * 1000));
    } finally {
      tab.close();
      await server.app.close();
      await h.cleanup();
    }
  }, 20_000);
});

describe('ws hub - connections per user', () => {
  it('refuses a user more sockets than the per-user limit with 1008 and a reason, without touching other users', async () => {
    const h = await createHarness();
    const server = await startServer(h, { maxClientsPerUser: 2 });
    const open: TestClient[] = [];
    try {
      open.push(await TestClient.open(server.url, 'mona'), await TestClient.open(server.url, 'mona'));
      const third = new TestClient(server.url, 'mona');
      open.push(third);
      expect(await third.closed()).toBe(1008);
      expect(third.closeReason).toMatch(/too many connections for this user \(2\)/);
      expect(third.messages).toEqual([]);
      // another user has a budget of their own
      open.push(await TestClient.open(server.url, 'cora'));
      expect(server.hub.stats().clients).toBe(3);
      // a socket closed frees its place
      open[0]!.close();
      await eventually(() => (server.hub.stats().clients === 2 ? true : undefined), 5000, 'the socket to be let go');
      open.push(await TestClient.open(server.url, 'mona'));
    } finally {
      for (const client of open) client.close();
      await server.app.close();
      await h.cleanup();
    }
  });
});

/** rs_ws_refused_total of a test server, by reason. */
async function refusals(server: Server): Promise<Record<string, number>> {
  return Object.fromEntries((await server.metrics.wsRefused.get()).values.map((v) => [String(v.labels.reason), v.value]));
}

/** The HTTP status an upgrade was refused with (it must not open). */
function refusedStatus(client: TestClient): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    client.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    client.ws.on('open', () => reject(new Error('the socket opened')));
  });
}

describe('ws hub - refusals counted', () => {
  it('counts every refused upgrade and socket by reason, each time, where the log says so once in a while', async () => {
    const h = await createHarness();
    const server = await startServer(h, { maxClients: 3, maxClientsPerUser: 2 });
    const open: TestClient[] = [];
    const connect = (url: string, user: string | null, headers: Record<string, string> = {}) => {
      const client = new TestClient(url, user, headers);
      open.push(client);
      return client;
    };
    try {
      // every reason is there from the start, at 0
      expect(await refusals(server)).toEqual({ origin: 0, unauthenticated: 0, protocol: 0, process_full: 0, user_limit: 0, shutting_down: 0 });
      expect(await refusedStatus(connect(server.url, 'mona', { origin: 'https://evil.example' }))).toBe(403);
      expect(await refusedStatus(connect(server.url, null))).toBe(401);
      // a plain GET is no socket refused
      expect((await fetch(server.url.replace('ws:', 'http:'))).status).toBe(401);
      expect(await connect(`${server.bareUrl}?protocol=${LIVE_PROTOCOL_VERSION + 1}`, 'ada').closed()).toBe(CLOSE_PROTOCOL_UNSUPPORTED);
      open.push(await TestClient.open(server.url, 'mona'), await TestClient.open(server.url, 'mona'));
      // twice: the log names the second one no more, the counter does
      expect(await connect(server.url, 'mona').closed()).toBe(1008);
      expect(await connect(server.url, 'mona').closed()).toBe(1008);
      open.push(await TestClient.open(server.url, 'cora'));
      expect(await connect(server.url, 'carl').closed()).toBe(1013); // not sam: a test above signs sam out
      expect(await refusals(server)).toEqual({ origin: 1, unauthenticated: 1, protocol: 1, process_full: 1, user_limit: 2, shutting_down: 0 });
      // a socket handed to a hub that is closing
      await server.app.close();
      const codes: number[] = [];
      server.hub.attach({ close: (code: number) => void codes.push(code) } as unknown as WebSocket, USERS.carl!);
      expect(codes).toEqual([1001]);
      expect((await refusals(server)).shutting_down).toBe(1);
    } finally {
      for (const client of open) client.close();
      await server.app.close();
      await h.cleanup();
    }
  });
});

describe('ws hub - shutdown', () => {
  it('closes every socket with 1001 when the server closes', async () => {
    const h = await createHarness();
    const server = await startServer(h);
    try {
      const client = await TestClient.open(server.url, 'mona');
      client.send({ type: 'subscribe', topic: 'alerts' });
      await client.next('subscribed');
      await server.app.close();
      expect(await client.closed()).toBe(1001);
      expect(server.hub.stats().clients).toBe(0);
    } finally {
      await server.app.close();
      await h.cleanup();
    }
  });
});

describe('ws hub - protocol versions', () => {
  let h: Harness;
  let server: Server;
  const clients: TestClient[] = [];
  const connect = (url: string, user = 'ada') => {
    const client = new TestClient(url, user);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    h = await createHarness();
    server = await startServer(h);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.app.close();
    await h?.cleanup();
  });

  it('says in every hello which protocol it speaks on the socket and which build it serves', async () => {
    const tab = connect(server.url);
    expect(await tab.next('hello')).toMatchObject({ protocol: LIVE_PROTOCOL_VERSION, build: TEST_BUILD, user: { username: 'ada' } });
    // An older version it still serves is the one it speaks there, not its newest: a tab reads a
    // hello of another version as "upgraded" and stops, so a tab of an older version still served
    // (protocol 2 once the version is 3) would stop for nothing. Protocol 1 is such a version today.
    expect(await connect(server.bareUrl).next('hello')).toMatchObject({ protocol: 1, build: TEST_BUILD });
    expect(await connect(`${server.bareUrl}?protocol=1`).next('hello')).toMatchObject({ protocol: 1, build: TEST_BUILD });
  });

  it.each([
    ['a newer protocol than it speaks', `?protocol=${LIVE_PROTOCOL_VERSION + 1}`],
    ['a version that is not a number', '?protocol=two'],
    ['a version stated twice', `?protocol=${LIVE_PROTOCOL_VERSION}&protocol=${LIVE_PROTOCOL_VERSION}`],
    ['protocol 0', '?protocol=0'],
  ])('refuses a tab that states %s: the hello says what it speaks, then a close that says to reload', async (_name, query) => {
    const tab = connect(`${server.bareUrl}${query}`);
    expect(await tab.closed()).toBe(CLOSE_PROTOCOL_UNSUPPORTED);
    expect(tab.closeReason).toBe(`this server speaks protocol ${LIVE_PROTOCOL_VERSION}: reload the page`);
    expect(tab.messages.map((m) => m.type)).toEqual(['hello']);
    expect(tab.messages[0]).toMatchObject({ protocol: LIVE_PROTOCOL_VERSION, build: TEST_BUILD });
    // nothing it sends is read: it is no client of the hub
    expect(server.hub.stats().clients).toBe(clients.filter((c) => c.closeCode === null).length);
  });

  it('sends a tab from before versions every held tick whole, which it reads, and a tab of this version the trail', async () => {
    // A few seconds held, so that a trail and whole ticks differ.
    const s0 = Math.floor(Date.now() / 1000) * 1000;
    h.bus.nc.publish(h.names.kpiSubject('proc-v'), JSON.stringify(kpiSnapshot('proc-v', s0, 4)));
    await h.bus.nc.flush();
    await new Promise((r) => setTimeout(r, s0 + 4100 - Date.now()));

    const old = connect(server.bareUrl, 'mona');
    await old.next('hello');
    old.send({ type: 'subscribe', topic: 'kpi' });
    const whole = await old.next('kpi-history');
    expect(whole.trail).toBeUndefined();
    expect(whole.ticks.length).toBeGreaterThanOrEqual(3);
    const ats = whole.ticks.map((t) => t.at);
    expect(ats).toEqual(ats.map((_, i) => ats[0]! + i * 1000));
    expect(whole.ticks.find((t) => t.at === s0)).toMatchObject({ decisionsPerSecond: 4 });

    const current = connect(server.url, 'mona');
    await current.next('hello');
    current.send({ type: 'subscribe', topic: 'kpi' });
    const trailed = await current.next('kpi-history');
    expect(trailed.ticks).toHaveLength(1);
    expect(trailed.trail?.decisionsPerSecond.length).toBeGreaterThanOrEqual(2);
    // The same seconds either way.
    expect(secondsIn(trailed).map((s) => s.at)).toEqual(secondsIn(whole).map((s) => s.at).slice(0, secondsIn(trailed).length));

    // The one bundle that asked `since` without stating a version (2026-12-07) reads the trail: a
    // reconnect of it gets what this version's reconnect gets.
    const newest = whole.ticks[whole.ticks.length - 1]!.at;
    const resumedOld = connect(server.bareUrl, 'mona');
    const resumedNew = connect(server.url, 'mona');
    await resumedOld.next('hello');
    await resumedNew.next('hello');
    resumedOld.send({ type: 'subscribe', topic: 'kpi', since: newest });
    resumedNew.send({ type: 'subscribe', topic: 'kpi', since: newest });
    const [a, b] = await Promise.all([resumedOld.next('kpi-history'), resumedNew.next('kpi-history')]);
    expect(a.ticks).toHaveLength(1);
    expect(b.ticks).toHaveLength(1);
    // the same history, answered each at its own moment (receivedAt: a millisecond apart or more)
    const withoutAnswerTime = (m: typeof a) => ({ ...m, receivedAt: 0 });
    if (a.ticks[0]!.at === b.ticks[0]!.at) expect(withoutAnswerTime(a)).toEqual(withoutAnswerTime(b));
  });

  it('tells each hello the build it serves now: a tab reconnecting after a rebuild learns of it', async () => {
    let served: string | null = 'aaaa0000aaaa0000';
    const local = await startServer(h, {}, () => served);
    try {
      const before = connect(local.url, 'cora');
      expect(await before.next('hello')).toMatchObject({ protocol: LIVE_PROTOCOL_VERSION, build: 'aaaa0000aaaa0000' });
      served = 'bbbb1111bbbb1111';
      const after = connect(local.url, 'cora');
      expect(await after.next('hello')).toMatchObject({ protocol: LIVE_PROTOCOL_VERSION, build: 'bbbb1111bbbb1111' });
      served = null; // the API role without the web app
      expect(await connect(local.url, 'cora').next('hello')).toMatchObject({ build: null });
    } finally {
      await local.app.close();
    }
  });
});

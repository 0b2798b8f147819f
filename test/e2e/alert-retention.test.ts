// End to end: an alert raised on an event already past the storage retention (a replay of old
// history, the demo's backdated customers) is not stored by the writer, so the dashboard's live feed
// must not show it either: every alert the feed pushes opens (GET /api/alerts/:id answers 200).
// Until 2026-12-07 such alerts reached the feed and opened to a 404.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIVE_PROTOCOL_VERSION } from '../../dashboard/server/protocol.js';
import { childEnv, createHarness, eventually, type Harness } from '../harness.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

const ADMIN = { username: 'e2eadmin', password: `pw-${randomBytes(9).toString('hex')}` };
const DAY_MS = 86_400_000;

type PushedAlert = { readonly id: string; readonly eventId: string };

let h: Harness;
let rs: RiskstreamProcess | undefined;
let socket: WebSocket | undefined;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  socket?.terminate();
  await rs?.stop();
  await h?.cleanup();
});

/** Six tiny card payments in a minute from one card, starting at `start`: the card-testing rule fires from the fifth. */
function cardTesting(run: string, batch: string, start: number): Array<Record<string, unknown>> {
  const account = `E2E-${run}-${batch}`;
  return Array.from({ length: 6 }, (_, i) => ({
    v: 1,
    kind: 'payment',
    id: `e2e-${run}-${batch}-${i}`,
    ts: new Date(start + i * 1000).toISOString(),
    type: 'card',
    channel: 'ecommerce',
    amount: `1.${String(10 + i)}`,
    currency: 'USD',
    debtor: { accountId: account, customerId: `C-${account}`, name: 'Holder', country: 'US' },
    creditor: { accountId: `E2E-${run}-SHOP`, name: 'Shop', country: 'US' },
    merchant: { id: `M-${run}`, name: 'Shop', mcc: '5999', country: 'US' },
  }));
}

async function signIn(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** Opens the dashboard's socket as the signed-in user, subscribed to the alert feed; `pushed` fills as alerts arrive. */
async function alertFeed(baseUrl: string, cookie: string, pushed: PushedAlert[]): Promise<WebSocket> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?protocol=${LIVE_PROTOCOL_VERSION}`, { headers: { cookie } });
  const subscribed = new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; topic?: string; alert?: PushedAlert };
      if (message.type === 'hello') ws.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' }));
      if (message.type === 'subscribed' && message.topic === 'alerts') resolve();
      if (message.type === 'alert' && message.alert) pushed.push(message.alert);
    });
  });
  await subscribed;
  return ws;
}

/** The alerts on the alerts stream (what the processors raised), by event id. */
async function raisedAlerts(): Promise<PushedAlert[]> {
  const stream = h.names.streams.alerts;
  const count = (await h.bus.jsm.streams.info(stream)).state.messages;
  const alerts: PushedAlert[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const message = await h.bus.jsm.streams.getMessage(stream, { seq });
    if (message) for (const line of message.string().split('\n').filter(Boolean)) alerts.push(JSON.parse(line) as PushedAlert);
  }
  return alerts;
}

describe('alerts past the retention', () => {
  it('alerts past the retention - the live feed shows only alerts that open; one on an event older than the retention is raised, not stored, not pushed, and counted', async () => {
    rs = await startRiskstream({ ...childEnv(h), RISKSTREAM_ADMIN_USER: ADMIN.username, RISKSTREAM_ADMIN_PASSWORD: ADMIN.password, RISKSTREAM_DEMO_USERS: '0', RISKSTREAM_RETENTION_DAYS: '30' });
    const cookie = await signIn(rs.baseUrl);
    const pushed: PushedAlert[] = [];
    socket = await alertFeed(rs.baseUrl, cookie, pushed);
    const run = randomBytes(3).toString('hex');
    const old = cardTesting(run, 'OLD', Date.now() - 60 * DAY_MS);
    const fresh = cardTesting(run, 'NEW', Date.now());
    for (const batch of [old, fresh]) {
      const response = await fetch(`${rs.baseUrl}/v1/events:batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey }, body: JSON.stringify(batch) });
      expect(response.status, await response.clone().text()).toBe(202);
    }
    const oldIds = new Set(old.map((e) => e.id));
    const freshIds = new Set(fresh.map((e) => e.id));
    // Both card tests raise alerts: the processors judge old events as they judge new ones.
    const raised = await eventually(async () => {
      const alerts = await raisedAlerts();
      return alerts.some((a) => oldIds.has(a.eventId)) && alerts.some((a) => freshIds.has(a.eventId)) ? alerts : undefined;
    }, 30_000, 'alerts on both card tests');
    // The fresh test's alerts reach the feed (published after the old ones, on the same subjects)…
    await eventually(() => (pushed.some((a) => freshIds.has(a.eventId)) ? true : undefined), 15_000, 'the fresh alert on the feed');
    // …and the old test's do not.
    expect(pushed.filter((a) => oldIds.has(a.eventId))).toEqual([]);
    // Every alert the feed showed opens, once the writer has stored it.
    for (const alert of pushed) {
      await eventually(async () => ((await fetch(`${rs!.baseUrl}/api/alerts/${encodeURIComponent(alert.id)}`, { headers: { cookie } })).status === 200 ? true : undefined), 15_000, `alert ${alert.id} to open`);
    }
    // The old alerts were not stored (the detail answers 404), and both the writer and the hub count them.
    const oldAlert = raised.find((a) => oldIds.has(a.eventId))!;
    expect((await fetch(`${rs.baseUrl}/api/alerts/${encodeURIComponent(oldAlert.id)}`, { headers: { cookie } })).status).toBe(404);
    const metrics = await (await fetch(`${rs.baseUrl}/metrics`)).text();
    expect(Number(/^rs_ws_alerts_past_retention_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      const text = await (await fetch(`${rs!.baseUrl}/metrics`)).text();
      return Number(/^rs_writer_rows_expired_total\{table="alerts"\} (\d+)/m.exec(text)?.[1]) >= 1 ? true : undefined;
    }, 15_000, 'the writer to count the old alert as expired');
  }, 90_000);
});

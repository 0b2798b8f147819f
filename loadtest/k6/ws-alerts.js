// k6 scenario: dashboard WebSocket subscribers, measuring how long an alert takes from its creation
// to a subscriber's socket.
//
//   k6 run -e USERNAME=monitor -e PASSWORD=... loadtest/k6/ws-alerts.js
//   k6 run -e USERNAME=monitor -e PASSWORD=... -e VUS=200 -e DURATION=5m loadtest/k6/ws-alerts.js
//
// setup() signs in once (POST /api/auth/login) and hands the session cookie to every VU, so that
// the login rate limit does not see VUS sign-ins. All VUs are thus one user, and riskstream lets
// one user hold 20 sockets per process unless started with RISKSTREAM_WS_MAX_PER_USER at least
// VUS (the 21st socket is closed with 1008). Each VU then holds one socket to /ws for
// DURATION, subscribes to alerts and records, for every alert, Date.now() - alert.createdAt.
// The alerts come from whatever drives riskstream meanwhile (the simulator, or
// ingest-payments.js in another terminal): this scenario only listens. The delay compares the
// load generator's clock with the server's, so run it on the same machine or on NTP-synced ones.
import http from 'k6/http';
import ws from 'k6/ws';
import { check, fail } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const WS_URL = BASE_URL.replace(/^http/, 'ws') + '/ws';
const USERNAME = __ENV.USERNAME || 'monitor';
const PASSWORD = __ENV.PASSWORD || '';
const VUS = positiveInt('VUS', 50);
const DURATION = __ENV.DURATION || '1m';
const DURATION_MS = durationMs(DURATION);
const P99_MS = positiveInt('P99_MS', 100);
const P95_MS = positiveInt('P95_MS', 50);

/** From alert.createdAt (server clock) to the message reaching this VU (load generator clock). */
const alertDelivery = new Trend('ws_alert_delivery', true);
const alertsReceived = new Counter('ws_alerts_received');
/** Alerts the server dropped for a subscriber that fell behind (the sum of `missed.count`). */
const alertsMissed = new Counter('ws_alerts_missed');
const missedNotices = new Counter('ws_missed_notices');
/** Share of sockets that opened, said hello and confirmed the alerts subscription. */
const subscribed = new Rate('ws_subscribed');

export const options = {
  scenarios: {
    subscribers: {
      executor: 'per-vu-iterations',
      vus: VUS,
      iterations: 1,
      // Each iteration holds its socket for DURATION; the rest is connecting and closing.
      maxDuration: Math.ceil(DURATION_MS / 1000) + 30 + 's',
    },
  },
  thresholds: {
    ws_alert_delivery: ['p(95)<' + P95_MS, 'p(99)<' + P99_MS],
    ws_subscribed: ['rate>0.99'],
    ws_alerts_missed: ['count<1'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

/** Signs in once; every VU uses the same session. */
export function setup() {
  if (!PASSWORD) fail('set USERNAME and PASSWORD of a dashboard user allowed to see alerts: k6 run -e USERNAME=... -e PASSWORD=... loadtest/k6/ws-alerts.js');
  const health = http.get(BASE_URL + '/healthz', { responseType: 'text' });
  if (health.status !== 200) fail('riskstream at ' + BASE_URL + ' is not healthy (GET /healthz answered ' + health.status + ')');
  const login = http.post(BASE_URL + '/api/auth/login', JSON.stringify({ username: USERNAME, password: PASSWORD }), {
    headers: { 'content-type': 'application/json' },
    responseType: 'text',
    tags: { name: 'POST /api/auth/login' },
  });
  if (login.status !== 200) fail('sign-in as ' + USERNAME + ' failed: HTTP ' + login.status + ' ' + login.body);
  const cookie = login.cookies.rs_session && login.cookies.rs_session[0];
  if (!cookie) fail('the sign-in answer set no rs_session cookie');
  return { session: cookie.value };
}

/** One subscriber: a socket for DURATION, subscribed to every alert it may see. */
export default function subscriber(data) {
  let ready = false;
  const response = ws.connect(WS_URL, { headers: { Cookie: 'rs_session=' + data.session }, tags: { name: 'GET /ws' } }, function (socket) {
    socket.on('message', function (text) {
      const message = JSON.parse(text);
      if (message.type === 'hello') {
        socket.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' }));
      } else if (message.type === 'subscribed' && message.topic === 'alerts') {
        ready = true;
      } else if (message.type === 'alert') {
        alertsReceived.add(1);
        alertDelivery.add(Math.max(0, Date.now() - message.alert.createdAt));
      } else if (message.type === 'missed') {
        missedNotices.add(1);
        alertsMissed.add(message.count);
      } else if (message.type === 'error') {
        console.warn('VU ' + __VU + ': server error ' + message.code + ': ' + message.message);
      }
    });
    socket.on('error', function (e) {
      console.warn('VU ' + __VU + ': socket error ' + e.error());
    });
    socket.setTimeout(function () {
      socket.close();
    }, DURATION_MS);
  });
  check(response, { 'upgraded (101)': (r) => r && r.status === 101 });
  subscribed.add(ready);
}

function positiveInt(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(name + '=' + raw + ' must be a whole number of at least 1');
  return value;
}

/** "90s", "5m", "1h" or a number of seconds, in milliseconds. */
function durationMs(text) {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!match) throw new Error('DURATION=' + text + ' must look like 90s, 5m or 1h');
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 }[match[2] || 's'];
  return Number(match[1]) * unit;
}

// k6 scenario: payment events into the HTTP ingest API at a fixed arrival rate.
//
//   k6 run -e API_KEY=... loadtest/k6/ingest-payments.js
//   k6 run -e API_KEY=... -e RATE=1000 -e DURATION=5m -e WAIT_DECISION=1 loadtest/k6/ingest-payments.js
//
// Scenario `ingest` POSTs one payment per iteration to /v1/events and expects 202 (stored on the
// bus). With WAIT_DECISION=1 a second scenario, `decision`, POSTs with ?wait=decision and measures
// how long the answer with the decision takes. Open model (constant-arrival-rate): requests start
// on schedule whether or not earlier ones have returned, so a slow server shows up as latency and
// dropped iterations instead of quietly lowering the load. See loadtest/README.md.
import http from 'k6/http';
import { check, fail } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { buildPayment } from './payment.js';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const API_KEY = __ENV.API_KEY || __ENV.RISKSTREAM_API_KEY || '';
const RATE = positiveInt('RATE', 200);
const DURATION = __ENV.DURATION || '1m';
// A VU holds one request at a time: at 200/s and 10 ms per answer about 2 are busy; the rest is headroom.
const VUS = positiveInt('VUS', Math.max(10, Math.ceil(RATE / 10)));
const MAX_VUS = positiveInt('MAX_VUS', Math.max(VUS * 4, 100));
const ACCOUNTS = positiveInt('ACCOUNTS', 10000);
const WAIT_DECISION = __ENV.WAIT_DECISION === '1';
const WAIT_RATE = positiveInt('WAIT_RATE', Math.max(1, Math.ceil(RATE / 10)));
// the gateway takes timeoutMs from 1 to 5000: more would turn every decision request into a 400
const WAIT_TIMEOUT_MS = atMost('WAIT_TIMEOUT_MS', positiveInt('WAIT_TIMEOUT_MS', 1000), 5000);
const P95_MS = positiveInt('P95_MS', 50);
const P99_MS = positiveInt('P99_MS', 100);
const DECISION_P99_MS = positiveInt('DECISION_P99_MS', 100);

/** Client-observed time of a POST ?wait=decision answered with its decision (HTTP 200). */
const decisionLatency = new Trend('decision_latency', true);
/** The server's own ingest-to-decision time (decision.latencyMs.total), without the network. */
const decisionServerTotal = new Trend('decision_server_total', true);
/** Share of ?wait=decision requests whose decision did not come within WAIT_TIMEOUT_MS. */
const decisionMissed = new Rate('decision_missed');

const scenarios = {
  ingest: {
    executor: 'constant-arrival-rate',
    exec: 'default',
    rate: RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: VUS,
    maxVUs: MAX_VUS,
  },
};
if (WAIT_DECISION) {
  scenarios.decision = {
    executor: 'constant-arrival-rate',
    exec: 'waitForDecision',
    rate: WAIT_RATE,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.max(5, Math.ceil(WAIT_RATE / 5)),
    maxVUs: Math.max(50, WAIT_RATE * 2),
  };
}

const thresholds = {
  // Only the plain ingest requests: answers with ?wait=decision include scoring and are judged below.
  'http_req_duration{scenario:ingest}': ['p(95)<' + P95_MS, 'p(99)<' + P99_MS],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};
if (WAIT_DECISION) {
  thresholds.decision_latency = ['p(99)<' + DECISION_P99_MS];
  thresholds.decision_missed = ['rate<0.01'];
}

export const options = {
  scenarios: scenarios,
  thresholds: thresholds,
  // Bodies are read only where needed (the decision); skipping the rest keeps the generator light.
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const HEADERS = { 'content-type': 'application/json', 'x-api-key': API_KEY };

/** Runs once before the load: checks the target and fixes one id prefix for every VU. */
export function setup() {
  if (!API_KEY) fail('set API_KEY to the key `npm start` prints (or the server\'s RISKSTREAM_API_KEY): k6 run -e API_KEY=... loadtest/k6/ingest-payments.js');
  const health = http.get(BASE_URL + '/healthz', { responseType: 'text' });
  if (health.status !== 200) fail('riskstream at ' + BASE_URL + ' is not healthy (GET /healthz answered ' + health.status + '): ' + health.body);
  // Each VU runs the init code on its own, so a prefix made there would differ per VU.
  return { runId: __ENV.RUN_ID || 'k6-' + Date.now().toString(36) };
}

/** Scenario `ingest`: one payment, expect 202. */
export default function ingest(data) {
  const event = buildPayment({ id: data.runId + '-' + __VU + '-' + __ITER, accounts: ACCOUNTS });
  const response = http.post(BASE_URL + '/v1/events', JSON.stringify(event), {
    headers: HEADERS,
    tags: { name: 'POST /v1/events' },
  });
  check(response, { 'status is 202': (r) => r.status === 202 });
}

/** Scenario `decision`: one payment with ?wait=decision, expect 200 with the decision. */
export function waitForDecision(data) {
  // `w` keeps these ids apart from the ingest scenario's, whatever VU numbers k6 hands out.
  const event = buildPayment({ id: data.runId + '-w-' + __VU + '-' + __ITER, accounts: ACCOUNTS });
  const response = http.post(BASE_URL + '/v1/events?wait=decision&timeoutMs=' + WAIT_TIMEOUT_MS, JSON.stringify(event), {
    headers: HEADERS,
    responseType: 'text',
    tags: { name: 'POST /v1/events?wait=decision' },
  });
  // 202 is a valid answer (stored, decision not in time); how often it happens is decision_missed.
  check(response, { 'status is 200 or 202': (r) => r.status === 200 || r.status === 202 });
  const decided = response.status === 200;
  decisionMissed.add(!decided);
  if (!decided) return;
  decisionLatency.add(response.timings.duration);
  const total = response.json('decision.latencyMs.total');
  if (typeof total === 'number') decisionServerTotal.add(total);
}

function atMost(name, value, max) {
  if (value > max) throw new Error(name + '=' + value + ' must be at most ' + max);
  return value;
}

function positiveInt(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(name + '=' + raw + ' must be a whole number of at least 1');
  return value;
}

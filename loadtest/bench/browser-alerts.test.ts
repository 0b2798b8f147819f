// The browser alert bench against the built riskstream in a child process (every role, real NATS,
// Redis and chDB): headless Chromium signs in through the sign-in page and watches the feed while
// card-testing bursts raise alerts over HTTP; each alert must be counted with a sane delay.
// The percentile arithmetic is checked on its own, table-driven.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createHarness, type Harness } from '../../test/harness.js';
import { startRiskstream, type RiskstreamProcess } from '../../test/process.js';
import { delayFigures, formatBrowserAlertBench, runBrowserAlertBench, summarizeProbe } from './browser-alerts.js';

describe('browser alert bench - percentiles', () => {
  it.each([
    { values: [], expected: { p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null } },
    { values: [7], expected: { p50Ms: 7, p95Ms: 7, p99Ms: 7, maxMs: 7 } },
    { values: [4, 1, 3, 2], expected: { p50Ms: 2, p95Ms: 4, p99Ms: 4, maxMs: 4 } },
    { values: Array.from({ length: 100 }, (_, i) => 100 - i), expected: { p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 } },
  ])('nearest rank of $values.length values', ({ values, expected }) => {
    expect(delayFigures(values)).toEqual(expected);
  });

  it('counts only alerts received during the run, and those never on screen', () => {
    const r = summarizeProbe(
      {
        start: 1_000,
        end: 2_000,
        frames: 60,
        received: [
          ['before', 900, 950, 951],
          ['a', 1_100, 1_105, 1_108],
          ['b', 1_200, 1_210, 1_216],
          ['hidden', 1_300, 1_302, null],
          ['after', 2_000, 2_001, 2_002],
        ],
        inserted: [
          ['a', 1_110],
          ['b', 1_220],
          ['hidden', 1_305],
        ],
        visible: [
          ['before', 960],
          ['a', 1_120],
          ['b', 1_240],
        ],
        missedNotices: 1,
        missedAlerts: 3,
      },
      1,
      [],
    );
    expect(r).toMatchObject({ received: 3, alerts: 2, notRendered: 1, p50Ms: 20, maxMs: 40, framesPerSecond: 60, missedAlerts: 3 });
    expect(r.socket).toEqual({ p50Ms: 5, p95Ms: 10, p99Ms: 10, maxMs: 10 });
    expect(r.frameWait).toEqual({ p50Ms: 3, p95Ms: 6, p99Ms: 6, maxMs: 6 });
    expect(r.toDom).toEqual({ p50Ms: 5, p95Ms: 10, p99Ms: 10, maxMs: 10 });
    expect(r.render).toEqual({ p50Ms: 15, p95Ms: 30, p99Ms: 30, maxMs: 30 });
  });

  it("leaves out alerts created before the load's measured window (its warm-up)", () => {
    const data = {
      start: 1_000,
      end: 3_000,
      frames: 120,
      received: [
        ['warm', 1_100, 1_150, 1_151],
        ['measured', 2_100, 2_105, 2_106],
      ] as [string, number, number, number | null][],
      inserted: [
        ['warm', 1_155],
        ['measured', 2_107],
      ] as [string, number][],
      visible: [
        ['warm', 1_400],
        ['measured', 2_110],
      ] as [string, number][],
      missedNotices: 0,
      missedAlerts: 0,
    };
    expect(summarizeProbe(data, 2, [])).toMatchObject({ received: 2, alerts: 2, maxMs: 300 });
    expect(summarizeProbe(data, 2, [], 2_000)).toMatchObject({ received: 1, alerts: 1, p50Ms: 10, maxMs: 10 });
  });
});

describe('browser alert bench - headless Chromium on the built riskstream', () => {
  const ADMIN = { username: 'benchadmin', password: `pw-${randomBytes(9).toString('hex')}` };
  const run = randomBytes(3).toString('hex');
  let h: Harness;
  let rs: RiskstreamProcess;

  beforeAll(async () => {
    h = await createHarness();
    rs = await startRiskstream({
      ...childEnv(h),
      RISKSTREAM_ADMIN_USER: ADMIN.username,
      RISKSTREAM_ADMIN_PASSWORD: ADMIN.password,
      RISKSTREAM_DEMO_USERS: '0',
    });
  }, 90_000);

  afterAll(async () => {
    await rs?.stop();
    await h?.cleanup();
  });

  /** Six tiny card payments in a minute from one card: the starter card-testing rule alerts from the fifth. */
  function cardTesting(card: string): Array<Record<string, unknown>> {
    const account = `BB-${run}-${card}`;
    return Array.from({ length: 6 }, (_, i) => ({
      v: 1,
      kind: 'payment',
      id: `bb-${run}-${card}-${i}`,
      ts: new Date(Date.now() + i).toISOString(),
      type: 'card',
      channel: 'ecommerce',
      amount: `1.${String(10 + i)}`,
      currency: 'USD',
      debtor: { accountId: account, customerId: `C-${account}`, name: `Holder ${card}`, country: 'US' },
      creditor: { accountId: `BB-${run}-SHOP`, name: 'Test Shop', country: 'US' },
      merchant: { id: `M-${run}`, name: 'Test Shop', mcc: '5999', country: 'US' },
    }));
  }

  async function send(events: Array<Record<string, unknown>>): Promise<void> {
    const response = await fetch(`${rs.baseUrl}/v1/events:batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey },
      body: JSON.stringify(events),
    });
    expect(response.status, await response.clone().text()).toBe(202);
  }

  it('measures every alert raised during the run from its decision to its row on screen', { timeout: 120_000 }, async () => {
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const bench = runBrowserAlertBench({ baseUrl: rs.baseUrl, ...ADMIN, durationSeconds: 8, onReady: () => ready() });
    await Promise.race([started, bench]);
    const cards = ['A', 'B', 'C'];
    for (const card of cards) {
      await send(cardTesting(card));
      await new Promise((r) => setTimeout(r, 500));
    }
    const result = await bench;
    process.stdout.write(`${formatBrowserAlertBench(result)}\n`);

    // Each burst alerts at least once (from the fifth payment); every alert reached the screen.
    expect(result.received).toBeGreaterThanOrEqual(cards.length);
    expect(result.alerts).toBe(result.received);
    expect(result.notRendered).toBe(0);
    expect(result.pageErrors).toEqual([]);
    expect(result.framesPerSecond).toBeGreaterThan(0);
    for (const figures of [result, result.socket, result.frameWait, result.toDom, result.render]) {
      expect(figures.p50Ms).not.toBeNull();
      expect(figures.p50Ms!).toBeGreaterThanOrEqual(0);
      expect(figures.maxMs!).toBeGreaterThanOrEqual(figures.p99Ms!);
    }
    // On screen comes after the socket, and within the run (a delay longer than it would be a clock or bookkeeping error).
    expect(result.p50Ms!).toBeGreaterThanOrEqual(result.socket.p50Ms!);
    // The feed hands alerts over on the next animation frame, which comes before the row is on screen.
    expect(result.frameWait.maxMs!).toBeLessThan(result.render.maxMs! + 1);
    expect(result.maxMs!).toBeLessThan(8_000);
  });
});

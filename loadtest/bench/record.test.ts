import { describe, expect, it } from 'vitest';
import { recordText } from './record.js';
import { BROWSER_ALERTS, benchResult, MACHINE, WS_ALERTS } from './test-fixtures.js';

const AT = new Date('2026-12-07T09:41:27.512Z');
const HEADER =
  '| date (UTC) | commit | via | rate/s | s | sent | decided | late | lost | throughput/s (to last decision) | decided while sending/s | p50 ms | p95 ms | p99 ms | max RSS MiB | CPU ms/1k events (riskstream / nats / redis) | command |\n' +
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';

describe('bench record - the section in BENCHMARKS.md', () => {
  it('heads the runs with the time, the commit and the machine, one row a run, then CPU by thread', () => {
    const text = recordText({ results: [benchResult(), benchResult({ via: 'http', cpuMsPer1kByThread: null })], ws: undefined, browser: undefined, machine: MACHINE, command: 'bench --spawn --suite --record' }, AT);
    expect(text).toBe(
      '\n### Run of 2026-12-07 09:41 UTC at abc1234\n' +
        'Machine: Test CPU @ 2.0GHz, 2 cores, 8 GiB, Linux 6.1.0, Node v20.11.0. NATS, Redis and riskstream on the same machine.\n\n' +
        HEADER +
        '| 2026-12-07 09:41 | abc1234 | nats | 1000 | 10 | 10000 | 10000 | 0 | 0 | 998 | 999 | 2.1 | 4.3 | 7.9 | 310 | 120 / 30 / 20 | `riskstream bench --spawn --suite --record` |\n' +
        '| 2026-12-07 09:41 | abc1234 | http | 1000 | 10 | 10000 | 10000 | 0 | 0 | 998 | 999 | 2.1 | 4.3 | 7.9 | 310 | 120 / 30 / 20 | `riskstream bench --spawn --suite --record` |\n' +
        "\nriskstream's CPU by thread, ms per 1,000 decided events (rs_thread_cpu_seconds_total):\n\n" +
        '- nats: processors 54, storage engine 46\n',
    );
  });

  it.each([
    ['a warm-up', benchResult({ warmup: { seconds: 5, sent: 5000, refused: 0, lost: 0, ranSeconds: 5.2, pausedSeconds: 0.2, drained: true, undecidedAtWindow: 0 } }), '| 10 (after 5 s warm-up, 0.2 s pause) |'],
    ['a warm-up with losses, not drained', benchResult({ warmup: { seconds: 5, sent: 5000, refused: 0, lost: 2, ranSeconds: 35, pausedSeconds: 30, drained: false, undecidedAtWindow: 90 } }), '| 10 (after 5 s warm-up, 30 s pause, 2 of it lost, 90 undecided when the window opened) |'],
    ['a warm-up with refusals', benchResult({ warmup: { seconds: 5, sent: 5000, refused: 40, lost: 0, ranSeconds: 5.2, pausedSeconds: 0.2, drained: true, undecidedAtWindow: 0 } }), '| 10 (after 5 s warm-up, 0.2 s pause, 40 of it refused) |'],
    ['a schedule not kept', benchResult({ generator: { sendingSeconds: 14, offeredPerSecond: 714, lateSends: 9, maxSendLagMs: 300, heldBackMs: 0, keptSchedule: false } }), '| 1000 (offered 714: schedule not kept) |'],
    ['envelopes', benchResult({ envelope: { maxRecords: 64, lingerMs: 2, scope: 'kind' } }), '| nats (envelopes ≤ 64 per kind, linger 2 ms) |'],
    ['figures not measured', benchResult({ p50Ms: null, p95Ms: null, p99Ms: null, rssMaxMiB: null, cpuMsPer1k: { riskstream: null, nats: 3, redis: null, bench: 1 } }), '| n/a | n/a | n/a | ? | ? / 3 / ? |'],
  ])('%s', (_case, result, cell) => {
    expect(recordText({ results: [result], ws: undefined, browser: undefined, machine: MACHINE, command: 'bench' }, AT)).toContain(cell);
  });

  it('adds alert delivery to WebSocket clients and into the browser, — where not measured', () => {
    const text = recordText({ results: [benchResult({ cpuMsPer1kByThread: null })], ws: WS_ALERTS, browser: BROWSER_ALERTS, machine: MACHINE, command: 'bench' }, AT);
    expect(text.slice(text.indexOf('\nAlert delivery'))).toBe(
      '\nAlert delivery during the nats run (decision to receipt by 50 WebSocket clients; 50 subscribed):\n\n' +
        '| clients | alerts (distinct) | deliveries | p50 ms | p95 ms | p99 ms | max ms | missed notices | missed alerts |\n|---|---|---|---|---|---|---|---|---|\n' +
        '| 50 | 100 | 5000 | 3 | 6 | 9 | — | 0 | 0 |\n' +
        '\nAlert delivery into the dashboard in headless Chromium during the same run (decision to row on screen in the alert feed; beside the WebSocket clients):\n\n' +
        '| alerts received | on screen | never on screen | p50 ms | p95 ms | p99 ms | max ms | decision to socket p99 ms | socket to screen p99 ms | frames/s |\n|---|---|---|---|---|---|---|---|---|---|\n' +
        '| 100 | 98 | 2 | 10 | 20 | 30 | 40 | 12 | 18 | 60 |\n',
    );
  });
});

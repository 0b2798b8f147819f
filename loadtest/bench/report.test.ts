import { describe, expect, it } from 'vitest';
import { jsonLine, resultHints, resultText, threadFigures, viaText } from './report.js';
import { BROWSER_ALERTS, benchResult, MACHINE, SPAWNED, WS_ALERTS } from './test-fixtures.js';

describe('bench report - a run at the terminal', () => {
  it('prints the figures of a run that went well, and no hint but where they come from', () => {
    expect(resultText(benchResult(), SPAWNED, undefined)).toBe(
      [
        'via nats: 1000/s for 10s',
        '  target: namespace bench_0a1b2c3d on nats://127.0.0.1:4222 (started for the run)',
        '  sent 10000  accepted 10000  refused 0  decided 10000  late 0  lost 0',
        '  load offered 1000/s over 10 s of sending (asked: 1000/s for 10 s)',
        "  throughput 998/s decided (from the window's start to its last decision)   decided while sending 9990 (999/s)",
        '  ingest-to-decision (late ones included) p50 2.1 ms  p95 4.3 ms  p99 7.9 ms  max 12.5 ms',
        '  riskstream resident memory max 310 MiB',
        '  bus messages 10000 (1.0 events per message)',
        '  CPU ms per 1,000 decided events: riskstream 120, nats-server 30, redis-server 20, bench 15',
        '  riskstream by thread: processors 54, storage engine 46',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['an interrupted run', benchResult({ partial: true }), 'PARTIAL: interrupted by SIGTERM; the figures so far, without the grace or the drain (undecided events count as lost)\n'],
    ['HTTP, with its base URL', benchResult({ via: 'http' }), '  target: namespace bench_0a1b2c3d on nats://127.0.0.1:4222, HTTP http://127.0.0.1:40001 (started for the run)\n'],
    ['envelopes', benchResult({ envelope: { maxRecords: 64, lingerMs: 2, scope: 'partition' } }), 'via nats (envelopes ≤ 64 per partition, linger 2 ms): 1000/s for 10s'],
    [
      'a warm-up that drained',
      benchResult({ warmup: { seconds: 5, sent: 5000, refused: 0, lost: 0, ranSeconds: 5.4, pausedSeconds: 0.4, drained: true, undecidedAtWindow: 0 } }),
      'for 10s after 5s of warm-up at that rate\n  target: namespace bench_0a1b2c3d on nats://127.0.0.1:4222 (started for the run)\n  warm-up (not in the figures below): sent 5000  refused 0  lost 0; ran 5.4 s: sending, then 0.4 s paused (no load) for its decisions; all decided before the window opened\n',
    ],
    [
      'a warm-up that did not',
      benchResult({ warmup: { seconds: 5, sent: 5000, refused: 0, lost: 3, ranSeconds: 35, pausedSeconds: 30, drained: false, undecidedAtWindow: 700 } }),
      'lost 3; ran 35 s: sending, then 30 s paused (no load) for its decisions; 700 still undecided when the window opened at the 30 s limit: its backlog is in the figures\n',
    ],
    [
      // before: 'sent 250  lost 0', which read as delivered when every request was refused
      'a warm-up whose requests were refused',
      benchResult({ warmup: { seconds: 1, sent: 250, refused: 250, lost: 0, ranSeconds: 1, pausedSeconds: 0, drained: true, undecidedAtWindow: 0 } }),
      'warm-up (not in the figures below): sent 250  refused 250  lost 0;',
    ],
    ['refusals, by why, most first', benchResult({ refused: 5, refusedDecided: 2, refusedWhy: { timeout: 1, RS_ERR_INGEST_BUSY: 4 } }), '  refused 5 (2 of them stored and decided all the same)  decided 10000  late 0  lost 0\n  refused because: RS_ERR_INGEST_BUSY ×4, timeout ×1\n'],
    [
      'a schedule not kept',
      benchResult({ generator: { sendingSeconds: 14.2, offeredPerSecond: 704, lateSends: 3000, maxSendLagMs: 4210.6, heldBackMs: 3900, keptSchedule: false } }),
      '  load offered 704/s over 14.2 s of sending (asked: 1000/s for 10 s)\n  the load generator could not keep the schedule: 3000 events sent more than 100 ms after their time (at most 4211 ms); it held events back for 3.9 s while 20,000 were unacknowledged; their latency counts from their time\n',
    ],
    ['lost events, which have no latency', benchResult({ decided: 9000, late: 500, lost: 500 }), 'max 12.5 ms (of the 9500 of 10000 accepted events decided; the 500 lost have none)\n'],
    ['nothing decided', benchResult({ decided: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null }), 'p50 n/a  p95 n/a  p99 n/a  max n/a\n'],
    ['no bus count', benchResult({ busMessages: null }), 'MiB\n  CPU ms per 1,000'],
    ['no process to read', benchResult({ rssMaxMiB: null, cpuMsPer1k: { riskstream: null, nats: null, redis: 20, bench: null }, cpuMsPer1kByThread: null }), 'max ? MiB\n  bus messages 10000 (1.0 events per message)\n  CPU ms per 1,000 decided events: nats-server ?, redis-server 20, bench ?\n  (memory'],
  ])('%s', (_case, result, expected) => {
    expect(resultText(result, SPAWNED, 'SIGTERM')).toContain(expected);
  });

  it('calls an interrupted run interrupted by a signal when it does not know which', () => {
    expect(resultText(benchResult({ partial: true }), SPAWNED, undefined)).toMatch(/^PARTIAL: interrupted by a signal;/);
  });
});

describe('bench report - why figures are missing', () => {
  const attached = { ...SPAWNED, spawned: false };
  it.each([
    ['nothing came back', benchResult({ decided: 0, late: 0 }), SPAWNED, ['no decision came back: is a riskstream with the processors role running in namespace "bench_0a1b2c3d"']],
    [
      // before: the processors were blamed for requests that never reached them
      'every event refused',
      benchResult({ via: 'http', accepted: 0, refused: 10_000, refusedWhy: { '401 RS_ERR_AUTH_API_KEY': 10_000 }, decided: 0, late: 0 }),
      SPAWNED,
      ['every event was refused (see "refused because"): none reached the processors. Is http://127.0.0.1:40001 the ingest of a riskstream in namespace "bench_0a1b2c3d", and RISKSTREAM_API_KEY its key?'],
    ],
    ['no process to read', benchResult({ rssMaxMiB: null }), SPAWNED, ["(memory and riskstream's CPU need the process: give --pid, or use --spawn)"]],
    ['too few events for CPU', benchResult({ decided: 400, cpuFromFewEvents: true }), SPAWNED, ['(CPU per event from 400 decided events, fewer than 1,000: too few to mean anything)']],
    ['an attached riskstream', benchResult(), attached, ["(nats-server's and redis-server's CPU include whatever else they serve;"]],
    ['/metrics unanswered', benchResult({ threadCpuUnanswered: true }), SPAWNED, ["(riskstream's CPU by thread is missing: its /metrics did not answer within 5 s"]],
    ['nothing to say', benchResult(), SPAWNED, []],
  ])('%s', (_case, result, target, starts) => {
    const hints = resultHints(result, target);
    expect(hints).toHaveLength(starts.length);
    starts.forEach((start, i) => expect(hints[i]).toContain(start));
  });
});

describe('bench report - names and figures', () => {
  it.each([
    [{ maxRecords: 1, lingerMs: 0, scope: 'kind' as const }, 'nats'],
    [{ maxRecords: 16, lingerMs: 0, scope: 'kind' as const }, 'nats (envelopes ≤ 16 per kind, linger 0 ms)'],
  ])('names the entry point with envelopes %o as %s', (envelope, text) => {
    expect(viaText(benchResult({ envelope }))).toBe(text);
  });

  it('gives CPU by thread in one line, thread names in words', () => {
    expect(threadFigures({ processors: 54, writer_mapping: 12, storage_engine: 46 })).toBe('processors 54, writer mapping 12, storage engine 46');
  });
});

describe('bench report - the --json line', () => {
  it('puts one run at the top level, with the target, the machine and the alert figures without per-client counts', () => {
    const line = jsonLine({ results: [benchResult()], partial: false, target: SPAWNED, ws: WS_ALERTS, browser: BROWSER_ALERTS, machine: MACHINE });
    expect(line.endsWith('}\n')).toBe(true);
    const json = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(json).slice(-4)).toEqual(['target', 'wsAlerts', 'browserAlerts', 'machine']);
    expect(json).toMatchObject({ via: 'nats', sent: 10_000, partial: false, target: SPAWNED, machine: MACHINE, browserAlerts: BROWSER_ALERTS });
    expect(json['wsAlerts']).toEqual({ ...WS_ALERTS, perClient: undefined });
    expect(line).not.toContain('perClient');
  });

  it("says whether the invocation was interrupted, whatever the run's own figures say", () => {
    const json = JSON.parse(jsonLine({ results: [benchResult({ partial: false })], partial: true, target: SPAWNED, ws: undefined, browser: undefined, machine: MACHINE })) as Record<string, unknown>;
    expect(json['partial']).toBe(true);
    expect(Object.keys(json)[0]).toBe('partial');
  });

  it('puts several runs under runs, and says when they were interrupted', () => {
    const json = JSON.parse(jsonLine({ results: [benchResult(), benchResult({ via: 'http' })], partial: true, target: SPAWNED, ws: undefined, browser: undefined, machine: MACHINE })) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['runs', 'partial', 'target', 'machine']);
    expect(json['partial']).toBe(true);
    expect((json['runs'] as unknown[]).length).toBe(2);
  });
});

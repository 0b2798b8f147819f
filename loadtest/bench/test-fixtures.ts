// Figures for the report and record tests (imported by tests only): a run that went well, which a
// test changes where its case differs, so that each case shows only what it is about.
import type { BrowserAlertBenchResult } from './browser-alerts.js';
import type { MachineInfo } from './machine.js';
import type { BenchResult } from './run.js';
import type { TargetSummary } from './target.js';
import type { WsAlertBenchResult } from './ws-alerts.js';

export const MACHINE: MachineInfo = { cpu: 'Test CPU @ 2.0GHz', cores: 2, memoryGiB: 8, os: 'Linux 6.1.0', node: 'v20.11.0', commit: 'abc1234' };

export const SPAWNED: TargetSummary = { namespace: 'bench_0a1b2c3d', natsUrl: 'nats://127.0.0.1:4222', baseUrl: 'http://127.0.0.1:40001', spawned: true };

export function benchResult(overrides: Partial<BenchResult> = {}): BenchResult {
  return {
    partial: false,
    via: 'nats',
    envelope: { maxRecords: 1, lingerMs: 0, scope: 'kind' },
    rate: 1000,
    durationS: 10,
    warmup: { seconds: 0, sent: 0, refused: 0, lost: 0, ranSeconds: 0, pausedSeconds: 0, drained: true, undecidedAtWindow: 0 },
    sent: 10_000,
    accepted: 10_000,
    refused: 0,
    refusedDecided: 0,
    refusedWhy: {},
    decided: 10_000,
    late: 0,
    lost: 0,
    achievedPerSecond: 1000,
    throughputPerSecond: 998,
    generator: { sendingSeconds: 10, offeredPerSecond: 1000, lateSends: 0, maxSendLagMs: 1.5, heldBackMs: 0, keptSchedule: true },
    decidedWhileSending: 9990,
    decidedWhileSendingPerSecond: 999,
    p50Ms: 2.1,
    p95Ms: 4.3,
    p99Ms: 7.9,
    maxMs: 12.5,
    rssMaxMiB: 310,
    busMessages: 10_000,
    cpuMsPer1k: { riskstream: 120, nats: 30, redis: 20, bench: 15 },
    cpuMsPer1kByThread: { processors: 54, storage_engine: 46 },
    cpuFromFewEvents: false,
    threadCpuUnanswered: false,
    ...overrides,
  };
}

export const WS_ALERTS: WsAlertBenchResult = {
  clients: 50,
  subscribed: 50,
  durationSeconds: 15,
  received: 5000,
  distinctAlerts: 100,
  p50Ms: 3,
  p95Ms: 6,
  p99Ms: 9,
  maxMs: null,
  missedNotices: 0,
  missedAlerts: 0,
  perClient: [{ client: 0, alerts: 100, missedNotices: 0, missedAlerts: 0, closedEarly: null }],
  failures: [],
};

const DELAYS = { p50Ms: 10, p95Ms: 20, p99Ms: 30, maxMs: 40 };

export const BROWSER_ALERTS: BrowserAlertBenchResult = {
  ...DELAYS,
  durationSeconds: 15,
  received: 100,
  alerts: 98,
  notRendered: 2,
  socket: { ...DELAYS, p99Ms: 12 },
  render: { ...DELAYS, p99Ms: 18 },
  frameWait: DELAYS,
  toDom: DELAYS,
  framesPerSecond: 60,
  missedNotices: 0,
  missedAlerts: 0,
  pageErrors: [],
};

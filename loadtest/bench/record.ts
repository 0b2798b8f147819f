// The bench's figures as recorded in BENCHMARKS.md: one section per invocation, with the machine
// and commit beside every figure, so that runs taken months apart can still be compared. The
// format is read by people and diffed across commits: change it only on purpose.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { sourcePath } from '../../core/index.js';
import type { BrowserAlertBenchResult } from './browser-alerts.js';
import type { MachineInfo } from './machine.js';
import { threadFigures, viaText } from './report.js';
import type { BenchResult } from './run.js';
import type { WsAlertBenchResult } from './ws-alerts.js';

const RECORD_HEADER = `| date (UTC) | commit | via | rate/s | s | sent | decided | late | lost | throughput/s (to last decision) | decided while sending/s | p50 ms | p95 ms | p99 ms | max RSS MiB | CPU ms/1k events (riskstream / nats / redis) | command |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
`;

export type BenchRecord = {
  readonly results: readonly BenchResult[];
  readonly ws: WsAlertBenchResult | undefined;
  readonly browser: BrowserAlertBenchResult | undefined;
  readonly machine: MachineInfo;
  /** The bench's arguments, as typed after `riskstream`. */
  readonly command: string;
};

/** The section a run adds to BENCHMARKS.md; `date` is when it was recorded. */
export function recordText({ results, ws, browser, machine, command }: BenchRecord, date: Date): string {
  const when = date.toISOString().slice(0, 16).replace('T', ' ');
  let text = `\n### Run of ${when} UTC at ${machine.commit}\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. NATS, Redis and riskstream on the same machine.\n\n${RECORD_HEADER}`;
  for (const r of results) {
    const w = r.warmup;
    const warmNote = [`${w.pausedSeconds} s pause`, w.refused > 0 ? `${w.refused} of it refused` : '', w.lost > 0 ? `${w.lost} of it lost` : '', w.drained ? '' : `${w.undecidedAtWindow} undecided when the window opened`].filter((t) => t !== '').join(', ');
    const seconds = w.seconds > 0 ? `${r.durationS} (after ${w.seconds} s warm-up, ${warmNote})` : String(r.durationS);
    const offered = r.generator.keptSchedule ? '' : ` (offered ${r.generator.offeredPerSecond}: schedule not kept)`;
    text += `| ${when} | ${machine.commit} | ${viaText(r)} | ${r.rate}${offered} | ${seconds} | ${r.sent} | ${r.decided} | ${r.late} | ${r.lost} | ${r.throughputPerSecond} | ${r.decidedWhileSendingPerSecond} | ${r.p50Ms ?? 'n/a'} | ${r.p95Ms ?? 'n/a'} | ${r.p99Ms ?? 'n/a'} | ${r.rssMaxMiB ?? '?'} | ${r.cpuMsPer1k.riskstream ?? '?'} / ${r.cpuMsPer1k.nats ?? '?'} / ${r.cpuMsPer1k.redis ?? '?'} | \`riskstream ${command}\` |\n`;
  }
  const byThread = results.filter((r) => r.cpuMsPer1kByThread !== null);
  if (byThread.length > 0) {
    text += `
riskstream's CPU by thread, ms per 1,000 decided events (rs_thread_cpu_seconds_total):

`;
    for (const r of byThread) text += `- ${viaText(r)}: ${threadFigures(r.cpuMsPer1kByThread!)}\n`;
  }
  if (ws) {
    text += `\nAlert delivery during the ${results[0]?.via ?? ''} run (decision to receipt by ${ws.clients} WebSocket clients; ${ws.subscribed} subscribed):\n\n`;
    text += `| clients | alerts (distinct) | deliveries | p50 ms | p95 ms | p99 ms | max ms | missed notices | missed alerts |\n|---|---|---|---|---|---|---|---|---|\n`;
    text += `| ${ws.clients} | ${ws.distinctAlerts} | ${ws.received} | ${ws.p50Ms ?? '—'} | ${ws.p95Ms ?? '—'} | ${ws.p99Ms ?? '—'} | ${ws.maxMs ?? '—'} | ${ws.missedNotices} | ${ws.missedAlerts} |\n`;
  }
  if (browser) {
    const b = browser;
    text += `\nAlert delivery into the dashboard in headless Chromium during the same run (decision to row on screen in the alert feed; beside the WebSocket clients):\n\n`;
    text += `| alerts received | on screen | never on screen | p50 ms | p95 ms | p99 ms | max ms | decision to socket p99 ms | socket to screen p99 ms | frames/s |\n|---|---|---|---|---|---|---|---|---|---|\n`;
    text += `| ${b.received} | ${b.alerts} | ${b.notRendered} | ${b.p50Ms ?? '—'} | ${b.p95Ms ?? '—'} | ${b.p99Ms ?? '—'} | ${b.maxMs ?? '—'} | ${b.socket.p99Ms ?? '—'} | ${b.render.p99Ms ?? '—'} | ${b.framesPerSecond} |\n`;
  }
  return text;
}

/** Appends the run's section to the checkout's BENCHMARKS.md (made if missing) and says where. */
export function recordResults(record: BenchRecord): void {
  const path = sourcePath('BENCHMARKS.md');
  if (!existsSync(path)) writeFileSync(path, '# Benchmarks\n');
  appendFileSync(path, recordText(record, new Date()));
  process.stderr.write(`bench: recorded in ${path}\n`);
}

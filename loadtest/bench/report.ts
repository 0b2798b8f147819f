// What a bench run tells its reader at the terminal: each run's figures, with the hints that say
// why one is missing or to be read with care, the progress lines while it waits, and the one JSON
// line scripts read. Kept apart from the runs so the wording can be checked without a riskstream.
import { SEND_LAG_LIMIT_MS, CPU_MIN_EVENTS } from './schedule.js';
import { WARMUP_DRAIN_LIMIT_MS, type BenchResult } from './run.js';
import type { BrowserAlertBenchResult } from './browser-alerts.js';
import type { MachineInfo } from './machine.js';
import type { StopSignal } from './stop-signals.js';
import type { TargetSummary } from './target.js';
import type { WsAlertBenchResult } from './ws-alerts.js';

/** The entry point, with the envelope settings when events went in envelopes. */
export function viaText(r: BenchResult): string {
  const { maxRecords, lingerMs, scope } = r.envelope;
  return maxRecords > 1 ? `${r.via} (envelopes ≤ ${maxRecords} per ${scope}, linger ${lingerMs} ms)` : r.via;
}

/** A progress line: rewritten in place at a terminal, one line each otherwise (a log, a pipe). */
export function progressLine(text: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r${text}   ` : `${text}\n`);
}

/** CPU per 1,000 events by thread group as one line: `processors 54, storage engine 46, …`. */
export function threadFigures(byThread: Readonly<Record<string, number>>): string {
  return Object.entries(byThread)
    .map(([thread, ms]) => `${thread.replaceAll('_', ' ')} ${ms}`)
    .join(', ');
}

/** Why figures are missing, empty or to be read with care, in the reader's terms. */
export function resultHints(r: BenchResult, target: TargetSummary): string[] {
  const namespace = target.namespace;
  const hints: string[] = [];
  // Via HTTP, the gateway refused them all: the processors never saw one. (Via NATS, a refusal of
  // every event is a namespace without its streams: no riskstream there, which the next hint asks.)
  if (r.via !== 'nats' && r.sent > 0 && r.accepted === 0 && r.refused > 0) {
    hints.push(`  every event was refused (see "refused because"): none reached the processors. Is ${target.baseUrl} the ingest of a riskstream in namespace "${namespace}", and RISKSTREAM_API_KEY its key?`);
  } else if (r.decided === 0 && r.late === 0 && r.sent > 0) {
    hints.push(`  no decision came back: is a riskstream with the processors role running in namespace "${namespace}" (RISKSTREAM_NAMESPACE)? \`riskstream doctor\` lists its processes; --spawn starts one for the run`);
  }
  if (r.rssMaxMiB === null || r.cpuMsPer1k.riskstream === null) {
    hints.push("  (memory and riskstream's CPU need the process: give --pid, or use --spawn)");
  }
  if (r.decided > 0 && r.cpuFromFewEvents) hints.push(`  (CPU per event from ${r.decided} decided events, fewer than ${CPU_MIN_EVENTS.toLocaleString('en')}: too few to mean anything)`);
  if (!target.spawned) {
    hints.push("  (nats-server's and redis-server's CPU include whatever else they serve; riskstream's by thread is read only from a riskstream the bench started, whose namespace it knows)");
  } else if (r.threadCpuUnanswered) {
    hints.push("  (riskstream's CPU by thread is missing: its /metrics did not answer within 5 s, at the window's start or end)");
  }
  return hints;
}

const NOT_MEASURED = 'n/a';

/** Latency figures, `n/a` where nothing was decided. */
function latencyLine(r: BenchResult): string {
  const ms = (v: number | null): string => (v === null ? NOT_MEASURED : `${v} ms`);
  const decided = r.decided + r.late;
  // Lost events have no latency: the percentiles describe the decided share only.
  const share = r.lost > 0 && decided > 0 ? ` (of the ${decided} of ${r.accepted} accepted events decided; the ${r.lost} lost have none)` : '';
  return `  ingest-to-decision (late ones included) p50 ${ms(r.p50Ms)}  p95 ${ms(r.p95Ms)}  p99 ${ms(r.p99Ms)}  max ${ms(r.maxMs)}${share}`;
}

/** How the load generator kept the schedule, said plainly when it did not. */
function generatorLines(r: BenchResult): string[] {
  const g = r.generator;
  const lines = [`  load offered ${g.offeredPerSecond}/s over ${g.sendingSeconds} s of sending (asked: ${r.rate}/s for ${r.durationS} s)`];
  if (!g.keptSchedule) {
    const held = g.heldBackMs > 0 ? `; it held events back for ${(g.heldBackMs / 1000).toFixed(1)} s while 20,000 were unacknowledged` : '';
    lines.push(`  the load generator could not keep the schedule: ${g.lateSends} events sent more than ${SEND_LAG_LIMIT_MS} ms after their time (at most ${Math.round(g.maxSendLagMs)} ms)${held}; their latency counts from their time`);
  }
  return lines;
}

/** One run's figures for the terminal, ending with an empty line. */
export function resultText(r: BenchResult, target: TargetSummary, stoppedBy: StopSignal | undefined): string {
  const w = r.warmup;
  const warmupLine =
    w.seconds > 0
      ? `  warm-up (not in the figures below): sent ${w.sent}  refused ${w.refused}  lost ${w.lost}; ran ${w.ranSeconds} s: sending, then ${w.pausedSeconds} s paused (no load) for its decisions; ${
          w.drained ? 'all decided before the window opened' : `${w.undecidedAtWindow} still undecided when the window opened at the ${WARMUP_DRAIN_LIMIT_MS / 1000} s limit: its backlog is in the figures`
        }`
      : undefined;
  return [
    ...(r.partial ? [`PARTIAL: interrupted by ${stoppedBy ?? 'a signal'}; the figures so far, without the grace or the drain (undecided events count as lost)`] : []),
    `via ${viaText(r)}: ${r.rate}/s for ${r.durationS}s${w.seconds > 0 ? ` after ${w.seconds}s of warm-up at that rate` : ''}`,
    `  target: namespace ${target.namespace} on ${target.natsUrl}${r.via === 'nats' ? '' : `, HTTP ${target.baseUrl}`}${target.spawned ? ' (started for the run)' : ''}`,
    ...(warmupLine ? [warmupLine] : []),
    `  sent ${r.sent}  accepted ${r.accepted}  refused ${r.refused}${r.refusedDecided > 0 ? ` (${r.refusedDecided} of them stored and decided all the same)` : ''}  decided ${r.decided}  late ${r.late}  lost ${r.lost}`,
    ...(Object.keys(r.refusedWhy).length === 0
      ? []
      : [`  refused because: ${Object.entries(r.refusedWhy).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ×${n}`).join(', ')}`]),
    ...generatorLines(r),
    `  throughput ${r.throughputPerSecond}/s decided (from the window's start to its last decision)   decided while sending ${r.decidedWhileSending} (${r.decidedWhileSendingPerSecond}/s)`,
    latencyLine(r),
    `  riskstream resident memory max ${r.rssMaxMiB ?? '?'} MiB`,
    ...(r.busMessages === null || r.busMessages === 0 ? [] : [`  bus messages ${r.busMessages} (${(r.accepted / r.busMessages).toFixed(1)} events per message)`]),
    `  CPU ms per 1,000 decided events: ${r.cpuMsPer1k.riskstream === null ? '' : `riskstream ${r.cpuMsPer1k.riskstream}, `}nats-server ${r.cpuMsPer1k.nats ?? '?'}, redis-server ${r.cpuMsPer1k.redis ?? '?'}, bench ${r.cpuMsPer1k.bench ?? '?'}`,
    ...(r.cpuMsPer1kByThread === null
      ? []
      : [`  riskstream by thread: ${threadFigures(r.cpuMsPer1kByThread)}`]),
    ...resultHints(r, target),
    '',
  ].join('\n');
}

/** What --json prints on the last line: one run's figures at the top level, several under `runs`. */
export type BenchSummary = {
  readonly results: readonly BenchResult[];
  readonly partial: boolean;
  readonly target: TargetSummary;
  readonly ws: WsAlertBenchResult | undefined;
  readonly browser: BrowserAlertBenchResult | undefined;
  readonly machine: MachineInfo;
};

export function jsonLine({ results, partial, target, ws, browser, machine }: BenchSummary): string {
  // The per-client counts would make the line as long as the clients are many; the totals say enough.
  const wsPart = { ...(ws ? { wsAlerts: { ...ws, perClient: undefined } } : {}), ...(browser ? { browserAlerts: browser } : {}) };
  const targetPart = { target };
  const partialPart = { partial };
  return JSON.stringify(results.length === 1 ? { ...results[0], ...partialPart, ...targetPart, ...wsPart, machine } : { runs: results, ...partialPart, ...targetPart, ...wsPart, machine }) + '\n';
}

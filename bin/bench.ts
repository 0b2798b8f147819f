// `riskstream bench`: runs the harness in loadtest/bench against a running riskstream, or against a
// fresh one it spawns (own namespace, data folder and port), prints the figures and records them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SingleBar } from 'cli-progress';
import { connectBus, connectRedis, consumerLag, deleteKeysWithPrefix, deleteNamespace, names as namesOf, parseRoles, safeUrl, sourcePath, withoutSecretsOf, type Config } from '../core/index.js';
import { runBench, WARMUP_DRAIN_LIMIT_MS, type BenchResult, type Via } from '../loadtest/bench/run.js';
import { CPU_MIN_EVENTS, SEND_LAG_LIMIT_MS } from '../loadtest/bench/schedule.js';
import { machineInfo, type MachineInfo } from '../loadtest/bench/machine.js';
import { formatWsAlertBench, runWsAlertBench, type WsAlertBenchResult } from '../loadtest/bench/ws-alerts.js';
import type { BrowserAlertBenchResult } from '../loadtest/bench/browser-alerts.js';
import { PARENT_WATCH_ENV } from '../loadtest/bench/parent-watch.js';


/** A mistake in how bench was called, or a riskstream it cannot drive: printed without a stack. */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}

/**
 * A run cut short by NATS going away (its connection closed, a request unanswered) ends with what
 * happened and what to do, not a stack trace; anything else is passed on as it is.
 */
export function benchFailure(error: unknown, natsUrl: string): unknown {
  const e = error as { name?: string; code?: string; message?: string } | null;
  // nats.js's own error classes, by name
  const lostNats = /^(ClosedConnectionError|DrainingConnectionError|ConnectionError|TimeoutError|NoResponders)$/;
  if (e && lostNats.test(e.name ?? '')) {
    return new BenchError(
      `the run stopped: NATS at ${safeUrl(natsUrl)} went away or stopped answering (${withoutSecretsOf(natsUrl, e.message ?? e.name ?? '')}); its figures are lost. ` +
        'Check that nats-server runs (riskstream doctor), then run the bench again',
    );
  }
  return error;
}

export type BenchCommandOptions = {
  readonly rate: number;
  readonly duration: number;
  /** Seconds at the same rate before each measured run, not counted (0: none). */
  readonly warmup: number;
  readonly via: Via;
  readonly batchSize: number;
  /** Via NATS: events per envelope at most (1: one message per event) and the linger (ms). */
  readonly envelope: number;
  readonly linger: number;
  readonly envelopeScope: 'kind' | 'partition';
  readonly connections: number;
  readonly grace: number;
  /** After the grace: seconds at most to wait for late decisions (0: count them as lost). */
  readonly drain: number;
  readonly url: string;
  readonly pid?: number;
  readonly spawn?: boolean;
  /** With --spawn: the roles of the spawned riskstream (default: all). */
  readonly roles?: string;
  readonly suite?: boolean;
  readonly record?: boolean;
  readonly json?: boolean;
  /** Share of events that raise alerts (card-testing bursts), 0–1. */
  readonly alertShare: number;
  /** WebSocket subscribers measuring alert delivery during the NATS run (0: none). */
  readonly wsClients: number;
  /** With wsClients: also measure alert delivery into the dashboard in headless Chromium. */
  readonly browser?: boolean;
};

type Target = {
  readonly config: Config;
  readonly baseUrl: string;
  readonly pid?: number;
  /** Started by the bench for the run (its own namespace), rather than attached to. */
  readonly spawned: boolean;
  /** A dashboard user for the WebSocket subscribers and the browser. */
  readonly user?: { readonly username: string; readonly password: string };
  stop(): Promise<void>;
  /** At once, without waiting: SIGKILL the spawned process (a second interrupt). */
  kill(): void;
};

/** The run ended because of a signal: the exit code a shell gives it (128 + the signal's number). */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The most events per second, and per run (warm-up included), the bench takes. */
export const MAX_RATE = 1_000_000;
export const MAX_EVENTS = 100_000_000;

/** Refuses options that cannot work together, before anything is started: a BenchError in one line. */
export function checkBenchOptions(options: Pick<BenchCommandOptions, 'rate' | 'duration' | 'warmup' | 'spawn' | 'roles' | 'suite'>): void {
  if (options.rate > MAX_RATE) throw new BenchError(`--rate ${options.rate} is more than the bench can send (at most ${MAX_RATE.toLocaleString('en')} events/s)`);
  const events = options.rate * (options.duration + options.warmup);
  if (events > MAX_EVENTS) {
    throw new BenchError(`--rate ${options.rate} for ${options.warmup} + ${options.duration} s is ${events.toLocaleString('en')} events; the bench tracks at most ${MAX_EVENTS.toLocaleString('en')} in one run`);
  }
  if (options.roles !== undefined && !options.spawn) throw new BenchError('--roles sets the roles of a riskstream the bench starts: add --spawn (an attached riskstream runs the roles it was started with)');
  if (options.roles !== undefined) {
    try {
      parseRoles(options.roles);
    } catch (error) {
      throw new BenchError(`--roles: ${(error as Error).message}`);
    }
  }
}
type Run = { readonly via: Via; readonly rate: number; readonly durationS: number };

export async function runBenchCommand(config: Config, options: BenchCommandOptions): Promise<number> {
  const runs: Run[] = options.suite
    ? [
        { via: 'nats', rate: options.rate, durationS: options.duration },
        { via: 'http', rate: Math.min(options.rate, 2000), durationS: Math.min(options.duration, 30) },
        { via: 'http-batch', rate: Math.min(options.rate, 10_000), durationS: Math.min(options.duration, 30) },
      ]
    : [{ via: options.via, rate: options.rate, durationS: options.duration }];
  if (options.browser && options.wsClients === 0) throw new BenchError('--browser measures beside the WebSocket clients: give --ws-clients too');
  checkBenchOptions(options);
  // SIGINT (Ctrl-C) or SIGTERM (a CI time-out): stop sending, print the figures so far marked as
  // partial, clean up, and exit 130 / 143. A second signal exits at once, killing the spawned child.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let target: Target | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (stoppedBy !== undefined) {
      target?.kill();
      process.stderr.write(`\nbench: ${signal} again: exiting now${target?.spawned ? `; namespace ${target.config.namespace} and its data folder ${target.config.dataDir} are left behind (delete them with RISKSTREAM_NAMESPACE=${target.config.namespace} riskstream reset --yes)` : ''}\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stoppedBy = signal;
    process.stderr.write(`\nbench: ${signal}: stopping the run, printing its figures so far and cleaning up (${signal} again to exit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    target = options.spawn ? await spawnTarget(config, options.roles, interrupt.signal) : attachTarget(config, options);
    if (target === undefined) {
      process.stderr.write('bench: interrupted while the spawned riskstream started: nothing measured, its namespace and folder deleted\n');
      return SIGNAL_EXIT_CODES[stoppedBy ?? 'SIGINT'];
    }
    return await runOn(target, runs, options, interrupt.signal, () => stoppedBy);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runOn(target: Target, runs: readonly Run[], options: BenchCommandOptions, signal: AbortSignal, stoppedBy: () => StopSignal | undefined): Promise<number> {
  const results: BenchResult[] = [];
  let ws: WsAlertBenchResult | undefined;
  let browser: BrowserAlertBenchResult | undefined;
  try {
    for (const [index, run] of runs.entries()) {
      if (signal.aborted) break;
      // Alert delivery to live dashboards is measured while the NATS run loads the system. They
      // listen through the warm-up too, but count only alerts created in the measured window, as
      // the decision figures do (nothing counts until the run says when its window starts).
      // They listen until the run's sending ends (its warm-up may wait for its backlog), then 5 s more.
      let windowStart = Number.POSITIVE_INFINITY;
      const countFrom = (): number => windowStart;
      let sendingEnded: () => void = () => undefined;
      const listenUntil = new Promise<void>((resolve) => (sendingEnded = resolve));
      const wsRun = index === 0 && options.wsClients > 0 ? startWsSubscribers(target, options.wsClients, listenUntil, countFrom) : undefined;
      // The browser watches the feed during the same run, beside the WebSocket clients.
      const browserRun = wsRun && options.browser ? startBrowser(target, listenUntil, countFrom) : undefined;
      if (wsRun) await wsRun.ready;
      if (browserRun) await browserRun.ready;
      const bar = new SingleBar({
        format: `${run.via.padEnd(10)} [{bar}] {value}/{total}s | sent {sent} | decided {decided} | in flight {inFlight}`,
        stream: process.stderr,
        hideCursor: true,
      });
      const barS = options.warmup + run.durationS;
      bar.start(barS, 0, { sent: 0, decided: 0, inFlight: 0 });
      const result = await runBench({
        rate: run.rate,
        durationS: run.durationS,
        warmupS: options.warmup,
        via: run.via,
        natsUrl: target.config.natsUrl,
        redisUrl: target.config.redisUrl,
        namespace: target.config.namespace,
        partitions: target.config.partitions,
        baseUrl: target.baseUrl,
        apiKey: target.config.apiKey,
        pid: target.pid,
        graceS: options.grace,
        drainS: options.drain,
        onDrain: (d) => progressLine(`bench: ${d.late} decided late, ${d.due} still due${d.backlog === null ? '' : `, ${d.backlog} messages in the processors' backlog`}`),
        batchSize: options.batchSize,
        envelope: { maxRecords: options.envelope, lingerMs: options.linger, scope: options.envelopeScope },
        httpConnections: options.connections,
        seed: 7,
        alertShare: options.alertShare,
        onProgress: (p) => bar.update(Math.min(barS, Math.floor(p.elapsedS)), { sent: p.sent, decided: p.decided, inFlight: p.inFlight }),
        onMeasuredWindow: (startsAt) => (windowStart = startsAt),
        onSendingEnded: () => sendingEnded(),
        // Only a process the bench started is known to serve the namespace measured.
        threadCpu: target.spawned,
        signal,
      }).catch((error: unknown) => {
        bar.stop();
        throw benchFailure(error, target.config.natsUrl);
      });
      sendingEnded();
      bar.update(barS);
      bar.stop();
      if (result.late > 0) process.stderr.write('\n');
      results.push(result);
      printResult(result, target, stoppedBy());
      if (result.partial) break;
      if (wsRun) {
        ws = await wsRun.done;
        process.stdout.write(`alert delivery to ${options.wsClients} WebSocket clients during that run:\n${formatWsAlertBench(ws)}\n\n`);
      }
      if (browserRun) {
        browser = await browserRun.done;
        const { formatBrowserAlertBench } = await import('../loadtest/bench/browser-alerts.js');
        process.stdout.write(`alert delivery into the dashboard in headless Chromium during that run:\n${formatBrowserAlertBench(browser)}\n\n`);
      }
      // A run the system could not keep up with leaves a backlog: let it drain before the next
      // run, so that runs do not bleed into each other.
      if (index < runs.length - 1) await waitForBacklog(target.config, signal);
    }
  } finally {
    await target.stop();
  }
  const machine = machineInfo();
  const stopped = stoppedBy();
  if (options.record && stopped === undefined) recordResults(results, ws, browser, machine, process.argv.slice(2).join(' '));
  if (options.record && stopped !== undefined) process.stderr.write('bench: interrupted: nothing recorded in BENCHMARKS.md\n');
  if (options.json) {
    const wsPart = { ...(ws ? { wsAlerts: { ...ws, perClient: undefined } } : {}), ...(browser ? { browserAlerts: browser } : {}) };
    const targetPart = { target: targetOf(target) };
    const partial = { partial: stopped !== undefined };
    process.stdout.write(
      JSON.stringify(results.length === 1 ? { ...results[0], ...partial, ...targetPart, ...wsPart, machine } : { runs: results, ...partial, ...targetPart, ...wsPart, machine }) + '\n',
    );
  }
  if (stopped !== undefined) return SIGNAL_EXIT_CODES[stopped];
  // 2: an event was lost, or nothing came back at all (nothing to measure)
  return results.every((r) => r.lost === 0 && r.warmup.lost === 0 && !(r.sent > 0 && r.decided + r.late === 0)) ? 0 : 2;
}

/** What was measured: the namespace, the NATS server (without secrets) and the HTTP base. */
function targetOf(target: Target): { namespace: string; natsUrl: string; baseUrl: string; spawned: boolean } {
  return { namespace: target.config.namespace, natsUrl: safeUrl(target.config.natsUrl), baseUrl: target.baseUrl, spawned: target.spawned };
}

/** Opens the WebSocket subscribers; `ready` once they listen, `done` with the figures after the run and a grace. */
function startWsSubscribers(target: Target, clients: number, listenUntil: Promise<void>, countFrom: () => number): { ready: Promise<void>; done: Promise<WsAlertBenchResult> } {
  if (!target.user) {
    throw new BenchError('--ws-clients needs a dashboard user: set RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD to a user of the running riskstream, or use --spawn');
  }
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = runWsAlertBench({
    baseUrl: target.baseUrl,
    username: target.user.username,
    password: target.user.password,
    clients,
    // Listen a little longer than the load runs, so the last alerts are counted.
    listenUntil: listenUntil.then(() => new Promise<void>((r) => setTimeout(r, 5000))),
    countFrom,
    onReady: () => markReady(),
  });
  done.catch(() => markReady());
  return { ready, done };
}

/** Opens the dashboard in headless Chromium; `ready` once the feed listens, `done` with the figures. */
function startBrowser(target: Target, listenUntil: Promise<void>, countFrom: () => number): { ready: Promise<void>; done: Promise<BrowserAlertBenchResult> } {
  const user = target.user!;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // Loaded only here: playwright-core is needed for --browser alone.
  const done = import('../loadtest/bench/browser-alerts.js').then(({ runBrowserAlertBench }) =>
    runBrowserAlertBench({
      baseUrl: target.baseUrl,
      username: user.username,
      password: user.password,
      // As the WebSocket clients: a little longer than the load, so the last alerts are counted.
      listenUntil: listenUntil.then(() => new Promise<void>((r) => setTimeout(r, 5000))),
      countFrom,
      onReady: () => markReady(),
    }),
  );
  done.catch(() => markReady());
  return { ready, done };
}

/**
 * Between the suite's runs: waits until the processors and the writer have read everything of the
 * run before (every consumer of the namespace's streams; before 2026-12-06 (21:30) only the
 * processors', so the next run shared the CPU with storage catching up), then 3 s more. Gives up
 * after limitMs, saying so; an interrupt stops the wait.
 */
async function waitForBacklog(config: Config, signal: AbortSignal, limitMs = 300_000): Promise<void> {
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-bench-drain');
  const readers = [
    [names.streams.events, names.consumers.processors, 'processors'],
    [names.streams.events, names.consumers.writerEvents, 'writer (events)'],
    [names.streams.decisions, names.consumers.writerDecisions, 'writer (decisions)'],
    [names.streams.alerts, names.consumers.writerAlerts, 'writer (alerts)'],
  ] as const;
  const deadline = Date.now() + limitMs;
  try {
    while (!signal.aborted) {
      const waiting: string[] = [];
      for (const [stream, consumer, label] of readers) {
        const lag = await consumerLag(bus, stream, consumer);
        if (lag && lag.pending + lag.ackPending > 0) waiting.push(`${label} ${lag.pending + lag.ackPending}`);
      }
      if (waiting.length === 0) break;
      if (Date.now() > deadline) {
        process.stderr.write(`\nbench: still unread after ${limitMs / 1000} s: ${waiting.join(', ')} messages; starting the next run anyway\n`);
        break;
      }
      progressLine(`bench: waiting for the run's backlog before the next: ${waiting.join(', ')} messages`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await bus.nc.close();
  }
  if (!signal.aborted) await new Promise((r) => setTimeout(r, 3000));
  process.stderr.write('\n');
}

/** The entry point, with the envelope settings when events went in envelopes. */
function viaText(r: BenchResult): string {
  const { maxRecords, lingerMs, scope } = r.envelope;
  return maxRecords > 1 ? `${r.via} (envelopes ≤ ${maxRecords} per ${scope}, linger ${lingerMs} ms)` : r.via;
}

/** A progress line: rewritten in place at a terminal, one line each otherwise (a log, a pipe). */
function progressLine(text: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r${text}   ` : `${text}\n`);
}

/** Why figures are missing, empty or to be read with care, in the reader's terms. */
function resultHints(r: BenchResult, target: Target): string[] {
  const namespace = target.config.namespace;
  const hints: string[] = [];
  if (r.decided === 0 && r.late === 0 && r.sent > 0) {
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

function printResult(r: BenchResult, target: Target, stoppedBy: StopSignal | undefined): void {
  const w = r.warmup;
  const warmupLine =
    w.seconds > 0
      ? `  warm-up (not in the figures below): sent ${w.sent}  lost ${w.lost}; ran ${w.ranSeconds} s (sending, then waiting for its decisions); ${
          w.drained ? 'all decided before the window opened' : `${w.undecidedAtWindow} still undecided when the window opened after ${WARMUP_DRAIN_LIMIT_MS / 1000} s of waiting: its backlog is in the figures`
        }`
      : undefined;
  process.stdout.write(
    [
      ...(r.partial ? [`PARTIAL: interrupted by ${stoppedBy ?? 'a signal'}; the figures so far, without the grace or the drain (undecided events count as lost)`] : []),
      `via ${viaText(r)}: ${r.rate}/s for ${r.durationS}s${w.seconds > 0 ? ` after ${w.seconds}s of warm-up at that rate` : ''}`,
      `  target: namespace ${target.config.namespace} on ${safeUrl(target.config.natsUrl)}${r.via === 'nats' ? '' : `, HTTP ${target.baseUrl}`}${target.spawned ? ' (started for the run)' : ''}`,
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
    ].join('\n'),
  );
}

function attachTarget(config: Config, options: BenchCommandOptions): Target {
  // the suite's HTTP runs need the key of a riskstream it started itself
  if (options.suite) throw new BenchError('--suite runs against a riskstream it starts itself: add --spawn');
  const baseUrl = benchUrlOf(options.url);
  if (options.via !== 'nats' && config.apiKeyGenerated) {
    throw new BenchError('set RISKSTREAM_API_KEY to the running riskstream\'s ingest key for --via http, or use --spawn');
  }
  const user = config.adminUser && config.adminPassword ? { username: config.adminUser, password: config.adminPassword } : undefined;
  return { config, baseUrl, pid: options.pid, spawned: false, user, stop: async () => undefined, kill: () => undefined };
}

/** --url, checked as simulate checks it: an http(s) base URL, or a BenchError (not undici's stack). */
export function benchUrlOf(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new BenchError(`--url ${text} is not an http(s) address such as http://127.0.0.1:8080`);
  }
  return text;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts a fresh riskstream for the run; undefined when interrupted while it started (it is cleaned up). */
async function spawnTarget(base: Config, roles: string | undefined, signal: AbortSignal): Promise<Target | undefined> {
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'riskstream-bench-'));
  const port = await freePort();
  const apiKey = `bench_${randomBytes(16).toString('hex')}`;
  const user = { username: 'bench', password: `bench-${randomBytes(12).toString('hex')}` };
  const logPath = join(dataDir, 'riskstream.log');
  const env = {
    ...process.env,
    PORT: String(port),
    RISKSTREAM_NAMESPACE: namespace,
    RISKSTREAM_DATA_DIR: dataDir,
    RISKSTREAM_API_KEY: apiKey,
    RISKSTREAM_SIMULATOR_RATE: '0',
    RISKSTREAM_DEMO_USERS: '0',
    RISKSTREAM_ADMIN_USER: user.username,
    RISKSTREAM_ADMIN_PASSWORD: user.password,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    [PARENT_WATCH_ENV]: '1',
  };
  const config: Config = { ...base, namespace, dataDir, apiKey, apiKeyGenerated: false, port };
  const entry = fileURLToPath(new URL('./riskstream.js', import.meta.url));
  const log = openSync(logPath, 'a');
  // RISKSTREAM_BENCH_NODE_ARGS: flags for the spawned node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // to profile the system under load (flags NODE_OPTIONS does not allow).
  const nodeArgs = (process.env.RISKSTREAM_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  // Its own process group, so that a Ctrl-C at the terminal reaches the bench alone, which stops
  // it after printing; its stdin is a pipe from the bench, and parent-watch.js stops it when that
  // pipe closes: the bench is gone (even by SIGKILL, which no handler sees).
  const parentWatch = fileURLToPath(new URL('../loadtest/bench/parent-watch.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', pathToFileURL(parentWatch).href, entry, 'start', ...(roles ? ['--roles', roles] : [])], {
    env,
    stdio: ['pipe', log, log],
    detached: true,
  });
  // The bench's own exit (a stack, process.exit) takes the child with it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  process.stderr.write(`bench: started riskstream (pid ${child.pid}, namespace ${namespace}, log ${logPath})\n`);
  /** Stops the child and removes what it made: its streams and KV buckets, its Redis keys, and (unless kept) its folder. */
  async function cleanUp(keepFolder: boolean): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        new Promise<boolean>((r) => child.once('exit', () => r(true))),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 30_000))),
      ]);
      // A pending timer would keep the bench alive for the rest of the 30 s after the child exited.
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
    }
    process.off('exit', killOnExit);
    child.stdin?.destroy();
    const names = namesOf(namespace);
    const bus = await connectBus(config.natsUrl, names, 'riskstream-bench-cleanup');
    await deleteNamespace(bus);
    await bus.nc.close();
    const redis = await connectRedis(config.redisUrl, 'riskstream-bench-cleanup');
    await deleteKeysWithPrefix(redis, names.redisPrefix);
    redis.disconnect();
    if (!keepFolder) rmSync(dataDir, { recursive: true, force: true });
  }

  // A riskstream that fails to start may already have made its streams (they come before the
  // ClickHouse check): clean up before saying so, or every failed attempt leaves a namespace behind.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (signal.aborted) {
      await cleanUp(false);
      return undefined;
    }
    if (child.exitCode !== null) {
      const tail = readFileSync(logPath, 'utf8').slice(-2000);
      await cleanUp(false);
      throw new BenchError(`riskstream exited during start-up:\n${tail}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        process.stderr.write(`bench: riskstream is up at ${baseUrl}\n`);
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await cleanUp(true);
      throw new BenchError(`riskstream did not become healthy within 60 s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    config,
    baseUrl,
    pid: child.pid,
    spawned: true,
    user,
    stop: () => cleanUp(false),
    kill: killOnExit,
  };
}

/** CPU per 1,000 events by thread group as one line: `processors 54, storage engine 46, …`. */
function threadFigures(byThread: Readonly<Record<string, number>>): string {
  return Object.entries(byThread)
    .map(([thread, ms]) => `${thread.replaceAll('_', ' ')} ${ms}`)
    .join(', ');
}

const RECORD_HEADER = `| date (UTC) | commit | via | rate/s | s | sent | decided | late | lost | throughput/s (to last decision) | decided while sending/s | p50 ms | p95 ms | p99 ms | max RSS MiB | CPU ms/1k events (riskstream / nats / redis) | command |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
`;

function recordResults(
  results: readonly BenchResult[],
  ws: WsAlertBenchResult | undefined,
  browser: BrowserAlertBenchResult | undefined,
  machine: MachineInfo,
  command: string,
): void {
  const path = sourcePath('BENCHMARKS.md');
  if (!existsSync(path)) writeFileSync(path, '# Benchmarks\n');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  let text = `\n### Run of ${date} UTC at ${machine.commit}\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. NATS, Redis and riskstream on the same machine.\n\n${RECORD_HEADER}`;
  for (const r of results) {
    const w = r.warmup;
    const warmNote = [w.lost > 0 ? `${w.lost} of it lost` : '', w.drained ? '' : `${w.undecidedAtWindow} undecided when the window opened`].filter((t) => t !== '').join(', ');
    const seconds = w.seconds > 0 ? `${r.durationS} (after ${w.seconds} s warm-up${warmNote ? `, ${warmNote}` : ''})` : String(r.durationS);
    const offered = r.generator.keptSchedule ? '' : ` (offered ${r.generator.offeredPerSecond}: schedule not kept)`;
    text += `| ${date} | ${machine.commit} | ${viaText(r)} | ${r.rate}${offered} | ${seconds} | ${r.sent} | ${r.decided} | ${r.late} | ${r.lost} | ${r.throughputPerSecond} | ${r.decidedWhileSendingPerSecond} | ${r.p50Ms ?? 'n/a'} | ${r.p95Ms ?? 'n/a'} | ${r.p99Ms ?? 'n/a'} | ${r.rssMaxMiB ?? '?'} | ${r.cpuMsPer1k.riskstream ?? '?'} / ${r.cpuMsPer1k.nats ?? '?'} / ${r.cpuMsPer1k.redis ?? '?'} | \`riskstream ${command}\` |\n`;
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
  appendFileSync(path, text);
  process.stderr.write(`bench: recorded in ${path}\n`);
}

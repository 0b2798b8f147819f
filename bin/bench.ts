// `riskstream bench`: runs the harness in loadtest/bench against a running riskstream, or against a
// fresh one it spawns (own namespace, data folder and port), prints the figures and records them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import { connectBus, connectRedis, consumerLag, deleteKeysWithPrefix, deleteNamespace, names as namesOf, safeUrl, sourcePath, withoutSecretsOf, type Config } from '../core/index.js';
import { runBench, type BenchResult, type Via } from '../loadtest/bench/run.js';
import { machineInfo, type MachineInfo } from '../loadtest/bench/machine.js';
import { formatWsAlertBench, runWsAlertBench, type WsAlertBenchResult } from '../loadtest/bench/ws-alerts.js';
import type { BrowserAlertBenchResult } from '../loadtest/bench/browser-alerts.js';


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
  /** A dashboard user for the WebSocket subscribers and the browser. */
  readonly user?: { readonly username: string; readonly password: string };
  stop(): Promise<void>;
};
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
  const target = options.spawn ? await spawnTarget(config, options.roles) : attachTarget(config, options);
  const results: BenchResult[] = [];
  let ws: WsAlertBenchResult | undefined;
  let browser: BrowserAlertBenchResult | undefined;
  try {
    for (const [index, run] of runs.entries()) {
      // Alert delivery to live dashboards is measured while the NATS run loads the system. They
      // listen through the warm-up too, but count only alerts created in the measured window, as
      // the decision figures do (nothing counts until the run says when its window starts).
      const listenS = options.warmup + run.durationS;
      let windowStart = Number.POSITIVE_INFINITY;
      const countFrom = (): number => windowStart;
      const wsRun = index === 0 && options.wsClients > 0 ? startWsSubscribers(target, options.wsClients, listenS, countFrom) : undefined;
      // The browser watches the feed during the same run, beside the WebSocket clients.
      const browserRun = wsRun && options.browser ? startBrowser(target, listenS, countFrom) : undefined;
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
      }).catch((error: unknown) => {
        bar.stop();
        throw benchFailure(error, target.config.natsUrl);
      });
      bar.update(barS);
      bar.stop();
      if (result.late > 0) process.stderr.write('\n');
      results.push(result);
      printResult(result, target.config.namespace);
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
      if (index < runs.length - 1) await waitForBacklog(target.config);
    }
  } finally {
    await target.stop();
  }
  const machine = machineInfo();
  if (options.record) recordResults(results, ws, browser, machine, process.argv.slice(2).join(' '));
  if (options.json) {
    const wsPart = { ...(ws ? { wsAlerts: { ...ws, perClient: undefined } } : {}), ...(browser ? { browserAlerts: browser } : {}) };
    process.stdout.write(JSON.stringify(results.length === 1 ? { ...results[0], ...wsPart, machine } : { runs: results, ...wsPart, machine }) + '\n');
  }
  // 2: an event was lost, or nothing came back at all (nothing to measure)
  return results.every((r) => r.lost === 0 && r.warmup.lost === 0 && !(r.sent > 0 && r.decided + r.late === 0)) ? 0 : 2;
}

/** Opens the WebSocket subscribers; `ready` once they listen, `done` with the figures after the run and a grace. */
function startWsSubscribers(target: Target, clients: number, durationS: number, countFrom: () => number): { ready: Promise<void>; done: Promise<WsAlertBenchResult> } {
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
    durationSeconds: durationS + 5,
    countFrom,
    onReady: () => markReady(),
  });
  done.catch(() => markReady());
  return { ready, done };
}

/** Opens the dashboard in headless Chromium; `ready` once the feed listens, `done` with the figures. */
function startBrowser(target: Target, durationS: number, countFrom: () => number): { ready: Promise<void>; done: Promise<BrowserAlertBenchResult> } {
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
      durationSeconds: durationS + 5,
      countFrom,
      onReady: () => markReady(),
    }),
  );
  done.catch(() => markReady());
  return { ready, done };
}

async function waitForBacklog(config: Config, limitMs = 300_000): Promise<void> {
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-bench-drain');
  const deadline = Date.now() + limitMs;
  try {
    for (;;) {
      const lag = await consumerLag(bus, names.streams.events, names.consumers.processors);
      if (!lag || lag.pending + lag.ackPending === 0) break;
      if (Date.now() > deadline) {
        process.stderr.write(`bench: ${lag.pending + lag.ackPending} events still waiting for the processors; starting the next run anyway\n`);
        break;
      }
      progressLine(`bench: waiting for the processors' backlog: ${lag.pending + lag.ackPending} messages`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await bus.nc.close();
  }
  await new Promise((r) => setTimeout(r, 3000));
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

/** Why figures are missing or empty, in the reader's terms. */
function resultHints(r: BenchResult, namespace: string): string[] {
  const hints: string[] = [];
  if (r.decided === 0 && r.late === 0 && r.sent > 0) {
    hints.push(`  no decision came back: is a riskstream with the processors role running in namespace "${namespace}" (RISKSTREAM_NAMESPACE)? \`riskstream doctor\` lists its processes; --spawn starts one for the run`);
  }
  if (r.rssMaxMiB === null || r.cpuMsPer1k.riskstream === null) {
    hints.push("  (memory and riskstream's CPU need the process: give --pid, or use --spawn)");
  }
  return hints;
}

function printResult(r: BenchResult, namespace: string): void {
  process.stdout.write(
    [
      `via ${viaText(r)}: ${r.rate}/s for ${r.durationS}s${r.warmup.seconds > 0 ? ` after ${r.warmup.seconds}s of warm-up at that rate` : ''}`,
      ...(r.warmup.seconds > 0 ? [`  warm-up (not in the figures below): sent ${r.warmup.sent}  lost ${r.warmup.lost}`] : []),
      `  sent ${r.sent}  accepted ${r.accepted}  refused ${r.refused}${r.refusedDecided > 0 ? ` (${r.refusedDecided} of them stored and decided all the same)` : ''}  decided ${r.decided}  late ${r.late}  lost ${r.lost}`,
      ...(Object.keys(r.refusedWhy).length === 0
        ? []
        : [`  refused because: ${Object.entries(r.refusedWhy).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ×${n}`).join(', ')}`]),
      `  achieved ${r.achievedPerSecond}/s   ingest-to-decision (late ones included) p50 ${r.p50Ms} ms  p95 ${r.p95Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms`,
      `  decided while sending ${r.decidedWhileSending} (${r.decidedWhileSendingPerSecond}/s; "achieved" also counts the grace)`,
      `  riskstream resident memory max ${r.rssMaxMiB ?? '?'} MiB`,
      ...(r.busMessages === null || r.busMessages === 0 ? [] : [`  bus messages ${r.busMessages} (${(r.accepted / r.busMessages).toFixed(1)} events per message)`]),
      `  CPU ms per 1,000 decided events: riskstream ${r.cpuMsPer1k.riskstream ?? '?'}, nats-server ${r.cpuMsPer1k.nats ?? '?'}, redis-server ${r.cpuMsPer1k.redis ?? '?'}, bench ${r.cpuMsPer1k.bench ?? '?'}`,
      ...(r.cpuMsPer1kByThread === null
        ? []
        : [`  riskstream by thread: ${threadFigures(r.cpuMsPer1kByThread)}`]),
      ...resultHints(r, namespace),
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
  return { config, baseUrl, pid: options.pid, user, stop: async () => undefined };
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

async function spawnTarget(base: Config, roles: string | undefined): Promise<Target> {
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
  };
  const config: Config = { ...base, namespace, dataDir, apiKey, apiKeyGenerated: false, port };
  const entry = fileURLToPath(new URL('./riskstream.js', import.meta.url));
  const log = openSync(logPath, 'a');
  // RISKSTREAM_BENCH_NODE_ARGS: flags for the spawned node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // to profile the system under load (flags NODE_OPTIONS does not allow).
  const nodeArgs = (process.env.RISKSTREAM_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, entry, 'start', ...(roles ? ['--roles', roles] : [])], { env, stdio: ['ignore', log, log] });
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
    if (child.exitCode !== null) {
      const tail = readFileSync(logPath, 'utf8').slice(-2000);
      await cleanUp(false);
      throw new BenchError(`riskstream exited during start-up:\n${tail}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) break;
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
    user,
    stop: () => cleanUp(false),
  };
}

/** CPU per 1,000 events by thread group as one line: `processors 54, storage engine 46, …`. */
function threadFigures(byThread: Readonly<Record<string, number>>): string {
  return Object.entries(byThread)
    .map(([thread, ms]) => `${thread.replaceAll('_', ' ')} ${ms}`)
    .join(', ');
}

const RECORD_HEADER = `| date (UTC) | commit | via | rate/s | s | sent | decided | late | lost | achieved/s | decided while sending/s | p50 ms | p95 ms | p99 ms | max RSS MiB | CPU ms/1k events (riskstream / nats / redis) | command |
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
    const seconds = r.warmup.seconds > 0 ? `${r.durationS} (after ${r.warmup.seconds} s warm-up${r.warmup.lost > 0 ? `, ${r.warmup.lost} of it lost` : ''})` : String(r.durationS);
    text += `| ${date} | ${machine.commit} | ${viaText(r)} | ${r.rate} | ${seconds} | ${r.sent} | ${r.decided} | ${r.late} | ${r.lost} | ${r.achievedPerSecond} | ${r.decidedWhileSendingPerSecond} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.rssMaxMiB ?? '?'} | ${r.cpuMsPer1k.riskstream ?? '?'} / ${r.cpuMsPer1k.nats ?? '?'} / ${r.cpuMsPer1k.redis ?? '?'} | \`riskstream ${command}\` |\n`;
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

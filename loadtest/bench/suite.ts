// The runs one bench invocation makes against its target, one after the other: the run asked for,
// or the recorded suite (NATS at full rate, then HTTP single and batch at rates HTTP can take),
// with a progress bar, the figures of each as it ends, alert delivery measured beside the first,
// and the backlog of each worked off before the next so that runs do not bleed into each other.
import { SingleBar } from 'cli-progress';
import { startBrowser, startWsSubscribers } from './alert-listeners.js';
import { waitForBacklog } from './backlog.js';
import type { BrowserAlertBenchResult } from './browser-alerts.js';
import { benchFailure } from './failure.js';
import { progressLine, resultText } from './report.js';
import { runBench, type BenchResult, type Via } from './run.js';
import type { StopSignal } from './stop-signals.js';
import { targetSummaryOf, type Target } from './target.js';
import { formatWsAlertBench, type WsAlertBenchResult } from './ws-alerts.js';

export type Run = { readonly via: Via; readonly rate: number; readonly durationS: number };

/**
 * The run asked for, or with `suite` the recorded suite: HTTP one event per request is capped at
 * 2,000/s and batches at 10,000/s, each for 30 s at most, what an HTTP ingest is expected to take.
 */
export function suiteRuns(options: { readonly rate: number; readonly duration: number; readonly via: Via; readonly suite?: boolean }): Run[] {
  return options.suite
    ? [
        { via: 'nats', rate: options.rate, durationS: options.duration },
        { via: 'http', rate: Math.min(options.rate, 2000), durationS: Math.min(options.duration, 30) },
        { via: 'http-batch', rate: Math.min(options.rate, 10_000), durationS: Math.min(options.duration, 30) },
      ]
    : [{ via: options.via, rate: options.rate, durationS: options.duration }];
}

/** How every run of the suite sends and waits, beside its rate, entry point and length. */
export type SuiteSettings = {
  /** Seconds at the same rate before each measured run, not counted (0: none). */
  readonly warmup: number;
  readonly batchSize: number;
  /** Via NATS: events per envelope at most (1: one message per event) and the linger (ms). */
  readonly envelope: number;
  readonly linger: number;
  readonly envelopeScope: 'kind' | 'partition';
  readonly connections: number;
  readonly grace: number;
  /** After the grace: seconds at most to wait for late decisions (0: count them as lost). */
  readonly drain: number;
  /** Share of events that raise alerts (card-testing bursts), 0–1. */
  readonly alertShare: number;
  /** WebSocket subscribers measuring alert delivery during the NATS run (0: none). */
  readonly wsClients: number;
  /** With wsClients: also measure alert delivery into the dashboard in headless Chromium. */
  readonly browser?: boolean;
};

export type SuiteResults = {
  readonly results: readonly BenchResult[];
  readonly ws: WsAlertBenchResult | undefined;
  readonly browser: BrowserAlertBenchResult | undefined;
};

/**
 * Makes the runs, printing each one's figures as it ends; stops at the first interrupted one.
 * The target is stopped at the end, however the runs ended.
 */
export async function runSuite(target: Target, runs: readonly Run[], options: SuiteSettings, signal: AbortSignal, stoppedBy: () => StopSignal | undefined): Promise<SuiteResults> {
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
      process.stdout.write(resultText(result, targetSummaryOf(target), stoppedBy()));
      if (result.partial) break;
      if (wsRun) {
        ws = await wsRun.done;
        process.stdout.write(`alert delivery to ${options.wsClients} WebSocket clients during that run:\n${formatWsAlertBench(ws)}\n\n`);
      }
      if (browserRun) {
        browser = await browserRun.done;
        const { formatBrowserAlertBench } = await import('./browser-alerts.js');
        process.stdout.write(`alert delivery into the dashboard in headless Chromium during that run:\n${formatBrowserAlertBench(browser)}\n\n`);
      }
      // A run the system could not keep up with leaves a backlog: let it drain before the next
      // run, so that runs do not bleed into each other.
      if (index < runs.length - 1) await waitForBacklog(target.config, signal);
    }
  } finally {
    await target.stop();
  }
  return { results, ws, browser };
}

// `riskstream bench`: runs the harness in loadtest/bench against a running riskstream, or against a
// fresh one it spawns (own namespace, data folder and port), prints the figures and records them.
// This file is the command: its options, their checks, and the wiring of loadtest/bench's parts.
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { httpUrlOf, parseRoles, type Config } from '../core/index.js';
import { INGEST_OPENAPI_PATH } from '../ingest/openapi.js';
import { BenchError } from '../loadtest/bench/failure.js';
import { machineInfo } from '../loadtest/bench/machine.js';
import { recordResults } from '../loadtest/bench/record.js';
import { jsonLine } from '../loadtest/bench/report.js';
import type { BenchResult, Via } from '../loadtest/bench/run.js';
import { SIGNAL_EXIT_CODES, watchStopSignals, type StopSignals } from '../loadtest/bench/stop-signals.js';
import { runSuite, suiteRuns, type Run, type SuiteSettings } from '../loadtest/bench/suite.js';
import { commandLineMistake } from './cli-failure.js';
import { ingestKeyNeeded, nothingAnswersAt, refusedBatchHint } from './ingest-url.js';
import { attachTarget, spawnTarget, targetSummaryOf, type Target } from '../loadtest/bench/target.js';

export { BenchError } from '../loadtest/bench/failure.js';

export type BenchCommandOptions = SuiteSettings & {
  readonly rate: number;
  readonly duration: number;
  readonly via: Via;
  readonly url: string;
  readonly pid?: number;
  readonly spawn?: boolean;
  /** With --spawn: the roles of the spawned riskstream (default: all). */
  readonly roles?: string;
  readonly suite?: boolean;
  readonly record?: boolean;
  readonly json?: boolean;
};

/** The most events per second, and per run (warm-up included), the bench takes. */
export const MAX_RATE = 1_000_000;
export const MAX_EVENTS = 100_000_000;

/** A BenchError about the options given: printed with where bench's help is. */
function optionMistake(message: string): BenchError {
  return commandLineMistake(new BenchError(message));
}

/** Refuses options that cannot work together, before anything is started: a BenchError in one line. */
export function checkBenchOptions(options: Pick<BenchCommandOptions, 'rate' | 'duration' | 'warmup' | 'spawn' | 'roles' | 'suite'>): void {
  if (options.rate > MAX_RATE) throw optionMistake(`--rate ${options.rate} is more than the bench can send (at most ${MAX_RATE.toLocaleString('en')} events/s)`);
  const events = options.rate * (options.duration + options.warmup);
  if (events > MAX_EVENTS) {
    throw optionMistake(`--rate ${options.rate} for ${options.warmup} + ${options.duration} s is ${events.toLocaleString('en')} events; the bench tracks at most ${MAX_EVENTS.toLocaleString('en')} in one run`);
  }
  if (options.roles !== undefined && !options.spawn) throw optionMistake('--roles sets the roles of a riskstream the bench starts: add --spawn (an attached riskstream runs the roles it was started with)');
  if (options.roles !== undefined) {
    try {
      parseRoles(options.roles);
    } catch (error) {
      throw optionMistake(`--roles: ${(error as Error).message}`);
    }
  }
}

/** --url, checked as simulate checks it: an http(s) base URL, or a BenchError (not undici's stack). */
export function benchUrlOf(text: string): string {
  if (httpUrlOf(text) === undefined) throw optionMistake(`--url ${text} is not an http(s) address such as http://127.0.0.1:8080`);
  return text;
}

/** The running riskstream of the configured namespace, when the options can drive it. */
async function attachTo(config: Config, options: BenchCommandOptions): Promise<Target> {
  // the suite's HTTP runs need the key of a riskstream it started itself
  if (options.suite) throw optionMistake('--suite runs against a riskstream it starts itself: add --spawn');
  const baseUrl = benchUrlOf(options.url);
  if (options.via !== 'nats') {
    if (config.apiKeyGenerated) throw new BenchError(`${ingestKeyNeeded(config.dataDir, `bench it --via ${options.via}`)}, or use --spawn`);
    await checkIngestAnswers(baseUrl);
  }
  return attachTarget(config, baseUrl, options.pid);
}

/**
 * Before any load: that an ingest answers at --url. Every request to an address where nothing
 * listens is refused at once, and the run would go on for its whole length measuring nothing.
 */
export async function checkIngestAnswers(baseUrl: string): Promise<void> {
  let status: number;
  try {
    // its OpenAPI document: served by the ingest role, without a key, and counting no event; by
    // undici as the run sends (fetch refuses ports such as 1 that the run's requests would reach)
    const response = await request(new URL(INGEST_OPENAPI_PATH, baseUrl), { headersTimeout: 5000, bodyTimeout: 5000 });
    await response.body.dump();
    status = response.statusCode;
  } catch (error) {
    throw new BenchError(`${nothingAnswersAt(baseUrl, error)} Give --url the address of its ingest (its PORT), or use --spawn`);
  }
  if (status === 404) throw new BenchError(`${baseUrl} answers 404 to ingest requests${refusedBatchHint(404)}, or use --spawn`);
}

export async function runBenchCommand(config: Config, options: BenchCommandOptions): Promise<number> {
  const runs = suiteRuns(options);
  if (options.browser && options.wsClients === 0) throw optionMistake('--browser measures beside the WebSocket clients: give --ws-clients too');
  checkBenchOptions(options);
  let target: Target | undefined;
  const stop = watchStopSignals(() => target);
  try {
    target = options.spawn
      ? await spawnTarget(config, { entry: fileURLToPath(new URL('./riskstream.js', import.meta.url)), roles: options.roles, wsClients: options.wsClients, signal: stop.signal })
      : await attachTo(config, options);
    if (target === undefined) {
      process.stderr.write('bench: interrupted while the spawned riskstream started: nothing measured, its namespace and folder deleted\n');
      return SIGNAL_EXIT_CODES[stop.stoppedBy() ?? 'SIGINT'];
    }
    return await runOn(target, runs, options, stop);
  } finally {
    stop.dispose();
  }
}

async function runOn(target: Target, runs: readonly Run[], options: BenchCommandOptions, stop: StopSignals): Promise<number> {
  const { results, ws, browser } = await runSuite(target, runs, options, stop.signal, stop.stoppedBy);
  const machine = machineInfo();
  const stopped = stop.stoppedBy();
  if (options.record && stopped === undefined) recordResults({ results, ws, browser, machine, command: process.argv.slice(2).join(' ') });
  if (options.record && stopped !== undefined) process.stderr.write('bench: interrupted: nothing recorded in BENCHMARKS.md\n');
  if (options.json) process.stdout.write(jsonLine({ results, partial: stopped !== undefined, target: targetSummaryOf(target), ws, browser, machine }));
  if (stopped !== undefined) return SIGNAL_EXIT_CODES[stopped];
  return exitCodeOf(results);
}

/** 2: an event was lost, or nothing came back at all (nothing to measure). */
function exitCodeOf(results: readonly BenchResult[]): number {
  return results.every((r) => r.lost === 0 && r.warmup.lost === 0 && !(r.sent > 0 && r.decided + r.late === 0)) ? 0 : 2;
}

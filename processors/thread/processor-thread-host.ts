// Starts the processors thread and speaks for it in the main thread: start-up (or the reason it
// failed), its latest metrics, draining on shutdown, and a thread that dies on its own.
import { Worker } from 'node:worker_threads';
import { ConfigError, ServiceUnavailableError, createTidCell, nameThread, type Config, type Logger, type MetricsSnapshot } from '../../core/index.js';
import type { Processor, ProcessorStatus } from '../runner.js';
import type { ThreadInit, ThreadReport, ThreadRequest } from './thread-messages.js';

export type ProcessorThread = Processor & {
  /** The thread's latest metrics (empty until its first report). */
  metrics(): MetricsSnapshot;
};

const START_TIMEOUT_MS = 30_000;

/**
 * The error a thread's start-up failure stands for in the main thread: the kinds the command line
 * explains in one line (a service down, a setting refused) keep their kind across the thread.
 */
export function threadFailure(report: Extract<ThreadReport, { type: 'failed' }>): Error {
  if (report.name === 'ServiceUnavailableError') return new ServiceUnavailableError(report.message);
  if (report.name === 'ConfigError') return new ConfigError(report.message);
  return new Error(report.message);
}
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Starts the processors in a worker thread; resolves once they consume. `onDied` is called if the
 * thread ends without being asked to (the process should then stop: its decisions have stopped).
 */
export async function startProcessorThread(config: Config, procId: string, logger: Logger, onDied: (reason: string) => void): Promise<ProcessorThread> {
  const tidCell = createTidCell();
  const init: ThreadInit = { config, procId, tidCell };
  const worker = new Worker(new URL('./processor-thread.js', import.meta.url), { workerData: init });
  nameThread('processors', tidCell);
  let latest: MetricsSnapshot = [];
  let status: ProcessorStatus = { failingSinceMs: null, lastError: null };
  let draining = false;
  let drained: (() => void) | undefined;

  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the processors thread did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.on('message', (report: ThreadReport) => {
      switch (report.type) {
        case 'started':
          clearTimeout(timer);
          resolve();
          break;
        case 'metrics':
          latest = report.snapshot;
          status = report.status;
          break;
        case 'drained':
          drained?.();
          break;
        case 'failed':
          clearTimeout(timer);
          reject(threadFailure(report));
          break;
      }
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
      if (!draining) onDied(`the processors thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the processors thread exited (${code}) during start-up`));
      if (!draining) onDied(`the processors thread exited (${code})`);
    });
  });
  try {
    await started;
  } catch (error) {
    draining = true;
    await worker.terminate();
    throw error;
  }
  logger.debug({ threadId: worker.threadId }, 'processors thread started');

  return {
    async start() {
      // Started above: the thread consumes as soon as it is up.
    },
    metrics: () => latest,
    // as of the thread's last report (every second)
    status: () => status,
    async drain() {
      if (draining) return;
      draining = true;
      const done = new Promise<void>((resolve) => {
        drained = resolve;
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'drain' } satisfies ThreadRequest);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        done.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (timedOut) logger.warn('the processors thread did not drain in time; stopping it (unacknowledged events are delivered again)');
      await worker.terminate();
    },
  };
}
